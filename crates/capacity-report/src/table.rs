//! A table of typed cells that every front end renders its own way.
//!
//! The builders in [`crate::tables`] turn the core's results into
//! [`Table`]s once; the command line prints them in a terminal, as CSV or as
//! Markdown, the reports as HTML. Cells keep their values typed ([`Cell`])
//! so that each rendering formats them as it should: for people with the
//! core's [`capacity::format`] helpers in the chosen language (`72,5`,
//! `1 250 000 FCFA`, `37,5 %`), for machines (CSV) as plain decimals with a
//! point, whole francs and ratios. Column keys (`snake_case`, English) are
//! the CSV headers, stable across languages.

use crate::html::Html;
use capacity::planning::Share;
use capacity::{Lang, format};
use rust_decimal::Decimal;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, as is.
    Text(String),
    /// Text indented by `depth` levels (a tree shown as a table).
    Tree {
        /// Depth, 0 for the top.
        depth: u8,
        /// The text.
        text: String,
    },
    /// A count.
    Int(u64),
    /// A signed whole number (e.g. levels gained).
    Signed(i64),
    /// A score on 0–100, `None` when there is none.
    Score(Option<Decimal>),
    /// A change of score, signed, `None` when not comparable.
    Delta(Option<Decimal>),
    /// An amount in FCFA.
    Money(Decimal),
    /// `count` out of `of`, shown as a percentage with the counts.
    Share(Share),
    /// Nothing.
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell for people, in `lang`.
    pub fn display(&self, lang: Lang) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Tree { depth, text } => {
                format!("{}{text}", "  ".repeat(usize::from(*depth)))
            }
            Cell::Int(n) => format::decimal(Decimal::from(*n), 0, lang),
            Cell::Signed(n) if *n > 0 => format!("+{n}"),
            Cell::Signed(n) => n.to_string(),
            Cell::Score(Some(s)) => format::score(*s, lang),
            Cell::Score(None) | Cell::Delta(None) => "—".to_owned(),
            Cell::Delta(Some(d)) => {
                let s = format::score(*d, lang);
                if *d > Decimal::ZERO
                    && !s.starts_with('-')
                    && s != format::score(Decimal::ZERO, lang)
                {
                    format!("+{s}")
                } else {
                    s
                }
            }
            Cell::Money(m) => format::fcfa(*m, lang),
            Cell::Share(s) => match s.ratio() {
                Some(r) => format!("{} ({}/{})", format::percent(r, lang), s.count, s.of),
                None => "—".to_owned(),
            },
            Cell::Empty => String::new(),
        }
    }

    /// The cell for machines (CSV): scores with one decimal and a point,
    /// whole francs, shares as a ratio with four decimals, empty when
    /// there is no value.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Tree { text: s, .. } => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Signed(n) => n.to_string(),
            Cell::Score(Some(s)) | Cell::Delta(Some(s)) => plain(*s, 1),
            Cell::Score(None) | Cell::Delta(None) | Cell::Empty => String::new(),
            Cell::Money(m) => plain(*m, 0),
            Cell::Share(s) => s.ratio().map(|r| plain(r, 4)).unwrap_or_default(),
        }
    }

    /// The cell for a CSV file: [`Cell::raw`], with text defused by the
    /// project's one rule ([`capacity::format::defuse`]) so that no
    /// spreadsheet runs it as a formula. Numbers are never changed.
    ///
    /// ```
    /// use capacity_report::Cell;
    /// assert_eq!(Cell::text("=HYPERLINK(\"x\")").csv(), "'=HYPERLINK(\"x\")");
    /// assert_eq!(Cell::Signed(-3).csv(), "-3");
    /// ```
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Tree { text: s, .. } => format::defuse(s).into_owned(),
            c => c.raw(),
        }
    }

    /// Whether the cell holds a number (right-aligned).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Tree { .. } | Cell::Empty)
    }
}

/// `value` rounded half away from zero to `places`, with a point and no
/// thousands separator.
pub fn plain(value: Decimal, places: u32) -> String {
    let r =
        value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let r = if r.is_zero() { Decimal::ZERO } else { r };
    format!("{:.*}", places as usize, r)
}

/// `text` for a Markdown document, shown as text: `|` as `\|` (it would
/// end a table cell), line breaks as spaces, and `&`, `<`, `>` as HTML
/// entities (Markdown passes raw HTML through, so `<script>` in a commune's
/// name would otherwise run where the Markdown is rendered).
///
/// ```
/// assert_eq!(
///     capacity_report::markdown_text("<b>A|B</b> & C"),
///     "&lt;b&gt;A\\|B&lt;/b&gt; &amp; C"
/// );
/// ```
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A column: its machine key (the CSV header) and its label for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// `snake_case` key, the same in every language.
    pub key: String,
    /// Label in the table's language.
    pub label: String,
}

/// A table: a caption, columns, rows of cells and an optional note (how
/// the figures were computed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Caption.
    pub title: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// A note shown under the table (method, legend).
    pub note: Option<String>,
}

