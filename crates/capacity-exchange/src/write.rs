//! The two writers of an [`Export`]: CSV (RFC 4180, with the `csv` crate)
//! and XLSX (with `rust_xlsxwriter`).
//!
//! **CSV.** Fields are separated by [`CsvOptions::separator`], quoted only
//! when needed, records end with CRLF (RFC 4180). Excel opens a CSV file
//! with the locale's list separator and, without a byte-order mark, in a
//! legacy code page: in a French locale a comma-separated UTF-8 file shows
//! `SÃ©gou` in one column. Hence [`CsvOptions::excel_fr`] (the default):
//! `;`, a BOM and decimal commas, which French Excel opens as a table of
//! numbers; [`CsvOptions::excel_en`]: `,`, a BOM and decimal points; and
//! [`CsvOptions::plain`] for tools (R, pandas, databases): `,`, no BOM,
//! decimal points, the main table only. Numbers are written without
//! thousands separators, rounded to the decimals the table shows.
//!
//! **CSV injection.** A text cell that starts with `=`, `+`, `-`, `@`, a
//! tab or a carriage return would be run as a formula by Excel or
//! LibreOffice when the file is opened (`=HYPERLINK(…)` in a commune's
//! name). Such cells are written with a leading apostrophe (`'=HYPERLINK(…)`),
//! which spreadsheets show as text (the OWASP recommendation): the core's
//! [`capacity::format::defuse`], the one rule of the project. This is
//! always on: a tool reading the CSV sees the apostrophe, and numbers,
//! which are never text cells, are not affected (`-3` stays a number).
//!
//! **XLSX.** One sheet per table, named after it; the header row bold,
//! frozen and filterable; column widths set from the content (between 6
//! and 60 characters); text written with `write_string`, so that nothing
//! ever becomes a formula, and formula-like text
//! ([`capacity::format::is_formula_like`]) with Excel's quote prefix, so
//! that editing the cell keeps it text; numbers written as numbers with a display
//! format (`0.0` for scores, `#,##0` for FCFA, which Excel shows with the
//! locale's thousands separator: `1 250 000` in French). The document's
//! creation date is pinned to 1980-01-01 so that the same export gives the
//! same bytes.
//!
//! Depends on the table model only.

use crate::error::Error;
use crate::table::{Cell, Export, Table};
use capacity::Lang;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// How to write CSV (see the module documentation for the choices).
///
/// ```
/// use capacity_exchange::CsvOptions;
/// assert_eq!(CsvOptions::default(), CsvOptions::excel_fr());
/// assert_eq!(CsvOptions::excel_fr().separator, b';');
/// assert!(!CsvOptions::plain().bom);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field separator: `b';'` or `b','` (any ASCII byte but a quote
    /// or a line break).
    pub separator: u8,
    /// Start with a UTF-8 byte-order mark (U+FEFF), which Excel needs to
    /// read UTF-8.
    pub bom: bool,
    /// Write decimals with a comma (`72,5`), as French spreadsheets read
    /// them; else with a point (`72.5`).
    pub decimal_comma: bool,
    /// Write every table (the main table, then each other one after an
    /// empty line and a line with its name); else the main table only, a
    /// plain rectangle for tools.
    pub all_tables: bool,
}

impl CsvOptions {
    /// For Excel or LibreOffice in a French locale: `;`, BOM, decimal
    /// comma, every table.
    pub fn excel_fr() -> CsvOptions {
        CsvOptions {
            separator: b';',
            bom: true,
            decimal_comma: true,
            all_tables: true,
        }
    }

    /// For Excel in an English locale: `,`, BOM, decimal point, every
    /// table.
    pub fn excel_en() -> CsvOptions {
        CsvOptions {
            separator: b',',
            bom: true,
            decimal_comma: false,
            all_tables: true,
        }
    }

    /// For tools: `,`, no BOM, decimal point, the main table only.
    pub fn plain() -> CsvOptions {
        CsvOptions {
            separator: b',',
            bom: false,
            decimal_comma: false,
            all_tables: false,
        }
    }

    /// The spreadsheet options for a language: [`CsvOptions::excel_fr`] or
    /// [`CsvOptions::excel_en`].
    pub fn for_lang(lang: Lang) -> CsvOptions {
        match lang {
            Lang::Fr => CsvOptions::excel_fr(),
            Lang::En => CsvOptions::excel_en(),
        }
    }
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions::excel_fr()
    }
}

