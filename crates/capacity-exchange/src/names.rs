//! The XML names of the form's fields, and the way back from a name to the
//! rubric.
//!
//! XLSForm names become XML element names, and KoboToolbox or ODK Central
//! join a group's name and a question's name with `/`, `-` or `.` in the
//! headers of their CSV exports. Rubric ids may contain `-` and `.`
//! (`ADM-EC-01`), so every name keeps only ASCII letters, digits and `_`:
//!
//! - each character of the id outside `[A-Za-z0-9_]` becomes `_`
//!   (`ADM-EC-01` → `ADM_EC_01`, `etat-civil` → `etat_civil`);
//! - a name that would not start with a letter, or would start with `xml`
//!   (reserved by XML), is prefixed: `q_` for questions, `g_` for groups
//!   (`2024-budget` → `q_2024_budget`);
//! - the evidence field of an indicator is its name followed by
//!   `_evidence` (`ADM_EC_01_evidence`);
//! - a name already taken (by a fixed field such as `round`, or by an
//!   earlier id of the rubric that maps to the same name) gets `_2`, `_3`…,
//!   in rubric order: competency group, then each of its indicators and
//!   its evidence field.
//!
//! The mapping depends on the rubric alone, so [`FormNames::new`] computes
//! the same names when the form is written and when its export is read
//! back; the form also shows each indicator's id at the start of its
//! labels, so a person can map a column by eye. Depends on the compiled
//! rubric only.

use capacity::{CompiledRubric, IndicatorIx, NodeIx, NodeKind, NodeRef};
use std::collections::BTreeMap;

/// A fixed field of the form, present whatever the rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fixed {
    /// `start`: when the rater opened the form (metadata).
    Start,
    /// `end`: when the rater finished the form (metadata; orders duplicate
    /// submissions when the server's submission time is missing).
    End,
    /// `rubric_id`: the rubric id (a calculation).
    RubricId,
    /// `rubric_version`: the rubric version (a calculation).
    RubricVersion,
    /// `commune_id`: the commune's id.
    CommuneId,
    /// `commune_name`: the commune's name.
    CommuneName,
    /// `cercle`: the commune's cercle.
    Cercle,
    /// `region`: the commune's region.
    Region,
    /// `round`: the round label.
    Round,
    /// `date`: the workshop's date.
    Date,
    /// `rater_id`: the rater's id (optional; else made from the name).
    RaterId,
    /// `rater_name`: the rater's name.
    RaterName,
    /// `rater_role`: the rater's role.
    RaterRole,
}

impl Fixed {
    /// Every fixed field, in form order.
    pub const ALL: [Fixed; 13] = [
        Fixed::Start,
        Fixed::End,
        Fixed::RubricId,
        Fixed::RubricVersion,
        Fixed::CommuneId,
        Fixed::CommuneName,
        Fixed::Cercle,
        Fixed::Region,
        Fixed::Round,
        Fixed::Date,
        Fixed::RaterId,
        Fixed::RaterName,
        Fixed::RaterRole,
    ];

    /// Its XML name.
    pub fn name(self) -> &'static str {
        match self {
            Fixed::Start => "start",
            Fixed::End => "end",
            Fixed::RubricId => "rubric_id",
            Fixed::RubricVersion => "rubric_version",
            Fixed::CommuneId => "commune_id",
            Fixed::CommuneName => "commune_name",
            Fixed::Cercle => "cercle",
            Fixed::Region => "region",
            Fixed::Round => "round",
            Fixed::Date => "date",
            Fixed::RaterId => "rater_id",
            Fixed::RaterName => "rater_name",
            Fixed::RaterRole => "rater_role",
        }
    }
}

/// What a name of the form stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A fixed field.
    Fixed(Fixed),
    /// An indicator's rating (`select_one`).
    Indicator(IndicatorIx),
    /// An indicator's evidence (`text`).
    Evidence(IndicatorIx),
    /// A competency's group.
    Group(NodeIx),
}

/// Names reserved besides the fixed fields: what ODK and KoboToolbox add
/// to every submission.
const RESERVED: [&str; 4] = ["meta", "instanceID", "instanceName", "formhub"];

/// The names of one rubric's form (see the module documentation).
///
/// ```
/// use capacity::{CompiledRubric, example};
/// use capacity_exchange::{Field, FormNames};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let names = FormNames::new(&rubric);
/// let ix = rubric.indicator_ix("ADM-EC-01").expect("known");
/// assert_eq!(names.indicator(ix), "ADM_EC_01");
/// assert_eq!(names.evidence(ix), "ADM_EC_01_evidence");
/// assert_eq!(names.field("ADM_EC_01"), Some(Field::Indicator(ix)));
/// assert_eq!(names.form_id(), "capacity_exemple_1_0_0");
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormNames {
    indicators: Vec<String>,
    evidence: Vec<String>,
    groups: Vec<(NodeIx, String)>,
    fields: BTreeMap<String, Field>,
    levels_list: String,
    form_id: String,
}

