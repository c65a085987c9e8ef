//! Independent verification, as tables and as a printable report.
//!
//! [`side_by_side`] puts the self-assessed and the verified score of the
//! overall index, each domain and each competency next to each other;
//! [`differences`] lists every indicator whose level the verifier changed,
//! with both levels, the reason, both indicator scores and the change's
//! effect alone on the overall score. The results page, the commune
//! report ([`crate::CommuneReport::with_verification`]) and the
//! verification report ([`VerificationReport`]) all use these two tables,
//! so they say the same thing. The verified results come from the core
//! ([`capacity::verify()`]); nothing is scored here.

use crate::Error;
use crate::html::Html;
use crate::labels::{colon, tr};
use crate::page;
use crate::table::{Cell, Table};
use crate::tables::title;
use capacity::{
    Assessment, CompiledRubric, Lang, NodeIx, NodeKind, NodeRef, ROOT, Scored, Verification, format,
};
use rust_decimal::Decimal;

fn grade(rubric: &CompiledRubric, scored: &Scored, ix: NodeIx) -> String {
    scored
        .node(ix)
        .and_then(|n| n.grade)
        .map(|g| g.label(rubric))
        .unwrap_or_default()
}

fn delta(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    Some(b? - a?)
}

/// The self-assessed and verified scores and grades of the overall index,
/// every domain and every competency, with the change.
pub fn side_by_side(
    rubric: &CompiledRubric,
    self_scored: &Scored,
    verified: &Scored,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Auto-évaluation et vérification côte à côte",
            "Self-assessment and verification side by side",
        ),
        &[
            (
                "node",
                tr(lang, "Domaine ou compétence", "Domain or competency"),
            ),
            (
                "self_score",
                tr(lang, "Score auto-évalué", "Self-assessed score"),
            ),
            (
                "self_grade",
                tr(lang, "Niveau auto-évalué", "Self-assessed grade"),
            ),
            (
                "verified_score",
                tr(lang, "Score vérifié", "Verified score"),
            ),
            (
                "verified_grade",
                tr(lang, "Niveau vérifié", "Verified grade"),
            ),
            ("change", tr(lang, "Écart", "Change")),
        ],
    );
    for node in rubric.nodes() {
        let ix = match node.kind {
            NodeKind::Overall => ROOT,
            _ => match rubric.node_ix(&node.id) {
                Some(ix) => ix,
                None => continue,
            },
        };
        let (depth, name) = match node.kind {
            NodeKind::Overall => (0, tr(lang, "Score global", "Overall score").to_owned()),
            NodeKind::Domain => (1, title(rubric, NodeRef::Node(ix), lang)),
            NodeKind::Competency => (2, title(rubric, NodeRef::Node(ix), lang)),
        };
        let a = self_scored.node(ix).and_then(|n| n.score);
        let b = verified.node(ix).and_then(|n| n.score);
        t.push(vec![
            Cell::Tree { depth, text: name },
            Cell::Score(a),
            Cell::text(grade(rubric, self_scored, ix)),
            Cell::Score(b),
            Cell::text(grade(rubric, verified, ix)),
            Cell::Delta(delta(a, b)),
        ]);
    }
    t.with_note(tr(
        lang,
        "Le score vérifié est calculé par les mêmes règles que l'auto-évaluation, avec les niveaux du vérificateur à la place du consensus.",
        "The verified score is computed by the same rules as the self-assessment, with the verifier's levels in place of the consensus.",
    ))
}

/// A level as shown: its code, or "unanswered".
fn level(code: Option<&str>, lang: Lang) -> String {
    code.map_or_else(
        || tr(lang, "non répondu", "unanswered").to_owned(),
        str::to_owned,
    )
}

