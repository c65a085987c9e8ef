//! Import of a KoboToolbox or ODK CSV export of the form made by
//! [`crate::xlsform()`]: one row per submission (one rater, one commune,
//! one round) back into assessments, one per commune and round, with
//! every rater kept.
//!
//! # Reading the export
//!
//! - **Separator**: `;`, `,` or tab, whichever the header line (outside
//!   quotes) has most of, unless [`ImportOptions::separator`] says; a
//!   leading byte-order mark is dropped.
//! - **Headers**: a column is recognised by the field's XML name
//!   (`ADM_EC_01`), by that name after group prefixes joined with `/`
//!   (KoboToolbox: `etat_civil/ADM_EC_01`), `-` (ODK Central:
//!   `etat_civil-ADM_EC_01`) or `.`, or by the field's label in French or
//!   English, with or without group labels before it (KoboToolbox's
//!   "labels" export). Metadata columns are ignored: every column whose
//!   name starts with `_` (`_id`, `_uuid`, `_submission_time`, `_index`,
//!   `__version__`…) and ODK's and KoboToolbox's own (`start`, `end`,
//!   `today`, `deviceid`, `meta/instanceID`, `KEY`, `SubmissionDate`…).
//!   Any other column is reported once, as is a second column for the same
//!   field.
//! - **Required columns**: `commune_id`, `round`, `date`, `rater_role`,
//!   and `rater_name` or `rater_id`; without one of them nothing is
//!   imported ([`Error::MissingColumns`]). A CSV with none of the rubric's
//!   questions is refused too ([`Error::NoQuestionColumns`]); questions
//!   with no column stay unanswered and are reported.
//! - **Values**: a level is its code (`C`), `NA` or `NI`, or the choice's
//!   label in either language (`C — Conformité légale de base`); a role is
//!   its code (`staff`) or label; with a commune list, a commune may be
//!   given by its choice label. An empty cell leaves the indicator
//!   unanswered.
//!
//! # From rows to assessments
//!
//! - A row missing its commune id, round, date (`YYYY-MM-DD`, a time after
//!   it is ignored), rater name and id, or role, or naming another rubric
//!   (`rubric_id`, `rubric_version`), is skipped and reported.
//! - An unknown level code is reported with its row, column and the valid
//!   codes; that rating is left out, the rest of the row is kept. Evidence
//!   given without a level is reported and left out.
//! - The **rater id** is the `rater_id` field, else made from the name
//!   (lowercase ASCII letters and digits joined by `-`: `Aminata
//!   Coulibaly` → `aminata-coulibaly`).
//! - The same rater submitting twice for the same commune and round: the
//!   **latest** submission is kept, by `_submission_time` (KoboToolbox),
//!   else `SubmissionDate` (ODK Central), else `end` (the phone's clock),
//!   compared as ISO 8601 text; without times, the later line. The other
//!   one is reported.
//! - Rows of the same commune and round are **merged** into one
//!   assessment: raters in line order, each rating under its indicator,
//!   evidence kept. The commune's attributes come from
//!   [`ImportOptions::communes`] when the id is listed there (kind,
//!   population, setting and transferred competences, which the form does
//!   not ask), else from the first row; values that differ between rows
//!   are reported. The date is the earliest one given (reported when
//!   they differ).
//! - Every assessment is checked against the rubric
//!   ([`capacity::CompiledRubric::resolve`]); one that fails is reported and
//!   left out, so every assessment returned validates.
//!
//! Assessments come sorted by commune id, then round; problems by line.
//! Depends on the names and labels of [`crate::xlsform`](mod@crate::xlsform); pure (text in,
//! values out).

use crate::error::Error;
use crate::names::{Field, Fixed, FormNames};
use crate::words::{ROLES, role_code, role_label};
use crate::xlsform::{self, XlsFormOptions};
use capacity::{
    Answer, Assessment, Commune, CompiledRubric, Kind, Lang, NO_INFORMATION, NOT_APPLICABLE, Rater,
    Rating, Role,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// How to read an export.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// The commune list (as given to [`XlsFormOptions::communes`]): fills
    /// in the attributes the form does not ask (kind, population, setting,
    /// transferred competences) and maps communes given by their label.
    pub communes: Vec<Commune>,
    /// The field separator; `None` sniffs it from the header line.
    pub separator: Option<u8>,
}