/// Writes `export` as CSV text (see the module documentation).
///
/// ```
/// use capacity_exchange::{Cell, CsvOptions, Export, Table, export_csv};
/// let mut table = Table::new("Scores", vec!["Commune".into(), "Score".into()]);
/// table.rows.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::score("72.45".parse()?)]);
/// let export = Export { tables: vec![table] };
/// let csv = export_csv(&export, &CsvOptions::plain())?;
/// assert_eq!(csv, "Commune,Score\r\n\"'=HYPERLINK(\"\"x\"\")\",72.5\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export_csv(export: &Export, options: &CsvOptions) -> Result<String, Error> {
    let tables = if options.all_tables {
        export.tables.as_slice()
    } else {
        export.tables.get(..1).unwrap_or_default()
    };
    let mut out = String::new();
    if options.bom {
        out.push('\u{FEFF}');
    }
    let mut fields: Vec<String> = Vec::new();
    for (i, table) in tables.iter().enumerate() {
        let fail = |e: csv::Error| Error::CsvWrite {
            table: table.name.clone(),
            message: e.to_string(),
        };
        // One writer per table: the csv crate writes an empty record as
        // `""`, and the line between two tables must be really empty.
        let mut writer = csv::WriterBuilder::new()
            .delimiter(options.separator)
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        if i > 0 {
            out.push_str("\r\n");
            writer
                .write_record([defuse(&table.name).as_bytes()])
                .map_err(fail)?;
        }
        writer
            .write_record(table.headers.iter().map(|h| defuse(h).into_owned()))
            .map_err(fail)?;
        for row in &table.rows {
            fields.clear();
            fields.extend(
                row.iter()
                    .map(|cell| csv_field(cell, options.decimal_comma)),
            );
            while fields.len() < table.headers.len() {
                fields.push(String::new());
            }
            writer.write_record(&fields).map_err(fail)?;
        }
        let bytes = writer.into_inner().map_err(|e| Error::CsvWrite {
            table: table.name.clone(),
            message: e.to_string(),
        })?;
        // Every field is a `String`, so the bytes are UTF-8.
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    Ok(out)
}

/// The CSV text of one cell.
fn csv_field(cell: &Cell, decimal_comma: bool) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => defuse(t).into_owned(),
        Cell::Integer(n) => n.to_string(),
        Cell::Number { value, places } => {
            let text = rounded(*value, *places);
            if decimal_comma {
                text.replace('.', ",")
            } else {
                text
            }
        }
        Cell::Money(value) => rounded(*value, 0),
    }
}

/// `value` rounded half away from zero to `places` decimals, written with
/// a point and exactly `places` decimals (`-0.0` is written `0.0`).
fn rounded(value: Decimal, places: u32) -> String {
    let mut r = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    format!("{:.*}", places as usize, r)
}

pub use capacity::format::{defuse, is_formula_like};

/// The creation date written in every workbook's properties, so that the
/// same export gives the same bytes (the ZIP epoch, as reproducible
/// builds use).
const CREATED: (u16, u8, u8) = (1980, 1, 1);

/// Writes `export` as an XLSX workbook, one sheet per table (see the
/// module documentation).
///
/// ```
/// use capacity_exchange::{Cell, Export, Table, export_xlsx};
/// let mut table = Table::new("Scores", vec!["Commune".into(), "Score".into()]);
/// table.rows.push(vec![Cell::text("San"), Cell::score("72.45".parse()?)]);
/// let bytes = export_xlsx(&Export { tables: vec![table] })?;
/// assert_eq!(&bytes[..2], b"PK"); // a ZIP archive
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export_xlsx(export: &Export) -> Result<Vec<u8>, Error> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2)
        .map_err(|e| xlsx_error("", 0, 0, &e))?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let formats = Formats::new();
    let mut names: Vec<String> = Vec::new();
    for table in &export.tables {
        let name = sheet_name(&table.name, &names);
        write_sheet(&mut book, table, &name, &formats)?;
        names.push(name);
    }
    book.save_to_buffer().map_err(|e| xlsx_error("", 0, 0, &e))
}

/// The cell formats of a workbook.
struct Formats {
    header: Format,
    /// A header that is formula-like: bold and quote-prefixed.
    header_text: Format,
    /// Formula-like text: quote-prefixed, so that editing the cell in a
    /// spreadsheet keeps it text.
    text: Format,
    integer: Format,
    places: [Format; 4],
    money: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            header_text: Format::new().set_bold().set_quote_prefix(),
            text: Format::new().set_quote_prefix(),
            integer: Format::new().set_num_format("0"),
            places: [
                Format::new().set_num_format("0"),
                Format::new().set_num_format("0.0"),
                Format::new().set_num_format("0.00"),
                Format::new().set_num_format("0.000"),
            ],
            money: Format::new().set_num_format("#,##0"),
        }
    }

    fn number(&self, places: u32) -> &Format {
        let i = (places as usize).min(self.places.len().saturating_sub(1));
        self.places.get(i).unwrap_or(&self.money)
    }
}

