//! The commune register: administrators add, edit, deactivate and merge
//! communes, and import communes or periods of territory from a CSV file
//! (a preview listing every problem by row and column first, then one
//! transaction). Only [`Action::ManageCommunes`] reaches any of it.
//!
//! The form and the file share one rule per field
//! ([`commune_from_fields`]): the file's columns are the form's field
//! names, so a problem reads the same in both.

use std::collections::{BTreeMap, HashMap};

use capacity::{Commune, Kind, Setting, valid_date, valid_id};
use capacity_store::{RegisterImport, TerritoryRow};

use super::Service;
use super::access::{Action, Actor, Place};
use super::limits;
use crate::error::{AppError, FieldProblem, Problem};
use crate::view::register::*;

/// What a preview keeps for its apply: the file's text and the version of
/// each commune it read (0: not stored).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeptImport {
    text: String,
    versions: BTreeMap<String, i64>,
    /// The preview, as the page shows it.
    pub preview: ImportPreview,
}

/// The longest commune id accepted.
const ID_MAX: usize = 80;

fn check(actor: &Actor) -> Result<(), AppError> {
    actor.check(Action::ManageCommunes, &Place::default())
}

fn line(row: capacity_store::CommuneRow) -> RegisterLine {
    RegisterLine {
        commune: row.commune,
        assessments: row.assessments,
        version: row.version,
        active: row.active,
        merged_into: row.merged_into,
    }
}

/// Every commune, active or not.
pub async fn register_page(state: &Service, actor: &Actor) -> Result<RegisterPage, AppError> {
    check(actor)?;
    let rows = state.store.communes(&Default::default()).await?;
    Ok(RegisterPage {
        communes: rows.into_iter().map(line).collect(),
    })
}

/// One commune with its territory over time, the communes merged into it
/// and those it may be merged into.
pub async fn commune_edit(
    state: &Service,
    actor: &Actor,
    id: &str,
) -> Result<CommuneEdit, AppError> {
    check(actor)?;
    let row = state
        .store
        .commune(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("commune {id}")))?;
    let territories = state
        .store
        .territories(id)
        .await?
        .into_iter()
        .map(|t| TerritoryLine {
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            region: t.region,
            cercle: t.cercle,
            source: t.source,
        })
        .collect();
    let merged = state
        .store
        .merged_into(id)
        .await?
        .into_iter()
        .map(|r| (r.commune.id, r.commune.name))
        .collect();
    let targets = state
        .store
        .communes(&capacity_store::CommuneFilter {
            active_only: true,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|r| r.commune.id != id)
        .map(|r| (r.commune.id, r.commune.name))
        .collect();
    Ok(CommuneEdit {
        line: line(row),
        territories,
        merged,
        targets,
    })
}

