//! The planners' tables of gaps and priorities, for one or many
//! assessments.
//!
//! - **Priorities**: one row per commune, round and indicator of the
//!   core's priority ranking ([`capacity::gaps()`]: failed minimum
//!   conditions first, then by impact on the overall index): rank,
//!   indicator, its competency and domain, consolidated level (`NI` kept
//!   as such), target, minimum, whether the minimum condition fails, the
//!   gap in levels and in points, the global weight (%), the impact
//!   (points of the overall index) and the reasons in words.
//! - **Gaps by node**: one row per commune, round and node (overall,
//!   domains, competencies): score, mean gap in points, largest gap in
//!   levels, indicators below and at target, failed minimum conditions,
//!   global weight (%).
//! - **Legend**.
//!
//! Reads the core's results only.

use crate::error::Error;
use crate::scores::{
    check_scored, commune_cells, commune_headers, commune_legend, node_title, score_nodes,
};
use crate::table::{Cell, Export, Table};
use crate::words::{legend_codes, legend_headers, legend_name, node_score_cell, tr, yes_no};
use capacity::gaps::Reason;
use capacity::{CommuneResult, CompiledRubric, Lang, NodeKind, NodeRef, ROOT, Status};
use rust_decimal::Decimal;

impl Export {
    /// Gaps and priorities of one or many assessments (see the module
    /// documentation). Fails when a result was scored with another rubric.
    ///
    /// ```
    /// use capacity::{CommuneResult, CompiledRubric, Lang, example};
    /// use capacity_exchange::Export;
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
    /// let scored = capacity::score(&rubric, &resolved)?;
    /// let export = Export::gaps(&rubric, &[CommuneResult::new(&assessment, &scored)], Lang::Fr)?;
    /// let priorities = &export.tables[0];
    /// assert_eq!(priorities.name, "Priorités");
    /// assert!(!priorities.rows.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gaps(
        rubric: &CompiledRubric,
        results: &[CommuneResult<'_>],
        lang: Lang,
    ) -> Result<Export, Error> {
        let priority_columns = priority_columns(lang);
        let node_columns = node_columns(lang);
        let mut headers = commune_headers(lang);
        headers.extend(priority_columns.iter().map(|(h, _)| (*h).to_owned()));
        let mut priorities = Table::new(tr(lang, "Priorités", "Priorities"), headers);
        let mut headers = commune_headers(lang);
        headers.extend(node_columns.iter().map(|(h, _)| (*h).to_owned()));
        let mut by_node = Table::new(tr(lang, "Écarts par nœud", "Gaps by node"), headers);
        let hundred = Decimal::ONE_HUNDRED;
        let nodes: Vec<_> = std::iter::once((ROOT, NodeKind::Overall))
            .chain(score_nodes(rubric))
            .collect();

        for result in results {
            let scored = result.scored;
            check_scored(rubric, scored, &result.commune.id, result.round)?;
            let gaps = capacity::gaps(rubric, scored).map_err(|_| Error::RubricMismatch {
                what: format!(
                    "the result of {}, round {}",
                    result.commune.id, result.round
                ),
                expected: rubric.key().to_owned(),
                found: scored.rubric.clone(),
            })?;
            for (rank, p) in gaps.priorities.iter().enumerate() {
                let ix = p.indicator;
                let (Some(compiled), Some(r), Some(g)) = (
                    rubric.indicator(ix),
                    scored.indicator(ix),
                    gaps.indicator(ix),
                ) else {
                    continue;
                };
                let competency = compiled.parent;
                let domain = rubric
                    .node(competency)
                    .and_then(|n| n.parent)
                    .unwrap_or(ROOT);
                let mut row = commune_cells(result);
                row.push(Cell::count(rank + 1));
                row.push(Cell::text(&compiled.id));
                row.push(Cell::text(
                    rubric
                        .title(NodeRef::Indicator(ix))
                        .map(|t| t.get(lang))
                        .unwrap_or_default(),
                ));
                row.push(Cell::text(node_title(rubric, competency, lang)));
                row.push(Cell::text(node_title(rubric, domain, lang)));
                row.push(match (r.status, g.level) {
                    (Status::NoInformation, _) => Cell::text(capacity::NO_INFORMATION),
                    (_, Some(l)) => Cell::text(rubric.level_code(l)),
                    _ => Cell::Empty,
                });
                row.push(Cell::text(rubric.level_code(g.target)));
                row.push(if compiled.critical {
                    Cell::text(rubric.level_code(compiled.minimum))
                } else {
                    Cell::Empty
                });
                row.push(yes_no(lang, p.failed_condition));
                match g.gap {
                    Some(gap) => {
                        row.push(Cell::int(gap.levels));
                        row.push(Cell::score(gap.points));
                    }
                    None => row.extend([Cell::Empty, Cell::Empty]),
                }
                row.push(Cell::Number {
                    value: g.global_weight * hundred,
                    places: 2,
                });
                row.push(Cell::Number {
                    value: p.impact,
                    places: 2,
                });
                row.push(Cell::text(reasons(rubric, p.reasons.iter(), lang)));
                priorities.rows.push(row);
            }
            for (ix, kind) in &nodes {
                let Some(g) = gaps.node(*ix) else { continue };
                let mut row = commune_cells(result);
                row.push(Cell::text(match kind {
                    NodeKind::Overall => tr(lang, "global", "overall"),
                    NodeKind::Domain => tr(lang, "domaine", "domain"),
                    NodeKind::Competency => tr(lang, "compétence", "competency"),
                }));
                row.push(if *kind == NodeKind::Overall {
                    Cell::Empty
                } else {
                    Cell::text(rubric.node(*ix).map(|n| n.id.as_str()).unwrap_or_default())
                });
                row.push(Cell::text(node_title(rubric, *ix, lang)));
                row.push(node_score_cell(scored.node(*ix)));
                row.push(g.points.map_or(Cell::Empty, Cell::score));
                row.push(Cell::int(g.max_levels));
                row.push(Cell::int(g.below_target));
                row.push(Cell::int(g.at_target));
                row.push(Cell::int(g.failed_conditions));
                row.push(Cell::Number {
                    value: g.global_weight * hundred,
                    places: 2,
                });
                by_node.rows.push(row);
            }
        }

        let mut legend = Table::new(legend_name(lang), legend_headers(lang));
        legend.rows = legend_codes(rubric, lang);
        legend.rows.push(vec![
            Cell::text(tr(lang, "Priorités", "Priorities")),
            Cell::text(tr(
                lang,
                "Indicateurs sous la cible ou qui ne remplissent pas leur condition minimale, par commune et tour : d'abord les conditions minimales non remplies, puis par impact décroissant (poids global × écart en points)",
                "Indicators below target or failing their minimum condition, per commune and round: failed minimum conditions first, then by impact, largest first (global weight × gap in points)",
            )),
        ]);
        legend.rows.extend(commune_legend(lang));
        for (h, meaning) in priority_columns.into_iter().chain(node_columns) {
            legend.rows.push(vec![Cell::text(h), Cell::text(meaning)]);
        }
        Ok(Export {
            tables: vec![priorities, by_node, legend],
        })
    }
}

