//! The words the exports and the form share, in French and English: codes
//! of the three "no level" states, yes/no, horizons, decisions, roles, and
//! the legend rows that explain them. One place, so that an export's
//! legend and the XLSForm's choices say the same thing. Depends on the
//! core's enums only.

use crate::table::Cell;
use capacity::{
    CompiledRubric, Decision, Horizon, Lang, NO_INFORMATION, NOT_APPLICABLE, NodeResult,
    NodeStatus, Role, Status,
};

/// `fr` or `en`.
pub(crate) fn tr(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The colon of `lang`: ` : ` in French typography, `: ` in English.
pub(crate) fn colon(lang: Lang) -> &'static str {
    tr(lang, " : ", ": ")
}

/// `oui`/`non` or `yes`/`no`.
pub(crate) fn yes_no(lang: Lang, yes: bool) -> Cell {
    Cell::text(if yes {
        tr(lang, "oui", "yes")
    } else {
        tr(lang, "non", "no")
    })
}

/// An indicator's consolidated state as a cell: its level code, `NI`,
/// `NA`, or empty when unanswered.
pub(crate) fn status_cell(rubric: &CompiledRubric, status: Status) -> Cell {
    match status {
        Status::Level(l) => Cell::text(rubric.level_code(l)),
        Status::NoInformation => Cell::text(NO_INFORMATION),
        Status::NotApplicable(_) => Cell::text(NOT_APPLICABLE),
        Status::Unanswered => Cell::Empty,
    }
}

/// A node's score as a cell: the score, `NA`, or empty when unanswered.
pub(crate) fn node_score_cell(result: Option<&NodeResult>) -> Cell {
    match result {
        Some(r) => match (r.status, r.score) {
            (NodeStatus::NotApplicable, _) => Cell::text(NOT_APPLICABLE),
            (NodeStatus::Scored, Some(score)) => Cell::score(score),
            _ => Cell::Empty,
        },
        None => Cell::Empty,
    }
}

/// A horizon in words.
pub(crate) fn horizon(lang: Lang, h: Horizon) -> &'static str {
    match h {
        Horizon::Short => tr(lang, "court terme (< 1 an)", "short term (< 1 year)"),
        Horizon::Medium => tr(lang, "moyen terme (1 à 3 ans)", "medium term (1–3 years)"),
        Horizon::Long => tr(lang, "long terme (> 3 ans)", "long term (> 3 years)"),
    }
}

/// A plan decision in words.
pub(crate) fn decision(lang: Lang, d: Decision) -> &'static str {
    match d {
        Decision::Proposed => tr(lang, "proposée", "proposed"),
        Decision::Accepted => tr(lang, "acceptée", "accepted"),
        Decision::Dropped => tr(lang, "abandonnée", "dropped"),
    }
}

/// The four roles, in the order the form lists them.
pub(crate) const ROLES: [Role; 4] = [Role::Elected, Role::Staff, Role::Citizen, Role::Facilitator];

/// A role's code, as in assessment files.
pub(crate) fn role_code(role: Role) -> &'static str {
    match role {
        Role::Elected => "elected",
        Role::Staff => "staff",
        Role::Citizen => "citizen",
        Role::Facilitator => "facilitator",
    }
}

/// A role in words.
pub(crate) fn role_label(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Elected => tr(
            lang,
            "Élu ou élue (maire, adjoint, conseiller)",
            "Elected member (mayor, deputy, councillor)",
        ),
        Role::Staff => tr(
            lang,
            "Personnel communal (secrétaire général, services techniques)",
            "Commune staff (secretary-general, technical staff)",
        ),
        Role::Citizen => tr(
            lang,
            "Citoyen ou société civile",
            "Citizen or civil society",
        ),
        Role::Facilitator => tr(lang, "Facilitateur ou facilitatrice", "Facilitator"),
    }
}

/// What `NA` means.
pub(crate) fn na_label(lang: Lang) -> &'static str {
    tr(lang, "Non applicable", "Not applicable")
}

/// What `NI` means.
pub(crate) fn ni_label(lang: Lang) -> &'static str {
    tr(lang, "Pas d'information (D*)", "No information (D*)")
}

/// The legend's header row.
pub(crate) fn legend_headers(lang: Lang) -> Vec<String> {
    vec![
        tr(lang, "Code ou colonne", "Code or column").to_owned(),
        tr(lang, "Signification", "Meaning").to_owned(),
    ]
}

/// The legend's name (also the sheet's).
pub(crate) fn legend_name(lang: Lang) -> &'static str {
    tr(lang, "Légende", "Legend")
}

/// Legend rows for the rubric, the three "no level" states and the levels.
pub(crate) fn legend_codes(rubric: &CompiledRubric, lang: Lang) -> Vec<Vec<Cell>> {
    let r = rubric.rubric();
    let mut rows = vec![
        vec![
            Cell::text(tr(lang, "Référentiel", "Rubric")),
            Cell::text(format!("{} ({})", r.title.get(lang), rubric.key())),
        ],
        vec![
            Cell::text(NOT_APPLICABLE),
            Cell::text(tr(
                lang,
                "Non applicable : exclu du calcul (règle du référentiel, consensus ou tous les évaluateurs) ; les poids des éléments voisins sont renormalisés",
                "Not applicable: left out of the computation (rubric rule, consensus or every rater); the weights of its siblings are re-normalised",
            )),
        ],
        vec![
            Cell::text(NO_INFORMATION),
            Cell::text(tr(
                lang,
                "Pas d'information (D*) : compté comme le niveau le plus bas et signalé",
                "No information (D*): counted as the lowest level, and flagged",
            )),
        ],
        vec![
            Cell::text(tr(lang, "(cellule vide)", "(empty cell)")),
            Cell::text(tr(
                lang,
                "Non répondu : exclu du calcul ; le résultat est provisoire",
                "Not answered: left out of the computation; the result is provisional",
            )),
        ],
    ];
    for level in rubric.levels() {
        let basic = rubric.level_ix(&level.code) == Some(rubric.basic());
        let mut text = format!(
            "{} ({} {})",
            level.label.get(lang),
            tr(lang, "valeur", "value"),
            level.value
        );
        if basic {
            text.push_str(tr(lang, " ; niveau de base", "; the basic level"));
        }
        rows.push(vec![Cell::text(&level.code), Cell::text(text)]);
    }
    rows.push(vec![
        Cell::text(tr(lang, "Scores", "Scores")),
        Cell::text(tr(
            lang,
            "De 0 à 100 : un niveau vaut (valeur − valeur la plus basse) / (valeur la plus haute − valeur la plus basse) × 100 ; le niveau consolidé d'un indicateur est le consensus, sinon la médiane inférieure des évaluateurs ; chaque domaine et compétence agrège ses éléments répondus et applicables par sa méthode (moyenne pondérée, maillon faible ou table). Ce sont des données ordinales : comparer d'abord les répartitions de niveaux, puis les moyennes.",
            "0 to 100: a level scores (value − lowest value) / (highest value − lowest value) × 100; an indicator's consolidated level is the consensus, else the lower median of the raters; each domain and competency combines its answered, applicable children by its method (weighted mean, weakest link or table). The data are ordinal: compare level distributions first, means second.",
        )),
    ]);
    rows
}