/// Every indicator whose verified level differs from the self-assessed
/// one: both levels, the reason, both scores and the change of the
/// overall score with that change alone.
pub fn differences(
    rubric: &CompiledRubric,
    self_scored: &Scored,
    verification: &Verification,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Niveaux changés par la vérification",
            "Levels changed by the verification",
        ),
        &[
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("title", tr(lang, "Intitulé", "Title")),
            (
                "self_level",
                tr(lang, "Niveau auto-évalué", "Self-assessed level"),
            ),
            (
                "verified_level",
                tr(lang, "Niveau vérifié", "Verified level"),
            ),
            ("reason", tr(lang, "Motif", "Reason")),
            (
                "self_score",
                tr(lang, "Score auto-évalué", "Self-assessed score"),
            ),
            (
                "verified_score",
                tr(lang, "Score vérifié", "Verified score"),
            ),
            (
                "overall_effect",
                tr(
                    lang,
                    "Effet seul sur le score global",
                    "Effect alone on the overall score",
                ),
            ),
        ],
    );
    for d in &verification.differences {
        t.push(vec![
            Cell::text(d.id.clone()),
            Cell::text(title(rubric, NodeRef::Indicator(d.indicator), lang)),
            Cell::text(level(d.self_level.as_deref(), lang)),
            Cell::text(level(d.verified_level.as_deref(), lang)),
            Cell::text(d.reason.clone().unwrap_or_default()),
            Cell::Score(d.self_score),
            Cell::Score(d.verified_score),
            Cell::Delta(delta(self_scored.overall, d.overall_alone)),
        ]);
    }
    t.with_note(tr(
        lang,
        "L'effet seul est le changement du score global si ce seul niveau était changé ; les effets de plusieurs changements ne s'additionnent pas forcément (poids renormalisés, maillon faible).",
        "The effect alone is the change of the overall score were this level the only one changed; the effects of several changes need not add up (re-normalised weights, weakest link).",
    ))
}

/// Who verified and where the verification stands, for the reports.
#[derive(Debug, Clone, Copy)]
pub struct Verifier<'a> {
    /// The verifier's name.
    pub name: &'a str,
    /// Completed (locked) or still in progress.
    pub completed: bool,
    /// When completed (UTC, RFC 3339).
    pub completed_at: Option<&'a str>,
    /// The verifier's closing comment.
    pub comment: Option<&'a str>,
    /// Indicators the verifier reviewed.
    pub reviewed: usize,
}

/// The verifier's line: who, status, how many indicators reviewed and
/// changed.
pub(crate) fn verifier_line(h: &mut Html, who: &Verifier<'_>, changes: usize, lang: Lang) {
    let status = if who.completed {
        match (lang, who.completed_at) {
            (Lang::Fr, Some(at)) => format!("terminée le {}", at.get(..10).unwrap_or(at)),
            (Lang::En, Some(at)) => format!("completed on {}", at.get(..10).unwrap_or(at)),
            (_, None) => tr(lang, "terminée", "completed").to_owned(),
        }
    } else {
        tr(
            lang,
            "en cours (résultat non définitif)",
            "in progress (not final)",
        )
        .to_owned()
    };
    let line = match lang {
        Lang::Fr => format!(
            "Vérification par {} — {status} · {} indicateurs examinés, {changes} niveau(x) changé(s).",
            who.name, who.reviewed
        ),
        Lang::En => format!(
            "Verification by {} — {status} · {} indicators reviewed, {changes} level(s) changed.",
            who.name, who.reviewed
        ),
    };
    h.elem("p", "data-testid=\"verification-status\"", &line)
        .nl();
    if let Some(comment) = who.comment {
        h.open("p", "")
            .text(tr(
                lang,
                "Commentaire du vérificateur",
                "Verifier's comment",
            ))
            .text(colon(lang))
            .text(comment)
            .close("p")
            .nl();
    }
}

/// The verification section: the verifier's line, both overall scores,
/// side by side per node, and every change.
pub(crate) fn write_section(
    h: &mut Html,
    rubric: &CompiledRubric,
    self_scored: &Scored,
    verification: &Verification,
    who: &Verifier<'_>,
    lang: Lang,
) {
    verifier_line(h, who, verification.differences.len(), lang);
    let score = |s: Option<Decimal>| s.map_or_else(|| "—".to_owned(), |s| format::score(s, lang));
    h.open("p", "")
        .text(tr(
            lang,
            "Score global auto-évalué",
            "Self-assessed overall score",
        ))
        .text(colon(lang));
    h.elem(
        "strong",
        "data-testid=\"self-overall\"",
        &score(self_scored.overall),
    );
    h.text(" · ")
        .text(tr(lang, "score global vérifié", "verified overall score"))
        .text(colon(lang));
    h.elem(
        "strong",
        "data-testid=\"verified-overall\"",
        &score(verification.scored.overall),
    );
    h.close("p").nl();
    side_by_side(rubric, self_scored, &verification.scored, lang).write_html(h, lang);
    if verification.differences.is_empty() {
        h.elem(
            "p",
            "",
            tr(
                lang,
                "Le vérificateur n'a changé aucun niveau.",
                "The verifier changed no level.",
            ),
        )
        .nl();
    } else {
        differences(rubric, self_scored, verification, lang).write_html(h, lang);
    }
}

