//! The XLSForm of a rubric, which KoboToolbox, ODK Central/Collect and
//! Enketo load to collect ratings offline.
//!
//! One submission is **one rater's ratings of one commune in one round**.
//! The workbook has the three sheets of the XLSForm standard:
//!
//! **`survey`**, columns `type`, `name`, `label::Français (fr)`,
//! `label::English (en)`, `hint::Français (fr)`, `hint::English (en)`,
//! `required`, `required_message::Français (fr)`,
//! `required_message::English (en)`, `constraint`,
//! `constraint_message::Français (fr)`, `constraint_message::English (en)`,
//! `relevant`, `calculation`, `appearance`, `default`; rows:
//!
//! | type | name | notes |
//! |---|---|---|
//! | `start`, `end` | `start`, `end` | metadata: when the form was opened and finished |
//! | `calculate` | `rubric_id`, `rubric_version` | the rubric the form was made from, checked on import |
//! | `text` (or `select_one communes`) | `commune_id` | required; an id `[A-Za-z0-9_.-]+` |
//! | `text` (or `calculate`) | `commune_name`, `cercle`, `region` | typed in, or looked up in the commune list |
//! | `text` | `round` | required; default [`XlsFormOptions::round`] |
//! | `date` | `date` | required: the workshop's date |
//! | `text` | `rater_id` | optional; made from the name on import when empty |
//! | `text` | `rater_name` | required |
//! | `select_one role` | `rater_role` | required: elected, staff, citizen, facilitator |
//! | `begin_group` … `end_group` | one per competency | label: competency (domain) |
//! | `select_one levels_<rubric>` | one per indicator | not required: may stay unanswered |
//! | `text` | `<indicator>_evidence` | shown once the indicator is rated |
//!
//! An indicator's label starts with its id (`ADM-EC-01 — Tenue des
//! registres…`); its hint gives the question, each level's descriptor,
//! what `NA` and `NI` mean, the evidence expected and, for a critical
//! indicator, the minimum it needs. Names follow [`crate::FormNames`].
//!
//! **`choices`**, columns `list_name`, `name`, `label::Français (fr)`,
//! `label::English (en)` (and `commune_name`, `cercle`, `region` when a
//! commune list is given): the list `levels_<rubric>` (each level, lowest
//! first, labelled `code — label`, then `NA — Non applicable` and
//! `NI — Pas d'information (D*)`), the list `role`, and the list
//! `communes` when [`XlsFormOptions::communes`] is not empty (name: the
//! commune id; label: `name (cercle, region)`; searchable with the
//! `minimal autocomplete` appearance).
//!
//! **`settings`**: `form_title` (the rubric's French title), `form_id`
//! ([`crate::FormNames::form_id`]), `version` (the rubric version),
//! `default_language` (`Français (fr)`) and `instance_name` (commune,
//! round and rater, to tell drafts apart on a phone).
//!
//! Depends on the compiled rubric, the names and the writers.

use crate::error::Error;
use crate::names::{Field, Fixed, FormNames};
use crate::table::{Cell, Export, Table};
use crate::words::{ROLES, colon, na_label, ni_label, role_code, role_label, tr};
use capacity::{Commune, CompiledRubric, Lang, NO_INFORMATION, NOT_APPLICABLE, NodeRef};

/// The French language column suffix of the form.
pub const FRENCH: &str = "Français (fr)";
/// The English language column suffix of the form.
pub const ENGLISH: &str = "English (en)";

/// What to put in the form besides the rubric.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XlsFormOptions {
    /// Communes to choose from. Empty: the commune's id, name, cercle and
    /// region are typed in. Otherwise `commune_id` is a searchable
    /// `select_one` and the name, cercle and region are looked up.
    pub communes: Vec<Commune>,
    /// The round's default label (e.g. `"2025"`).
    pub round: Option<String>,
}

