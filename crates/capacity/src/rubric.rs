//! The rubric file model: what `assessments/rubrics/*.toml` contains, field
//! for field (see `docs/file-formats.md`), read from and written back to TOML.
//!
//! These types mirror the file: optional keys stay `Option` so that writing a
//! rubric back gives the same file content, and nothing is checked here
//! beyond what the TOML reader checks (types, unknown keys, missing keys).
//! Cross-references, weights, the scale and tables are checked when the
//! rubric is compiled ([`crate::CompiledRubric::new`]). This module must not
//! depend on scoring.

use crate::diagnostic::{self, Diagnostics};
use crate::text::{Text, dec, dec_opt};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only file format version this crate reads and writes.
pub const FORMAT: u32 = 1;

/// A rubric: a scale of ordered levels and a tree of domains, competencies
/// and indicators, each indicator rated on the scale.
///
/// ```
/// let text = r#"
/// format = 1
/// id = "demo"
/// version = "1.0.0"
/// title.fr = "Démo"
/// [scale]
/// basic = "C"
/// [[scale.level]]
/// code = "D"
/// value = "1"
/// label.fr = "Insuffisant"
/// [[scale.level]]
/// code = "C"
/// value = "2"
/// label.fr = "De base"
/// "#;
/// let rubric = capacity::Rubric::from_toml(text)?;
/// assert_eq!(rubric.scale.levels[1].code, "C");
/// let again = capacity::Rubric::from_toml(&rubric.to_toml())?;
/// assert_eq!(again, rubric);
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// File format version: `1`.
    #[cfg_attr(any(test, feature = "schema"), schemars(extend("const" = 1)))]
    pub format: u32,
    /// Rubric id (ASCII `[A-Za-z0-9_.-]+`).
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Rubric version; assessments name it exactly.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub version: String,
    /// Title.
    pub title: Text,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Sources (laws, guides) the rubric is built on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The scale of levels.
    pub scale: Scale,
    /// How domains combine into the overall index (default: weighted mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<Aggregation>,
    /// Lookup tables (e.g. an official PEFA M2 table), referenced by id.
    #[serde(default, rename = "table", skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    /// Domains, in display order.
    #[serde(default, rename = "domain")]
    pub domains: Vec<Domain>,
    /// Competencies, each naming its domain.
    #[serde(default, rename = "competency")]
    pub competencies: Vec<Competency>,
    /// Indicators, each naming its competency.
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

impl Rubric {
    /// Reads a rubric from TOML text. Only the reader's checks apply here;
    /// compile the rubric ([`crate::CompiledRubric::from_toml`]) to validate
    /// it fully.
    pub fn from_toml(text: &str) -> Result<Self, Diagnostics> {
        diagnostic::from_toml(text)
    }

    /// Writes the rubric as TOML text, laid out as in
    /// `docs/file-formats.md`; [`Rubric::from_toml`] reads it back to an
    /// equal rubric (comments of the original file are not kept).
    pub fn to_toml(&self) -> String {
        crate::write::rubric(self)
    }
}

/// The scale of ordered levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Code of the basic level (PEFA: C). Critical indicators need at least
    /// this level unless they name their own `minimum`.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub basic: String,
    /// Flag an indicator when raters' levels are this many steps apart or
    /// more (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "schema"), schemars(range(min = 1)))]
    pub disagreement_span: Option<u8>,
    /// Levels, lowest first, values strictly increasing.
    #[serde(default, rename = "level")]
    #[cfg_attr(any(test, feature = "schema"), schemars(length(min = 2, max = 31)))]
    pub levels: Vec<Level>,
}

/// The default of [`Scale::disagreement_span`].
pub const DEFAULT_DISAGREEMENT_SPAN: u8 = 2;

/// One level of the scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Code (ASCII id; `NA` and `NI` are reserved).
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"), extend("not" = {"enum": ["NA", "NI"]})))]
    pub code: String,
    /// Numeric value, a decimal written as a string; values increase
    /// strictly from the lowest level.
    #[serde(with = "dec")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "LevelValueString"))]
    pub value: Decimal,
    /// Label.
    pub label: Text,
}

/// An aggregation method name, as written in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Weighted mean of the children's scores (0–100).
    #[default]
    WeightedMean,
    /// The lowest child score, graded with a `+` when another child is
    /// higher (PEFA M1).
    WeakestLink,
    /// A lookup table declared in the rubric (e.g. PEFA M2).
    Table,
}

/// How a node combines its children: `{ method = "weighted_mean" }`,
/// `{ method = "weakest_link" }` or `{ method = "table", table = "pefa-m2" }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Aggregation {
    /// The method.
    pub method: Method,
    /// The table id, required when `method = "table"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub table: Option<String>,
}

/// A lookup table from the multiset of children's levels to a grade and a
/// score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Table id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Rows: every multiset of level codes for each arity the table covers.
    #[serde(default, rename = "row")]
    pub rows: Vec<TableRow>,
}

/// One row of a lookup table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    /// The children's level codes (order irrelevant).
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(
            length(min = 1, max = 24),
            inner(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
        )
    )]
    pub inputs: Vec<String>,
    /// The grade shown (e.g. `B+`).
    pub result: String,
    /// The score 0–100 the node takes.
    #[serde(with = "dec")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "ScoreString"))]
    pub score: Decimal,
}

/// A domain: the top level of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Id, unique across domains, competencies and indicators.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Title.
    pub title: Text,
    /// Weight among domains (default "1", > 0).
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "Option<WeightString>"))]
    pub weight: Option<Decimal>,
    /// How its competencies combine (default: weighted mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<Aggregation>,
}

