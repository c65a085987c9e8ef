//! The data of the compare pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use serde::{Deserialize, Serialize};

/// The rubric compared when none is chosen: the reference rubric.
pub const REFERENCE_RUBRIC: &str = "ml-communes";

/// The checklist rubric of the redeployment of state services, read for
/// reform needs next to the chosen rubric.
pub const REDEPLOYMENT_RUBRIC: &str = "ml-redeploiement";

/// The pool proposed in the grant form, in FCFA.
pub const DEFAULT_POOL: &str = "100 000 000";

/// The threshold proposed in the grant form (overall score, 0–100).
pub const DEFAULT_THRESHOLD: &str = "50";

/// The filters of the page, as read from the query string; an empty field
/// does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompareQuery {
    /// Rubric id (default [`REFERENCE_RUBRIC`]).
    pub rubric: Option<String>,
    /// Region, exact.
    pub region: Option<String>,
    /// Cercle, exact.
    pub cercle: Option<String>,
    /// Round label; none: each commune's latest round.
    pub round: Option<String>,
}

impl CompareQuery {
    /// The filters from a query-string lookup (empty values are no filter).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            rubric: get("rubric"),
            region: get("region"),
            cercle: get("cercle"),
            round: get("round"),
        }
    }

    /// The rubric id to compare.
    pub fn rubric_id(&self) -> &str {
        self.rubric.as_deref().unwrap_or(REFERENCE_RUBRIC)
    }

    /// The filters as `key=value` pairs, for links and hidden fields.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("rubric", &self.rubric),
            ("region", &self.region),
            ("cercle", &self.cercle),
            ("round", &self.round),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

/// The fields of the grant simulation form, as typed; parsed on the server
/// ([`parse_pool`], [`parse_threshold`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GrantQuery {
    /// The envelope in FCFA (digits; spaces between thousands allowed).
    pub pool: Option<String>,
    /// The threshold score (0–100, decimal point or comma).
    pub threshold: Option<String>,
    /// `score` (default) or `population` (score × population).
    pub formula: Option<String>,
    /// `accept` to let provisional assessments receive a grant.
    pub provisional: Option<String>,
}

impl GrantQuery {
    /// The fields from a query-string lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            pool: get("pool"),
            threshold: get("threshold"),
            formula: get("formula"),
            provisional: get("provisional"),
        }
    }

    /// Whether the form was submitted (an envelope was given).
    pub fn submitted(&self) -> bool {
        self.pool.is_some()
    }

    /// Whether the formula is score × population.
    pub fn by_population(&self) -> bool {
        self.formula.as_deref() == Some("population")
    }

    /// Whether provisional assessments may receive a grant.
    pub fn accept_provisional(&self) -> bool {
        self.provisional.as_deref() == Some("accept")
    }

    /// The fields as `key=value` pairs, for links.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("pool", &self.pool),
            ("threshold", &self.threshold),
            ("formula", &self.formula),
            ("provisional", &self.provisional),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

/// Percent-encodes a query-string component (RFC 3986 unreserved bytes
/// kept, everything else `%XX`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path?k=v&…` with every value encoded (just `path` without pairs).
pub fn href(path: &str, pairs: &[(&'static str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Why the grant form's input was refused; the page says it in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantInputError {
    /// The envelope is not a whole, positive number of francs (as typed).
    Pool(String),
    /// The threshold is not a score in 0–100 (as typed).
    Threshold(String),
    /// The core refused the rules (its message).
    Rules(String),
}

/// An envelope in whole FCFA: digits, with spaces, no-break spaces,
/// underscores or dots between thousands, and an optional `FCFA`.
pub fn parse_pool(s: &str) -> Option<rust_decimal::Decimal> {
    let t = s.trim();
    let t = t
        .strip_suffix("FCFA")
        .or_else(|| t.strip_suffix("fcfa"))
        .unwrap_or(t);
    let clean: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '.' | '\u{A0}' | '\u{202F}'))
        .collect();
    if clean.is_empty() || clean.len() > 19 || !clean.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    clean.parse().ok()
}

/// A threshold score 0–100: a decimal with a point or a comma, `%` allowed.
pub fn parse_threshold(s: &str) -> Option<rust_decimal::Decimal> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() || t.len() > 12 {
        return None;
    }
    t.parse::<rust_decimal::Decimal>()
        .ok()
        .filter(|d| (rust_decimal::Decimal::ZERO..=rust_decimal::Decimal::ONE_HUNDRED).contains(d))
}