/// A commune from the fields of the form (or the columns of a file row):
/// every problem, field by field, or the commune.
pub fn commune_from_fields(get: impl Fn(&str) -> String) -> Result<Commune, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut text = |name: &str, max: usize| {
        let value = get(name).trim().to_owned();
        if value.is_empty() {
            problems.push(FieldProblem::new(name, Problem::Required));
        } else if let Some(p) = limits::too_long(&value, max) {
            problems.push(FieldProblem::new(name, p));
        }
        value
    };
    let id = text("id", ID_MAX);
    let name = text("name", limits::NAME);
    let region = text("region", limits::NAME);
    let cercle = text("cercle", limits::NAME);
    if !id.is_empty() && (!valid_id(&id) || id == "." || id == "..") {
        problems.push(FieldProblem::new("id", Problem::BadId));
    }
    let kind = match get("kind").trim() {
        "" | "commune" => Kind::Commune,
        "cercle" => Kind::Cercle,
        _ => {
            problems.push(FieldProblem::new("kind", Problem::UnknownChoice));
            Kind::Commune
        }
    };
    let population = match get("population")
        .trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
    {
        p if p.is_empty() => None,
        p => match p.parse::<u64>() {
            Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => {
                problems.push(FieldProblem::new("population", Problem::NotAWholeNumber));
                None
            }
        },
    };
    let setting = match get("setting").trim() {
        "" => None,
        "urban" | "urbain" | "urbaine" => Some(Setting::Urban),
        "rural" | "rurale" => Some(Setting::Rural),
        _ => {
            problems.push(FieldProblem::new("setting", Problem::UnknownChoice));
            None
        }
    };
    let mut transferred: Vec<String> = Vec::new();
    for part in get("transferred")
        .split([',', ';', '|', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !valid_id(part) {
            problems.push(FieldProblem::new("transferred", Problem::BadId));
            break;
        }
        if !transferred.iter().any(|t| t == part) {
            transferred.push(part.to_owned());
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Commune {
        id,
        name,
        cercle,
        region,
        kind,
        population,
        setting,
        transferred,
    })
}

/// Adds a commune; answers its id.
pub async fn create_commune(
    state: &Service,
    actor: &Actor,
    fields: &BTreeMap<String, String>,
) -> Result<String, AppError> {
    check(actor)?;
    let commune = commune_from_fields(|k| fields.get(k).cloned().unwrap_or_default())
        .map_err(AppError::Fields)?;
    let row = state.store.create_commune(&commune, &actor.audit()).await?;
    Ok(row.commune.id)
}

/// Changes a commune at the version read (stale: 409 with the commune as
/// stored now). The id cannot change: it names the commune in files.
pub async fn update_commune(
    state: &Service,
    actor: &Actor,
    id: &str,
    fields: &BTreeMap<String, String>,
    version: i64,
) -> Result<i64, AppError> {
    check(actor)?;
    let commune = commune_from_fields(|k| {
        if k == "id" {
            id.to_owned()
        } else {
            fields.get(k).cloned().unwrap_or_default()
        }
    })
    .map_err(AppError::Fields)?;
    let row = state
        .store
        .update_commune(&commune, version, &actor.audit())
        .await?;
    Ok(row.version)
}

/// Deactivates or activates a commune at the version read.
pub async fn set_active(
    state: &Service,
    actor: &Actor,
    id: &str,
    active: bool,
    version: i64,
) -> Result<i64, AppError> {
    check(actor)?;
    let row = state
        .store
        .set_commune_active(id, active, version, &actor.audit())
        .await?;
    Ok(row.version)
}

/// Merges commune `id` (at the version read) into `into`.
pub async fn merge(
    state: &Service,
    actor: &Actor,
    id: &str,
    into: &str,
    version: i64,
) -> Result<i64, AppError> {
    check(actor)?;
    if into.trim().is_empty() {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "into",
            Problem::Required,
        )]));
    }
    let row = state
        .store
        .merge_commune(id, into.trim(), version, &actor.audit())
        .await?;
    Ok(row.version)
}

/// Reads a file (bytes as uploaded or pasted) and says what importing it
/// would do, with every problem by row and column; nothing is written.
/// The preview is kept under its token for [`apply_import`].
pub async fn preview_import(
    state: &Service,
    actor: &Actor,
    bytes: &[u8],
) -> Result<ImportPreview, AppError> {
    check(actor)?;
    if bytes.len() > IMPORT_BYTES {
        return Err(AppError::TooLarge(format!(
            "the file has {} bytes, more than the {IMPORT_BYTES} one import takes: split it",
            bytes.len()
        )));
    }
    let text = capacity::encoding::decode(bytes)
        .map_err(|e| AppError::Invalid(format!("the file cannot be read: {e}")))?
        .to_owned();
    let (preview, versions) = analyse(state, &text).await?;
    // The kept preview's token is filled in when it is read back
    // ([`kept_preview`]).
    let token = state
        .keep_import(&KeptImport {
            text: text.clone(),
            versions: versions.clone(),
            preview: preview.clone(),
        })
        .await?;
    let preview = ImportPreview { token, ..preview };
    Ok(preview)
}

/// A preview kept under `token` (`None` when unknown or expired).
pub async fn kept_preview(
    state: &Service,
    actor: &Actor,
    token: &str,
) -> Result<Option<ImportPreview>, AppError> {
    check(actor)?;
    if token.is_empty() {
        return Ok(None);
    }
    Ok(state.import(token).await.map(|k| ImportPreview {
        token: token.to_owned(),
        ..k.preview
    }))
}

/// Applies a preview kept under `token`, in one transaction: refused when
/// the file now has problems (422) or when a commune it reads changed
/// since the preview (409: preview again).
pub async fn apply_import(
    state: &Service,
    actor: &Actor,
    token: &str,
) -> Result<ImportApplied, AppError> {
    check(actor)?;
    let kept = state.import(token).await.ok_or_else(|| {
        AppError::NotFound("this import preview (it expired: send the file again)".to_owned())
    })?;
    let (preview, versions) = analyse(state, &kept.text).await?;
    if !preview.problems.is_empty() {
        return Err(AppError::Invalid(format!(
            "the file has {} problem(s): preview it again and fix them",
            preview.problems.len()
        )));
    }
    if let Some((id, _)) = versions
        .iter()
        .find(|(id, v)| kept.versions.get(*id) != Some(v))
    {
        return Err(AppError::Stale(format!(
            "commune {id} changed since the preview: send the file again to see the changes"
        )));
    }
    let import = to_import(&kept.text, &versions)?;
    let (communes, periods) = state
        .store
        .apply_register_import(&import, &actor.audit())
        .await?;
    Ok(ImportApplied { communes, periods })
}

