//! The text encoding of input files: UTF-8, with or without a byte-order
//! mark; anything else is a problem with its place and its fix.
//!
//! Both file formats, and the Kobo/ODK CSV exports, are UTF-8. A file saved
//! by a spreadsheet or an old editor may be in Windows-1252 / Latin-1
//! (`é` as the single byte `0xE9`) or UTF-16 (which starts with a
//! byte-order mark `FF FE` or `FE FF`). [`decode`] accepts UTF-8, drops a
//! leading UTF-8 byte-order mark (`EF BB BF`), and otherwise says what the
//! file looks like, the line and the byte offset of the first byte that is
//! not UTF-8, and to save the file as UTF-8. Front ends (the command line,
//! the web app's uploads) call it on the bytes they read before giving the
//! text to the parsers. Pure; depends on nothing else in the crate.

use std::fmt;

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why bytes are not a UTF-8 text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingError {
    /// The bytes start with a UTF-16 byte-order mark.
    #[error(
        "the file is in UTF-16 ({endian}), not UTF-8: save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\"; in an editor: encoding UTF-8)"
    )]
    Utf16 {
        /// `little-endian` or `big-endian`.
        endian: &'static str,
    },
    /// A byte that is not valid UTF-8.
    #[error(
        "line {line}, byte offset {offset}: byte 0x{byte:02X} is not valid UTF-8 ({guess}): save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\"; in an editor: encoding UTF-8)"
    )]
    InvalidUtf8 {
        /// The line of the byte (1-based).
        line: u64,
        /// The byte's offset from the start of the file (0-based).
        offset: usize,
        /// The byte.
        byte: u8,
        /// What the file probably is.
        guess: Guess,
    },
}

impl EncodingError {
    /// The byte offset of the problem (0 for a UTF-16 file).
    pub fn offset(&self) -> usize {
        match self {
            EncodingError::Utf16 { .. } => 0,
            EncodingError::InvalidUtf8 { offset, .. } => *offset,
        }
    }

    /// The line of the problem (1 for a UTF-16 file).
    pub fn line(&self) -> u64 {
        match self {
            EncodingError::Utf16 { .. } => 1,
            EncodingError::InvalidUtf8 { line, .. } => *line,
        }
    }
}

/// What a file that is not UTF-8 probably is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Guess {
    /// Bytes 0x80–0xFF alone, as Windows-1252 or Latin-1 write accents.
    Latin1,
    /// NUL bytes: UTF-16 without a byte-order mark, or a binary file.
    Utf16OrBinary,
    /// Anything else.
    Unknown,
}

impl fmt::Display for Guess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Guess::Latin1 => "probably Windows-1252 or Latin-1",
            Guess::Utf16OrBinary => "probably UTF-16 or not a text file",
            Guess::Unknown => "an unknown encoding",
        })
    }
}

/// `bytes` as UTF-8 text without its byte-order mark, or why not.
///
/// ```
/// use capacity::encoding::decode;
/// assert_eq!(decode(b"\xEF\xBB\xBFformat = 1\n"), Ok("format = 1\n"));
/// let e = decode(b"id = \"x\"\nname = \"S\xE9gou\"\n").expect_err("not UTF-8");
/// assert_eq!((e.line(), e.offset()), (2, 18));
/// assert!(e.to_string().contains("save the file as UTF-8"));
/// assert!(decode(b"\xFF\xFEf\0").is_err());
/// ```
pub fn decode(bytes: &[u8]) -> Result<&str, EncodingError> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Err(EncodingError::Utf16 {
            endian: "little-endian",
        });
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Err(EncodingError::Utf16 {
            endian: "big-endian",
        });
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let skipped = bytes.len() - body.len();
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.valid_up_to();
            let before = body.get(..at).unwrap_or_default();
            let line = 1 + before.iter().filter(|b| **b == b'\n').count() as u64;
            let byte = body.get(at).copied().unwrap_or(0);
            let guess = if body.contains(&0) {
                Guess::Utf16OrBinary
            } else if byte >= 0x80 {
                Guess::Latin1
            } else {
                Guess::Unknown
            };
            Err(EncodingError::InvalidUtf8 {
                line,
                offset: skipped + at,
                byte,
                guess,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom() {
        assert_eq!(decode(b"a"), Ok("a"));
        assert_eq!(decode(b"\xEF\xBB\xBF"), Ok(""));
        assert_eq!(decode("é".as_bytes()), Ok("é"));
    }

    #[test]
    fn the_parsers_accept_a_byte_order_mark_with_spans_in_the_original_text() {
        let rubric =
            crate::CompiledRubric::from_toml(&format!("\u{FEFF}{}", crate::example::RUBRIC))
                .expect("a rubric with a BOM compiles");
        let text = format!("\u{FEFF}{}", crate::example::ASSESSMENT);
        assert!(rubric.resolve_toml(&text).is_ok());
        let bad = text.replacen("level = \"C\"", "level = \"Z\"", 1);
        let d = rubric.resolve_toml(&bad).expect_err("unknown level");
        let span = d.iter().find_map(|d| d.span).expect("located");
        assert_eq!(bad.get(span.0..span.1), Some("\"Z\""));
    }

    #[test]
    fn other_encodings_are_named_with_their_place() {
        let e = decode(b"\xEF\xBB\xBFa\nb\n\xE9").expect_err("not UTF-8");
        assert_eq!(
            e,
            EncodingError::InvalidUtf8 {
                line: 3,
                offset: 7,
                byte: 0xE9,
                guess: Guess::Latin1
            }
        );
        assert_eq!(
            decode(b"\xFE\xFF\0a").expect_err("not UTF-8"),
            EncodingError::Utf16 {
                endian: "big-endian"
            }
        );
        let no_bom = decode(b"a\0\xD8").expect_err("not UTF-8");
        assert_eq!(
            no_bom.to_string(),
            "line 1, byte offset 2: byte 0xD8 is not valid UTF-8 (probably UTF-16 or not a text file): save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\"; in an editor: encoding UTF-8)"
        );
        // A multi-byte sequence cut short at the end.
        let cut = decode(b"ab\xC3").expect_err("not UTF-8");
        assert_eq!((cut.line(), cut.offset()), (1, 2));
    }
}