/// One column of a table on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnView {
    /// Stable machine key (`snake_case`), also the CSV key.
    pub key: String,
    /// Label in the page's language.
    pub label: String,
    /// Holds numbers (right-aligned).
    pub numeric: bool,
}

/// One cell of a table on the page, formatted for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    /// The text.
    pub text: String,
    /// Indentation of a tree row (0 for none).
    pub depth: u8,
}

/// A table as the page renders it: caption, columns, rows (the first
/// cell of each is the row's header), an optional total row and the note
/// that says how the figures were computed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableView {
    /// `id` of the table in the page (for `aria-labelledby` and tests).
    pub id: String,
    /// Caption.
    pub title: String,
    /// Columns.
    pub columns: Vec<ColumnView>,
    /// Rows.
    pub rows: Vec<Vec<CellView>>,
    /// A total row.
    pub footer: Option<Vec<CellView>>,
    /// Method or legend.
    pub note: Option<String>,
}

/// A commune in the selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedCommune {
    /// Commune id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Round compared.
    pub round: String,
    /// Some applicable indicator is unanswered.
    pub provisional: bool,
    /// Not finalised.
    pub finalised: bool,
}

/// What the filter form offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOptions {
    /// `(id, title)` of every stored rubric.
    pub rubrics: Vec<(String, String)>,
    /// Every region with its cercles.
    pub regions: Vec<(String, Vec<String>)>,
    /// The round labels of the chosen rubric's assessments, sorted.
    pub rounds: Vec<String>,
}

/// One chart: an SVG document made by `capacity-charts` (escaped there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartView {
    /// The SVG text.
    pub svg: String,
    /// A caption for people reading the page.
    pub caption: String,
}

/// The result of a grant simulation, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    /// One row per commune, with a total row.
    pub table: TableView,
    /// The envelope, formatted.
    pub pool: String,
    /// Distributed, formatted.
    pub distributed: String,
    /// Not distributed (no eligible commune), formatted.
    pub undistributed: String,
    /// Sum of the allocations, formatted (equals the distributed amount).
    pub total: String,
    /// Eligible communes.
    pub eligible: u32,
    /// Communes simulated.
    pub communes: u32,
    /// Excluded communes: name and every failing reason.
    pub excluded: Vec<(String, String)>,
}

/// Reform needs read from one rubric's assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReformView {
    /// Rubric title.
    pub rubric_title: String,
    /// Entities (communes or cercles) read.
    pub entities: u32,
    /// The competencies flagged as transfers not yet effective.
    pub flagged: Vec<String>,
    /// Tables: needs of the selection, transferable competences.
    pub tables: Vec<TableView>,
    /// Needs of each region, when the selection spans several.
    pub regions: Vec<TableView>,
}

/// Everything the page shows for a non-empty selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonView {
    /// Rubric title.
    pub rubric_title: String,
    /// `id@version` compared.
    pub rubric_key: String,
    /// The basic level's code.
    pub basic: String,
    /// Communes compared, by region, cercle, name.
    pub communes: Vec<SelectedCommune>,
    /// Round labels compared.
    pub rounds: Vec<String>,
    /// Why some assessments were left out (other rubric versions, errors).
    pub left_out: Vec<String>,
    /// Share at or above basic: nodes × groups.
    pub shares: TableView,
    /// Overall grades and quartiles per group.
    pub groups: TableView,
    /// Level distribution per competency.
    pub distribution: ChartView,
    /// Distribution per domain and competency.
    pub nodes: TableView,
    /// Distribution per indicator (NI, NA and unanswered apart).
    pub indicators: TableView,
    /// Communes × competencies.
    pub heatmap: ChartView,
    /// Ranking, with its method as the note.
    pub ranking: TableView,
    /// Progress charts (one per pair of rounds).
    pub progress_charts: Vec<ChartView>,
    /// Progress table (empty when no commune has two rounds).
    pub progress: Option<TableView>,
    /// Reform needs of the chosen rubric.
    pub reform: ReformView,
    /// Reform needs from the redeployment checklists of the same area.
    pub redeployment: Option<ReformView>,
    /// The grant simulation, when the form was submitted.
    pub grants: Option<Result<GrantView, GrantInputError>>,
}

/// The answer of `load_comparison`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparePageData {
    /// What the filters offer.
    pub options: FilterOptions,
    /// The figures; `None` when no assessment matches the filters.
    pub comparison: Option<ComparisonView>,
}