/// One row of the survey sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SurveyRow {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) label: [String; 2],
    pub(crate) hint: [String; 2],
    pub(crate) required: &'static str,
    pub(crate) required_message: [String; 2],
    pub(crate) constraint: String,
    pub(crate) constraint_message: [String; 2],
    pub(crate) relevant: String,
    pub(crate) calculation: String,
    pub(crate) appearance: String,
    pub(crate) default: String,
    /// What the row's name stands for (none for `end_group`).
    pub(crate) field: Option<Field>,
}

const LANGS: [Lang; 2] = [Lang::Fr, Lang::En];

fn both(f: impl Fn(Lang) -> String) -> [String; 2] {
    LANGS.map(f)
}

fn both_static(fr: &'static str, en: &'static str) -> [String; 2] {
    [fr.to_owned(), en.to_owned()]
}

/// The regular expression of an id, as XPath's `regex()` reads it.
const ID_REGEX: &str = "regex(., '^[A-Za-z0-9_.-]+$')";

/// A string literal of XPath: quoted with `'` or `"`, whichever the text
/// does not contain (a text containing both has its `'` replaced by `’`).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{}'", text.replace('\'', "’"))
    }
}

/// The label of a fixed field, in French and English.
pub(crate) fn fixed_label(f: Fixed) -> [String; 2] {
    let (fr, en) = match f {
        Fixed::Start => ("Début", "Start"),
        Fixed::End => ("Fin", "End"),
        Fixed::RubricId => ("Référentiel", "Rubric"),
        Fixed::RubricVersion => ("Version du référentiel", "Rubric version"),
        Fixed::CommuneId => ("Code de la commune", "Commune id"),
        Fixed::CommuneName => ("Nom de la commune", "Commune name"),
        Fixed::Cercle => ("Cercle", "Cercle"),
        Fixed::Region => ("Région", "Region"),
        Fixed::Round => ("Tour d'évaluation", "Assessment round"),
        Fixed::Date => ("Date de l'atelier", "Workshop date"),
        Fixed::RaterId => ("Code de l'évaluateur", "Rater id"),
        Fixed::RaterName => ("Nom de l'évaluateur", "Rater name"),
        Fixed::RaterRole => ("Rôle de l'évaluateur", "Rater role"),
    };
    both_static(fr, en)
}

/// The label of an indicator's question.
pub(crate) fn indicator_label(id: &str, title: &capacity::Text) -> [String; 2] {
    both(|lang| format!("{id} — {}", title.get(lang)))
}

/// The label of an indicator's evidence question.
pub(crate) fn evidence_label(id: &str) -> [String; 2] {
    both(|lang| {
        format!(
            "{id} — {}",
            tr(
                lang,
                "Preuves vues et justification",
                "Evidence seen and justification"
            )
        )
    })
}

/// The label of a level's choice.
pub(crate) fn level_choice_label(code: &str, label: &str) -> String {
    format!("{code} — {label}")
}

/// The label of a commune's choice.
pub(crate) fn commune_choice_label(c: &Commune) -> String {
    format!("{} ({}, {})", c.name, c.cercle, c.region)
}

