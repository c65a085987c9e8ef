//! The words of the reports and of the command line, in French and
//! English: states, flags, roles, methods, horizons, minimum conditions.
//!
//! One place for them, so that the HTML reports, the terminal tables and
//! (later) the web app say the same thing the same way. Rubric texts are
//! not here: they come from the rubric ([`capacity::Text`]). This module
//! depends on the core's enums only.

use capacity::{
    Aggregate, CompiledRubric, Condition, Flags, Horizon, Lang, NodeKind, NodeStatus,
    NotApplicableBy, Role, Status,
};

/// `fr` or `en`, by `lang`.
pub fn tr(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The colon as written in `lang` (`" : "` in French, `": "` in English).
pub fn colon(lang: Lang) -> &'static str {
    tr(lang, "\u{A0}: ", ": ")
}

/// "yes" or "no".
pub fn yes_no(value: bool, lang: Lang) -> &'static str {
    match value {
        true => tr(lang, "oui", "yes"),
        false => tr(lang, "non", "no"),
    }
}

/// A rater's role.
pub fn role(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Elected => tr(lang, "élu·e", "elected member"),
        Role::Staff => tr(lang, "personnel communal", "staff"),
        Role::Citizen => tr(lang, "société civile", "citizen"),
        Role::Facilitator => tr(lang, "facilitation", "facilitator"),
    }
}

/// A node's kind.
pub fn node_kind(kind: NodeKind, lang: Lang) -> &'static str {
    match kind {
        NodeKind::Overall => tr(lang, "ensemble", "overall"),
        NodeKind::Domain => tr(lang, "domaine", "domain"),
        NodeKind::Competency => tr(lang, "compétence", "competency"),
    }
}

/// How a node combines its children, with the table's id when it uses one.
pub fn method(rubric: &CompiledRubric, aggregate: Aggregate, lang: Lang) -> String {
    match aggregate {
        Aggregate::WeightedMean => tr(lang, "moyenne pondérée", "weighted mean").to_owned(),
        Aggregate::WeakestLink => tr(lang, "maillon faible (M1)", "weakest link (M1)").to_owned(),
        Aggregate::Table(t) => {
            let id = rubric
                .rubric()
                .tables
                .get(t.index())
                .map_or("?", |t| t.id.as_str());
            format!("{} {id}", tr(lang, "table", "table"))
        }
    }
}

/// A node's state.
pub fn node_status(status: NodeStatus, lang: Lang) -> &'static str {
    match status {
        NodeStatus::Scored => tr(lang, "noté", "scored"),
        NodeStatus::NotApplicable => tr(lang, "non applicable", "not applicable"),
        NodeStatus::Unanswered => tr(lang, "non répondu", "unanswered"),
    }
}

/// An indicator's state in words (the level itself is shown apart).
pub fn status(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Level(_) => tr(lang, "niveau", "level"),
        Status::NoInformation => tr(lang, "pas d'information (D*)", "no information (D*)"),
        Status::NotApplicable(NotApplicableBy::Rule) => {
            tr(lang, "non applicable (règle)", "not applicable (rule)")
        }
        Status::NotApplicable(NotApplicableBy::Consensus) => tr(
            lang,
            "non applicable (consensus)",
            "not applicable (consensus)",
        ),
        Status::NotApplicable(NotApplicableBy::Raters) => tr(
            lang,
            "non applicable (évaluateurs)",
            "not applicable (raters)",
        ),
        Status::Unanswered => tr(lang, "non répondu", "unanswered"),
    }
}

/// An indicator's level as shown in tables: the level code, `D*` for no
/// information, `NA`, or `—` when unanswered.
pub fn level_short(rubric: &CompiledRubric, status: Status) -> String {
    match status {
        Status::Level(l) => rubric.level_code(l).to_owned(),
        Status::NoInformation => format!("{}*", rubric.level_code(rubric.lowest())),
        Status::NotApplicable(_) => "NA".to_owned(),
        Status::Unanswered => "—".to_owned(),
    }
}

/// Where a minimum condition stands.
pub fn condition(condition: Condition, lang: Lang) -> &'static str {
    match condition {
        Condition::Met => tr(lang, "remplie", "met"),
        Condition::Failed => tr(lang, "non remplie", "failed"),
        Condition::Pending => tr(lang, "en attente", "pending"),
        Condition::NotApplicable => tr(lang, "non applicable", "not applicable"),
    }
}

/// A horizon.
pub fn horizon(horizon: Horizon, lang: Lang) -> &'static str {
    match horizon {
        Horizon::Short => tr(lang, "court terme (< 1 an)", "short term (< 1 year)"),
        Horizon::Medium => tr(lang, "moyen terme (1–3 ans)", "medium term (1–3 years)"),
        Horizon::Long => tr(lang, "long terme (> 3 ans)", "long term (> 3 years)"),
    }
}