impl FormNames {
    /// The names of `rubric`'s form.
    pub fn new(rubric: &CompiledRubric) -> FormNames {
        let count = rubric.indicators().len();
        let mut names = FormNames {
            indicators: vec![String::new(); count],
            evidence: vec![String::new(); count],
            groups: Vec::new(),
            fields: BTreeMap::new(),
            levels_list: format!("levels_{}", xml_name(&rubric.rubric().id, "q_")),
            form_id: format!(
                "capacity_{}_{}",
                plain_name(&rubric.rubric().id),
                plain_name(&rubric.rubric().version)
            ),
        };
        for f in Fixed::ALL {
            names.fields.insert(f.name().to_owned(), Field::Fixed(f));
        }
        let mut taken: Vec<&str> = RESERVED.to_vec();
        taken.retain(|r| !names.fields.contains_key(*r));
        let reserved: Vec<String> = taken.iter().map(|s| (*s).to_owned()).collect();
        let is_taken = |fields: &BTreeMap<String, Field>, n: &str| {
            fields.contains_key(n) || reserved.iter().any(|r| r == n)
        };
        let unique = |fields: &BTreeMap<String, Field>, base: String| -> String {
            if !is_taken(fields, &base) {
                return base;
            }
            (2u32..)
                .map(|i| format!("{base}_{i}"))
                .find(|n| !is_taken(fields, n))
                .unwrap_or(base)
        };
        for (i, node) in rubric.nodes().iter().enumerate() {
            if node.kind != NodeKind::Competency {
                continue;
            }
            let Some(ix) = rubric.node_ix(&node.id).filter(|ix| ix.index() == i) else {
                continue;
            };
            let group = unique(&names.fields, xml_name(&node.id, "g_"));
            names.fields.insert(group.clone(), Field::Group(ix));
            names.groups.push((ix, group));
            for child in rubric.children(ix) {
                let NodeRef::Indicator(ind) = child else {
                    continue;
                };
                let id = rubric.id(child);
                let name = unique(&names.fields, xml_name(id, "q_"));
                names.fields.insert(name.clone(), Field::Indicator(ind));
                let evidence = unique(&names.fields, format!("{name}_evidence"));
                names.fields.insert(evidence.clone(), Field::Evidence(ind));
                if let Some(slot) = names.indicators.get_mut(ind.index()) {
                    *slot = name;
                }
                if let Some(slot) = names.evidence.get_mut(ind.index()) {
                    *slot = evidence;
                }
            }
        }
        names
    }

    /// The name of an indicator's rating question.
    pub fn indicator(&self, ix: IndicatorIx) -> &str {
        self.indicators.get(ix.index()).map_or("", String::as_str)
    }

    /// The name of an indicator's evidence question.
    pub fn evidence(&self, ix: IndicatorIx) -> &str {
        self.evidence.get(ix.index()).map_or("", String::as_str)
    }

    /// The name of a competency's group.
    pub fn group(&self, ix: NodeIx) -> Option<&str> {
        self.groups
            .iter()
            .find(|(g, _)| *g == ix)
            .map(|(_, n)| n.as_str())
    }

    /// What a name stands for.
    pub fn field(&self, name: &str) -> Option<Field> {
        self.fields.get(name).copied()
    }

    /// Every name and what it stands for, sorted by name.
    pub fn fields(&self) -> impl Iterator<Item = (&str, Field)> + '_ {
        self.fields.iter().map(|(n, f)| (n.as_str(), *f))
    }

    /// The name of the levels' choice list: `levels_` and the rubric id's
    /// name (`levels_ml_communes`).
    pub fn levels_list(&self) -> &str {
        &self.levels_list
    }

    /// The form's id: `capacity_`, the rubric id and the rubric version,
    /// each character outside `[A-Za-z0-9_]` replaced by `_`
    /// (`capacity_ml_communes_1_0_0`).
    pub fn form_id(&self) -> &str {
        &self.form_id
    }
}

/// `id` with every character outside `[A-Za-z0-9_]` replaced by `_`.
fn plain_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The XML name of an id, before uniqueness is ensured: characters outside
/// `[A-Za-z0-9_]` become `_`, and `prefix` is put before a name that does
/// not start with an ASCII letter or starts with `xml`.
///
/// ```
/// use capacity_exchange::xml_name;
/// assert_eq!(xml_name("ADM-EC-01", "q_"), "ADM_EC_01");
/// assert_eq!(xml_name("2024.budget", "q_"), "q_2024_budget");
/// assert_eq!(xml_name("XML-1", "q_"), "q_XML_1");
/// ```
pub fn xml_name(id: &str, prefix: &str) -> String {
    let name = plain_name(id);
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let xml = name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("xml"));
    if starts_with_letter && !xml {
        name
    } else {
        format!("{prefix}{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_ids_get_numbered_names_in_rubric_order() {
        let text = capacity::example::RUBRIC
            .replace("id = \"ADM-EC-02\"", "id = \"ADM_EC_01\"")
            .replace("id = \"GOV-SE-02\"", "id = \"round\"");
        let rubric = CompiledRubric::from_toml(&text).expect("valid rubric");
        let names = FormNames::new(&rubric);
        let name = |id: &str| {
            let ix = rubric.indicator_ix(id).expect("known");
            (
                names.indicator(ix).to_owned(),
                names.evidence(ix).to_owned(),
            )
        };
        assert_eq!(
            name("ADM-EC-01"),
            ("ADM_EC_01".into(), "ADM_EC_01_evidence".into())
        );
        assert_eq!(
            name("ADM_EC_01"),
            ("ADM_EC_01_2".into(), "ADM_EC_01_2_evidence".into())
        );
        assert_eq!(name("round"), ("round_2".into(), "round_2_evidence".into()));
        let group = rubric.node_ix("etat-civil").expect("known");
        assert_eq!(names.group(group), Some("etat_civil"));
        assert_eq!(names.field("round"), Some(Field::Fixed(Fixed::Round)));
        assert_eq!(names.levels_list(), "levels_exemple");
    }
}