/// The reasons of a priority, in words, `; `-separated (the weight and
/// the impact have their own columns).
fn reasons(rubric: &CompiledRubric, reasons: impl Iterator<Item = Reason>, lang: Lang) -> String {
    let mut out: Vec<String> = Vec::new();
    for reason in reasons {
        match reason {
            Reason::FailedMinimumCondition { minimum, .. } => out.push(format!(
                "{} ({} {})",
                tr(
                    lang,
                    "condition minimale non remplie",
                    "minimum condition failed"
                ),
                tr(lang, "minimum", "minimum"),
                rubric.level_code(minimum)
            )),
            Reason::BelowTarget { level, target, .. } => out.push(format!(
                "{} ({} → {})",
                tr(lang, "sous la cible", "below target"),
                rubric.level_code(level),
                rubric.level_code(target)
            )),
            Reason::NoInformation => out.push(
                tr(
                    lang,
                    "pas d'information (D*) : niveau le plus bas supposé",
                    "no information (D*): the lowest level assumed",
                )
                .to_owned(),
            ),
            Reason::Disagreement { spread } => out.push(format!(
                "{} ({spread} {})",
                tr(lang, "désaccord des évaluateurs", "raters disagree"),
                tr(lang, "niveaux d'écart", "levels apart")
            )),
            _ => {}
        }
    }
    out.join("; ")
}

