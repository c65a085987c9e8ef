//! The table model every export is built as: an [`Export`] is a list of
//! named [`Table`]s, each a header row and rows of typed [`Cell`]s.
//!
//! Builders ([`Export::scores`], [`Export::gaps`], [`Export::plan`]) fill
//! it from the core's results; writers ([`crate::export_csv`],
//! [`crate::export_xlsx`]) render it. Keeping the cell's *kind* (text, an
//! integer, a number with its displayed decimals, an amount of FCFA) up to
//! the writer is what lets XLSX store numbers as numbers with a display
//! format, and CSV write them with the right decimal separator, while text
//! stays text in both. The web app can render the same tables as HTML.
//! Numbers stay exact [`Decimal`]s here; only the writers round. This
//! module depends on nothing but `rust_decimal`.

use rust_decimal::Decimal;

/// One value of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Nothing (e.g. an unanswered indicator).
    Empty,
    /// Text, always written as text: never a number, never a formula.
    Text(String),
    /// A whole number (counts, ranks).
    Integer(i64),
    /// A decimal number shown with `places` decimals (scores: 1). XLSX
    /// stores the full value and a display format; CSV writes the value
    /// rounded to `places` (half away from zero).
    Number {
        /// The exact value.
        value: Decimal,
        /// Decimals shown.
        places: u32,
    },
    /// An amount in CFA francs (whole francs, thousands separated when
    /// displayed by a spreadsheet).
    Money(Decimal),
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// A score 0–100, shown with one decimal.
    pub fn score(value: Decimal) -> Cell {
        Cell::Number { value, places: 1 }
    }

    /// An integer cell from any count.
    pub fn int(value: impl Into<i64>) -> Cell {
        Cell::Integer(value.into())
    }

    /// A count that may not fit an `i64` (saturates, never panics).
    pub fn count(value: usize) -> Cell {
        Cell::Integer(i64::try_from(value).unwrap_or(i64::MAX))
    }

    /// The text of a text cell, `None` for other kinds.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A named table: a header row and rows of cells (a sheet in XLSX, a
/// section in CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name: the sheet's name in XLSX (at most 31 characters, none of
    /// `[]:*?/\`), the section's title in CSV.
    pub name: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, each as long as [`Table::headers`] (shorter rows are padded
    /// with empty cells when written).
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these headers.
    pub fn new(name: impl Into<String>, headers: Vec<String>) -> Table {
        Table {
            name: name.into(),
            headers,
            rows: Vec::new(),
        }
    }

    /// The index of the column with this header.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }
}

/// A set of tables written together: the sheets of one XLSX workbook, or
/// the sections of one CSV file. The first table is the main one; the
/// last one of the planners' exports is a legend that explains the codes
/// and the columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Export {
    /// The tables, main table first.
    pub tables: Vec<Table>,
}

impl Export {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}
