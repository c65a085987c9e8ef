//! Typography without fonts: a deterministic estimate of text width, and
//! fitting long labels into a width by wrapping and truncating with an
//! ellipsis.
//!
//! plotters can measure text only through a font backend (system fonts
//! natively, the DOM in the browser), which would make the output depend on
//! the machine and fail in a Web Worker. Charts here never ask plotters to
//! measure: widths are estimated from per-character classes calibrated on
//! wide sans-serif faces (DejaVu Sans, Verdana), so that estimates err on
//! the wide side and labels do not overflow with common fonts.

/// The estimated advance of `c`, in ems.
fn advance(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        'i' | 'l' | 'j' | '.' | ',' | ';' | ':' | '!' | '|' | '\'' | 'I' | '·' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | '«' | '»' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '—' | '…' => 0.92,
        '0'..='9' => 0.64,
        c if c.is_ascii_uppercase() => 0.72,
        c if c.is_ascii_lowercase() => 0.6,
        'À'..='Ý' => 0.72,
        'ß'..='ÿ' => 0.6,
        '\u{202F}' | '\u{A0}' => 0.3,
        c if u32::from(c) >= 0x2E80 => 1.0,
        _ => 0.66,
    }
}

/// Estimated width of `s` at `size` pixels.
pub(crate) fn width(s: &str, size: u32) -> f64 {
    s.chars().map(advance).sum::<f64>() * f64::from(size)
}

/// `s` if it fits in `max` pixels at `size`; else its longest prefix that
/// fits with an ellipsis appended (trailing spaces removed). The flag says
/// whether `s` was shortened.
pub(crate) fn fit(s: &str, size: u32, max: f64) -> (String, bool) {
    if width(s, size) <= max {
        return (s.to_owned(), false);
    }
    let budget = max - width("…", size);
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        let w = advance(c) * f64::from(size);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    (out, true)
}

/// `s` broken into at most `max_lines` lines of at most `max` pixels at
/// `size`, at spaces; the last line is truncated with an ellipsis when the
/// text does not fit. The flag says whether anything was cut.
pub(crate) fn wrap(s: &str, size: u32, max: f64, max_lines: usize) -> (Vec<String>, bool) {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut lines = Vec::new();
    let mut cut = false;
    let mut i = 0;
    while let Some(first) = words.get(i) {
        if lines.len() + 1 >= max_lines {
            // The last line takes everything left, truncated.
            let (line, c) = fit(&words.get(i..).unwrap_or_default().join(" "), size, max);
            lines.push(line);
            return (lines, cut || c);
        }
        let mut line = (*first).to_owned();
        i += 1;
        while let Some(word) = words.get(i) {
            let candidate = format!("{line} {word}");
            if width(&candidate, size) > max {
                break;
            }
            line = candidate;
            i += 1;
        }
        // A single word wider than the line is cut.
        let (line, c) = fit(&line, size, max);
        cut |= c;
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    (lines, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_wrap(s: &str, max: f64, lines: usize, expected: &[&str], cut: bool) {
        let (got, was_cut) = wrap(s, 12, max, lines);
        assert_eq!(got, expected);
        assert_eq!(was_cut, cut);
        for l in &got {
            assert!(width(l, 12) <= max + 0.001, "{l:?} is too wide");
        }
    }

    #[test]
    fn fits_and_truncates() {
        assert_eq!(
            fit("État civil", 12, 200.0),
            ("État civil".to_owned(), false)
        );
        let (s, cut) = fit(
            "Organisation interne et fonctionnement du conseil",
            12,
            120.0,
        );
        assert!(cut);
        assert!(s.ends_with('…') && width(&s, 12) <= 120.0, "{s}");
    }

    #[test]
    fn wraps_on_spaces() {
        check_wrap("État civil", 200.0, 2, &["État civil"], false);
        check_wrap(
            "Organisation interne et fonctionnement du conseil",
            200.0,
            2,
            &["Organisation interne et", "fonctionnement du conseil"],
            false,
        );
        check_wrap(
            "Organisation interne et fonctionnement du conseil communal de Djenné",
            150.0,
            2,
            &["Organisation interne et", "fonctionnement du con…"],
            true,
        );
        check_wrap("", 100.0, 2, &[""], false);
    }
}
