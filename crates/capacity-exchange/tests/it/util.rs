//! Shared helpers: the example rubric and assessment, and an XLSX reader
//! over calamine.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use capacity::{Assessment, CompiledRubric, Scored};
use std::io::Cursor;

/// The core's example rubric, compiled.
pub fn example_rubric() -> CompiledRubric {
    CompiledRubric::from_toml(capacity::example::RUBRIC).expect("the example rubric is valid")
}

/// The core's example assessment, scored.
pub fn example_scored(rubric: &CompiledRubric) -> (Assessment, Scored) {
    scored(rubric, capacity::example::ASSESSMENT)
}

/// An assessment read from TOML and scored.
pub fn scored(rubric: &CompiledRubric, text: &str) -> (Assessment, Scored) {
    let (assessment, resolved) = rubric.resolve_toml(text).expect("a valid assessment");
    let scored = capacity::score(rubric, &resolved).expect("scored");
    (assessment, scored)
}

/// A workbook read back.
pub struct Book {
    xlsx: Xlsx<Cursor<Vec<u8>>>,
}

impl Book {
    pub fn new(bytes: Vec<u8>) -> Book {
        Book {
            xlsx: open_workbook_from_rs(Cursor::new(bytes)).expect("a readable xlsx"),
        }
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// Every cell of a sheet, row by row (from A1).
    pub fn rows(&mut self, sheet: &str) -> Vec<Vec<Data>> {
        let range = self.xlsx.worksheet_range(sheet).expect("the sheet exists");
        assert_eq!(range.start(), Some((0, 0)), "sheet {sheet} starts at A1");
        range.rows().map(<[Data]>::to_vec).collect()
    }

    /// Whether the cell is bold, and its number format code.
    pub fn style(&mut self, sheet: &str, row: u32, col: u32) -> (bool, Option<String>) {
        let styles = self.xlsx.worksheet_style(sheet).expect("styles");
        match styles.get((row, col)) {
            Some(s) => (
                s.font.as_ref().is_some_and(|f| f.is_bold()),
                s.number_format.as_ref().map(|f| f.format_code.clone()),
            ),
            None => (false, None),
        }
    }

    /// The formulas of a sheet (empty strings where a cell has none).
    pub fn formulas(&mut self, sheet: &str) -> Vec<Vec<String>> {
        let range = self.xlsx.worksheet_formula(sheet).expect("formulas");
        range.rows().map(<[String]>::to_vec).collect()
    }
}

/// A text cell, for comparisons.
pub fn s(text: &str) -> Data {
    Data::String(text.to_owned())
}

/// The numeric value of a cell (calamine reads numbers as floats or ints).
#[track_caller]
pub fn num(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The index of a header in a row of headers.
#[track_caller]
pub fn col(headers: &[Data], name: &str) -> usize {
    headers
        .iter()
        .position(|h| *h == s(name))
        .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
}