/// What kind of problem an [`ImportProblem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A column that is no field of the form (reported once).
    UnknownColumn,
    /// A second column for the same field (ignored).
    DuplicateColumn,
    /// Questions of the rubric with no column (left unanswered).
    MissingQuestions,
    /// A row has more or fewer fields than the header (skipped).
    RowLength,
    /// A required value is empty (the row is skipped).
    MissingValue,
    /// A value is malformed: an id, a date (the row is skipped).
    InvalidValue,
    /// A level code the rubric does not have (the rating is left out).
    UnknownLevel,
    /// A role that is not one of the four (the row is skipped).
    UnknownRole,
    /// A commune id missing from the commune list given.
    UnknownCommune,
    /// A submission made with another rubric's form (the row is skipped).
    OtherRubric,
    /// Evidence without a level (left out).
    EvidenceWithoutLevel,
    /// The same rater submitted twice for a commune and round (the latest
    /// is kept).
    DuplicateSubmission,
    /// Rows of one commune and round disagree on the commune or the date.
    Conflict,
    /// The merged assessment does not validate against the rubric (left
    /// out).
    Invalid,
}

/// A row or a column that could not be mapped, with its place and how to
/// fix it. Displayed as `line N, column "X": message: how to fix`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportProblem {
    /// The line of the CSV file (1-based; the header is line 1; a record
    /// spanning several lines is named by its first).
    pub line: u64,
    /// The column's header as written in the file, when one column is at
    /// fault.
    pub column: Option<String>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// What is wrong (lowercase).
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column \"{c}\"")?;
        }
        write!(f, ": {}: {}", self.message, self.fix)
    }
}

/// What an import gives: the assessments (each validates against the
/// rubric) and every problem met.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportResult {
    /// One assessment per commune and round, sorted by commune id, then
    /// round.
    pub assessments: Vec<Assessment>,
    /// Every row or column that could not be mapped, sorted by line.
    pub problems: Vec<ImportProblem>,
    /// The separator used.
    pub separator: u8,
    /// The submissions (rows) kept in the assessments.
    pub submissions: usize,
}

/// Reads a KoboToolbox/ODK CSV export of `rubric`'s form (see the module
/// documentation). Fails only when nothing can be imported: an empty
/// file, a missing required column, no question of the rubric.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// use capacity_exchange::{ImportOptions, import_kobo_csv};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let csv = "\
/// commune_id;commune_name;cercle;region;round;date;rater_name;rater_role;etat_civil/ADM_EC_01;etat_civil/ADM_EC_01_evidence
/// ml-exemple;Exemple;San;Ségou;2024;2024-03-14;Aminata Coulibaly;elected;C;Registre vu
/// ml-exemple;Exemple;San;Ségou;2024;2024-03-14;Moussa Traoré;staff;Z;
/// ";
/// let result = import_kobo_csv(&rubric, csv, &ImportOptions::default())?;
/// let a = &result.assessments[0];
/// assert_eq!(a.raters[1].id, "moussa-traore");
/// assert_eq!(a.answers[0].ratings[0].evidence.as_deref(), Some("Registre vu"));
/// assert_eq!(
///     result.problems[1].to_string(),
///     "line 3, column \"etat_civil/ADM_EC_01\": unknown level `Z` for ADM-EC-01: \
///      the rating is left out; use one of D, C, B, A, NA (not applicable), NI (no information), or leave it empty",
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_kobo_csv(
    rubric: &CompiledRubric,
    csv_text: &str,
    options: &ImportOptions,
) -> Result<ImportResult, Error> {
    let text = csv_text.strip_prefix('\u{FEFF}').unwrap_or(csv_text);
    if text.trim().is_empty() {
        return Err(Error::EmptyCsv);
    }
    let separator = options.separator.unwrap_or_else(|| sniff(text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(csv_error(&e)),
        None => return Err(Error::EmptyCsv),
    };
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(Error::EmptyCsv);
    }

    let ctx = Context::new(rubric, options);
    let mut problems = Vec::new();
    let columns = ctx.map_columns(&headers, &mut problems)?;

    let mut submissions = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if let Some(s) = ctx.read_row(&headers, &columns, &record, line, &mut problems) {
            submissions.push(s);
        }
    }

    let mut result = ImportResult {
        assessments: Vec::new(),
        problems: Vec::new(),
        separator,
        submissions: 0,
    };
    ctx.merge(submissions, &mut result, &mut problems);
    problems.sort_by_key(|p| p.line);
    result.problems = problems;
    result
        .assessments
        .sort_by(|a, b| (&a.commune.id, &a.round).cmp(&(&b.commune.id, &b.round)));
    Ok(result)
}