/// A parsed file: its header and its rows with their line numbers.
struct Table {
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
    /// Lines that could not be read as CSV.
    unreadable: Vec<u64>,
}

impl Table {
    fn cell(&self, record: &csv::StringRecord, column: &str) -> String {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| record.get(i))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }
}

/// Reads CSV text: `;` or `,` as separator (whichever the header line has
/// more of: French spreadsheets write `;`), the first line the header.
fn read_table(text: &str) -> Table {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Line numbers from byte offsets (the reader's own line count skips
    // blank lines), so a problem names the line a spreadsheet shows.
    let newlines: Vec<u64> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i as u64)
        .collect();
    let bytes = text.as_bytes();
    let line_of = |p: Option<&csv::Position>, fallback: u64| {
        p.map_or(fallback, |p| {
            // A record's position is where the reader stood before it,
            // which may be blank lines it skipped.
            let mut at = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            1 + newlines.partition_point(|&n| n < at as u64) as u64
        })
    };
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) if i == 0 => {
                header = r.iter().map(|h| h.trim().to_lowercase()).collect();
            }
            Ok(r) => {
                let line = line_of(r.position(), i as u64 + 1);
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push((line, r));
            }
            Err(e) => unreadable.push(line_of(e.position(), i as u64 + 1)),
        }
    }
    Table {
        header,
        rows,
        unreadable,
    }
}

fn cut(value: &str) -> String {
    value.chars().take(80).collect()
}

/// The preview of `text` against the store now, and the version of each
/// commune it read (0: not stored).
async fn analyse(
    state: &Service,
    text: &str,
) -> Result<(ImportPreview, BTreeMap<String, i64>), AppError> {
    let table = read_table(text);
    let mut problems = Vec::new();
    let has = |c: &str| table.header.iter().any(|h| h == c);
    let kind = if has("commune_id") {
        Some(ImportKind::Territory)
    } else if has("id") {
        Some(ImportKind::Communes)
    } else {
        None
    };
    let (known, required): (&[&str], &[&str]) = match kind {
        Some(ImportKind::Territory) => (&TERRITORY_COLUMNS, &TERRITORY_REQUIRED),
        _ => (&COMMUNE_COLUMNS, &COMMUNE_REQUIRED),
    };
    for column in required {
        if !has(column) {
            problems.push(RowProblem {
                row: 1,
                column: (*column).to_owned(),
                value: String::new(),
                problem: Problem::MissingColumn,
            });
        }
    }
    for column in &table.header {
        if !known.contains(&column.as_str()) {
            problems.push(RowProblem {
                row: 1,
                column: column.clone(),
                value: String::new(),
                problem: Problem::UnknownColumn,
            });
        }
    }
    for line in &table.unreadable {
        problems.push(RowProblem {
            row: *line,
            column: String::new(),
            value: String::new(),
            problem: Problem::UnreadableRow,
        });
    }
    if let Some((line, _)) = table.rows.get(IMPORT_ROWS) {
        problems.push(RowProblem {
            row: *line,
            column: String::new(),
            value: String::new(),
            problem: Problem::TooMany {
                max: IMPORT_ROWS as u32,
            },
        });
    }
    let mut rows = Vec::new();
    let mut versions = BTreeMap::new();
    if problems.is_empty() {
        let stored: HashMap<String, capacity_store::CommuneRow> = state
            .store
            .communes(&Default::default())
            .await?
            .into_iter()
            .map(|r| (r.commune.id.clone(), r))
            .collect();
        match kind {
            Some(ImportKind::Territory) => {
                territory_rows(
                    state,
                    &table,
                    &stored,
                    &mut problems,
                    &mut rows,
                    &mut versions,
                )
                .await?;
            }
            _ => commune_rows(&table, &stored, &mut problems, &mut rows, &mut versions),
        }
    }
    problems.sort_by_key(|p| p.row);
    Ok((
        ImportPreview {
            kind,
            problems,
            rows,
            token: String::new(),
        },
        versions,
    ))
}

