//! Escaping and a few helpers for writing HTML by hand.
//!
//! Every text that comes from a user, a rubric or an assessment goes
//! through [`escape`] (element content and quoted attribute values alike):
//! `&`, `<`, `>`, `"` and `'` become character references, so a commune
//! named `<script>alert(1)</script>` shows as that text. Characters that
//! XML forbids (C0 controls other than tab and newlines) are replaced by
//! U+FFFD, so that the document stays well-formed as XML too (the reports
//! are polyglot: every element closed, void elements self-closed), which
//! lets the tests parse them with an XML parser. This module depends on
//! nothing else in the crate.

use std::fmt::Write as _;

/// `text` escaped for HTML element content and quoted attribute values.
///
/// ```
/// assert_eq!(
///     capacity_report::html::escape(r#""><img src=x onerror=alert(1)>"#),
///     "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
/// );
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// Appends `text` escaped (see [`escape`]) to `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7F}' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

/// A document being written: a `String` with helpers that escape.
#[derive(Debug, Default, Clone)]
pub struct Html {
    out: String,
}

impl Html {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends markup written by this crate, as is (never user text).
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Appends `text`, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        push_escaped(&mut self.out, text);
        self
    }

    /// Appends `<tag attrs>text</tag>` with `text` escaped; `attrs` is
    /// markup written by this crate (use [`escape`] for values in it).
    pub fn elem(&mut self, tag: &str, attrs: &str, text: &str) -> &mut Self {
        let _ = write!(self.out, "<{tag}");
        if !attrs.is_empty() {
            self.out.push(' ');
            self.out.push_str(attrs);
        }
        self.out.push('>');
        push_escaped(&mut self.out, text);
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// Opens `<tag attrs>`.
    pub fn open(&mut self, tag: &str, attrs: &str) -> &mut Self {
        let _ = write!(self.out, "<{tag}");
        if !attrs.is_empty() {
            self.out.push(' ');
            self.out.push_str(attrs);
        }
        self.out.push('>');
        self
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// A newline, to keep the source readable.
    pub fn nl(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// The document written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// An SVG document from `capacity-charts`, ready to inline in HTML: the
/// chart crate escapes its own texts; an XML declaration, if any, is
/// dropped (it is not allowed inside HTML).
pub fn inline_svg(svg: &str) -> &str {
    let s = svg.trim_start();
    match (s.starts_with("<?xml"), s.find("?>")) {
        (true, Some(end)) => s.get(end + 2..).unwrap_or(s).trim_start(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a & 'b'"), "a &amp; &#39;b&#39;");
        assert_eq!(escape("x\u{1}y\nz"), "x\u{FFFD}y\nz");
    }

    #[test]
    fn drops_xml_declaration() {
        assert_eq!(inline_svg("<?xml version=\"1.0\"?>\n<svg/>"), "<svg/>");
        assert_eq!(inline_svg("<svg/>"), "<svg/>");
    }
}