impl Table {
    /// An empty table with `title` and columns `(key, label)`.
    pub fn new(title: impl Into<String>, columns: &[(&str, &str)]) -> Self {
        Self {
            title: title.into(),
            columns: columns
                .iter()
                .map(|(key, label)| Column {
                    key: (*key).to_owned(),
                    label: (*label).to_owned(),
                })
                .collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// With a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether a column holds numbers (right-aligned): its first non-empty
    /// cell decides.
    pub fn numeric_column(&self, i: usize) -> bool {
        self.rows
            .iter()
            .filter_map(|r| r.get(i))
            .find(|c| !matches!(c, Cell::Empty | Cell::Score(None) | Cell::Delta(None)))
            .is_some_and(Cell::is_numeric)
    }

    /// The table as Markdown (GitHub/Pandoc pipe table), cells for people.
    /// Text is escaped so that it stays text: `|` as `\|`, line breaks as
    /// spaces, and `&`, `<`, `>` as HTML entities (Markdown passes raw HTML
    /// through, so `<script>` in a commune's name would otherwise run where
    /// the Markdown is shown).
    pub fn to_markdown(&self, lang: Lang) -> String {
        let cell = markdown_text;
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("**{}**\n\n", cell(&self.title)));
        }
        out.push('|');
        for c in &self.columns {
            out.push_str(&format!(" {} |", cell(&c.label)));
        }
        out.push_str("\n|");
        for i in 0..self.columns.len() {
            out.push_str(if self.numeric_column(i) {
                " ---: |"
            } else {
                " --- |"
            });
        }
        out.push('\n');
        for row in &self.rows {
            out.push('|');
            for c in row {
                let text = match c {
                    Cell::Tree { depth, text } if *depth > 0 => {
                        format!("{}{text}", "\u{A0}\u{A0}".repeat(usize::from(*depth)))
                    }
                    c => c.display(lang),
                };
                out.push_str(&format!(" {} |", cell(&text)));
            }
            out.push('\n');
        }
        if let Some(note) = &self.note {
            out.push_str(&format!("\n_{}_\n", cell(note)));
        }
        out
    }

    /// Writes the table as an HTML `<table>` (every text escaped).
    pub fn write_html(&self, html: &mut Html, lang: Lang) {
        html.open("table", "");
        if !self.title.is_empty() {
            html.elem("caption", "", &self.title);
        }
        html.open("thead", "").open("tr", "");
        for (i, c) in self.columns.iter().enumerate() {
            let attrs = if self.numeric_column(i) {
                "scope=\"col\" class=\"num\""
            } else {
                "scope=\"col\""
            };
            html.elem("th", attrs, &c.label);
        }
        html.close("tr").close("thead").nl().open("tbody", "");
        for row in &self.rows {
            html.open("tr", "");
            for (i, c) in row.iter().enumerate() {
                let class = match c {
                    Cell::Tree { depth, .. } => format!("class=\"d{depth}\""),
                    _ if self.numeric_column(i) => "class=\"num\"".to_owned(),
                    _ => String::new(),
                };
                html.elem("td", &class, &c.display(lang));
            }
            html.close("tr").nl();
        }
        html.close("tbody").close("table").nl();
        if let Some(note) = &self.note {
            html.elem("p", "class=\"note\"", note).nl();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_for_people_and_machines() {
        let s = Cell::Score(Some(Decimal::new(7245, 2)));
        assert_eq!(s.display(Lang::Fr), "72,5");
        assert_eq!(s.raw(), "72.5");
        let m = Cell::Money(Decimal::from(1_250_000));
        assert_eq!(m.raw(), "1250000");
        assert_eq!(m.display(Lang::En), "1,250,000\u{A0}FCFA");
        let share = Cell::Share(Share::new(1, 3));
        assert_eq!(share.raw(), "0.3333");
        assert_eq!(share.display(Lang::En), "33.3% (1/3)");
        assert_eq!(
            Cell::Delta(Some(Decimal::new(-5, 1))).display(Lang::Fr),
            "-0,5"
        );
        assert_eq!(
            Cell::Delta(Some(Decimal::new(5, 1))).display(Lang::En),
            "+0.5"
        );
        assert_eq!(
            Cell::Delta(Some(Decimal::new(1, 3))).display(Lang::En),
            "0.0"
        );
    }

    #[test]
    fn markdown_escapes_html() {
        let mut t = Table::new("<b>T</b>", &[("a", "A & B")]);
        t.push(vec![Cell::text("<script>alert(1)</script>")]);
        assert_eq!(
            t.to_markdown(Lang::En),
            "**&lt;b&gt;T&lt;/b&gt;**\n\n| A &amp; B |\n| --- |\n| &lt;script&gt;alert(1)&lt;/script&gt; |\n"
        );
    }

    #[test]
    fn csv_cells_are_defused_text_and_plain_numbers() {
        for (cell, expected) in [
            (Cell::text("=1+1"), "'=1+1"),
            (Cell::text("+cmd"), "'+cmd"),
            (Cell::text("-x"), "'-x"),
            (Cell::text("@x"), "'@x"),
            (Cell::text("\tx"), "'\tx"),
            (Cell::text("\rx"), "'\rx"),
            (
                Cell::Tree {
                    depth: 2,
                    text: "=x".into(),
                },
                "'=x",
            ),
            (Cell::text("San"), "San"),
            (Cell::Signed(-3), "-3"),
            (Cell::Delta(Some(Decimal::new(-25, 1))), "-2.5"),
        ] {
            assert_eq!(cell.csv(), expected, "{cell:?}");
        }
    }

    #[test]
    fn markdown_escapes_pipes() {
        let mut t = Table::new("T", &[("a", "A"), ("b", "B")]);
        t.push(vec![Cell::text("x|y"), Cell::Int(3)]);
        assert_eq!(
            t.to_markdown(Lang::En),
            "**T**\n\n| A | B |\n| --- | ---: |\n| x\\|y | 3 |\n"
        );
    }
}
