//! The data of the commune register's pages (administrators: add, edit,
//! deactivate, merge, import), as exchanged between the server and the
//! browser. `service::register` makes them.

use capacity::Commune;
use serde::{Deserialize, Serialize};

use crate::error::Problem;

/// The columns of a register file, in the order the page documents them:
/// the fields of the commune form, one row per commune.
pub const COMMUNE_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "region",
    "cercle",
    "kind",
    "population",
    "setting",
    "transferred",
];
/// The columns a register file must have (the others may be left out).
pub const COMMUNE_REQUIRED: [&str; 4] = ["id", "name", "region", "cercle"];
/// The columns of a territory file: one period of one commune per row.
pub const TERRITORY_COLUMNS: [&str; 6] = [
    "commune_id",
    "region",
    "cercle",
    "valid_from",
    "valid_to",
    "source",
];
/// The columns a territory file must have.
pub const TERRITORY_REQUIRED: [&str; 4] = ["commune_id", "region", "cercle", "valid_from"];
/// The most rows one import may have.
pub const IMPORT_ROWS: usize = 5_000;
/// The most bytes one import may have (the page's upload and text area).
pub const IMPORT_BYTES: usize = 512 * 1024;

/// One commune of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterLine {
    /// The commune (territory valid today).
    pub commune: Commune,
    /// How many assessments it has.
    pub assessments: i64,
    /// Row version (what an edit names).
    pub version: i64,
    /// Offered for new assessments.
    pub active: bool,
    /// The commune it was merged into, if it was.
    pub merged_into: Option<String>,
}

/// The register page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPage {
    /// Every commune, active or not, by region, cercle and name.
    pub communes: Vec<RegisterLine>,
}

/// One period of a commune's territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryLine {
    /// First day, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Day after the last one (`None`: still now).
    pub valid_to: Option<String>,
    /// Region.
    pub region: String,
    /// Cercle.
    pub cercle: String,
    /// The legal text or document.
    pub source: String,
}

/// One commune's edit page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneEdit {
    /// The commune.
    pub line: RegisterLine,
    /// Its territory over time, oldest first.
    pub territories: Vec<TerritoryLine>,
    /// Communes merged into it: (id, name).
    pub merged: Vec<(String, String)>,
    /// Active communes it may be merged into: (id, name).
    pub targets: Vec<(String, String)>,
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    /// Communes ([`COMMUNE_COLUMNS`]).
    Communes,
    /// Periods of territory ([`TERRITORY_COLUMNS`]).
    Territory,
}

/// A problem of one cell (or of the header, row 1) of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// Line of the file (the header is line 1).
    pub row: u64,
    /// Column name.
    pub column: String,
    /// What the cell holds (cut to 80 characters).
    pub value: String,
    /// What is wrong and how to fix it.
    pub problem: Problem,
}

/// What importing one row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// A new commune or period.
    New,
    /// Changes a stored one.
    Changed,
    /// Same as stored: nothing written.
    Same,
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line of the file.
    pub row: u64,
    /// Commune id.
    pub id: String,
    /// What applying would do.
    pub change: Change,
    /// Name (communes) or `region / cercle from date` (territory).
    pub detail: String,
}

/// The preview of an import: nothing is written until it is applied, and
/// it can be applied only when `problems` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// What the file holds (`None` when its header is neither kind).
    pub kind: Option<ImportKind>,
    /// Every problem, by row.
    pub problems: Vec<RowProblem>,
    /// What each good row would do.
    pub rows: Vec<ImportRow>,
    /// The key to apply this preview (kept on the server for a while).
    pub token: String,
}

/// What an applied import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportApplied {
    /// Communes added or changed.
    pub communes: usize,
    /// Periods of territory added or changed.
    pub periods: usize,
}
