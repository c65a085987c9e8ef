//! The data of the results pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use std::sync::Arc;

use crate::view::workshop::WorkshopHeader;
use capacity::Text;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A table ready to show: labels, cells as text, which columns are numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableView {
    /// Caption (may be empty).
    pub title: String,
    /// Column labels with "is numeric" (right-aligned).
    pub columns: Vec<(String, bool)>,
    /// Rows of cell texts.
    pub rows: Vec<Vec<String>>,
    /// A note under the table.
    pub note: Option<String>,
}

/// One child of a node, as its parent's table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Grade, `NA`, or "unanswered".
    pub grade: String,
    /// Score as shown.
    pub score: String,
    /// Effective weight as shown (empty when left out).
    pub weight: String,
}

/// One rater's mark on an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRow {
    /// Name.
    pub name: String,
    /// Role in words.
    pub role: String,
    /// Level code, `NA` or `NI`.
    pub level: String,
    /// Evidence given.
    pub evidence: String,
    /// References.
    pub refs: String,
}

/// A node of the score tree (overall, domain or competency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeItem {
    /// Id (`overall` for the root).
    pub id: String,
    /// 0 overall, 1 domain, 2 competency.
    pub depth: u8,
    /// Heading text.
    pub heading: String,
    /// Score as shown.
    pub score: String,
    /// Grade as shown (`C+`).
    pub grade: Option<String>,
    /// Flag marks (`≠ D*`).
    pub marks: String,
    /// How the score was computed, one sentence.
    pub sentence: String,
    /// The children's contributions (domains and the root only).
    pub children: Vec<ChildRow>,
}

/// An indicator of the score tree with why it has its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorItem {
    /// Id.
    pub id: String,
    /// Competency id (for the consensus link).
    pub competency: String,
    /// Title.
    pub title: String,
    /// Level as shown (`B`, `D*`, `NA`, "unanswered").
    pub level: String,
    /// Score as shown.
    pub score: String,
    /// Target level code.
    pub target: String,
    /// Effective weight in its competency, as shown.
    pub weight: Option<String>,
    /// Minimum condition: (css class, words).
    pub condition: Option<(String, String)>,
    /// A failed minimum condition.
    pub failed: bool,
    /// Raters disagree.
    pub disagreement: bool,
    /// Flags in words.
    pub flags: String,
    /// How the level was obtained, one sentence.
    pub sentence: String,
    /// The consolidated level's descriptor.
    pub descriptor: Option<String>,
    /// Each rater's mark.
    pub ratings: Vec<RatingRow>,
    /// The answer's comment.
    pub comment: Option<String>,
    /// Evidence the rubric expects.
    pub evidence_expected: String,
}

/// A row of the score tree, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TreeItem {
    /// A node.
    Node(NodeItem),
    /// An indicator.
    Indicator(IndicatorItem),
}

/// Everything the results page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsView {
    /// What the view shows, as a key: the assessment, its revision, the
    /// round it is compared with and its revision, the language. Equal
    /// identities, equal views — but for what depends on the reader
    /// (`header.can`, and whether `verification` is shown), which the
    /// service sets for each reader on a kept view.
    pub identity: String,
    /// The assessment.
    pub header: WorkshopHeader,
    /// Overall score as shown.
    pub overall: String,
    /// Overall grade.
    pub grade: Option<String>,
    /// Some applicable indicator is unanswered.
    pub provisional: bool,
    /// Answered applicable indicators.
    pub answered: u32,
    /// Applicable indicators.
    pub applicable: u32,
    /// Failed minimum conditions.
    pub conditions_failed: usize,
    /// Minimum conditions not yet known (unanswered).
    pub conditions_pending: usize,
    /// The minimum conditions table.
    pub conditions: TableView,
    /// How the overall score is made, one sentence.
    pub overall_rule: String,
    /// Legend of the flag marks.
    pub flag_legend: String,
    /// Radar of the competencies against target (SVG from the charts crate).
    pub radar_svg: Arc<str>,
    /// The largest gaps (SVG from the charts crate).
    pub gaps_svg: Arc<str>,
    /// Score tree in reading order (shared: a kept view is handed to each
    /// reader without copying it).
    pub tree: Arc<[TreeItem]>,
    /// Indicators where the raters disagree.
    pub disagreements: TableView,
    /// Gaps to target by priority.
    pub gaps: TableView,
    /// The previous round of the same commune and rubric, when there is one:
    /// (its assessment id, its round, the progress chart).
    pub previous: Option<(i64, String, String)>,
    /// The independent verification beside the self-assessment, when one
    /// was started (in progress only for those who follow it).
    pub verification: Option<super::verification::VerifiedView>,
}

/// One assessment in the lists of results and plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultLine {
    /// Assessment id.
    pub id: i64,
    /// Commune name.
    pub commune: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Round.
    pub round: String,
    /// Rubric title.
    pub rubric_title: Text,
    /// Overall score 0–100, when computable.
    pub overall: Option<Decimal>,
    /// Some applicable indicator is unanswered.
    pub provisional: bool,
    /// Finalised.
    pub finalised: bool,
}
