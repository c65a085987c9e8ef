//! Writing results: terminal tables, CSV, Markdown, JSON, files, and the
//! progress bar.
//!
//! Tables come ready-made from `capacity-report` ([`Table`]); this module
//! only renders them: comfy-table for the terminal (numbers right-aligned,
//! long texts cut with `…`), the `csv` crate for CSV (the cells' machine
//! form: point decimals, whole francs), Markdown pipe tables. A closed
//! pipe (`capacity compare … | head`) ends the output quietly.

use crate::error::CliError;
use capacity::Lang;
use capacity::format::defuse;
use capacity_report::Table;
use comfy_table::{CellAlignment, ContentArrangement, presets};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The longest text shown in a terminal cell.
const CELL_MAX: usize = 56;

/// Writes `text` to stdout; a closed pipe is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io(Path::new("<stdout>"), e))
        }
        _ => Ok(()),
    }
}

/// Writes `bytes` to `path`, creating its directory.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| CliError::io(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| CliError::io(path, e))
}

/// `dir` joined with `name`, checked to stay inside `dir`: `name` must be
/// one plain file name (as [`capacity::filename::safe_file_name`] makes),
/// never `..`, an absolute path or a path with separators.
pub fn path_in(dir: &Path, name: &str) -> Result<std::path::PathBuf, CliError> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(n)), None) if n == std::ffi::OsStr::new(name) => {
            Ok(dir.join(name))
        }
        _ => Err(CliError::Other(format!(
            "internal: `{name}` is not a plain file name; nothing was written outside {}",
            dir.display()
        ))),
    }
}

/// A line on stderr, unless quiet.
pub fn info(quiet: bool, line: &str) {
    if !quiet {
        eprintln!("{line}");
    }
}

/// A progress bar on stderr when it is a terminal and `enabled`, hidden
/// otherwise.
pub fn progress_bar(len: usize, enabled: bool, what: &'static str) -> indicatif::ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() || len < 20 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

fn cut(s: &str) -> String {
    if s.chars().count() <= CELL_MAX {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(CELL_MAX - 1).collect();
    t.push('…');
    t
}

/// A table for the terminal: caption, grid, note.
pub fn terminal(t: &Table, lang: Lang) -> String {
    let mut ct = comfy_table::Table::new();
    ct.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(t.columns.iter().map(|c| c.label.clone()));
    let numeric: Vec<bool> = (0..t.columns.len()).map(|i| t.numeric_column(i)).collect();
    // Long texts are cut in wide tables only: a two-column table (a
    // summary) has room for them.
    let wide = t.columns.len() > 2;
    for row in &t.rows {
        ct.add_row(row.iter().map(|c| {
            let s = c.display(lang);
            if wide { cut(&s) } else { s }
        }));
    }
    for (i, n) in numeric.iter().enumerate() {
        if *n && let Some(col) = ct.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = String::new();
    if !t.title.is_empty() {
        out.push_str(&t.title);
        out.push('\n');
    }
    out.push_str(&ct.to_string());
    out.push('\n');
    if let Some(note) = &t.note {
        out.push_str(&wrap(note, 100));
        out.push('\n');
    }
    out
}

/// Words of `text` wrapped at `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

/// Tables for the terminal, one after the other.
pub fn terminal_all(tables: &[Table], lang: Lang) -> String {
    tables
        .iter()
        .map(|t| terminal(t, lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A table as CSV (keys as headers, machine form of the cells). With
/// `section`, a first column names the table the row comes from, so that
/// several tables fit in one file. Every text (cells, headers, section
/// names) goes through the project's one formula-defusing rule
/// ([`capacity::format::defuse`], via [`capacity_report::Cell::csv`]).
pub fn csv(tables: &[(&str, &Table)]) -> Result<String, CliError> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let several = tables.len() > 1;
    let fail = |e: csv::Error| CliError::Other(format!("cannot write CSV: {e}"));
    for (section, t) in tables {
        let mut header: Vec<&str> = Vec::new();
        if several {
            header.push("table");
        }
        header.extend(t.columns.iter().map(|c| c.key.as_str()));
        w.write_record(header.iter().map(|h| defuse(h).into_owned()))
            .map_err(fail)?;
        for row in &t.rows {
            let mut rec: Vec<String> = Vec::new();
            if several {
                rec.push(defuse(section).into_owned());
            }
            rec.extend(row.iter().map(capacity_report::Cell::csv));
            w.write_record(&rec).map_err(fail)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::Other(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CliError::Other(format!("cannot write CSV: {e}")))
}

/// Tables as Markdown.
pub fn markdown(tables: &[Table], lang: Lang) -> String {
    tables
        .iter()
        .map(|t| t.to_markdown(lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value as pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(format!("cannot write JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}