fn csv_error(e: &csv::Error) -> Error {
    Error::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

/// The separator of the header line: the most frequent of `;`, `,` and
/// tab outside quotes (`,` on a tie).
fn sniff(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// Metadata columns of KoboToolbox and ODK (besides those starting with
/// `_`), matched on the last segment of the header.
const METADATA: [&str; 26] = [
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "instanceID",
    "instanceName",
    "deprecatedID",
    "rootUuid",
    "uuid",
    "KEY",
    "SubmissionDate",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
];

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Field(Field),
    /// A submission time, with its rank (lower is preferred).
    Time(u8),
    Ignored,
}

/// Which column gives the submission time, by rank.
const TIME_SOURCES: [&str; 3] = ["_submission_time", "SubmissionDate", "end"];

struct Columns {
    by_column: Vec<Column>,
    fixed: HashMap<Fixed, usize>,
    indicators: Vec<Option<usize>>,
    evidence: Vec<Option<usize>>,
    /// `(rank, column)`, best first.
    times: Vec<(u8, usize)>,
}

/// One row, read.
struct Submission {
    line: u64,
    commune_id: String,
    commune_name: Option<String>,
    cercle: Option<String>,
    region: Option<String>,
    round: String,
    date: String,
    rater: Rater,
    /// `(rank of the source, time)`.
    time: Option<(u8, String)>,
    /// `(indicator index, level code, evidence)`.
    ratings: Vec<(usize, String, Option<String>)>,
}

struct Context<'a> {
    rubric: &'a CompiledRubric,
    options: &'a ImportOptions,
    names: FormNames,
    labels: HashMap<String, Field>,
    levels: HashMap<String, String>,
    known_levels: String,
    roles: HashMap<String, Role>,
    commune_labels: HashMap<String, String>,
}

impl<'a> Context<'a> {
    fn new(rubric: &'a CompiledRubric, options: &'a ImportOptions) -> Self {
        let names = FormNames::new(rubric);
        let form = XlsFormOptions::default();
        let mut labels = HashMap::new();
        for row in xlsform::survey(rubric, &names, &form) {
            if let Some(field) = row.field {
                for label in row.label {
                    labels.entry(label).or_insert(field);
                }
            }
        }
        // The label of `commune_id` in a form made with a commune list.
        for label in ["Commune", "commune"] {
            labels
                .entry(label.to_owned())
                .or_insert(Field::Fixed(Fixed::CommuneId));
        }
        let mut levels = HashMap::new();
        for row in xlsform::choices(rubric, &names, &form) {
            if row.list != names.levels_list() {
                continue;
            }
            levels.insert(row.name.clone(), row.name.clone());
            for label in row.label {
                levels.insert(label, row.name.clone());
            }
        }
        let codes: Vec<&str> = rubric.levels().iter().map(|l| l.code.as_str()).collect();
        let known_levels = format!(
            "{}, {NOT_APPLICABLE} (not applicable), {NO_INFORMATION} (no information)",
            codes.join(", ")
        );
        let mut roles = HashMap::new();
        for role in ROLES {
            roles.insert(role_code(role).to_owned(), role);
            for lang in [Lang::Fr, Lang::En] {
                roles.insert(role_label(lang, role).to_owned(), role);
            }
        }
        let commune_labels = options
            .communes
            .iter()
            .map(|c| (xlsform::commune_choice_label(c), c.id.clone()))
            .collect();
        Context {
            rubric,
            options,
            names,
            labels,
            levels,
            known_levels,
            roles,
            commune_labels,
        }
    }

    /// What a header names: tried whole, then after each `/`, `-` or `.`
    /// (group prefixes), as a name and as a label.
    fn column(&self, header: &str) -> Option<Column> {
        if let Some(f) = self.names.field(header) {
            return Some(Column::Field(f));
        }
        if let Some(rank) = TIME_SOURCES.iter().position(|t| *t == header) {
            return Some(Column::Time(u8::try_from(rank).unwrap_or(u8::MAX)));
        }
        let last = header.rsplit(['/', '-', '.']).next().unwrap_or(header);
        if header.starts_with('_') || METADATA.contains(&last) {
            return Some(match TIME_SOURCES.iter().position(|t| *t == last) {
                Some(rank) => Column::Time(u8::try_from(rank).unwrap_or(u8::MAX)),
                None => Column::Ignored,
            });
        }
        let suffixes = std::iter::once(header).chain(
            header
                .char_indices()
                .filter(|(_, c)| matches!(c, '/' | '-' | '.'))
                .filter_map(|(i, c)| header.get(i + c.len_utf8()..)),
        );
        for candidate in suffixes {
            let candidate = candidate.trim();
            if let Some(f) = self
                .names
                .field(candidate)
                .or_else(|| self.labels.get(candidate).copied())
            {
                return Some(Column::Field(f));
            }
        }
        None
    }