/// The survey's rows (see the module documentation).
pub(crate) fn survey(
    rubric: &CompiledRubric,
    names: &FormNames,
    options: &XlsFormOptions,
) -> Vec<SurveyRow> {
    let fixed = |f: Fixed, kind: &str| SurveyRow {
        kind: kind.to_owned(),
        name: f.name().to_owned(),
        label: fixed_label(f),
        field: Some(Field::Fixed(f)),
        ..SurveyRow::default()
    };
    let required = |mut row: SurveyRow| {
        row.required = "yes";
        row.required_message = both_static("Réponse obligatoire", "An answer is required");
        row
    };
    let id_constraint = |mut row: SurveyRow| {
        row.constraint = ID_REGEX.to_owned();
        row.constraint_message = both_static(
            "Lettres sans accent, chiffres, « - », « _ » et « . » seulement, sans espace (ex. ml-segou-san)",
            "Unaccented letters, digits, '-', '_' and '.' only, no space (e.g. ml-segou-san)",
        );
        row
    };
    let r = rubric.rubric();
    let mut rows = vec![
        fixed(Fixed::Start, "start"),
        fixed(Fixed::End, "end"),
        SurveyRow {
            calculation: xpath_literal(&r.id),
            ..fixed(Fixed::RubricId, "calculate")
        },
        SurveyRow {
            calculation: xpath_literal(&r.version),
            ..fixed(Fixed::RubricVersion, "calculate")
        },
    ];
    if options.communes.is_empty() {
        let mut id = id_constraint(required(fixed(Fixed::CommuneId, "text")));
        id.hint = both_static(
            "Identifiant de la commune dans les fichiers d'évaluation (ex. ml-segou-san)",
            "The commune's id in assessment files (e.g. ml-segou-san)",
        );
        rows.push(id);
        rows.push(required(fixed(Fixed::CommuneName, "text")));
        rows.push(required(fixed(Fixed::Cercle, "text")));
        rows.push(required(fixed(Fixed::Region, "text")));
    } else {
        let mut id = required(fixed(Fixed::CommuneId, "select_one communes"));
        id.appearance = "minimal autocomplete".to_owned();
        id.label = both_static("Commune", "Commune");
        rows.push(id);
        for (f, column) in [
            (Fixed::CommuneName, "commune_name"),
            (Fixed::Cercle, "cercle"),
            (Fixed::Region, "region"),
        ] {
            rows.push(SurveyRow {
                calculation: format!(
                    "instance('communes')/root/item[name=${{{}}}]/{column}",
                    Fixed::CommuneId.name()
                ),
                ..fixed(f, "calculate")
            });
        }
    }
    let mut round = required(fixed(Fixed::Round, "text"));
    round.default = options.round.clone().unwrap_or_default();
    round.hint = both_static(
        "Le même libellé pour tous les évaluateurs de l'atelier (ex. 2025)",
        "The same label for every rater of the workshop (e.g. 2025)",
    );
    rows.push(round);
    rows.push(required(fixed(Fixed::Date, "date")));
    let mut rater_id = id_constraint(fixed(Fixed::RaterId, "text"));
    rater_id.hint = both_static(
        "Facultatif : un code court et stable (ex. r1) ; à défaut, il est tiré du nom",
        "Optional: a short, stable code (e.g. r1); when empty, it is made from the name",
    );
    rows.push(rater_id);
    rows.push(required(fixed(Fixed::RaterName, "text")));
    rows.push(required(fixed(Fixed::RaterRole, "select_one role")));

    let levels_type = format!("select_one {}", names.levels_list());
    for (i, node) in rubric.nodes().iter().enumerate() {
        if node.kind != capacity::NodeKind::Competency {
            continue;
        }
        let Some(ix) = rubric.node_ix(&node.id).filter(|ix| ix.index() == i) else {
            continue;
        };
        let Some(group) = names.group(ix) else {
            continue;
        };
        let competency = rubric.title(NodeRef::Node(ix));
        let domain = node.parent.and_then(|p| rubric.title(NodeRef::Node(p)));
        rows.push(SurveyRow {
            kind: "begin_group".to_owned(),
            name: group.to_owned(),
            label: both(|lang| {
                let c = competency.map_or("", |t| t.get(lang));
                match domain {
                    Some(d) => format!("{c} ({})", d.get(lang)),
                    None => c.to_owned(),
                }
            }),
            field: Some(Field::Group(ix)),
            ..SurveyRow::default()
        });
        for child in rubric.children(ix) {
            let NodeRef::Indicator(ind) = child else {
                continue;
            };
            let (Some(compiled), Some(source)) =
                (rubric.indicator(ind), rubric.indicator_source(ind))
            else {
                continue;
            };
            let name = names.indicator(ind).to_owned();
            rows.push(SurveyRow {
                kind: levels_type.clone(),
                name: name.clone(),
                label: indicator_label(&compiled.id, &source.title),
                hint: both(|lang| indicator_hint(rubric, compiled, source, lang)),
                required: "false",
                field: Some(Field::Indicator(ind)),
                ..SurveyRow::default()
            });
            rows.push(SurveyRow {
                kind: "text".to_owned(),
                name: names.evidence(ind).to_owned(),
                label: evidence_label(&compiled.id),
                hint: both(|lang| {
                    format!(
                        "{}{}{}",
                        tr(lang, "Preuves attendues", "Evidence expected"),
                        colon(lang),
                        source.evidence.get(lang)
                    )
                }),
                required: "false",
                relevant: format!("${{{name}}} != ''"),
                field: Some(Field::Evidence(ind)),
                ..SurveyRow::default()
            });
        }
        rows.push(SurveyRow {
            kind: "end_group".to_owned(),
            ..SurveyRow::default()
        });
    }
    rows
}