fn commune_rows(
    table: &Table,
    stored: &HashMap<String, capacity_store::CommuneRow>,
    problems: &mut Vec<RowProblem>,
    rows: &mut Vec<ImportRow>,
    versions: &mut BTreeMap<String, i64>,
) {
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, record) in &table.rows {
        let get = |k: &str| table.cell(record, k);
        match commune_from_fields(get) {
            Err(fields) => problems.extend(fields.into_iter().map(|f| RowProblem {
                row: *line,
                value: cut(&table.cell(record, &f.field)),
                column: f.field,
                problem: f.problem,
            })),
            Ok(commune) => {
                if let Some(first) = seen.insert(commune.id.clone(), *line) {
                    problems.push(RowProblem {
                        row: *line,
                        column: "id".to_owned(),
                        value: commune.id.clone(),
                        problem: Problem::Duplicate { first },
                    });
                    continue;
                }
                let old = stored.get(&commune.id);
                let change = match old {
                    None => Change::New,
                    Some(o) if same_commune(&o.commune, &commune) => Change::Same,
                    Some(_) => Change::Changed,
                };
                versions.insert(commune.id.clone(), old.map_or(0, |o| o.version));
                rows.push(ImportRow {
                    row: *line,
                    id: commune.id,
                    change,
                    detail: commune.name,
                });
            }
        }
    }
}

/// Equal as the register shows them.
fn same_commune(a: &Commune, b: &Commune) -> bool {
    a == b
}

async fn territory_rows(
    state: &Service,
    table: &Table,
    stored: &HashMap<String, capacity_store::CommuneRow>,
    problems: &mut Vec<RowProblem>,
    rows: &mut Vec<ImportRow>,
    versions: &mut BTreeMap<String, i64>,
) -> Result<(), AppError> {
    // Periods by commune: those of the file (with their line), then those
    // stored that the file does not replace, to find overlaps.
    let mut periods: BTreeMap<String, Vec<(String, Option<String>, u64)>> = BTreeMap::new();
    let mut good: Vec<(u64, TerritoryRow)> = Vec::new();
    for (line, record) in &table.rows {
        let get = |k: &str| table.cell(record, k);
        let mut mine = Vec::new();
        let bad = |mine: &mut Vec<RowProblem>, column: &str, problem: Problem| {
            mine.push(RowProblem {
                row: *line,
                column: column.to_owned(),
                value: cut(&get(column)),
                problem,
            })
        };
        let commune = get("commune_id");
        if commune.is_empty() {
            bad(&mut mine, "commune_id", Problem::Required);
        } else if !stored.contains_key(&commune) {
            bad(&mut mine, "commune_id", Problem::UnknownCommune);
        }
        for column in ["region", "cercle"] {
            let v = get(column);
            if v.is_empty() {
                bad(&mut mine, column, Problem::Required);
            } else if let Some(p) = limits::too_long(&v, limits::NAME) {
                bad(&mut mine, column, p);
            }
        }
        let from = get("valid_from");
        if from.is_empty() {
            bad(&mut mine, "valid_from", Problem::Required);
        } else if !valid_date(&from) {
            bad(&mut mine, "valid_from", Problem::NotADate);
        }
        let to = Some(get("valid_to")).filter(|t| !t.is_empty());
        if let Some(t) = &to {
            if !valid_date(t) {
                bad(&mut mine, "valid_to", Problem::NotADate);
            } else if valid_date(&from) && t.as_str() <= from.as_str() {
                bad(&mut mine, "valid_to", Problem::EndBeforeStart);
            }
        }
        if let Some(p) = limits::too_long(&get("source"), limits::TEXT) {
            bad(&mut mine, "source", p);
        }
        if !mine.is_empty() {
            problems.append(&mut mine);
            continue;
        }
        let list = periods.entry(commune.clone()).or_default();
        if let Some((_, _, first)) = list.iter().find(|(f, _, _)| *f == from) {
            let first = *first;
            bad(&mut mine, "valid_from", Problem::Duplicate { first });
            problems.append(&mut mine);
            continue;
        }
        list.push((from.clone(), to.clone(), *line));
        good.push((
            *line,
            TerritoryRow {
                commune_id: commune,
                valid_from: from,
                valid_to: to,
                region: get("region"),
                cercle: get("cercle"),
                source: get("source"),
            },
        ));
    }
    // Stored periods that the file keeps (not replaced by the same start).
    let mut stored_periods: HashMap<String, Vec<TerritoryRow>> = HashMap::new();
    for commune in periods.keys() {
        stored_periods.insert(commune.clone(), state.store.territories(commune).await?);
    }
    let none = Vec::new();
    let no_rows = Vec::new();
    for (line, t) in &good {
        let theirs = periods.get(&t.commune_id).unwrap_or(&none);
        let kept = stored_periods.get(&t.commune_id).unwrap_or(&no_rows);
        let end = |to: &Option<String>| to.clone().unwrap_or_else(|| "9999-12-31".to_owned());
        let overlap_in_file = theirs
            .iter()
            .find(|(f, to, l)| l != line && *f < end(&t.valid_to) && end(to) > t.valid_from);
        let overlap_stored = kept.iter().find(|s| {
            s.valid_from != t.valid_from
                && !theirs.iter().any(|(f, _, _)| *f == s.valid_from)
                && s.valid_from < end(&t.valid_to)
                && end(&s.valid_to) > t.valid_from
        });
        let other = overlap_in_file
            .map(|(f, _, _)| f.clone())
            .or_else(|| overlap_stored.map(|s| s.valid_from.clone()));
        if let Some(other) = other {
            problems.push(RowProblem {
                row: *line,
                column: "valid_from".to_owned(),
                value: t.valid_from.clone(),
                problem: Problem::Overlaps { other },
            });
            continue;
        }
        let existing = kept.iter().find(|s| s.valid_from == t.valid_from);
        let change = match existing {
            None => Change::New,
            Some(s) if s == t => Change::Same,
            Some(_) => Change::Changed,
        };
        versions.insert(
            t.commune_id.clone(),
            stored.get(&t.commune_id).map_or(0, |r| r.version),
        );
        rows.push(ImportRow {
            row: *line,
            id: t.commune_id.clone(),
            change,
            detail: format!(
                "{} / {} — {} → {}",
                t.region,
                t.cercle,
                t.valid_from,
                t.valid_to.as_deref().unwrap_or("…")
            ),
        });
    }
    Ok(())
}