fn priority_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Rang", "Rank"),
            tr(
                lang,
                "Rang dans les priorités de la commune pour ce tour (1 = la première)",
                "Rank among the commune's priorities for the round (1 = first)",
            ),
        ),
        (
            tr(lang, "Indicateur", "Indicator"),
            tr(lang, "Identifiant de l'indicateur", "The indicator's id"),
        ),
        (
            tr(lang, "Intitulé", "Title"),
            tr(lang, "Intitulé de l'indicateur", "The indicator's title"),
        ),
        (
            tr(lang, "Compétence", "Competency"),
            tr(
                lang,
                "Compétence de l'indicateur",
                "The indicator's competency",
            ),
        ),
        (
            tr(lang, "Domaine", "Domain"),
            tr(lang, "Domaine de l'indicateur", "The indicator's domain"),
        ),
        (
            tr(lang, "Niveau", "Level"),
            tr(
                lang,
                "Niveau consolidé (NI : pas d'information, compté au niveau le plus bas)",
                "Consolidated level (NI: no information, counted as the lowest level)",
            ),
        ),
        (
            tr(lang, "Cible", "Target"),
            tr(
                lang,
                "Niveau visé (cible du référentiel ou de l'évaluation)",
                "Target level (the rubric's, or the assessment's override)",
            ),
        ),
        (
            tr(lang, "Minimum", "Minimum"),
            tr(
                lang,
                "Niveau exigé d'un indicateur critique (vide : pas une condition minimale)",
                "Level a critical indicator needs (empty: not a minimum condition)",
            ),
        ),
        (
            tr(
                lang,
                "Condition minimale non remplie",
                "Minimum condition failed",
            ),
            tr(
                lang,
                "oui : indicateur critique sous son minimum ou sans information",
                "yes: a critical indicator below its minimum, or with no information",
            ),
        ),
        (
            tr(lang, "Écart (niveaux)", "Gap (levels)"),
            tr(
                lang,
                "Nombre de niveaux sous la cible",
                "Levels below target",
            ),
        ),
        (
            tr(lang, "Écart (points)", "Gap (points)"),
            tr(
                lang,
                "Points de score sous la cible (0 à 100)",
                "Score points below target (0 to 100)",
            ),
        ),
        (
            tr(lang, "Poids global (%)", "Global weight (%)"),
            tr(
                lang,
                "Part de l'indicateur dans l'indice global, en %",
                "The indicator's share of the overall index, in %",
            ),
        ),
        (
            tr(lang, "Impact (points)", "Impact (points)"),
            tr(
                lang,
                "Poids global × écart en points : points de l'indice global à gagner",
                "Global weight × gap in points: points of the overall index to gain",
            ),
        ),
        (
            tr(lang, "Raisons", "Reasons"),
            tr(
                lang,
                "Pourquoi l'indicateur est prioritaire",
                "Why the indicator is a priority",
            ),
        ),
    ]
}

fn node_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Type", "Kind"),
            tr(
                lang,
                "global, domaine ou compétence",
                "overall, domain or competency",
            ),
        ),
        (
            tr(lang, "Identifiant", "Id"),
            tr(
                lang,
                "Identifiant du domaine ou de la compétence",
                "The domain's or competency's id",
            ),
        ),
        (
            tr(lang, "Intitulé du nœud", "Node title"),
            tr(
                lang,
                "Intitulé du domaine ou de la compétence",
                "The domain's or competency's title",
            ),
        ),
        (
            tr(lang, "Score", "Score"),
            tr(
                lang,
                "Score de 0 à 100 (NA : rien d'applicable ; vide : rien de répondu)",
                "Score from 0 to 100 (NA: nothing applies; empty: nothing answered)",
            ),
        ),
        (
            tr(lang, "Écart moyen (points)", "Mean gap (points)"),
            tr(
                lang,
                "Moyenne pondérée des écarts en points des éléments répondus",
                "Weighted mean of the answered children's gaps in points",
            ),
        ),
        (
            tr(lang, "Écart max (niveaux)", "Largest gap (levels)"),
            tr(
                lang,
                "Plus grand écart en niveaux parmi ses indicateurs",
                "Largest gap in levels among its indicators",
            ),
        ),
        (
            tr(lang, "Sous la cible", "Below target"),
            tr(
                lang,
                "Indicateurs répondus sous la cible",
                "Answered indicators below target",
            ),
        ),
        (
            tr(lang, "À la cible", "At target"),
            tr(
                lang,
                "Indicateurs répondus à la cible ou au-dessus",
                "Answered indicators at or above target",
            ),
        ),
        (
            tr(lang, "Conditions non remplies", "Failed conditions"),
            tr(
                lang,
                "Indicateurs critiques qui ne remplissent pas leur condition minimale",
                "Critical indicators failing their minimum condition",
            ),
        ),
        (
            tr(lang, "Poids global du nœud (%)", "Node global weight (%)"),
            tr(
                lang,
                "Part du nœud dans l'indice global, en %",
                "The node's share of the overall index, in %",
            ),
        ),
    ]
}