fn indicator_hint(
    rubric: &CompiledRubric,
    compiled: &capacity::CompiledIndicator,
    source: &capacity::Indicator,
    lang: Lang,
) -> String {
    let mut lines: Vec<String> = Vec::new();
    let c = colon(lang);
    if let Some(q) = &source.question {
        lines.push(q.get(lang).to_owned());
    }
    for level in rubric.levels() {
        if let Some(d) = source.descriptor.get(&level.code) {
            lines.push(format!("{}{}{}", level.code, colon(lang), d.get(lang)));
        }
    }
    lines.push(format!(
        "{NOT_APPLICABLE}{c}{} · {NO_INFORMATION}{c}{} · {}",
        na_label(lang),
        ni_label(lang),
        tr(
            lang,
            "laisser vide si l'indicateur n'a pas été évalué",
            "leave empty if the indicator was not assessed"
        )
    ));
    lines.push(format!(
        "{}{c}{}",
        tr(lang, "Preuves attendues", "Evidence expected"),
        source.evidence.get(lang)
    ));
    if compiled.critical {
        lines.push(format!(
            "{} {}",
            tr(
                lang,
                "Condition minimale : niveau exigé",
                "Minimum condition: level needed"
            ),
            rubric.level_code(compiled.minimum)
        ));
    }
    lines.join("\n")
}

/// One row of the choices sheet: list, name, labels, and the commune
/// columns (empty for other lists).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChoiceRow {
    pub(crate) list: String,
    pub(crate) name: String,
    pub(crate) label: [String; 2],
    pub(crate) commune: Option<Commune>,
}

/// The choices' rows (see the module documentation).
pub(crate) fn choices(
    rubric: &CompiledRubric,
    names: &FormNames,
    options: &XlsFormOptions,
) -> Vec<ChoiceRow> {
    let list = names.levels_list();
    let mut rows: Vec<ChoiceRow> = rubric
        .levels()
        .iter()
        .map(|l| ChoiceRow {
            list: list.to_owned(),
            name: l.code.clone(),
            label: both(|lang| level_choice_label(&l.code, l.label.get(lang))),
            commune: None,
        })
        .collect();
    rows.push(ChoiceRow {
        list: list.to_owned(),
        name: NOT_APPLICABLE.to_owned(),
        label: both(|lang| level_choice_label(NOT_APPLICABLE, na_label(lang))),
        commune: None,
    });
    rows.push(ChoiceRow {
        list: list.to_owned(),
        name: NO_INFORMATION.to_owned(),
        label: both(|lang| level_choice_label(NO_INFORMATION, ni_label(lang))),
        commune: None,
    });
    for role in ROLES {
        rows.push(ChoiceRow {
            list: "role".to_owned(),
            name: role_code(role).to_owned(),
            label: both(|lang| role_label(lang, role).to_owned()),
            commune: None,
        });
    }
    for c in &options.communes {
        rows.push(ChoiceRow {
            list: "communes".to_owned(),
            name: c.id.clone(),
            label: both(|_| commune_choice_label(c)),
            commune: Some(c.clone()),
        });
    }
    rows
}

