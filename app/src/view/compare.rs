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
    /// Campaign id; none: the latest campaign of the rubric in the area.
    pub campaign: Option<String>,
    /// `self`: self-assessed results only; none: verified results where
    /// the verification is complete.
    pub scores: Option<String>,
}

/// Which results a comparison or grant simulation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scores {
    /// The verified result where the verification is complete, else the
    /// self-assessed one (the default: independent verification is what
    /// performance-based grants pay on).
    Verified,
    /// The self-assessed results only.
    SelfAssessed,
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
            campaign: get("campaign"),
            scores: get("scores").filter(|s| s == "self"),
        }
    }

    /// Which results to read.
    pub fn scores(&self) -> Scores {
        match self.scores.as_deref() {
            Some("self") => Scores::SelfAssessed,
            _ => Scores::Verified,
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
            ("campaign", &self.campaign),
            ("scores", &self.scores),
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    /// The text.
    pub text: String,
    /// Indentation of a tree row (0 for none).
    pub depth: u8,
    /// The exact number shown, when the cell holds one: what sorting by
    /// this column compares (the text is formatted for people).
    #[serde(with = "rust_decimal::serde::str_option", default)]
    pub number: Option<rust_decimal::Decimal>,
}

impl CellView {
    /// The order of two cells of one column: numbers by value, with
    /// cells without a number after them, text by its characters.
    pub fn order(&self, other: &CellView) -> std::cmp::Ordering {
        match (self.number, other.number) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => self.text.cmp(&other.text),
        }
    }
}

/// Rows shown per page of a long table.
pub const PAGE_ROWS: usize = 25;

/// How a long table is shown: which page, sorted by which column, in
/// which direction. Read from the query string under the table's prefix
/// (`{prefix}_page`, `{prefix}_sort`, `{prefix}_dir`), so that paging and
/// sorting are plain links that work without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableQuery {
    /// Page, from 1.
    pub page: usize,
    /// Key of the column sorted by; none: the table's own order (the
    /// ranking's is the rank).
    pub sort: Option<String>,
    /// Largest first.
    pub descending: bool,
}

impl TableQuery {
    /// The table's settings from a query-string lookup.
    pub fn from_lookup(prefix: &str, get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| {
            get(&format!("{prefix}_{k}"))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            page: get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1),
            sort: get("sort").filter(|k| {
                k.len() <= 40 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }),
            descending: get("dir").as_deref() == Some("desc"),
        }
    }

    /// The settings as `key=value` pairs under `prefix` (defaults left out).
    pub fn pairs(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(k) = &self.sort {
            out.push((format!("{prefix}_sort"), k.clone()));
            if self.descending {
                out.push((format!("{prefix}_dir"), "desc".to_owned()));
            }
        }
        if self.page > 1 {
            out.push((format!("{prefix}_page"), self.page.to_string()));
        }
        out
    }
}

/// Where a page of a long table is in the whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// The page shown, from 1.
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Rows in all.
    pub rows: usize,
    /// Position of the first row shown, from 1 (0 when none).
    pub first: usize,
    /// Position of the last row shown.
    pub last: usize,
    /// Key of the column sorted by, if any.
    pub sort: Option<String>,
    /// Largest first.
    pub descending: bool,
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

impl TableView {
    /// The table with only the columns `keys`, in that order (a key the
    /// table lacks is left out): what a page shows of a table whose full
    /// width is for downloads.
    pub fn only(self, keys: &[&str]) -> TableView {
        let picks: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.columns.iter().position(|c| c.key == *k))
            .collect();
        // The cells are moved, not copied (a column is never picked twice:
        // keys are distinct).
        let pick = |mut row: Vec<CellView>| -> Vec<CellView> {
            picks
                .iter()
                .map(|&i| row.get_mut(i).map(std::mem::take).unwrap_or_default())
                .collect()
        };
        TableView {
            id: self.id,
            title: self.title,
            columns: picks
                .iter()
                .filter_map(|&i| self.columns.get(i).cloned())
                .collect(),
            rows: self.rows.into_iter().map(pick).collect(),
            footer: self.footer.map(pick),
            note: self.note,
        }
    }

    /// One page of the table sorted as `q` says (a stable sort, so rows
    /// that tie keep the table's own order: the rank, for the ranking),
    /// and where it is in the whole. A page past the end shows the last.
    pub fn page(&self, q: &TableQuery, size: usize) -> (TableView, Paging) {
        let size = size.max(1);
        let mut rows: Vec<&Vec<CellView>> = self.rows.iter().collect();
        let sort_col = q
            .sort
            .as_ref()
            .and_then(|k| self.columns.iter().position(|c| &c.key == k));
        if let Some(col) = sort_col {
            let empty = CellView::default();
            rows.sort_by(|a, b| {
                let (x, y) = (a.get(col).unwrap_or(&empty), b.get(col).unwrap_or(&empty));
                if q.descending { y.order(x) } else { x.order(y) }
            });
        }
        let total = rows.len();
        let pages = total.div_ceil(size).max(1);
        let page = q.page.clamp(1, pages);
        let start = (page - 1) * size;
        let shown: Vec<Vec<CellView>> = rows.into_iter().skip(start).take(size).cloned().collect();
        let paging = Paging {
            page,
            pages,
            rows: total,
            first: if shown.is_empty() { 0 } else { start + 1 },
            last: start + shown.len(),
            sort: sort_col.and(q.sort.clone()),
            descending: q.descending,
        };
        (
            TableView {
                id: self.id.clone(),
                title: self.title.clone(),
                columns: self.columns.clone(),
                rows: shown,
                footer: self.footer.clone(),
                note: self.note.clone(),
            },
            paging,
        )
    }
}