/// A competency, inside a domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Competency {
    /// Id, unique across domains, competencies and indicators.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Parent domain id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub domain: String,
    /// Title.
    pub title: Text,
    /// Weight within the domain (default "1", > 0).
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "Option<WeightString>"))]
    pub weight: Option<Decimal>,
    /// How its indicators combine (default: weighted mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<Aggregation>,
}

/// An indicator, inside a competency: the unit raters rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Id, unique across domains, competencies and indicators.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub id: String,
    /// Parent competency id.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub competency: String,
    /// Title.
    pub title: Text,
    /// The question put to raters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Text>,
    /// Weight within the competency (default "1", > 0).
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "Option<WeightString>"))]
    pub weight: Option<Decimal>,
    /// Default target level (an assessment may override it).
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub target: String,
    /// Whether the indicator is a minimum condition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// Level a critical indicator needs (default: the scale's basic level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub minimum: Option<String>,
    /// Legal or methodological source.
    pub source: String,
    /// Evidence expected.
    pub evidence: Text,
    /// When the indicator applies; every condition given must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<AppliesWhen>,
    /// One descriptor per level code.
    #[serde(default)]
    pub descriptor: BTreeMap<String, Text>,
    /// Actions leading from a level to the next one.
    #[serde(default, rename = "action", skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
}

/// Conditions over commune attributes; every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AppliesWhen {
    /// `commune.population >= min_population`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_population: Option<u64>,
    /// `commune.population <= max_population`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_population: Option<u64>,
    /// The commune's setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<Setting>,
    /// A competence id that must be in `commune.transferred`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred: Option<String>,
    /// The kinds of collectivity concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<Kind>>,
}

/// Urban or rural.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// Urban.
    Urban,
    /// Rural.
    Rural,
}

/// A kind of territorial collectivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A commune.
    #[default]
    Commune,
    /// A cercle.
    Cercle,
}

/// When an action is expected to bear fruit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Horizon {
    /// Less than a year.
    Short,
    /// One to three years.
    Medium,
    /// More than three years.
    Long,
}

impl Horizon {
    /// Every horizon, shortest first.
    pub const ALL: [Horizon; 3] = [Horizon::Short, Horizon::Medium, Horizon::Long];

    /// The horizon's code in files, forms and the store: `short`, `medium`,
    /// `long`.
    pub const fn code(self) -> &'static str {
        match self {
            Horizon::Short => "short",
            Horizon::Medium => "medium",
            Horizon::Long => "long",
        }
    }

    /// The horizon of a code (surrounding spaces ignored), or `None`.
    pub fn from_code(code: &str) -> Option<Horizon> {
        Horizon::ALL.into_iter().find(|h| h.code() == code.trim())
    }
}

/// An action leading from level `from` to the next level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The level the action starts from.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub from: String,
    /// What to do.
    pub text: Text,
    /// Indicative cost in FCFA (whole francs), a decimal written as a string.
    #[serde(with = "dec")]
    #[cfg_attr(any(test, feature = "schema"), schemars(with = "CostString"))]
    pub cost: Decimal,
    /// Horizon.
    pub horizon: Horizon,
    /// Role responsible.
    pub responsible: Text,
}

/// Schema stand-in for decimals: a string of digits with an optional point.
#[cfg(any(test, feature = "schema"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only describes decimals in the schema")]
#[schemars(
    transparent,
    description = "A decimal written as a string, e.g. \"1.5\" (never a float)"
)]
pub(crate) struct DecimalString(
    #[schemars(regex(pattern = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"))] String,
);

/// A weight in the JSON Schemas: a decimal string in (0, 1 000 000].
#[cfg(any(test, feature = "schema"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only describes weights in the schema")]
#[schemars(
    transparent,
    description = "A weight: a decimal written as a string, greater than 0 and at most 1000000, e.g. \"1.5\""
)]
pub(crate) struct WeightString(
    #[schemars(regex(
        pattern = r"^\+?0*(\.0*[1-9][0-9]*|[1-9][0-9]{0,5}(\.[0-9]*)?|1000000(\.0*)?)$"
    ))]
    String,
);

/// A level value in the JSON Schemas: a decimal string within
/// ±1 000 000 000.
#[cfg(any(test, feature = "schema"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only describes level values in the schema")]
#[schemars(
    transparent,
    description = "A level value: a decimal written as a string, between -1000000000 and 1000000000"
)]
pub(crate) struct LevelValueString(
    #[schemars(regex(pattern = r"^[+-]?0*([0-9]{1,9}(\.[0-9]*)?|\.[0-9]+|1000000000(\.0*)?)$"))]
    String,
);

/// A table row's score in the JSON Schemas: a decimal string in 0–100.
#[cfg(any(test, feature = "schema"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only describes table scores in the schema")]
#[schemars(
    transparent,
    description = "A score from 0 to 100 written as a string, e.g. \"83.33\""
)]
pub(crate) struct ScoreString(
    #[schemars(regex(
        pattern = r"^(\+?0*([0-9]{1,2}(\.[0-9]*)?|\.[0-9]+|100(\.0*)?)|-0*(\.0*)?)$"
    ))]
    String,
);

/// An action cost in the JSON Schemas: whole francs from 0 to 10¹⁵,
/// written as a string.
#[cfg(any(test, feature = "schema"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only describes costs in the schema")]
#[schemars(
    transparent,
    description = "Whole francs from 0 to 10^15 written as a string, e.g. \"450000\""
)]
pub(crate) struct CostString(
    #[schemars(regex(pattern = r"^(\+?0*([0-9]{1,15}|1000000000000000)|-0+)(\.0*)?$"))] String,
);