/// The form's three sheets as tables (`survey`, `choices`, `settings`),
/// every cell text. [`xlsform`] writes them as a workbook; the tables let
/// a caller (or a test) look at the form without reading XLSX.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// use capacity_exchange::{Cell, XlsFormOptions, xlsform_tables};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let form = xlsform_tables(&rubric, &XlsFormOptions::default());
/// let survey = form.table("survey").expect("a survey sheet");
/// assert_eq!(survey.headers[..3], ["type", "name", "label::Français (fr)"]);
/// let settings = form.table("settings").expect("a settings sheet");
/// assert_eq!(settings.rows[0][1], Cell::text("capacity_exemple_1_0_0"));
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
pub fn xlsform_tables(rubric: &CompiledRubric, options: &XlsFormOptions) -> Export {
    let names = FormNames::new(rubric);
    let lang_columns = |base: &str| [format!("{base}::{FRENCH}"), format!("{base}::{ENGLISH}")];
    let mut headers = vec!["type".to_owned(), "name".to_owned()];
    headers.extend(lang_columns("label"));
    headers.extend(lang_columns("hint"));
    headers.push("required".to_owned());
    headers.extend(lang_columns("required_message"));
    headers.push("constraint".to_owned());
    headers.extend(lang_columns("constraint_message"));
    for h in ["relevant", "calculation", "appearance", "default"] {
        headers.push(h.to_owned());
    }
    let mut survey_table = Table::new("survey", headers);
    let text = |s: &str| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::text(s)
        }
    };
    for row in survey(rubric, &names, options) {
        let [lf, le] = &row.label;
        let [hf, he] = &row.hint;
        let [rf, re] = &row.required_message;
        let [cf, ce] = &row.constraint_message;
        survey_table.rows.push(vec![
            text(&row.kind),
            text(&row.name),
            text(lf),
            text(le),
            text(hf),
            text(he),
            text(row.required),
            text(rf),
            text(re),
            text(&row.constraint),
            text(cf),
            text(ce),
            text(&row.relevant),
            text(&row.calculation),
            text(&row.appearance),
            text(&row.default),
        ]);
    }

    let mut headers = vec!["list_name".to_owned(), "name".to_owned()];
    headers.extend(lang_columns("label"));
    let with_communes = !options.communes.is_empty();
    if with_communes {
        for h in ["commune_name", "cercle", "region"] {
            headers.push(h.to_owned());
        }
    }
    let mut choices_table = Table::new("choices", headers);
    for row in choices(rubric, &names, options) {
        let [lf, le] = &row.label;
        let mut cells = vec![text(&row.list), text(&row.name), text(lf), text(le)];
        if with_communes {
            match &row.commune {
                Some(c) => cells.extend([text(&c.name), text(&c.cercle), text(&c.region)]),
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        choices_table.rows.push(cells);
    }

    let r = rubric.rubric();
    let settings = [
        ("form_title", r.title.fr.clone()),
        ("form_id", names.form_id().to_owned()),
        ("version", r.version.clone()),
        ("default_language", FRENCH.to_owned()),
        (
            "instance_name",
            format!(
                "concat(${{{}}}, ' · ', ${{{}}}, ' · ', ${{{}}})",
                Fixed::CommuneId.name(),
                Fixed::Round.name(),
                Fixed::RaterName.name()
            ),
        ),
    ];
    let mut settings_table = Table::new(
        "settings",
        settings.iter().map(|(k, _)| (*k).to_owned()).collect(),
    );
    settings_table
        .rows
        .push(settings.into_iter().map(|(_, v)| Cell::Text(v)).collect());

    Export {
        tables: vec![survey_table, choices_table, settings_table],
    }
}

/// The XLSForm of `rubric` as an XLSX workbook (see the module
/// documentation), ready to upload to KoboToolbox or ODK Central.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// use capacity_exchange::{XlsFormOptions, xlsform};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let bytes = xlsform(&rubric, &XlsFormOptions { round: Some("2025".into()), ..Default::default() })?;
/// assert_eq!(&bytes[..2], b"PK");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn xlsform(rubric: &CompiledRubric, options: &XlsFormOptions) -> Result<Vec<u8>, Error> {
    crate::write::export_xlsx(&xlsform_tables(rubric, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_are_quoted_safely() {
        assert_eq!(xpath_literal("1.0.0"), "'1.0.0'");
        assert_eq!(xpath_literal("l'an 1"), "\"l'an 1\"");
        assert_eq!(xpath_literal("l'an \"1\""), "'l’an \"1\"'");
    }
}