    fn map_columns(
        &self,
        headers: &[String],
        problems: &mut Vec<ImportProblem>,
    ) -> Result<Columns, Error> {
        let count = self.rubric.indicators().len();
        let mut cols = Columns {
            by_column: Vec::with_capacity(headers.len()),
            fixed: HashMap::new(),
            indicators: vec![None; count],
            evidence: vec![None; count],
            times: Vec::new(),
        };
        let mut seen: HashMap<Field, usize> = HashMap::new();
        let mut unknown: Vec<&str> = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let column = match self.column(header) {
                Some(Column::Field(Field::Group(_))) | None => {
                    if !header.is_empty() {
                        unknown.push(header.as_str());
                    }
                    Column::Ignored
                }
                Some(Column::Field(f)) => {
                    if let Some(first) = seen.get(&f) {
                        problems.push(ImportProblem {
                            line: 1,
                            column: Some(header.clone()),
                            kind: ProblemKind::DuplicateColumn,
                            message: format!(
                                "a second column for the same field as column \"{}\"",
                                headers.get(*first).map_or("", String::as_str)
                            ),
                            fix: "it is ignored; remove one of the two columns".to_owned(),
                        });
                        Column::Ignored
                    } else {
                        seen.insert(f, i);
                        match f {
                            Field::Fixed(Fixed::End) => cols.times.push((2, i)),
                            Field::Fixed(x) => {
                                cols.fixed.insert(x, i);
                            }
                            Field::Indicator(ix) => {
                                if let Some(slot) = cols.indicators.get_mut(ix.index()) {
                                    *slot = Some(i);
                                }
                            }
                            Field::Evidence(ix) => {
                                if let Some(slot) = cols.evidence.get_mut(ix.index()) {
                                    *slot = Some(i);
                                }
                            }
                            Field::Group(_) => {}
                        }
                        Column::Field(f)
                    }
                }
                Some(Column::Time(rank)) => {
                    cols.times.push((rank, i));
                    Column::Time(rank)
                }
                Some(Column::Ignored) => Column::Ignored,
            };
            cols.by_column.push(column);
        }
        cols.times.sort_unstable();
        // Unknown columns are reported once, together: an export with
        // thousands of them gives one problem, not thousands.
        if let Some(first) = unknown.first() {
            let message = match unknown.as_slice() {
                [_] => format!(
                    "unknown column: no field of the form of {} has this name or label",
                    self.rubric.key()
                ),
                _ => format!(
                    "{} unknown columns ({}): no field of the form of {} has these names or labels",
                    unknown.len(),
                    listed(&unknown, SHOWN_NAMES),
                    self.rubric.key()
                ),
            };
            problems.push(ImportProblem {
                line: 1,
                column: Some((*first).to_owned()),
                kind: ProblemKind::UnknownColumn,
                message,
                fix: if unknown.len() == 1 {
                    "it is ignored; import the export with the rubric its form was made from, or remove the column"
                } else {
                    "they are ignored; import the export with the rubric its form was made from, or remove the columns"
                }
                .to_owned(),
            });
        }