/// One cell of the heatmap: its text (a level code, `NA`, `D*` or `—`)
/// and its class (`lvl-N` for the N-th level from the lowest, `na`, `ni`,
/// `none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCell {
    /// What the cell says.
    pub text: String,
    /// Its colour class.
    pub class: String,
}

/// The heatmap as a table: communes × competencies, one level code per
/// cell (colour repeats the code, never replaces it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatmapView {
    /// Column headers: the competency's id and title.
    pub columns: Vec<(String, String)>,
    /// Rows: the commune's name, where it is, and its cells.
    pub rows: Vec<(String, String, Vec<HeatCell>)>,
    /// The levels, lowest first: code and class, for the legend.
    pub levels: Vec<(String, String)>,
    /// What the table shows (which communes, in which order).
    pub caption: String,
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
    /// The campaigns of the chosen rubric version in the area,
    /// `(id, label)`, the latest first.
    pub campaigns: Vec<(String, String)>,
}

/// The campaign a comparison or grant simulation runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignShown {
    /// Campaign id.
    pub id: String,
    /// Label.
    pub label: String,
    /// First day of the window.
    pub starts: String,
    /// Last day of the window.
    pub ends: String,
    /// Only verified assessments count.
    pub verification_required: bool,
    /// Assessments that count.
    pub eligible: u32,
    /// The campaign progress is measured from, when there is one.
    pub previous: Option<String>,
    /// Assessments of the campaign that do not count, with the reason.
    pub set_apart: Vec<SetApart>,
    /// The figures read self-assessed results only (else verified ones
    /// where the verification is complete).
    pub scores_self: bool,
    /// The assessments of the campaign whose verification is complete:
    /// self-assessed and verified overall scores side by side.
    pub verified: Vec<VerifiedLine>,
}

/// One verified assessment beside its self-assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedLine {
    /// Assessment id.
    pub id: i64,
    /// Commune name.
    pub commune: String,
    /// Self-assessed overall score, formatted.
    pub self_overall: String,
    /// Verified overall score, formatted.
    pub verified_overall: String,
    /// Indicators whose level the verifier changed.
    pub changed: u32,
}

/// An assessment of the campaign compared that does not count, and why
/// ([`capacity::eligibility()`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetApart {
    /// Assessment id.
    pub id: i64,
    /// Commune name.
    pub commune: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Why it does not count.
    pub reason: capacity::Ineligible,
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
    /// Excluded communes of the rows shown: name and every failing reason.
    pub excluded: Vec<(String, String)>,
    /// Excluded communes in all.
    pub excluded_count: u32,
    /// Where the table's page is in the whole table.
    pub paging: Paging,
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
    /// The regions of the selection, when it spans several, with their
    /// communes: each region's needs are on its own compare page.
    pub regions: Vec<(String, u32)>,
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
    pub heatmap: HeatmapView,
    /// Communes per region (or cercle, within a region) of the selection.
    pub areas: Vec<(String, usize)>,
    /// Ranking, with its method as the note.
    pub ranking: TableView,
    /// Progress charts (one per pair of rounds).
    pub progress_charts: Vec<ChartView>,
    /// Progress table (empty when no commune has two rounds).
    pub progress: Option<TableView>,
    /// Where the ranking's page is in the whole ranking.
    pub ranking_paging: Paging,
    /// Where the progress table's page is in the whole table.
    pub progress_paging: Paging,
    /// Reform needs of the chosen rubric.
    pub reform: ReformView,
    /// Reform needs from the redeployment checklists of the same area.
    pub redeployment: Option<ReformView>,
}

/// How the long tables of the compare page are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComparePaging {
    /// The ranking (`rank_…` in the query string).
    pub ranking: TableQuery,
    /// Progress between rounds (`prog_…`).
    pub progress: TableQuery,
}

impl ComparePaging {
    /// Prefix of the ranking's settings in the query string.
    pub const RANKING: &'static str = "rank";
    /// Prefix of the progress table's settings.
    pub const PROGRESS: &'static str = "prog";
    /// Prefix of the grant table's settings (on the grant page).
    pub const GRANTS: &'static str = "alloc";

    /// The settings from a query-string lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            ranking: TableQuery::from_lookup(Self::RANKING, &get),
            progress: TableQuery::from_lookup(Self::PROGRESS, &get),
        }
    }
}