/// The council's decision about a generated action.
pub fn decision(decision: capacity::Decision, lang: Lang) -> &'static str {
    match decision {
        capacity::Decision::Proposed => tr(lang, "proposée", "proposed"),
        capacity::Decision::Accepted => tr(lang, "acceptée", "accepted"),
        capacity::Decision::Dropped => tr(
            lang,
            "abandonnée (hors total)",
            "dropped (not in the total)",
        ),
    }
}

/// Where one of the council's own actions stands.
pub fn action_status(status: capacity::ActionStatus, lang: Lang) -> &'static str {
    match status {
        capacity::ActionStatus::NotStarted => tr(lang, "non commencée", "not started"),
        capacity::ActionStatus::InProgress => tr(lang, "en cours", "in progress"),
        capacity::ActionStatus::Done => tr(lang, "réalisée", "done"),
    }
}

/// The short marks of a set of flags, for a table cell: `D*` (no
/// information), `≠` (disagreement), `NA` (not applicable by rule), `?`
/// (applicability unknown), `±` (mixed marks), `C` (consensus), `P`
/// (provisional), `T` (table fallback), `!` (rated despite the rule).
pub fn flag_marks(flags: Flags) -> String {
    const MARKS: [(Flags, &str); 9] = [
        (Flags::NO_INFORMATION, "D*"),
        (Flags::DISAGREEMENT, "≠"),
        (Flags::NOT_APPLICABLE_BY_RULE, "NA"),
        (Flags::APPLICABILITY_UNKNOWN, "?"),
        (Flags::MIXED_MARKS, "±"),
        (Flags::CONSENSUS, "C"),
        (Flags::PROVISIONAL, "P"),
        (Flags::TABLE_FALLBACK, "T"),
        (Flags::RATED_DESPITE_RULE, "!"),
    ];
    MARKS
        .iter()
        .filter(|(f, _)| flags.contains(*f))
        .map(|(_, m)| *m)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The flags in words, comma-separated.
pub fn flags(flags: Flags, lang: Lang) -> String {
    const WORDS: [(Flags, &str, &str); 9] = [
        (
            Flags::NO_INFORMATION,
            "pas d'information (D*)",
            "no information (D*)",
        ),
        (
            Flags::DISAGREEMENT,
            "désaccord entre évaluateurs",
            "raters disagree",
        ),
        (
            Flags::NOT_APPLICABLE_BY_RULE,
            "non applicable selon le référentiel",
            "not applicable by the rubric's rule",
        ),
        (
            Flags::APPLICABILITY_UNKNOWN,
            "applicabilité inconnue (population ou milieu manquant)",
            "applicability unknown (population or setting missing)",
        ),
        (
            Flags::MIXED_MARKS,
            "NA/NI mêlés à des niveaux",
            "NA/NI mixed with levels",
        ),
        (
            Flags::CONSENSUS,
            "consensus enregistré",
            "recorded consensus",
        ),
        (Flags::PROVISIONAL, "provisoire", "provisional"),
        (
            Flags::TABLE_FALLBACK,
            "table incomplète : maillon faible",
            "table incomplete: weakest link",
        ),
        (
            Flags::RATED_DESPITE_RULE,
            "noté malgré la règle (ignoré)",
            "rated despite the rule (ignored)",
        ),
    ];
    WORDS
        .iter()
        .filter(|(f, _, _)| flags.contains(*f))
        .map(|(_, fr, en)| tr(lang, fr, en))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The legend of [`flag_marks`], in `lang`.
pub fn flag_legend(lang: Lang) -> &'static str {
    tr(
        lang,
        "D* pas d'information · ≠ désaccord · NA non applicable (règle) · ? applicabilité inconnue · ± NA/NI mêlés · C consensus · P provisoire · T table incomplète · ! noté malgré la règle",
        "D* no information · ≠ disagreement · NA not applicable (rule) · ? applicability unknown · ± NA/NI mixed · C consensus · P provisional · T table incomplete · ! rated despite the rule",
    )
}

/// How the overall index combines the domains, as a sentence.
pub fn overall_rule(rubric: &CompiledRubric, lang: Lang) -> String {
    let method = rubric
        .node(capacity::ROOT)
        .map_or_else(String::new, |n| self::method(rubric, n.aggregate, lang));
    match lang {
        Lang::Fr => format!(
            "Score global sur 100 : {method} des domaines ; un niveau vaut (valeur − valeur la plus basse) / (plus haute − plus basse) × 100 ; les indicateurs non applicables et non répondus sont exclus et les poids renormalisés ; D* compte comme le niveau le plus bas."
        ),
        Lang::En => format!(
            "Overall score out of 100: {method} of the domains; a level scores (value − lowest value) / (highest − lowest) × 100; not applicable and unanswered indicators are left out and weights re-normalised; D* counts as the lowest level."
        ),
    }
}