        let mut missing: Vec<String> = [Fixed::CommuneId, Fixed::Round, Fixed::Date]
            .into_iter()
            .filter(|f| !cols.fixed.contains_key(f))
            .map(|f| f.name().to_owned())
            .collect();
        if !cols.fixed.contains_key(&Fixed::RaterName) && !cols.fixed.contains_key(&Fixed::RaterId)
        {
            missing.push(format!(
                "{} or {}",
                Fixed::RaterName.name(),
                Fixed::RaterId.name()
            ));
        }
        if !cols.fixed.contains_key(&Fixed::RaterRole) {
            missing.push(Fixed::RaterRole.name().to_owned());
        }
        if !missing.is_empty() {
            return Err(Error::MissingColumns { columns: missing });
        }
        let absent: Vec<&str> = cols
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_none())
            .filter_map(|(i, _)| self.rubric.indicators().get(i).map(|ind| ind.id.as_str()))
            .collect();
        if absent.len() == count {
            return Err(Error::NoQuestionColumns {
                rubric: self.rubric.key().to_owned(),
            });
        }
        if !absent.is_empty() {
            problems.push(ImportProblem {
                line: 1,
                column: None,
                kind: ProblemKind::MissingQuestions,
                message: format!(
                    "{} question{} of {} {} no column ({})",
                    absent.len(),
                    if absent.len() == 1 { "" } else { "s" },
                    self.rubric.key(),
                    if absent.len() == 1 { "has" } else { "have" },
                    listed(&absent, SHOWN_NAMES)
                ),
                fix: "they stay unanswered; export every question of the form (not a selection of fields)".to_owned(),
            });
        }
        Ok(cols)
    }

    fn read_row(
        &self,
        headers: &[String],
        cols: &Columns,
        record: &csv::StringRecord,
        line: u64,
        problems: &mut Vec<ImportProblem>,
    ) -> Option<Submission> {
        let extra = record
            .iter()
            .skip(headers.len())
            .any(|f| !f.trim().is_empty());
        if record.len() < headers.len() || extra {
            problems.push(ImportProblem {
                line,
                column: None,
                kind: ProblemKind::RowLength,
                message: format!(
                    "the row has {} fields, the header {}",
                    record.len(),
                    headers.len()
                ),
                fix: "the row is skipped; export the data again, or check the separator and the quotes of this row".to_owned(),
            });
            return None;
        }
        let value = |c: usize| record.get(c).map(str::trim).filter(|v| !v.is_empty());
        let col = |f: Fixed| cols.fixed.get(&f).copied();
        let fixed = |f: Fixed| col(f).and_then(value);
        let problem = |column: Option<usize>, kind, message: String, fix: String| ImportProblem {
            line,
            column: column.and_then(|c| headers.get(c).cloned()),
            kind,
            message,
            fix,
        };
        let mut skip = false;

        let r = self.rubric.rubric();
        for (f, expected) in [(Fixed::RubricId, &r.id), (Fixed::RubricVersion, &r.version)] {
            if let Some(v) = fixed(f)
                && v != expected
            {
                problems.push(problem(
                    col(f),
                    ProblemKind::OtherRubric,
                    format!(
                        "the submission was made with the form of another rubric ({} `{v}`, not `{expected}`)",
                        f.name()
                    ),
                    "the row is skipped; import it with the rubric its form was made from".to_owned(),
                ));
                skip = true;
            }
        }

        let mut required = |f: Fixed, what: &str| -> Option<String> {
            let v = fixed(f).map(str::to_owned);
            if v.is_none() {
                problems.push(problem(
                    col(f),
                    ProblemKind::MissingValue,
                    format!("no {what}"),
                    format!(
                        "the row is skipped; fill in `{}` and import again",
                        f.name()
                    ),
                ));
            }
            v
        };
        let commune_raw = required(Fixed::CommuneId, "commune id");
        let round = required(Fixed::Round, "round");
        let date_raw = required(Fixed::Date, "date");
        let role_raw = required(Fixed::RaterRole, "rater role");
        let commune_id = commune_raw.and_then(|v| {
            if valid_id(&v) {
                Some(v)
            } else if let Some(id) = self.commune_labels.get(&v) {
                Some(id.clone())
            } else {
                problems.push(problem(
                    col(Fixed::CommuneId),
                    ProblemKind::InvalidValue,
                    format!("`{v}` is not a commune id"),
                    if self.options.communes.is_empty() {
                        "the row is skipped; write letters, digits, `-`, `_` or `.` only (e.g. ml-segou-san), or, if the export shows labels, pass the commune list the form was made with".to_owned()
                    } else {
                        "the row is skipped; write letters, digits, `-`, `_` or `.` only (e.g. ml-segou-san), or a commune of the list".to_owned()
                    },
                ));
                None
            }
        });
        let date = date_raw.and_then(|v| match iso_date(&v) {
            Some(d) => Some(d.to_owned()),
            None => {
                problems.push(problem(
                    col(Fixed::Date),
                    ProblemKind::InvalidValue,
                    format!("`{v}` is not a date"),
                    "the row is skipped; write it as YYYY-MM-DD (e.g. 2025-03-18)".to_owned(),
                ));
                None
            }
        });
        let name = fixed(Fixed::RaterName);
        let given_id = fixed(Fixed::RaterId);
        if name.is_none() && given_id.is_none() {
            problems.push(problem(
                col(Fixed::RaterName).or(col(Fixed::RaterId)),
                ProblemKind::MissingValue,
                "no rater name nor rater id".to_owned(),
                "the row is skipped; fill in `rater_name` and import again".to_owned(),
            ));
            skip = true;
        }
        let rater_id = match given_id {
            Some(id) if valid_id(id) => id.to_owned(),
            Some(id) => {
                let made = slug(name.unwrap_or(id));
                problems.push(problem(
                    col(Fixed::RaterId),
                    ProblemKind::InvalidValue,
                    format!("`{id}` is not a rater id"),
                    format!(
                        "`{made}` is used instead; write letters, digits, `-`, `_` or `.` only (e.g. r1)"
                    ),
                ));
                made
            }
            None => slug(name.unwrap_or_default()),
        };
        let role = role_raw.and_then(|v| {
            let found = self
                .roles
                .get(&v)
                .or_else(|| self.roles.get(&v.to_lowercase()))
                .copied();
            if found.is_none() {
                problems.push(problem(
                    col(Fixed::RaterRole),
                    ProblemKind::UnknownRole,
                    format!("unknown rater role `{v}`"),
                    "the row is skipped; use one of elected, staff, citizen, facilitator"
                        .to_owned(),
                ));
            }
            found
        });

        let mut ratings = Vec::new();
        for (i, c) in cols.indicators.iter().enumerate() {
            let id = self
                .rubric
                .indicators()
                .get(i)
                .map_or("", |ind| ind.id.as_str());
            let evidence_col = cols.evidence.get(i).copied().flatten();
            let evidence = evidence_col.and_then(value).map(str::to_owned);
            match c.and_then(value) {
                Some(v) => match self.level(v) {
                    Some(code) => ratings.push((i, code, evidence)),
                    None => problems.push(problem(
                        *c,
                        ProblemKind::UnknownLevel,
                        format!("unknown level `{v}` for {id}"),
                        format!("the rating is left out; use one of {}, or leave it empty", self.known_levels),
                    )),
                },
                None if evidence.is_some() => problems.push(problem(
                    evidence_col,
                    ProblemKind::EvidenceWithoutLevel,
                    format!("evidence given for {id} without a level"),
                    "it is left out; choose a level, NA or NI for the indicator, or copy the evidence into the assessment file".to_owned(),
                )),
                None => {}
            }
        }

        let (Some(commune_id), Some(round), Some(date), Some(role)) =
            (commune_id, round, date, role)
        else {
            return None;
        };
        if skip {
            return None;
        }
        let time = cols
            .times
            .iter()
            .find_map(|(rank, c)| value(*c).map(|t| (*rank, t.to_owned())));
        Some(Submission {
            line,
            commune_id,
            commune_name: fixed(Fixed::CommuneName).map(str::to_owned),
            cercle: fixed(Fixed::Cercle).map(str::to_owned),
            region: fixed(Fixed::Region).map(str::to_owned),
            round,
            date,
            rater: Rater {
                id: rater_id,
                name: name.or(given_id).unwrap_or_default().to_owned(),
                role,
            },
            time,
            ratings,
        })
    }

    /// The level code of a value: a code, a choice label, or a label's
    /// leading code (`C — …`).
    fn level(&self, v: &str) -> Option<String> {
        if let Some(code) = self.levels.get(v) {
            return Some(code.clone());
        }
        let (code, _) = v.split_once(" — ")?;
        self.levels
            .get(code.trim())
            .filter(|c| c.as_str() == code.trim())
            .cloned()
    }

    fn merge(
        &self,
        submissions: Vec<Submission>,
        result: &mut ImportResult,
        problems: &mut Vec<ImportProblem>,
    ) {
        // Groups by (commune, round), in order of first appearance.
        let mut groups: Vec<Vec<Submission>> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for s in submissions {
            let key = (s.commune_id.clone(), s.round.clone());
            match index.get(&key) {
                Some(&g) => {
                    if let Some(group) = groups.get_mut(g) {
                        group.push(s);
                    }
                }
                None => {
                    index.insert(key, groups.len());
                    groups.push(vec![s]);
                }
            }
        }
        for group in groups {
            let kept = self.dedupe(group, problems);
            if let Some(a) = self.assessment(&kept, problems) {
                match self.rubric.resolve(&a) {
                    Ok(_) => {
                        result.submissions += kept.len();
                        result.assessments.push(a);
                    }
                    Err(diagnostics) => {
                        let line = kept.first().map_or(0, |s| s.line);
                        for d in diagnostics.iter() {
                            problems.push(ImportProblem {
                                line,
                                column: None,
                                kind: ProblemKind::Invalid,
                                message: format!(
                                    "the assessment of {}, round {}, does not validate: {d}",
                                    a.commune.id, a.round
                                ),
                                fix: "it is left out; fix the rows of this commune and round and import again".to_owned(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Keeps one submission per rater: the latest.
    fn dedupe(&self, group: Vec<Submission>, problems: &mut Vec<ImportProblem>) -> Vec<Submission> {
        let mut kept: Vec<Submission> = Vec::with_capacity(group.len());
        // Rater id → index in `kept`: linear in the number of submissions.
        let mut by_rater: HashMap<String, usize> = HashMap::with_capacity(group.len());
        for s in group {
            let Some(&pos) = by_rater.get(&s.rater.id) else {
                by_rater.insert(s.rater.id.clone(), kept.len());
                kept.push(s);
                continue;
            };
            let Some(old) = kept.get(pos) else { continue };
            let (newer, basis) = match (&old.time, &s.time) {
                (Some((ra, a)), Some((rb, b))) if ra == rb => (
                    b >= a,
                    TIME_SOURCES
                        .get(usize::from(*ra))
                        .copied()
                        .unwrap_or("time"),
                ),
                _ => (true, "line order"),
            };
            let (kept_line, dropped_line) = if newer {
                (s.line, old.line)
            } else {
                (old.line, s.line)
            };
            let names = if old.rater.name == s.rater.name {
                format!("`{}`", s.rater.name)
            } else {
                format!("`{}` and `{}`", old.rater.name, s.rater.name)
            };
            problems.push(ImportProblem {
                line: dropped_line,
                column: None,
                kind: ProblemKind::DuplicateSubmission,
                message: format!(
                    "rater `{}` ({names}) submitted twice for {}, round {} (lines {} and {})",
                    s.rater.id,
                    s.commune_id,
                    s.round,
                    old.line.min(s.line),
                    old.line.max(s.line)
                ),
                fix: format!(
                    "line {kept_line}, the latest by {basis}, is kept and line {dropped_line} left out; delete the submission you do not want, or give each rater their own rater id"
                ),
            });
            if newer && let Some(slot) = kept.get_mut(pos) {
                *slot = s;
            }
        }
        kept.sort_by_key(|s| s.line);
        kept
    }

    /// The assessment of one commune and round.
    fn assessment(
        &self,
        kept: &[Submission],
        problems: &mut Vec<ImportProblem>,
    ) -> Option<Assessment> {
        let first = kept.first()?;
        let line = first.line;
        let listed = self
            .options
            .communes
            .iter()
            .find(|c| c.id == first.commune_id);
        if listed.is_none() && !self.options.communes.is_empty() {
            problems.push(ImportProblem {
                line,
                column: None,
                kind: ProblemKind::UnknownCommune,
                message: format!("commune `{}` is not in the commune list", first.commune_id),
                fix: "its name, cercle and region are taken from the submissions, with no population, setting or transferred competences; add it to the list or correct `commune_id`".to_owned(),
            });
        }
        let conflict = |what: &str, values: Vec<&str>, used: &str| -> Option<ImportProblem> {
            let mut distinct: Vec<&str> = Vec::new();
            for v in values {
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
            }
            if distinct.len() > 1 || distinct.first().is_some_and(|v| *v != used) {
                if !distinct.contains(&used) {
                    distinct.push(used);
                }
                return Some(ImportProblem {
                    line,
                    column: None,
                    kind: ProblemKind::Conflict,
                    message: format!(
                        "the submissions for {}, round {}, give different values of {what}: {}",
                        first.commune_id,
                        first.round,
                        distinct
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    fix: format!("`{used}` is used; correct the assessment file if needed"),
                });
            }
            None
        };
        let pick = |values: &[&str]| values.first().map(|v| (*v).to_owned());
        let field_values = |f: fn(&Submission) -> Option<&String>| -> Vec<&str> {
            kept.iter()
                .filter_map(|s| f(s).map(String::as_str))
                .collect()
        };
        let names = field_values(|s| s.commune_name.as_ref());
        let cercles = field_values(|s| s.cercle.as_ref());
        let regions = field_values(|s| s.region.as_ref());
        let commune = match listed {
            Some(c) => {
                problems.extend(conflict("commune_name", names, &c.name));
                problems.extend(conflict("cercle", cercles, &c.cercle));
                problems.extend(conflict("region", regions, &c.region));
                c.clone()
            }
            None => {
                let name = match pick(&names) {
                    Some(n) => n,
                    None => {
                        problems.push(ImportProblem {
                            line,
                            column: None,
                            kind: ProblemKind::MissingValue,
                            message: format!("no commune name for {}", first.commune_id),
                            fix: "the id is used as the name; fill in `commune_name`, or pass the commune list".to_owned(),
                        });
                        first.commune_id.clone()
                    }
                };
                let cercle = pick(&cercles).unwrap_or_default();
                let region = pick(&regions).unwrap_or_default();
                problems.extend(conflict("commune_name", names, &name));
                problems.extend(conflict("cercle", cercles, &cercle));
                problems.extend(conflict("region", regions, &region));
                Commune {
                    id: first.commune_id.clone(),
                    name,
                    cercle,
                    region,
                    kind: Kind::Commune,
                    population: None,
                    setting: None,
                    transferred: Vec::new(),
                }
            }
        };
        let date = kept
            .iter()
            .map(|s| s.date.as_str())
            .min()
            .unwrap_or_default()
            .to_owned();
        problems.extend(conflict(
            "date",
            kept.iter().map(|s| s.date.as_str()).collect(),
            &date,
        ));

        let mut answers: BTreeMap<usize, Vec<Rating>> = BTreeMap::new();
        for s in kept {
            for (i, code, evidence) in &s.ratings {
                answers.entry(*i).or_default().push(Rating {
                    rater: s.rater.id.clone(),
                    level: code.clone(),
                    evidence: evidence.clone(),
                    refs: Vec::new(),
                });
            }
        }
        let lines: Vec<String> = kept.iter().map(|s| s.line.to_string()).collect();
        let r = self.rubric.rubric();
        Some(Assessment {
            format: capacity::rubric::FORMAT,
            rubric: r.id.clone(),
            rubric_version: r.version.clone(),
            round: first.round.clone(),
            date,
            fictional: false,
            finalised: false,
            comment: Some(format!(
                "Importé d'un export KoboToolbox/ODK (ligne{} {})",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            )),
            commune,
            raters: kept.iter().map(|s| s.rater.clone()).collect(),
            answers: answers
                .into_iter()
                .filter_map(|(i, ratings)| {
                    Some(Answer {
                        indicator: self.rubric.indicators().get(i)?.id.clone(),
                        target: None,
                        comment: None,
                        consensus: None,
                        ratings,
                    })
                })
                .collect(),
            plan: Default::default(),
        })
    }
}

/// How many names a problem lists before `… and N more`.
const SHOWN_NAMES: usize = 10;

/// The first `max` of `names` joined by `, `, then `… and N more` when
/// there are more (names longer than 60 characters are cut with `…`).
fn listed(names: &[&str], max: usize) -> String {
    let cut = |n: &str| -> String {
        if n.chars().count() > 60 {
            let mut s: String = n.chars().take(59).collect();
            s.push('…');
            s
        } else {
            n.to_owned()
        }
    };
    let mut out = names
        .iter()
        .take(max)
        .map(|n| cut(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        out.push_str(&format!(", … and {} more", names.len() - max));
    }
    out
}

/// Whether `id` is an id of the file formats (`[A-Za-z0-9_.-]+`).
fn valid_id(id: &str) -> bool {
    capacity::filename::is_id(id)
}

/// The date at the start of `v` when it is a valid `YYYY-MM-DD`, alone or
/// followed by a time (`T…` or ` …`).
fn iso_date(v: &str) -> Option<&str> {
    let date = v.get(..10)?;
    match v.as_bytes().get(10) {
        None | Some(b'T' | b' ') => {}
        Some(_) => return None,
    }
    let b = date.as_bytes();
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = date.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days).contains(&day)).then_some(date)
}

/// A rater id made from a name: lowercase ASCII letters and digits, accents
/// dropped, other characters as `-` (`Aminata Coulibaly` →
/// `aminata-coulibaly`); `rater` when nothing is left.
///
/// ```
/// assert_eq!(capacity_exchange::rater_id_from_name("Sékou  Traoré"), "sekou-traore");
/// assert_eq!(capacity_exchange::rater_id_from_name("Œuvre d'Ève"), "oeuvre-d-eve");
/// assert_eq!(capacity_exchange::rater_id_from_name("—"), "rater");
/// ```
pub fn rater_id_from_name(name: &str) -> String {
    slug(name)
}

fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
                continue;
            }
            _ => {
                dash = true;
                continue;
            }
        };
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push_str(folded);
    }
    if out.is_empty() {
        "rater".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_sniffed_outside_quotes() {
        assert_eq!(sniff("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff("a,b,c\n"), b',');
        assert_eq!(sniff("\"a;b;c\",d\n"), b',');
        assert_eq!(sniff("a\tb\n"), b'\t');
        assert_eq!(sniff("a\n"), b',');
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("2024-03-14"), Some("2024-03-14"));
        assert_eq!(iso_date("2024-03-14T10:00:00+00:00"), Some("2024-03-14"));
        assert_eq!(iso_date("2024-02-30"), None);
        assert_eq!(iso_date("2024-02-29"), Some("2024-02-29"));
        assert_eq!(iso_date("14/03/2024"), None);
        assert_eq!(iso_date("2024-03-145"), None);
    }
}