/// The printable verification report of one assessment: the verifier,
/// both scores side by side, and every change with its reason.
#[derive(Debug, Clone, Copy)]
pub struct VerificationReport<'a> {
    /// The rubric.
    pub rubric: &'a CompiledRubric,
    /// The self-assessment.
    pub assessment: &'a Assessment,
    /// Its self-assessed results.
    pub self_scored: &'a Scored,
    /// The verified results and differences.
    pub verification: &'a Verification,
    /// Who verified and where it stands.
    pub verifier: Verifier<'a>,
}

impl VerificationReport<'_> {
    /// The report as one self-contained HTML document in `lang`.
    pub fn render(&self, lang: Lang) -> Result<String, Error> {
        let a = self.assessment;
        let c = &a.commune;
        let heading = match lang {
            Lang::Fr => format!("Rapport de vérification — {} ({})", c.name, a.round),
            Lang::En => format!("Verification report — {} ({})", c.name, a.round),
        };
        let mut h = Html::new();
        page::open(&mut h, lang, &heading);
        h.open("header", "").nl();
        h.elem("h1", "", &heading).nl();
        h.elem(
            "p",
            "class=\"sub\"",
            &format!(
                "{}, {} · {} {} {} · {} {}",
                c.cercle,
                c.region,
                tr(lang, "référentiel", "rubric"),
                self.rubric.rubric().id,
                self.rubric.rubric().version,
                tr(lang, "atelier du", "workshop of"),
                a.date,
            ),
        )
        .nl();
        h.close("header").nl();
        page::section(
            &mut h,
            "verification",
            tr(
                lang,
                "Vérification indépendante",
                "Independent verification",
            ),
            true,
        );
        write_section(
            &mut h,
            self.rubric,
            self.self_scored,
            self.verification,
            &self.verifier,
            lang,
        );
        page::end_section(&mut h);
        page::close(&mut h, lang, a.fictional, &[]);
        Ok(h.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capacity::{VerifiedLevel, example};

    #[test]
    fn the_report_lists_every_change_with_its_reason_and_both_scores() {
        let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("rubric");
        let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT).expect("fits");
        let scored = capacity::score(&rubric, &resolved).expect("scored");
        let verification = capacity::verify(
            &rubric,
            &assessment,
            &scored,
            &[VerifiedLevel {
                indicator: "ADM-OR-01".into(),
                level: "D".into(),
                reason: Some("Organigramme <non> adopté".into()),
            }],
        )
        .expect("verified");
        let report = VerificationReport {
            rubric: &rubric,
            assessment: &assessment,
            self_scored: &scored,
            verification: &verification,
            verifier: Verifier {
                name: "Vérificateur",
                completed: true,
                completed_at: Some("2026-12-06T10:00:00.000Z"),
                comment: None,
                reviewed: 3,
            },
        };
        let html = report.render(Lang::Fr).expect("rendered");
        roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>"))
            .expect("well-formed");
        assert!(html.contains("ADM-OR-01"));
        assert!(
            html.contains("Organigramme &lt;non&gt; adopté"),
            "escaped reason"
        );
        assert!(html.contains("terminée le 2026-12-06"));
        let diffs = differences(&rubric, &scored, &verification, Lang::En);
        assert_eq!(diffs.rows.len(), 1);
        assert_eq!(diffs.rows[0][2], Cell::text("B"));
        assert_eq!(diffs.rows[0][3], Cell::text("D"));
        let side = side_by_side(&rubric, &scored, &verification.scored, Lang::En);
        assert_eq!(side.rows.len(), rubric.nodes().len());
        assert_eq!(side.rows[0][1], Cell::Score(scored.overall));
        assert_eq!(side.rows[0][3], Cell::Score(verification.scored.overall));
    }
}
