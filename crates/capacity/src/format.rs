//! Presentation: the only place where numbers are rounded.
//!
//! Scores, weights and amounts stay exact [`Decimal`]s everywhere else; these
//! helpers round them for display, half away from zero (72,45 → 72,5;
//! 72,44 → 72,4), and write them the French way (decimal comma, narrow
//! no-break space U+202F between thousands) or the English way (decimal
//! point, comma between thousands). Amounts of money are CFA francs, which
//! have no minor unit: `1 250 000 FCFA`, with a no-break space (U+00A0)
//! before the currency so that it never wraps away from its number. This
//! module depends on nothing but `text::Lang`.
//!
//! **Formula defusing.** [`defuse`] is the one rule every CSV or XLSX file
//! of the project applies to its text cells (the command line's tables, the
//! exports of `capacity-exchange`, the web app's downloads): a text that a
//! spreadsheet would run as a formula or a command (it starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return: `=HYPERLINK(…)` in a
//! commune's name) gets a leading apostrophe, which spreadsheets show as
//! text (the OWASP recommendation). Numbers are not text cells and are
//! never changed (`-3` stays a number).

use crate::text::Lang;
use rust_decimal::{Decimal, RoundingStrategy};

/// The French thousands separator: narrow no-break space.
pub const NARROW_NBSP: char = '\u{202F}';
/// The space before a unit: no-break space.
pub const NBSP: char = '\u{A0}';

/// `value` rounded to `places` decimals (half away from zero), with the
/// language's separators.
///
/// ```
/// use capacity::{Lang, format};
/// use rust_decimal::Decimal;
/// let d: Decimal = "12345.675".parse().unwrap();
/// assert_eq!(format::decimal(d, 2, Lang::Fr), "12\u{202F}345,68");
/// assert_eq!(format::decimal(d, 2, Lang::En), "12,345.68");
/// ```
pub fn decimal(value: Decimal, places: u32, lang: Lang) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = format!("{:.*}", places as usize, rounded.abs());
    let (int, frac) = digits.split_once('.').unwrap_or((digits.as_str(), ""));
    let (thousands, point) = match lang {
        Lang::Fr => (NARROW_NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::with_capacity(digits.len() + int.len() / 3 * 3 + 1);
    if negative {
        out.push('-');
    }
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A score 0–100 with one decimal: `72,5` (French) or `72.5` (English).
///
/// ```
/// use capacity::{Lang, format};
/// use rust_decimal::Decimal;
/// let third = Decimal::ONE_HUNDRED / Decimal::from(3);
/// assert_eq!(format::score(third, Lang::Fr), "33,3");
/// assert_eq!(format::score(Decimal::ONE_HUNDRED, Lang::En), "100.0");
/// ```
pub fn score(value: Decimal, lang: Lang) -> String {
    decimal(value, 1, lang)
}

/// An amount in CFA francs, rounded to the franc: `1 250 000 FCFA`.
///
/// ```
/// use capacity::{Lang, format};
/// use rust_decimal::Decimal;
/// let a = Decimal::from(1_250_000);
/// assert_eq!(format::fcfa(a, Lang::Fr), "1\u{202F}250\u{202F}000\u{A0}FCFA");
/// assert_eq!(format::fcfa(a, Lang::En), "1,250,000\u{A0}FCFA");
/// ```
pub fn fcfa(amount: Decimal, lang: Lang) -> String {
    let mut out = decimal(amount, 0, lang);
    out.push(NBSP);
    out.push_str("FCFA");
    out
}

/// A ratio 0–1 as a percentage with at most one decimal: `33,3 %`
/// (French, narrow no-break space before `%`) or `33.3%` (English).
///
/// ```
/// use capacity::{Lang, format};
/// use rust_decimal::Decimal;
/// let r = Decimal::new(5, 1);
/// assert_eq!(format::percent(r, Lang::Fr), "50\u{202F}%");
/// assert_eq!(format::percent(Decimal::ONE / Decimal::from(3), Lang::En), "33.3%");
/// ```
pub fn percent(ratio: Decimal, lang: Lang) -> String {
    let mut out = decimal(ratio * Decimal::ONE_HUNDRED, 1, lang);
    for suffix in [",0", ".0"] {
        if let Some(stripped) = out.strip_suffix(suffix) {
            out.truncate(stripped.len());
        }
    }
    if lang == Lang::Fr {
        out.push(NARROW_NBSP);
    }
    out.push('%');
    out
}

/// Whether a spreadsheet would read `text` as a formula (or a command)
/// when a CSV or XLSX file is opened: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return.
///
/// ```
/// assert!(capacity::format::is_formula_like("+cmd|' /C calc'!A0"));
/// assert!(!capacity::format::is_formula_like("San"));
/// ```
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// `text` as a spreadsheet must receive it in a text cell: prefixed with
/// `'` when it is formula-like ([`is_formula_like`]), as is otherwise (see
/// the module documentation). Every CSV and XLSX writer of the project
/// calls this for every text cell, header and sheet title.
///
/// ```
/// use capacity::format::defuse;
/// assert_eq!(defuse("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(defuse("San"), "San");
/// ```
pub fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(value: &str, places: u32, fr: &str, en: &str) {
        let d: Decimal = value.parse().expect("test decimal");
        assert_eq!(decimal(d, places, Lang::Fr).replace(NARROW_NBSP, " "), fr);
        assert_eq!(decimal(d, places, Lang::En), en);
    }

    #[test]
    fn decimals() {
        check("0", 1, "0,0", "0.0");
        check("72.45", 1, "72,5", "72.5");
        check("72.44", 1, "72,4", "72.4");
        check("-72.45", 1, "-72,5", "-72.5");
        check("-0.04", 1, "0,0", "0.0");
        check("999.95", 1, "1 000,0", "1,000.0");
        check("1234567", 0, "1 234 567", "1,234,567");
        check("123456", 0, "123 456", "123,456");
        check("100", 0, "100", "100");
        check("33.333333333333333333333333333", 1, "33,3", "33.3");
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(
            fcfa(Decimal::new(4_500_005, 1), Lang::Fr),
            "450\u{202F}001\u{A0}FCFA"
        );
        assert_eq!(fcfa(Decimal::ZERO, Lang::En), "0\u{A0}FCFA");
        assert_eq!(percent(Decimal::ONE, Lang::En), "100%");
        assert_eq!(percent(Decimal::new(1234, 4), Lang::Fr), "12,3\u{202F}%");
    }
}
