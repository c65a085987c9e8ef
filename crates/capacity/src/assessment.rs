//! The assessment file model: what `assessments/samples/*.toml` contains,
//! field for field (see `docs/file-formats.md`), read from and written back
//! to TOML.
//!
//! One assessment is one commune's self-assessment workshop on one rubric
//! version: the commune's attributes, the raters, and per indicator the
//! raters' ratings (a level code, `NA` or `NI`), evidence, an optional
//! recorded consensus and an optional target override. Nothing is checked
//! here beyond the TOML reader's checks; checking against the rubric happens
//! when the assessment is resolved ([`crate::ResolvedAssessment::new`]).
//! This module must not depend on scoring.

use crate::diagnostic::{self, Diagnostics};
use crate::plan::PlanDecisions;
use crate::rubric::{Kind, Setting};
use serde::{Deserialize, Serialize};

/// The rating code for "not applicable".
pub const NOT_APPLICABLE: &str = "NA";
/// The rating code for "no information" (PEFA D*).
pub const NO_INFORMATION: &str = "NI";

/// One commune's assessment on one rubric version.
///
/// ```
/// let text = r#"
/// format = 1
/// rubric = "demo"
/// rubric_version = "1.0.0"
/// round = "2024"
/// date = "2024-03-14"
/// [commune]
/// id = "ml-demo"
/// name = "Démo"
/// cercle = "San"
/// region = "Ségou"
/// transferred = []
/// [[rater]]
/// id = "r1"
/// name = "Aminata Coulibaly"
/// role = "elected"
/// [[answer]]
/// indicator = "I1"
/// [[answer.rating]]
/// rater = "r1"
/// level = "C"
/// "#;
/// let a = capacity::Assessment::from_toml(text)?;
/// assert_eq!(a.answers[0].ratings[0].level, "C");
/// assert_eq!(capacity::Assessment::from_toml(&a.to_toml())?, a);
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// File format version: `1`.
    #[cfg_attr(any(test, feature = "schema"), schemars(extend("const" = 1)))]
    pub format: u32,
    /// The rubric id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub rubric: String,
    /// The rubric version, exactly.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub rubric_version: String,
    /// Round label; rounds of one commune are compared by it.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub round: String,
    /// ISO date of the workshop (`YYYY-MM-DD`).
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), extend("format" = "date")))]
    pub date: String,
    /// Sample data, not a real commune.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fictional: bool,
    /// A finalised assessment is locked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finalised: bool,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The commune assessed.
    pub commune: Commune,
    /// The raters.
    #[serde(default, rename = "rater")]
    #[cfg_attr(any(test, feature = "schema"), schemars(length(max = 1000)))]
    pub raters: Vec<Rater>,
    /// Answers, at most one per indicator.
    #[serde(default, rename = "answer")]
    pub answers: Vec<Answer>,
    /// The council's decisions about its action plan (`[plan]`): kept with
    /// the assessment so that every tool prints the same adjusted plan.
    #[serde(default, skip_serializing_if = "PlanDecisions::is_empty")]
    pub plan: PlanDecisions,
}

impl Assessment {
    /// Reads an assessment from TOML text. Only the reader's checks apply
    /// here; resolve it against its rubric
    /// ([`crate::CompiledRubric::resolve_toml`]) to validate it fully.
    ///
    /// Files in the layout the tools write are read by a fast reader of
    /// that subset of TOML; anything else, and every file with a problem,
    /// by the `toml` crate, so that errors keep their exact `line:column`.
    /// Both give the same assessment.
    pub fn from_toml(text: &str) -> Result<Self, Diagnostics> {
        match crate::read::assessment(text) {
            Some(assessment) => Ok(assessment),
            None => diagnostic::from_toml(text),
        }
    }

    /// Writes the assessment as TOML text, laid out as in
    /// `docs/file-formats.md`; [`Assessment::from_toml`] reads it back to an
    /// equal assessment (comments of the original file are not kept).
    pub fn to_toml(&self) -> String {
        crate::write::assessment(self)
    }
}

/// The commune (or cercle) assessed and the attributes applicability rules
/// read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Commune {
    /// Id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Name.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub name: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Kind of collectivity (default commune).
    #[serde(default)]
    pub kind: Kind,
    /// Population, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(range(max = 18_446_744_073_709_551_615u64))
    )]
    pub population: Option<u64>,
    /// Urban or rural, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<Setting>,
    /// Competences effectively transferred.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(inner(regex(pattern = r"^[A-Za-z0-9_.-]+$")))
    )]
    pub transferred: Vec<String>,
}

/// A person who rates indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rater {
    /// Id, unique in the assessment.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Name.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A rater's role in the workshop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Elected member (mayor, councillor).
    Elected,
    /// Staff (secretary-general, technical staff).
    Staff,
    /// Citizen or civil society.
    Citizen,
    /// Facilitator.
    Facilitator,
}

impl Role {
    /// Every role, in the order forms list them.
    pub const ALL: [Role; 4] = [Role::Elected, Role::Staff, Role::Citizen, Role::Facilitator];

    /// The role's code in files, forms and the database: `elected`, `staff`,
    /// `citizen`, `facilitator`.
    pub fn code(self) -> &'static str {
        match self {
            Role::Elected => "elected",
            Role::Staff => "staff",
            Role::Citizen => "citizen",
            Role::Facilitator => "facilitator",
        }
    }

    /// The role of a code, or `None` for an unknown one.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The answer for one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The indicator id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub indicator: String,
    /// Override of the rubric's target level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub target: Option<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The recorded consensus, which takes precedence over the raters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus: Option<Consensus>,
    /// One rating per rater.
    #[serde(default, rename = "rating", skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
}

/// A consensus recorded by the workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Consensus {
    /// A level code, `NA` or `NI`.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub level: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// One rater's rating of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The rater id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub rater: String,
    /// A level code, `NA` (not applicable) or `NI` (no information).
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub level: String,
    /// Evidence given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// References (documents, minutes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
}