/// The most communes listed by name in the compare page's summary; a
/// larger selection is summarised by area (the ranking lists them all).
pub const COMMUNES_LISTED: usize = 60;

/// The answer of `load_grants`: the grant simulation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantsPageData {
    /// What the filters offer.
    pub options: FilterOptions,
    /// The campaign simulated and what it leaves out.
    pub campaign: Option<CampaignShown>,
    /// The communes compared; `None` when no assessment matches.
    pub selection: Option<GrantSelection>,
}

/// The selection a grant simulation runs on, and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSelection {
    /// Rubric title.
    pub rubric_title: String,
    /// `id@version` compared.
    pub rubric_key: String,
    /// Communes in the selection.
    pub communes: u32,
    /// The simulation, when the form was submitted.
    pub grants: Option<Result<GrantView, GrantInputError>>,
}

/// The answer of `load_comparison`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparePageData {
    /// What the filters offer.
    pub options: FilterOptions,
    /// The campaign compared and what it leaves out.
    pub campaign: Option<CampaignShown>,
    /// The figures; `None` when no assessment matches the filters.
    pub comparison: Option<ComparisonView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, number: Option<i64>) -> CellView {
        CellView {
            text: text.to_owned(),
            depth: 0,
            number: number.map(rust_decimal::Decimal::from),
        }
    }

    /// A ranking-like table: (rank, name, score); ranks tie at 2.
    fn table() -> TableView {
        let rows = [
            ("1", "Djenné", Some(80)),
            ("2=", "Bandiagara", Some(70)),
            ("2=", "Koro", Some(70)),
            ("4", "Ansongo", None),
            ("5", "Yorosso", Some(9)),
        ];
        TableView {
            id: "t".into(),
            columns: ["rank", "commune", "score"]
                .iter()
                .map(|k| ColumnView {
                    key: (*k).into(),
                    label: (*k).into(),
                    numeric: *k == "score",
                })
                .collect(),
            rows: rows
                .iter()
                .map(|(r, n, s)| vec![cell(r, None), cell(n, None), cell(&format!("{s:?}"), *s)])
                .collect(),
            ..Default::default()
        }
    }

    fn names(t: &TableView) -> Vec<&str> {
        t.rows
            .iter()
            .filter_map(|r| r.get(1).map(|c| c.text.as_str()))
            .collect()
    }

    #[track_caller]
    fn check(query: &str, size: usize, expected: &[&str], page: usize, pages: usize) {
        let q = TableQuery::from_lookup("t", |k| {
            query.split('&').find_map(|kv| {
                let (key, value) = kv.split_once('=')?;
                (key == k).then(|| value.to_owned())
            })
        });
        let (shown, paging) = table().page(&q, size);
        assert_eq!(names(&shown), expected, "{query}");
        assert_eq!((paging.page, paging.pages, paging.rows), (page, pages, 5));
    }

    #[test]
    fn pages_cut_and_sort_by_value_keeping_ties_in_rank_order() {
        check("", 2, &["Djenné", "Bandiagara"], 1, 3);
        check("t_page=3", 2, &["Yorosso"], 3, 3);
        // Past the end: the last page; nonsense: the first.
        check("t_page=99", 2, &["Yorosso"], 3, 3);
        check("t_page=abc", 2, &["Djenné", "Bandiagara"], 1, 3);
        // Numbers by value (9 before 70), cells without one last; ties keep
        // the table's order (the rank).
        check(
            "t_sort=score",
            10,
            &["Yorosso", "Bandiagara", "Koro", "Djenné", "Ansongo"],
            1,
            1,
        );
        check(
            "t_sort=score&t_dir=desc",
            10,
            &["Ansongo", "Djenné", "Bandiagara", "Koro", "Yorosso"],
            1,
            1,
        );
        check(
            "t_sort=commune",
            10,
            &["Ansongo", "Bandiagara", "Djenné", "Koro", "Yorosso"],
            1,
            1,
        );
        // An unknown or hostile column: the table's own order.
        check(
            "t_sort=nope",
            10,
            &["Djenné", "Bandiagara", "Koro", "Ansongo", "Yorosso"],
            1,
            1,
        );
        check(
            "t_sort=%3Cb%3E",
            10,
            &["Djenné", "Bandiagara", "Koro", "Ansongo", "Yorosso"],
            1,
            1,
        );
    }

    #[test]
    fn table_settings_round_trip_through_the_query_string() {
        let q = TableQuery {
            page: 3,
            sort: Some("score".into()),
            descending: true,
        };
        let pairs = q.pairs("rank");
        let back = TableQuery::from_lookup("rank", |k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
        assert!(TableQuery::default().pairs("rank").is_empty());
    }

    #[test]
    fn only_keeps_the_columns_asked_for_in_their_order() {
        let t = table().only(&["score", "commune", "missing"]);
        let keys: Vec<&str> = t.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["score", "commune"]);
        assert_eq!(t.rows.first().map(|r| r.len()), Some(2));
    }
}
