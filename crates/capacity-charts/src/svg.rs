//! Assembly of one SVG document: the root element with its accessible name,
//! the shared `<defs>`, plotters drawing segments and the few raw elements
//! plotters cannot express.
//!
//! plotters' [`SVGBackend`] writes into a `String` it borrows for its whole
//! life and always opens its own `<svg>` root. A chart is therefore drawn as
//! a sequence of *segments*: each segment is drawn by plotters into a
//! scratch buffer the size of the whole chart (so coordinates are absolute),
//! and its body — everything between plotters' root tags — is spliced into
//! the document. Between segments the document receives what plotters has
//! no element for: groups carrying a `<title>` (the full text of a truncated
//! label, a cell's reading), rectangles filled with a `<pattern>` (not
//! applicable, no information, unanswered), and the root's `<title>`,
//! `<desc>`, `role` and `aria-labelledby`. Those raw elements only ever
//! carry numbers, fixed names and text passed through [`escape`].
//!
//! Text handed to plotters goes through [`clean`] first: plotters escapes
//! `&`, `<`, `>`, `"` and `'` itself (checked by this crate's tests), but not
//! the control characters XML 1.0 forbids, which would make the document
//! unreadable.
//!
//! This module knows nothing about the core's types.

use crate::style::Pattern;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use std::borrow::Cow;
use std::fmt::Write as _;

/// The drawing area of one segment: the whole chart, in pixels.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What drawing a segment may return.
pub(crate) type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// `s` with every character XML 1.0 forbids (C0 controls but tab, line feed
/// and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD, and line breaks
/// and tabs replaced by spaces (chart labels are single lines).
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if bad(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Appends `s` to `out`, cleaned and escaped for XML text and attribute
/// values.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// `s` cleaned and escaped for XML.
#[cfg(test)]
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// An id made of ASCII letters, digits, `-` and `_` only, starting with a
/// letter (other characters become `-`).
pub(crate) fn sanitize_id(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "c-");
    }
    out
}

/// FNV-1a, 32 bits: a stable hash for default element ids.
pub(crate) fn fnv1a(parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// Stands for the id prefix until the document is complete. User text can
/// never contain it: [`clean`] replaces control characters.
const PLACEHOLDER: &str = "\u{1}";

/// One SVG document being assembled.
pub(crate) struct Doc {
    out: String,
    scratch: String,
    size: (u32, u32),
    /// The id prefix, or [`PLACEHOLDER`] until the document is finished.
    id: String,
    /// The chart's kind, when the id is made from the content.
    kind: Option<String>,
    /// Whether a plotters segment failed. Drawing into a `String` cannot
    /// fail (the backend's only errors are file errors, and each segment
    /// owns its area), so this stays false; a failed segment is left out.
    failed: bool,
}

impl Doc {
    /// A document of `width` × `height` pixels whose accessible name is
    /// `title` and description `desc`; `display_height`, when given, is the
    /// height the SVG asks to be shown at (the drawing keeps its
    /// proportions). Every id in it starts with `id` (sanitised) when
    /// given, else with `kind` and a hash of the whole document, so that
    /// different charts inlined in one page never share ids.
    pub(crate) fn new(
        kind: &str,
        id: Option<&str>,
        (width, height): (u32, u32),
        display_height: Option<u32>,
        (title, desc): (&str, &str),
        patterns: &[(Pattern, &str)],
    ) -> Doc {
        let (id, kind) = match id {
            Some(id) => (sanitize_id(id), None),
            None => (PLACEHOLDER.to_owned(), Some(kind.to_owned())),
        };
        let mut out = String::with_capacity(16 * 1024);
        let shown = display_height.unwrap_or(height);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{shown}\" \
             viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMidYMin meet\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\">\n\
             <title id=\"{id}-title\">"
        );
        escape_into(&mut out, title);
        let _ = write!(out, "</title>\n<desc id=\"{id}-desc\">");
        escape_into(&mut out, desc);
        out.push_str("</desc>\n");
        if !patterns.is_empty() {
            out.push_str("<defs>\n");
            for (pattern, colour) in patterns {
                pattern.write_def(&mut out, &id, colour);
            }
            out.push_str("</defs>\n");
        }
        Doc {
            out,
            scratch: String::new(),
            size: (width, height),
            id,
            kind,
            failed: false,
        }
    }

    /// Draws one plotters segment and splices its body into the document.
    pub(crate) fn draw(&mut self, f: impl FnOnce(&Area<'_>) -> DrawResult) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let result = {
            let area = SVGBackend::with_string(&mut buf, self.size).into_drawing_area();
            f(&area).and_then(|()| area.present())
        };
        match result {
            Ok(()) => {
                // plotters writes `<svg …>\n`, the elements, then `</svg>\n`.
                let body = buf
                    .find('\n')
                    .and_then(|i| buf.get(i + 1..))
                    .map(|b| b.strip_suffix("</svg>\n").unwrap_or(b))
                    .unwrap_or("");
                self.out.push_str(body);
            }
            Err(_) => self.failed = true,
        }
        self.scratch = buf;
    }

    /// Opens a group, with a `<title>` (shown as a tooltip) when given and
    /// a class.
    pub(crate) fn open_group(&mut self, class: &str, title: Option<&str>) {
        self.out.push_str("<g class=\"");
        escape_into(&mut self.out, class);
        self.out.push_str("\">");
        if let Some(t) = title {
            self.out.push_str("<title>");
            escape_into(&mut self.out, t);
            self.out.push_str("</title>");
        }
        self.out.push('\n');
    }

    /// Closes the last group opened.
    pub(crate) fn close_group(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// A rectangle filled with `pattern`, outlined in `stroke`.
    pub(crate) fn pattern_rect(
        &mut self,
        pattern: Pattern,
        (x, y): (i32, i32),
        (w, h): (i32, i32),
        stroke: &str,
    ) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"url(#{id}-{p})\" \
             stroke=\"{stroke}\" stroke-width=\"1\" data-state=\"{p}\"/>",
            id = self.id,
            p = pattern.slug(),
        );
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        debug_assert!(!self.failed, "a plotters segment failed");
        self.out.push_str("</svg>\n");
        match self.kind {
            Some(kind) => {
                let id = format!("{kind}-{:08x}", fnv1a(&[&self.out]));
                self.out.replace(PLACEHOLDER, &id)
            }
            None => self.out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c d");
        assert_eq!(escape("Ségou – Djenné"), "Ségou – Djenné");
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(sanitize_id("radar \"1\""), "radar--1-");
        assert_eq!(sanitize_id("1x"), "c-1x");
        assert_ne!(fnv1a(&["a", "b"]), fnv1a(&["ab"]));
    }
}