/// The writes of a file that has no problems.
fn to_import(text: &str, versions: &BTreeMap<String, i64>) -> Result<RegisterImport, AppError> {
    let table = read_table(text);
    let mut import = RegisterImport::default();
    let territory = table.header.iter().any(|h| h == "commune_id");
    for (_, record) in &table.rows {
        let get = |k: &str| table.cell(record, k);
        if territory {
            import.territories.push(TerritoryRow {
                commune_id: get("commune_id"),
                valid_from: get("valid_from"),
                valid_to: Some(get("valid_to")).filter(|t| !t.is_empty()),
                region: get("region"),
                cercle: get("cercle"),
                source: get("source"),
            });
        } else {
            let commune = commune_from_fields(get).map_err(AppError::Fields)?;
            let version = versions.get(&commune.id).copied().unwrap_or(0);
            import.communes.push((commune, version));
        }
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_fields(fields: &[(&str, &str)], expected: &[(&str, Problem)]) {
        let map: BTreeMap<String, String> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let got = commune_from_fields(|k| map.get(k).cloned().unwrap_or_default());
        let expected: Vec<FieldProblem> = expected
            .iter()
            .map(|(f, p)| FieldProblem::new(*f, p.clone()))
            .collect();
        assert_eq!(got.err().unwrap_or_default(), expected);
    }

    #[test]
    fn a_commune_from_fields_names_every_problem() {
        let good = [
            ("id", "ml-x"),
            ("name", "X"),
            ("region", "R"),
            ("cercle", "C"),
            ("population", "12 500"),
            ("setting", "rural"),
            ("transferred", "water, health"),
        ];
        check_fields(&good, &[]);
        check_fields(
            &[
                ("id", "a b"),
                ("name", ""),
                ("region", "R"),
                ("cercle", "C"),
                ("kind", "village"),
                ("population", "-3"),
                ("setting", "town"),
                ("transferred", "a/b"),
            ],
            &[
                ("name", Problem::Required),
                ("id", Problem::BadId),
                ("kind", Problem::UnknownChoice),
                ("population", Problem::NotAWholeNumber),
                ("setting", Problem::UnknownChoice),
                ("transferred", Problem::BadId),
            ],
        );
    }

    #[test]
    fn tables_take_either_separator_and_count_lines() {
        let t = read_table("id;name\nml-a;A\n\nml-b;\"B; C\"\n");
        assert_eq!(t.header, ["id", "name"]);
        let lines: Vec<u64> = t.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(t.cell(&t.rows[1].1, "name"), "B; C");
        let t = read_table("commune_id,region\nml-a,R\n");
        assert_eq!(t.cell(&t.rows[0].1, "region"), "R");
    }
}