fn write_sheet(book: &mut Workbook, table: &Table, name: &str, f: &Formats) -> Result<(), Error> {
    let sheet = book.add_worksheet();
    sheet
        .set_name(name)
        .map_err(|e| xlsx_error(&table.name, 0, 0, &e))?;
    let at = |row: usize, col: usize, e: &XlsxError| {
        xlsx_error(
            name,
            u32::try_from(row + 1).unwrap_or(u32::MAX),
            u16::try_from(col + 1).unwrap_or(u16::MAX),
            e,
        )
    };
    let columns = table
        .headers
        .len()
        .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0usize; columns];
    for (c, header) in table.headers.iter().enumerate() {
        let col = col_num(c).map_err(|e| at(0, c, &e))?;
        let format = if is_formula_like(header) {
            &f.header_text
        } else {
            &f.header
        };
        sheet
            .write_string_with_format(0, col, header, format)
            .map_err(|e| at(0, c, &e))?;
        if let Some(w) = widths.get_mut(c) {
            *w = (*w).max(header.chars().count());
        }
    }
    for (r, row) in table.rows.iter().enumerate() {
        let rn = u32::try_from(r + 1).map_err(|_| at(r + 1, 0, &XlsxError::RowColumnLimitError))?;
        for (c, cell) in row.iter().enumerate() {
            let col = col_num(c).map_err(|e| at(r + 1, c, &e))?;
            let width = match cell {
                Cell::Empty => 0,
                Cell::Text(t) if is_formula_like(t) => {
                    sheet
                        .write_string_with_format(rn, col, t, &f.text)
                        .map_err(|e| at(r + 1, c, &e))?;
                    t.chars().count()
                }
                Cell::Text(t) => {
                    sheet
                        .write_string(rn, col, t)
                        .map_err(|e| at(r + 1, c, &e))?;
                    t.chars().count()
                }
                Cell::Integer(n) => {
                    // Counts and ranks: far below 2⁵³, exact as f64.
                    sheet
                        .write_number_with_format(rn, col, *n as f64, &f.integer)
                        .map_err(|e| at(r + 1, c, &e))?;
                    n.to_string().len()
                }
                Cell::Number { value, places } => {
                    sheet
                        .write_number_with_format(rn, col, to_f64(*value), f.number(*places))
                        .map_err(|e| at(r + 1, c, &e))?;
                    rounded(*value, *places).len()
                }
                Cell::Money(value) => {
                    sheet
                        .write_number_with_format(rn, col, to_f64(value.round()), &f.money)
                        .map_err(|e| at(r + 1, c, &e))?;
                    let digits = rounded(*value, 0).len();
                    digits + digits / 3
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let col = col_num(c).map_err(|e| at(0, c, &e))?;
        let width = (*w + 2).clamp(6, 60);
        sheet
            .set_column_width(col, width as f64)
            .map_err(|e| at(0, c, &e))?;
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| at(0, 0, &e))?;
    if columns > 0 {
        let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
        let last_col = col_num(columns - 1).map_err(|e| at(0, columns - 1, &e))?;
        sheet
            .autofilter(0, 0, last_row, last_col)
            .map_err(|e| at(0, 0, &e))?;
    }
    Ok(())
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

fn to_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// A sheet name Excel accepts, unique among `taken` (case-insensitively):
/// forbidden characters replaced, at most 31 characters.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() {
        "Sheet".to_owned()
    } else {
        clean.chars().take(31).collect()
    };
    let free = |n: &str| !taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    if free(&base) {
        return base;
    }
    (2..)
        .map(|i| {
            let suffix = format!(" ({i})");
            let keep = 31usize.saturating_sub(suffix.chars().count());
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|n| free(n))
        .unwrap_or(base)
}

fn xlsx_error(sheet: &str, row: u32, column: u16, e: &XlsxError) -> Error {
    let message = match e {
        XlsxError::MaxStringLengthExceeded => {
            "the text is longer than 32 767 characters, the most a cell holds: shorten it".to_owned()
        }
        XlsxError::RowColumnLimitError => {
            "the table is larger than a sheet (1 048 576 rows, 16 384 columns): export fewer communes or indicators at a time".to_owned()
        }
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    };
    Error::Xlsx {
        sheet: sheet.to_owned(),
        row,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_field(cell: Cell, comma: bool, expected: &str) {
        assert_eq!(csv_field(&cell, comma), expected);
    }

    #[test]
    fn fields_round_and_defuse() {
        let d = |s: &str| s.parse::<Decimal>().expect("test decimal");
        check_field(Cell::score(d("72.45")), true, "72,5");
        check_field(Cell::score(d("72.44")), false, "72.4");
        check_field(Cell::score(d("-0.04")), false, "0.0");
        check_field(
            Cell::score(d("33.333333333333333333333333333")),
            false,
            "33.3",
        );
        check_field(Cell::Money(d("1250000")), true, "1250000");
        check_field(Cell::Integer(-3), false, "-3");
        check_field(Cell::text("-3"), false, "'-3");
        check_field(Cell::text("@SUM(A1)"), false, "'@SUM(A1)");
        check_field(Cell::text("+33 1"), false, "'+33 1");
        check_field(Cell::text("\tx"), false, "'\tx");
        check_field(Cell::text("—"), false, "—");
        check_field(Cell::Empty, false, "");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        assert_eq!(sheet_name("Scores/2024", &[]), "Scores_2024");
        assert_eq!(
            sheet_name("Légende", &["légende".to_owned()]),
            "Légende (2)"
        );
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &[]).chars().count(), 31);
        assert_eq!(
            sheet_name(&long, &[sheet_name(&long, &[])]).chars().count(),
            31
        );
        assert_eq!(sheet_name("''", &[]), "Sheet");
    }
}
