//! Localised text and the decimal wire format shared by both file formats.
//!
//! Owns [`Text`] (French required, English optional, falling back to French)
//! and [`Lang`]. It also holds the private serde adapters that read and write
//! decimals as TOML/JSON *strings* (`weight = "1.5"`), so that a weight, a
//! level value or an amount of money never passes through a float. It depends
//! on nothing else in the crate.

use serde::{Deserialize, Serialize};

/// A language the toolkit speaks. French is the working language; English is
/// optional everywhere and falls back to French.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (always present).
    #[default]
    Fr,
    /// English (falls back to French when missing).
    En,
}

/// A localised text: `title.fr = "…"` and optionally `title.en = "…"`.
///
/// ```
/// use capacity::{Lang, Text};
/// let t = Text::new("État civil", Some("Civil registry"));
/// assert_eq!(t.get(Lang::En), "Civil registry");
/// assert_eq!(Text::fr("Santé").get(Lang::En), "Santé");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// French text (required).
    pub fr: String,
    /// English text (optional; French is shown when it is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// A text with French and, optionally, English.
    pub fn new(fr: impl Into<String>, en: Option<&str>) -> Self {
        Self {
            fr: fr.into(),
            en: en.map(str::to_owned),
        }
    }

    /// A French-only text.
    pub fn fr(fr: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: None,
        }
    }

    /// The text in `lang`, falling back to French.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) if !en.is_empty() => en,
            _ => &self.fr,
        }
    }
}

/// Serde adapter: a [`rust_decimal::Decimal`] written as a string.
///
/// Reading accepts only strings and says how to fix a bare number or a
/// decimal comma, which are the two mistakes people make.
pub(crate) mod dec {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer, de};
    use std::fmt;

    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }

    pub(crate) struct DecimalVisitor;

    impl de::Visitor<'_> for DecimalVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal written as a string, e.g. \"1.5\"")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse(v).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Err(E::custom(format_args!(
                "decimals are written as strings: write \"{v}\" instead of {v}"
            )))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Err(E::custom(format_args!(
                "decimals are written as strings: write \"{v}\" instead of {v}"
            )))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format_args!(
                "decimals are written as strings: write \"{v}\" instead of {v}"
            )))
        }
    }

    /// Parses a decimal written with a point, refusing anything that would
    /// be silently rounded.
    pub(crate) fn parse(v: &str) -> Result<Decimal, String> {
        let plain = !v.is_empty()
            && v.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_digit() || b == b'.' || (i == 0 && (b == b'-' || b == b'+'))
            })
            && v.bytes().filter(|b| *b == b'.').count() <= 1
            && v.bytes().any(|b| b.is_ascii_digit());
        if v.contains(',') && !v.contains('.') {
            return Err(format!(
                "`{v}` is not a decimal: write it with a point, e.g. \"{}\"",
                v.replace(',', ".")
            ));
        }
        if !plain {
            return Err(format!(
                "`{v}` is not a decimal: write digits with an optional point, e.g. \"1.5\""
            ));
        }
        Decimal::from_str_exact(v)
            .map_err(|_| format!("`{v}` has too many digits for an exact decimal"))
    }
}

/// Serde adapter: an optional [`rust_decimal::Decimal`] written as a string
/// (use with `default` and `skip_serializing_if = "Option::is_none"`).
pub(crate) mod dec_opt {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(super::dec::DecimalVisitor).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        let got = dec::parse(input);
        match expected {
            Ok(v) => assert_eq!(got, Ok(v.parse::<Decimal>().expect("test decimal"))),
            Err(message) => assert_eq!(got, Err(message.to_owned())),
        }
    }

    #[test]
    fn decimals_are_parsed_exactly() {
        check("1.5", Ok("1.5"));
        check("-2", Ok("-2"));
        check("450000", Ok("450000"));
        check(
            "1,5",
            Err("`1,5` is not a decimal: write it with a point, e.g. \"1.5\""),
        );
        check(
            "1e3",
            Err("`1e3` is not a decimal: write digits with an optional point, e.g. \"1.5\""),
        );
        check(
            "",
            Err("`` is not a decimal: write digits with an optional point, e.g. \"1.5\""),
        );
        check(
            "1.2.3",
            Err("`1.2.3` is not a decimal: write digits with an optional point, e.g. \"1.5\""),
        );
        check(
            "123456789012345678901234567890.5",
            Err("`123456789012345678901234567890.5` has too many digits for an exact decimal"),
        );
    }

    #[test]
    fn text_falls_back_to_french() {
        assert_eq!(Text::new("a", Some("")).get(Lang::En), "a");
        assert_eq!(Text::new("a", Some("b")).get(Lang::Fr), "a");
    }
}
