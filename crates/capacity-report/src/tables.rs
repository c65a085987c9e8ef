//! Tables built from the core's results, in French or English: what the
//! command line prints and the reports show.
//!
//! Each function reads results the core computed ([`Scored`], [`capacity::Gaps`],
//! [`ActionPlan`], [`capacity::Comparison`], [`capacity::ReformNeeds`], [`Progress`],
//! [`GrantSimulation`]) and lays them out as a [`Table`]; none computes a
//! score, a share or a rank itself. Where a figure needs a method to be
//! read honestly (rankings, quartiles), the table carries it as a note.

use crate::labels::{self, tr};
use crate::table::{Cell, Table};
use capacity::planning::Share;
use capacity::{
    ActionPlan, Assessment, CompiledRubric, Condition, Flags, GrantSimulation, Group,
    GroupComparison, IndicatorIx, Lang, NodeIx, NodeKind, NodeRef, Progress, ROOT, Ranking,
    ReformGroup, Scored, Status,
};
use rust_decimal::Decimal;

/// A node's or indicator's title in `lang` (empty when unknown).
pub fn title(rubric: &CompiledRubric, r: NodeRef, lang: Lang) -> String {
    rubric
        .title(r)
        .map(|t| t.get(lang).to_owned())
        .unwrap_or_default()
}

/// A group's name: "all communes", a region, or "cercle of X (region)".
pub fn group_name(group: &Group, lang: Lang) -> String {
    match group {
        Group::National => tr(lang, "Ensemble des communes", "All communes").to_owned(),
        Group::Region { region } => region.clone(),
        Group::Cercle { region, cercle } => match lang {
            Lang::Fr => format!("Cercle de {cercle} ({region})"),
            Lang::En => format!("{cercle} cercle ({region})"),
        },
    }
}

/// The domains and competencies of the rubric, in rubric order (each
/// domain followed by its competencies).
pub fn tree_nodes(rubric: &CompiledRubric) -> Vec<NodeIx> {
    let mut out = Vec::new();
    for d in rubric.children(ROOT) {
        if let NodeRef::Node(d) = d {
            out.push(d);
            for c in rubric.children(d) {
                if let NodeRef::Node(c) = c {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The competencies of the rubric, in rubric order.
pub fn competencies(rubric: &CompiledRubric) -> Vec<NodeIx> {
    tree_nodes(rubric)
        .into_iter()
        .filter(|n| {
            rubric
                .node(*n)
                .is_some_and(|n| n.kind == NodeKind::Competency)
        })
        .collect()
}

/// The overall score and its grade, e.g. `62,5 (C)`, or `—`.
pub fn overall_text(rubric: &CompiledRubric, scored: &Scored, lang: Lang) -> String {
    match (scored.overall, scored.root().and_then(|r| r.grade)) {
        (Some(s), Some(g)) => format!("{} ({})", capacity::format::score(s, lang), g.label(rubric)),
        (Some(s), None) => capacity::format::score(s, lang),
        _ => "—".to_owned(),
    }
}

/// Every indicator of the rubric, in rubric order.
pub fn all_indicators(rubric: &CompiledRubric) -> Vec<IndicatorIx> {
    competencies(rubric)
        .into_iter()
        .flat_map(|c| rubric.children(c))
        .filter_map(|r| match r {
            NodeRef::Indicator(ix) => Some(ix),
            NodeRef::Node(_) => None,
        })
        .collect()
}

/// Indicators whose raters disagree, in rubric order.
pub fn disagreeing(rubric: &CompiledRubric, scored: &Scored) -> Vec<IndicatorIx> {
    all_indicators(rubric)
        .into_iter()
        .filter(|ix| {
            scored
                .indicator(*ix)
                .is_some_and(|r| r.flags.contains(Flags::DISAGREEMENT))
        })
        .collect()
}

/// Summary of one assessment: commune, round, raters, overall score with
/// the rule used, provisional flag and coverage, disagreements, minimum
/// conditions.
pub fn summary(
    rubric: &CompiledRubric,
    assessment: &Assessment,
    scored: &Scored,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(lang, "Résumé", "Summary"),
        &[
            ("item", tr(lang, "Élément", "Item")),
            ("value", tr(lang, "Valeur", "Value")),
        ],
    );
    let c = &assessment.commune;
    let mut row = |k: &str, v: String| t.push(vec![Cell::text(k), Cell::Text(v)]);
    row(tr(lang, "Commune", "Commune"), c.name.clone());
    row(
        tr(lang, "Cercle, région", "Cercle, region"),
        format!("{}, {}", c.cercle, c.region),
    );
    row(tr(lang, "Tour", "Round"), assessment.round.clone());
    row(tr(lang, "Date", "Date"), assessment.date.clone());
    let r = rubric.rubric();
    row(
        tr(lang, "Référentiel", "Rubric"),
        format!("{} ({} {})", r.title.get(lang), r.id, r.version),
    );
    row(
        tr(lang, "Évaluateurs", "Raters"),
        assessment
            .raters
            .iter()
            .map(|p| format!("{} ({})", p.name, labels::role(p.role, lang)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    row(
        tr(lang, "Score global", "Overall score"),
        overall_text(rubric, scored, lang),
    );
    row(
        tr(lang, "Provisoire", "Provisional"),
        labels::yes_no(scored.provisional, lang).to_owned(),
    );
    let cov = scored.coverage;
    row(
        tr(lang, "Couverture", "Coverage"),
        format!(
            "{}/{} {}{}",
            cov.answered,
            cov.applicable,
            tr(
                lang,
                "indicateurs applicables répondus",
                "applicable indicators answered"
            ),
            cov.ratio()
                .map(|r| format!(" ({})", capacity::format::percent(r, lang)))
                .unwrap_or_default()
        ),
    );
    row(
        tr(lang, "Non applicables, D*", "Not applicable, D*"),
        format!("{}, {}", cov.not_applicable, cov.no_information),
    );
    let dis = disagreeing(rubric, scored);
    row(
        tr(lang, "Désaccords", "Disagreements"),
        if dis.is_empty() {
            "0".to_owned()
        } else {
            format!("{} ({})", dis.len(), ids(rubric, &dis))
        },
    );
    let m = &scored.minimum_conditions;
    let list = |v: &[IndicatorIx]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids(rubric, v))
        }
    };
    row(
        tr(lang, "Conditions minimales", "Minimum conditions"),
        format!(
            "{} {} · {} {}{} · {} {}{}",
            m.met.len(),
            tr(lang, "remplies", "met"),
            m.failed.len(),
            tr(lang, "non remplies", "failed"),
            list(&m.failed),
            m.pending.len(),
            tr(lang, "en attente", "pending"),
            list(&m.pending),
        ),
    );
    t.with_note(labels::overall_rule(rubric, lang))
}

/// Indicator ids, comma-separated.
fn ids(rubric: &CompiledRubric, v: &[IndicatorIx]) -> String {
    v.iter()
        .map(|i| rubric.indicator(*i).map_or("?", |c| c.id.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The score tree: domains → competencies → indicators, with level or
/// grade, score, target, method, coverage, flags and minimum condition.
pub fn score_tree(rubric: &CompiledRubric, scored: &Scored, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Scores par domaine, compétence et indicateur",
            "Scores by domain, competency and indicator",
        ),
        &[
            ("id", "Id"),
            ("title", tr(lang, "Intitulé", "Title")),
            ("level", tr(lang, "Niveau", "Level")),
            ("score", "Score"),
            ("target", tr(lang, "Cible", "Target")),
            ("method", tr(lang, "Méthode", "Method")),
            ("coverage", tr(lang, "Couverture", "Coverage")),
            ("flags", tr(lang, "Signaux", "Flags")),
            (
                "condition",
                tr(lang, "Condition minimale", "Minimum condition"),
            ),
        ],
    );
    if let Some(root) = scored.root() {
        t.push(vec![
            Cell::Tree {
                depth: 0,
                text: rubric.rubric().id.clone(),
            },
            Cell::Text(tr(lang, "Score global", "Overall score").to_owned()),
            Cell::Text(
                root.grade
                    .map(|g| g.label(rubric))
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::Score(root.score),
            Cell::Empty,
            Cell::Text(
                rubric
                    .node(ROOT)
                    .map(|n| labels::method(rubric, n.aggregate, lang))
                    .unwrap_or_default(),
            ),
            Cell::Text(format!(
                "{}/{}",
                root.coverage.answered, root.coverage.applicable
            )),
            Cell::Text(labels::flag_marks(root.flags)),
            Cell::Empty,
        ]);
    }
    for d in rubric.children(ROOT) {
        push_subtree(&mut t, rubric, scored, d, 1, lang);
    }
    t.with_note(labels::flag_legend(lang))
}

fn push_subtree(
    t: &mut Table,
    rubric: &CompiledRubric,
    scored: &Scored,
    r: NodeRef,
    depth: u8,
    lang: Lang,
) {
    match r {
        NodeRef::Node(ix) => {
            let (Some(node), Some(res)) = (rubric.node(ix), scored.node(ix)) else {
                return;
            };
            let level = match res.status {
                capacity::NodeStatus::Scored => {
                    res.grade.map(|g| g.label(rubric)).unwrap_or_default()
                }
                capacity::NodeStatus::NotApplicable => "NA".to_owned(),
                capacity::NodeStatus::Unanswered => "—".to_owned(),
            };
            t.push(vec![
                Cell::Tree {
                    depth,
                    text: node.id.clone(),
                },
                Cell::Text(title(rubric, r, lang)),
                Cell::Text(level),
                Cell::Score(res.score),
                Cell::Empty,
                Cell::Text(labels::method(rubric, node.aggregate, lang)),
                Cell::Text(format!(
                    "{}/{}",
                    res.coverage.answered, res.coverage.applicable
                )),
                Cell::Text(labels::flag_marks(res.flags)),
                Cell::Empty,
            ]);
            for c in rubric.children(ix) {
                push_subtree(t, rubric, scored, c, depth + 1, lang);
            }
        }
        NodeRef::Indicator(ix) => {
            let (Some(ind), Some(res)) = (rubric.indicator(ix), scored.indicator(ix)) else {
                return;
            };
            t.push(vec![
                Cell::Tree {
                    depth,
                    text: ind.id.clone(),
                },
                Cell::Text(title(rubric, r, lang)),
                Cell::Text(labels::level_short(rubric, res.status)),
                Cell::Score(res.score),
                Cell::Text(rubric.level_code(res.target).to_owned()),
                Cell::Empty,
                Cell::Text(
                    match (res.is_applicable(), res.is_answered()) {
                        (false, _) => "0/0",
                        (true, true) => "1/1",
                        (true, false) => "0/1",
                    }
                    .to_owned(),
                ),
                Cell::Text(labels::flag_marks(res.flags)),
                Cell::Text(
                    res.condition
                        .map(|c| {
                            let min = rubric.level_code(ind.minimum);
                            format!(
                                "≥ {min}{}{}",
                                labels::colon(lang),
                                labels::condition(c, lang)
                            )
                        })
                        .unwrap_or_default(),
                ),
            ]);
        }
    }
}

/// Indicators whose raters disagree: each rater's mark, the spread and the
/// consolidated level.
pub fn disagreements(
    rubric: &CompiledRubric,
    assessment: &Assessment,
    scored: &Scored,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Désaccords entre évaluateurs",
            "Disagreements between raters",
        ),
        &[
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("title", tr(lang, "Intitulé", "Title")),
            (
                "ratings",
                tr(lang, "Notes des évaluateurs", "Raters' marks"),
            ),
            ("spread", tr(lang, "Écart (niveaux)", "Spread (levels)")),
            ("level", tr(lang, "Niveau retenu", "Level used")),
            ("consensus", tr(lang, "Consensus", "Consensus")),
        ],
    );
    for ix in disagreeing(rubric, scored) {
        let (Some(ind), Some(res)) = (rubric.indicator(ix), scored.indicator(ix)) else {
            continue;
        };
        let answer = assessment.answers.iter().find(|a| a.indicator == ind.id);
        let ratings = answer
            .map(|a| {
                a.ratings
                    .iter()
                    .map(|r| {
                        let who = assessment
                            .raters
                            .iter()
                            .find(|p| p.id == r.rater)
                            .map_or(r.rater.clone(), |p| {
                                format!("{} ({})", p.name, labels::role(p.role, lang))
                            });
                        format!("{who}{}{}", labels::colon(lang), r.level)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let consensus = answer
            .and_then(|a| a.consensus.as_ref())
            .map(|c| match &c.justification {
                Some(j) => format!("{} — {j}", c.level),
                None => c.level.clone(),
            })
            .unwrap_or_else(|| tr(lang, "aucun", "none").to_owned());
        t.push(vec![
            Cell::Text(ind.id.clone()),
            Cell::Text(title(rubric, NodeRef::Indicator(ix), lang)),
            Cell::Text(ratings),
            Cell::Int(u64::from(res.spread)),
            Cell::Text(labels::level_short(rubric, res.status)),
            Cell::Text(consensus),
        ]);
    }
    t.with_note(tr(
        lang,
        "Un désaccord est signalé quand les niveaux donnés sont séparés d'au moins l'écart fixé par le référentiel, même si un consensus a été enregistré : la différence de points de vue est en soi un constat.",
        "A disagreement is flagged when the levels given are at least the rubric's span apart, even when a consensus was recorded: the difference of views is itself a finding.",
    ))
}

/// The critical indicators and where their minimum condition stands.
pub fn minimum_conditions(rubric: &CompiledRubric, scored: &Scored, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(lang, "Conditions minimales", "Minimum conditions"),
        &[
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("title", tr(lang, "Intitulé", "Title")),
            ("minimum", tr(lang, "Minimum", "Minimum")),
            ("level", tr(lang, "Niveau", "Level")),
            ("condition", tr(lang, "Condition", "Condition")),
        ],
    );
    for ix in all_indicators(rubric) {
        let (Some(ind), Some(res)) = (rubric.indicator(ix), scored.indicator(ix)) else {
            continue;
        };
        let Some(cond) = res.condition else { continue };
        t.push(vec![
            Cell::Text(ind.id.clone()),
            Cell::Text(title(rubric, NodeRef::Indicator(ix), lang)),
            Cell::Text(rubric.level_code(ind.minimum).to_owned()),
            Cell::Text(labels::level_short(rubric, res.status)),
            Cell::Text(labels::condition(cond, lang).to_owned()),
        ]);
    }
    t.with_note(tr(
        lang,
        "Une condition minimale est remplie quand le niveau retenu atteint le minimum ; D* (pas d'information) ne la remplit pas ; non répondu : en attente.",
        "A minimum condition is met when the level used reaches the minimum; D* (no information) fails it; unanswered: pending.",
    ))
}

/// The priority ranking of gaps.
pub fn gaps(rubric: &CompiledRubric, scored: &Scored, gaps: &capacity::Gaps, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Écarts à la cible, par priorité",
            "Gaps to target, by priority",
        ),
        &[
            ("priority", tr(lang, "Priorité", "Priority")),
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("title", tr(lang, "Intitulé", "Title")),
            ("level", tr(lang, "Niveau", "Level")),
            ("target", tr(lang, "Cible", "Target")),
            ("gap_levels", tr(lang, "Écart (niveaux)", "Gap (levels)")),
            ("gap_points", tr(lang, "Écart (points)", "Gap (points)")),
            (
                "impact",
                tr(
                    lang,
                    "Impact (points du score global)",
                    "Impact (overall points)",
                ),
            ),
            ("reasons", tr(lang, "Raisons", "Reasons")),
        ],
    );
    for (rank, p) in gaps.priorities.iter().enumerate() {
        let ix = p.indicator;
        let (Some(ind), Some(res), Some(g)) = (
            rubric.indicator(ix),
            scored.indicator(ix),
            gaps.indicator(ix),
        ) else {
            continue;
        };
        let mut reasons = Vec::new();
        if p.failed_condition {
            reasons.push(format!(
                "{} (≥ {})",
                tr(
                    lang,
                    "condition minimale non remplie",
                    "minimum condition failed"
                ),
                rubric.level_code(ind.minimum)
            ));
        }
        if res.status == Status::NoInformation {
            reasons.push(tr(lang, "pas d'information (D*)", "no information (D*)").to_owned());
        }
        if res.flags.contains(Flags::DISAGREEMENT) {
            reasons.push(tr(lang, "désaccord", "disagreement").to_owned());
        }
        t.push(vec![
            Cell::Int(rank as u64 + 1),
            Cell::Text(ind.id.clone()),
            Cell::Text(title(rubric, NodeRef::Indicator(ix), lang)),
            Cell::Text(labels::level_short(rubric, res.status)),
            Cell::Text(rubric.level_code(res.target).to_owned()),
            Cell::Int(g.gap.map_or(0, |g| u64::from(g.levels))),
            Cell::Score(g.gap.map(|g| g.points)),
            Cell::Score(Some(p.impact)),
            Cell::Text(reasons.join(", ")),
        ]);
    }
    t.with_note(tr(
        lang,
        "Ordre : conditions minimales non remplies d'abord, puis impact décroissant (poids de l'indicateur dans le score global × écart en points), puis ordre du référentiel.",
        "Order: failed minimum conditions first, then by impact, largest first (the indicator's weight in the overall score × gap in points), then rubric order.",
    ))
}

/// The actions of a plan, in plan order.
pub fn plan_items(rubric: &CompiledRubric, plan: &ActionPlan, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(lang, "Plan d'action", "Action plan"),
        &[
            ("priority", tr(lang, "Priorité", "Priority")),
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("step", tr(lang, "Étape", "Step")),
            ("action", tr(lang, "Action", "Action")),
            ("responsible", tr(lang, "Responsable", "Responsible")),
            ("horizon", tr(lang, "Horizon", "Horizon")),
            ("cost_fcfa", tr(lang, "Coût", "Cost")),
            ("domain", tr(lang, "Domaine", "Domain")),
            ("competency", tr(lang, "Compétence", "Competency")),
            ("decision", tr(lang, "Décision", "Decision")),
        ],
    );
    for item in &plan.items {
        t.push(vec![
            Cell::Int(u64::from(item.priority)),
            Cell::Text(item.indicator_id.clone()),
            Cell::Text(format!(
                "{} → {}",
                rubric.level_code(item.step.from),
                rubric.level_code(item.step.to)
            )),
            Cell::Text(item.text.get(lang).to_owned()),
            Cell::Text(item.responsible.get(lang).to_owned()),
            Cell::Text(labels::horizon(item.horizon, lang).to_owned()),
            Cell::Money(item.cost()),
            Cell::Text(rubric.id(NodeRef::Node(item.domain)).to_owned()),
            Cell::Text(rubric.id(NodeRef::Node(item.competency)).to_owned()),
            Cell::text(labels::decision(item.decision, lang)),
        ]);
    }
    let uncosted: Vec<String> = plan
        .goals
        .iter()
        .filter(|g| !g.uncosted_steps.is_empty())
        .map(|g| {
            format!(
                "{} ({})",
                g.indicator_id,
                g.uncosted_steps
                    .iter()
                    .map(|l| format!("{} →", rubric.level_code(*l)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let mut note = tr(
        lang,
        "Coûts indicatifs du référentiel, en francs CFA. Les actions d'une même étape la franchissent ensemble.",
        "Indicative costs from the rubric, in CFA francs. The actions of one step close it together.",
    )
    .to_owned();
    if !uncosted.is_empty() {
        note.push(' ');
        note.push_str(tr(
            lang,
            "Étapes sans action chiffrée dans le référentiel (non comptées) : ",
            "Steps with no costed action in the rubric (not counted): ",
        ));
        note.push_str(&uncosted.join(", "));
        note.push('.');
    }
    t.with_note(note)
}

/// The council's own actions of a plan, in the order they were added
/// (all included in the plan's totals).
pub fn council_actions(rubric: &CompiledRubric, plan: &ActionPlan, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(lang, "Actions du conseil", "The council's own actions"),
        &[
            ("indicator", tr(lang, "Indicateur", "Indicator")),
            ("action", tr(lang, "Action", "Action")),
            ("responsible", tr(lang, "Responsable", "Responsible")),
            ("deadline", tr(lang, "Échéance", "Deadline")),
            ("horizon", tr(lang, "Horizon", "Horizon")),
            ("cost_fcfa", tr(lang, "Coût", "Cost")),
            ("status", tr(lang, "État", "Status")),
            ("competency", tr(lang, "Compétence", "Competency")),
        ],
    );
    for a in &plan.council {
        t.push(vec![
            Cell::Text(a.indicator_id.clone()),
            Cell::Text(a.title.clone()),
            Cell::Text(a.responsible.clone()),
            a.deadline.clone().map_or(Cell::Empty, Cell::Text),
            Cell::Text(labels::horizon(a.horizon, lang).to_owned()),
            Cell::Money(a.cost),
            Cell::text(labels::action_status(a.status, lang)),
            Cell::Text(rubric.id(NodeRef::Node(a.competency)).to_owned()),
        ]);
    }
    t
}

/// The totals of a plan: overall, by domain, by competency, by horizon.
pub fn plan_totals(rubric: &CompiledRubric, plan: &ActionPlan, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(lang, "Coût du plan d'action", "Cost of the action plan"),
        &[
            ("by", tr(lang, "Par", "By")),
            ("id", "Id"),
            ("title", tr(lang, "Intitulé", "Title")),
            ("actions", tr(lang, "Actions", "Actions")),
            ("cost_fcfa", tr(lang, "Coût", "Cost")),
        ],
    );
    let tot = &plan.totals;
    t.push(vec![
        Cell::text(tr(lang, "total", "total")),
        Cell::Empty,
        Cell::text(tr(
            lang,
            "Toutes les actions retenues",
            "All included actions",
        )),
        Cell::Int(u64::from(tot.included.actions)),
        Cell::Money(tot.included.cost),
    ]);
    if tot.council.actions > 0 {
        t.push(vec![
            Cell::text(tr(lang, "total", "total")),
            Cell::Empty,
            Cell::text(tr(
                lang,
                "dont actions du conseil",
                "of which the council's own actions",
            )),
            Cell::Int(u64::from(tot.council.actions)),
            Cell::Money(tot.council.cost),
        ]);
    }
    if tot.dropped.actions > 0 {
        t.push(vec![
            Cell::text(tr(lang, "total", "total")),
            Cell::Empty,
            Cell::text(tr(
                lang,
                "Abandonnées (hors total)",
                "Dropped (not in the total)",
            )),
            Cell::Int(u64::from(tot.dropped.actions)),
            Cell::Money(tot.dropped.cost),
        ]);
    }
    for n in &tot.by_domain {
        t.push(vec![
            Cell::text(tr(lang, "domaine", "domain")),
            Cell::Text(rubric.id(NodeRef::Node(n.node)).to_owned()),
            Cell::Text(title(rubric, NodeRef::Node(n.node), lang)),
            Cell::Int(u64::from(n.totals.actions)),
            Cell::Money(n.totals.cost),
        ]);
    }
    for n in &tot.by_competency {
        t.push(vec![
            Cell::text(tr(lang, "compétence", "competency")),
            Cell::Text(rubric.id(NodeRef::Node(n.node)).to_owned()),
            Cell::Text(title(rubric, NodeRef::Node(n.node), lang)),
            Cell::Int(u64::from(n.totals.actions)),
            Cell::Money(n.totals.cost),
        ]);
    }
    for h in &tot.by_horizon {
        t.push(vec![
            Cell::text(tr(lang, "horizon", "horizon")),
            Cell::Text(format!("{:?}", h.horizon).to_lowercase()),
            Cell::Text(labels::horizon(h.horizon, lang).to_owned()),
            Cell::Int(u64::from(h.totals.actions)),
            Cell::Money(h.totals.cost),
        ]);
    }
    if tot.uncosted_steps > 0 {
        t.note = Some(match lang {
            Lang::Fr => format!(
                "{} étape(s) sans action chiffrée ne sont pas comptées.",
                tot.uncosted_steps
            ),
            Lang::En => format!(
                "{} step(s) with no costed action are not counted.",
                tot.uncosted_steps
            ),
        });
    }
    t
}

/// Per group: communes, scored, provisional, share at or above basic,
/// quartiles of the score of `node`, and the distribution of grades.
pub fn groups(
    rubric: &CompiledRubric,
    groups: &[&GroupComparison],
    node: NodeIx,
    lang: Lang,
) -> Table {
    let levels: Vec<String> = rubric.levels().iter().map(|l| l.code.clone()).collect();
    let mut cols: Vec<(String, String)> = vec![
        ("group".to_owned(), tr(lang, "Groupe", "Group").to_owned()),
        (
            "communes".to_owned(),
            tr(lang, "Communes", "Communes").to_owned(),
        ),
        ("scored".to_owned(), tr(lang, "Notées", "Scored").to_owned()),
        (
            "provisional".to_owned(),
            tr(lang, "Provisoires", "Provisional").to_owned(),
        ),
        (
            "at_or_above_basic".to_owned(),
            format!("≥ {}", rubric.level_code(rubric.basic())),
        ),
        ("min".to_owned(), "Min".to_owned()),
        ("q1".to_owned(), "Q1".to_owned()),
        (
            "median".to_owned(),
            tr(lang, "Médiane", "Median").to_owned(),
        ),
        ("q3".to_owned(), "Q3".to_owned()),
        ("max".to_owned(), "Max".to_owned()),
    ];
    for code in &levels {
        cols.push((level_key(code), code.clone()));
    }
    cols.push(("not_applicable".to_owned(), "NA".to_owned()));
    cols.push((
        "unanswered".to_owned(),
        tr(lang, "Non répondu", "Unanswered").to_owned(),
    ));
    let what = if node == ROOT {
        tr(lang, "score global", "overall score").to_owned()
    } else {
        title(rubric, NodeRef::Node(node), lang)
    };
    let mut t = Table {
        title: match lang {
            Lang::Fr => format!("Répartition et quartiles — {what}"),
            Lang::En => format!("Distribution and quartiles — {what}"),
        },
        columns: cols
            .iter()
            .map(|(k, l)| crate::table::Column {
                key: k.clone(),
                label: l.clone(),
            })
            .collect(),
        rows: Vec::new(),
        note: None,
    };
    for g in groups {
        let Some(s) = g.nodes.get(node.index()) else {
            continue;
        };
        let q = s.scores.quartiles;
        let mut row = vec![
            Cell::Text(group_name(&g.group, lang)),
            Cell::Int(u64::from(g.communes)),
            Cell::Int(u64::from(s.scores.scored)),
            Cell::Int(u64::from(s.scores.provisional)),
            Cell::Share(s.at_or_above_basic),
            Cell::Score(q.min),
            Cell::Score(q.q1),
            Cell::Score(q.median),
            Cell::Score(q.q3),
            Cell::Score(q.max),
        ];
        row.extend(s.grades.iter().map(|n| Cell::Int(u64::from(*n))));
        row.push(Cell::Int(u64::from(s.not_applicable)));
        row.push(Cell::Int(u64::from(s.unanswered)));
        t.push(row);
    }
    t.with_note(tr(
        lang,
        "Niveaux d'abord : nombre de communes par niveau (bande du score), part au niveau de base ou au-dessus parmi les communes notées. Quartiles par interpolation linéaire (type 7, comme QUARTILE.INC d'Excel), provisoires incluses.",
        "Levels first: communes per level (band of the score), share at or above the basic level among scored communes. Quartiles by linear interpolation (type 7, as Excel's QUARTILE.INC), provisional results included.",
    ))
}

/// The CSV key of a level's column: `level_` and the code in lower case.
fn level_key(code: &str) -> String {
    format!("level_{}", code.to_lowercase())
}

/// Per domain and competency of one group: grades, share at or above
/// basic and median.
pub fn nodes(rubric: &CompiledRubric, group: &GroupComparison, lang: Lang) -> Table {
    let mut cols: Vec<(String, String)> = vec![
        ("id".to_owned(), "Id".to_owned()),
        ("title".to_owned(), tr(lang, "Intitulé", "Title").to_owned()),
        (
            "at_or_above_basic".to_owned(),
            format!("≥ {}", rubric.level_code(rubric.basic())),
        ),
        (
            "median".to_owned(),
            tr(lang, "Médiane", "Median").to_owned(),
        ),
    ];
    for l in rubric.levels() {
        cols.push((level_key(&l.code), l.code.clone()));
    }
    cols.push(("not_applicable".to_owned(), "NA".to_owned()));
    cols.push((
        "unanswered".to_owned(),
        tr(lang, "Non répondu", "Unanswered").to_owned(),
    ));
    let mut t = Table {
        title: match lang {
            Lang::Fr => format!(
                "Domaines et compétences — {}",
                group_name(&group.group, lang)
            ),
            Lang::En => format!(
                "Domains and competencies — {}",
                group_name(&group.group, lang)
            ),
        },
        columns: cols
            .iter()
            .map(|(k, l)| crate::table::Column {
                key: k.clone(),
                label: l.clone(),
            })
            .collect(),
        rows: Vec::new(),
        note: None,
    };
    for n in tree_nodes(rubric) {
        let (Some(s), Some(node)) = (group.nodes.get(n.index()), rubric.node(n)) else {
            continue;
        };
        let depth = if node.kind == NodeKind::Domain { 0 } else { 1 };
        let mut row = vec![
            Cell::Tree {
                depth,
                text: node.id.clone(),
            },
            Cell::Text(title(rubric, NodeRef::Node(n), lang)),
            Cell::Share(s.at_or_above_basic),
            Cell::Score(s.scores.quartiles.median),
        ];
        row.extend(s.grades.iter().map(|n| Cell::Int(u64::from(*n))));
        row.push(Cell::Int(u64::from(s.not_applicable)));
        row.push(Cell::Int(u64::from(s.unanswered)));
        t.push(row);
    }
    t
}

/// Per indicator of one group: communes per level, D*, not applicable
/// (by rule, declared), unanswered, share at or above basic.
pub fn indicators(rubric: &CompiledRubric, group: &GroupComparison, lang: Lang) -> Table {
    let mut cols: Vec<(String, String)> = vec![
        (
            "indicator".to_owned(),
            tr(lang, "Indicateur", "Indicator").to_owned(),
        ),
        ("title".to_owned(), tr(lang, "Intitulé", "Title").to_owned()),
        (
            "at_or_above_basic".to_owned(),
            format!("≥ {}", rubric.level_code(rubric.basic())),
        ),
    ];
    for l in rubric.levels() {
        cols.push((level_key(&l.code), l.code.clone()));
    }
    cols.push(("no_information".to_owned(), "D*".to_owned()));
    cols.push((
        "not_applicable_by_rule".to_owned(),
        tr(lang, "NA (règle)", "NA (rule)").to_owned(),
    ));
    cols.push((
        "not_applicable".to_owned(),
        tr(lang, "NA (déclaré)", "NA (declared)").to_owned(),
    ));
    cols.push((
        "unanswered".to_owned(),
        tr(lang, "Non répondu", "Unanswered").to_owned(),
    ));
    let mut t = Table {
        title: match lang {
            Lang::Fr => format!("Indicateurs — {}", group_name(&group.group, lang)),
            Lang::En => format!("Indicators — {}", group_name(&group.group, lang)),
        },
        columns: cols
            .iter()
            .map(|(k, l)| crate::table::Column {
                key: k.clone(),
                label: l.clone(),
            })
            .collect(),
        rows: Vec::new(),
        note: None,
    };
    for d in &group.indicators {
        let Some(ind) = rubric.indicator(d.indicator) else {
            continue;
        };
        let mut row = vec![
            Cell::Text(ind.id.clone()),
            Cell::Text(title(rubric, NodeRef::Indicator(d.indicator), lang)),
            Cell::Share(d.at_or_above_basic),
        ];
        row.extend(d.levels.iter().map(|n| Cell::Int(u64::from(*n))));
        row.push(Cell::Int(u64::from(d.no_information)));
        row.push(Cell::Int(u64::from(d.not_applicable_by_rule)));
        row.push(Cell::Int(u64::from(d.not_applicable)));
        row.push(Cell::Int(u64::from(d.unanswered)));
        t.push(row);
    }
    t.with_note(tr(
        lang,
        "Part au niveau de base ou au-dessus parmi les communes où l'indicateur s'applique et a une réponse ; D* compte en dessous du niveau de base.",
        "Share at or above the basic level among communes where the indicator applies and is answered; D* counts below basic.",
    ))
}

/// A ranking, with its method as the note. `name` gives a commune's name
/// from its id.
pub fn ranking(
    rubric: &CompiledRubric,
    ranking: &Ranking,
    name: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(lang, "Classement", "Ranking"),
        &[
            ("rank", tr(lang, "Rang", "Rank")),
            ("commune_id", "Id"),
            ("commune", tr(lang, "Commune", "Commune")),
            ("cercle", "Cercle"),
            ("region", tr(lang, "Région", "Region")),
            ("score", "Score"),
            (
                "region_rank",
                tr(lang, "Rang dans la région", "Rank in region"),
            ),
            ("provisional", tr(lang, "Provisoire", "Provisional")),
        ],
    );
    for e in &ranking.entries {
        t.push(vec![
            Cell::Text(if e.tied {
                format!("{}=", e.rank)
            } else {
                e.rank.to_string()
            }),
            Cell::Text(e.commune.clone()),
            Cell::Text(name(&e.commune)),
            Cell::Text(e.cercle.clone()),
            Cell::Text(e.region.clone()),
            Cell::Score(Some(e.score)),
            Cell::Int(u64::from(e.region_rank)),
            Cell::Text(if e.provisional {
                labels::yes_no(true, lang).to_owned()
            } else {
                String::new()
            }),
        ]);
    }
    let mut note = ranking.method.describe(rubric, lang);
    if !ranking.unranked.is_empty() {
        note.push(' ');
        note.push_str(tr(
            lang,
            "Sans score (non classées) : ",
            "Without a score (unranked): ",
        ));
        note.push_str(&ranking.unranked.join(", "));
        note.push('.');
    }
    t.with_note(note)
}

/// Reform needs of one group: competencies by share of communes below
/// basic, with the share that cannot exercise them and the costed gap.
pub fn reform(rubric: &CompiledRubric, group: &ReformGroup, lang: Lang) -> Table {
    let mut t = Table::new(
        match lang {
            Lang::Fr => format!("Besoins de réforme — {}", group_name(&group.group, lang)),
            Lang::En => format!("Reform needs — {}", group_name(&group.group, lang)),
        },
        &[
            ("rank", tr(lang, "Rang", "Rank")),
            ("competency", tr(lang, "Compétence", "Competency")),
            ("title", tr(lang, "Intitulé", "Title")),
            (
                "below_basic",
                tr(lang, "Sous le niveau de base", "Below basic"),
            ),
            (
                "cannot_exercise",
                tr(lang, "Ne peuvent l'exercer", "Cannot exercise"),
            ),
            (
                "transfer_not_effective",
                tr(lang, "Transfert non effectif", "Transfer not effective"),
            ),
            ("costed_gap_fcfa", tr(lang, "Coût des écarts", "Costed gap")),
            (
                "communes_with_gap",
                tr(lang, "Communes avec écart", "Communes with a gap"),
            ),
        ],
    );
    for ix in &group.by_share_below_basic {
        let Some(c) = group.competencies.iter().find(|c| c.competency == *ix) else {
            continue;
        };
        t.push(vec![
            Cell::Text(
                c.rank_by_share
                    .map_or_else(|| "—".to_owned(), |r| r.to_string()),
            ),
            Cell::Text(rubric.id(NodeRef::Node(c.competency)).to_owned()),
            Cell::Text(title(rubric, NodeRef::Node(c.competency), lang)),
            Cell::Share(c.share_below_basic),
            Cell::Share(c.cannot_exercise),
            Cell::Text(if c.transfer_not_effective {
                labels::yes_no(true, lang).to_owned()
            } else {
                String::new()
            }),
            Cell::Money(c.costed_gap),
            Cell::Int(u64::from(c.communes_with_gap)),
        ]);
    }
    let mut note = match lang {
        Lang::Fr => format!(
            "Compétences classées par part de communes notées sous le niveau de base (rang de compétition, parts comparées exactement). « Ne peuvent l'exercer » : non applicable selon le référentiel (compétence non transférée) ou sous le niveau de base ; transfert non effectif au-delà de la moitié. Coût total des écarts : {}.",
            capacity::format::fcfa(group.costed_gap, lang)
        ),
        Lang::En => format!(
            "Competencies by share of scored communes below the basic level (competition ranking, shares compared exactly). \"Cannot exercise\": not applicable by the rubric's rule (competence not transferred) or below basic; transfer not effective above one half. Total costed gap: {}.",
            capacity::format::fcfa(group.costed_gap, lang)
        ),
    };
    if group.uncosted_steps > 0 {
        note.push_str(&match lang {
            Lang::Fr => format!(
                " {} étape(s) sans action chiffrée non comptées.",
                group.uncosted_steps
            ),
            Lang::En => format!(
                " {} step(s) with no costed action not counted.",
                group.uncosted_steps
            ),
        });
    }
    t.with_note(note)
}

/// Transferable competences of one group: not transferred, below basic,
/// at or above basic, undetermined.
pub fn transfers(group: &ReformGroup, lang: Lang) -> Table {
    let mut t = Table::new(
        match lang {
            Lang::Fr => format!(
                "Compétences transférées — {}",
                group_name(&group.group, lang)
            ),
            Lang::En => format!(
                "Transferred competences — {}",
                group_name(&group.group, lang)
            ),
        },
        &[
            ("competence", tr(lang, "Compétence", "Competence")),
            (
                "not_transferred",
                tr(lang, "Non transférée", "Not transferred"),
            ),
            (
                "below_basic",
                tr(lang, "Sous le niveau de base", "Below basic"),
            ),
            (
                "at_or_above_basic",
                tr(lang, "Au niveau de base ou plus", "At or above basic"),
            ),
            ("undetermined", tr(lang, "Indéterminé", "Undetermined")),
            (
                "cannot_exercise",
                tr(lang, "Ne peuvent l'exercer", "Cannot exercise"),
            ),
            (
                "not_effective",
                tr(lang, "Transfert non effectif", "Transfer not effective"),
            ),
        ],
    );
    for n in &group.transfers {
        t.push(vec![
            Cell::Text(n.competence.clone()),
            Cell::Int(u64::from(n.not_transferred)),
            Cell::Int(u64::from(n.below_basic)),
            Cell::Int(u64::from(n.at_or_above_basic)),
            Cell::Int(u64::from(n.undetermined)),
            Cell::Share(n.cannot_exercise),
            Cell::Text(if n.not_effective {
                labels::yes_no(true, lang).to_owned()
            } else {
                String::new()
            }),
        ]);
    }
    t
}

/// One commune's progress between two rounds, per node.
pub fn progress(rubric: &CompiledRubric, p: &Progress, lang: Lang) -> Table {
    let mut t = Table::new(
        match lang {
            Lang::Fr => format!("Progrès entre les tours {} et {}", p.from_round, p.to_round),
            Lang::En => format!(
                "Progress between rounds {} and {}",
                p.from_round, p.to_round
            ),
        },
        &[
            ("id", "Id"),
            ("title", tr(lang, "Intitulé", "Title")),
            ("from", p.from_round.as_str()),
            ("to", p.to_round.as_str()),
            ("delta", tr(lang, "Évolution", "Change")),
        ],
    );
    t.push(vec![
        Cell::Tree {
            depth: 0,
            text: rubric.rubric().id.clone(),
        },
        Cell::text(tr(lang, "Score global", "Overall score")),
        Cell::Score(p.overall.from),
        Cell::Score(p.overall.to),
        Cell::Delta(p.overall.delta),
    ]);
    for n in tree_nodes(rubric) {
        let (Some(c), Some(node)) = (p.nodes.get(n.index()), rubric.node(n)) else {
            continue;
        };
        let depth = if node.kind == NodeKind::Domain { 1 } else { 2 };
        t.push(vec![
            Cell::Tree {
                depth,
                text: node.id.clone(),
            },
            Cell::Text(title(rubric, NodeRef::Node(n), lang)),
            Cell::Score(c.score.from),
            Cell::Score(c.score.to),
            Cell::Delta(c.score.delta),
        ]);
    }
    let s = p.summary;
    t.with_note(match lang {
        Lang::Fr => format!(
            "Indicateurs : {} en progrès, {} stables, {} en recul, {} non comparables ; écarts fermés : {}, ouverts : {}, toujours ouverts : {}.",
            s.improved, s.unchanged, s.declined, s.not_comparable, s.gaps_closed, s.gaps_opened, s.gaps_still_open
        ),
        Lang::En => format!(
            "Indicators: {} improved, {} unchanged, {} declined, {} not comparable; gaps closed: {}, opened: {}, still open: {}.",
            s.improved, s.unchanged, s.declined, s.not_comparable, s.gaps_closed, s.gaps_opened, s.gaps_still_open
        ),
    })
}

/// Progress of many communes between their rounds, one row per commune.
pub fn progress_many(progresses: &[Progress], name: &dyn Fn(&str) -> String, lang: Lang) -> Table {
    let mut t = Table::new(
        tr(lang, "Progrès entre les tours", "Progress between rounds"),
        &[
            ("commune_id", "Id"),
            ("commune", tr(lang, "Commune", "Commune")),
            ("from_round", tr(lang, "De", "From")),
            ("to_round", tr(lang, "À", "To")),
            ("from", tr(lang, "Score avant", "Score before")),
            ("to", tr(lang, "Score après", "Score after")),
            ("delta", tr(lang, "Évolution", "Change")),
            ("improved", tr(lang, "En progrès", "Improved")),
            ("unchanged", tr(lang, "Stables", "Unchanged")),
            ("declined", tr(lang, "En recul", "Declined")),
            ("gaps_closed", tr(lang, "Écarts fermés", "Gaps closed")),
            ("gaps_opened", tr(lang, "Écarts ouverts", "Gaps opened")),
        ],
    );
    for p in progresses {
        let s = p.summary;
        t.push(vec![
            Cell::Text(p.commune.clone()),
            Cell::Text(name(&p.commune)),
            Cell::Text(p.from_round.clone()),
            Cell::Text(p.to_round.clone()),
            Cell::Score(p.overall.from),
            Cell::Score(p.overall.to),
            Cell::Delta(p.overall.delta),
            Cell::Int(u64::from(s.improved)),
            Cell::Int(u64::from(s.unchanged)),
            Cell::Int(u64::from(s.declined)),
            Cell::Int(u64::from(s.gaps_closed)),
            Cell::Int(u64::from(s.gaps_opened)),
        ]);
    }
    t.with_note(tr(
        lang,
        "Un indicateur progresse quand son niveau retenu monte (D* compte comme le niveau le plus bas) ; non comparable quand il est non applicable ou non répondu à l'un des tours.",
        "An indicator improves when its level goes up (D* counts as the lowest level); not comparable when not applicable or unanswered in either round.",
    ))
}

/// A grant simulation: one row per commune, with eligibility reasons and
/// the amount; the note states the rules and that the amounts add up to
/// the pool.
pub fn grants(
    rubric: &CompiledRubric,
    sim: &GrantSimulation,
    name: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Table {
    let mut t = Table::new(
        tr(
            lang,
            "Simulation de dotation à la performance",
            "Performance-based grant simulation",
        ),
        &[
            ("commune_id", "Id"),
            ("commune", tr(lang, "Commune", "Commune")),
            ("region", tr(lang, "Région", "Region")),
            ("population", tr(lang, "Population", "Population")),
            ("score", "Score"),
            ("eligible", tr(lang, "Éligible", "Eligible")),
            ("reasons", tr(lang, "Motifs", "Reasons")),
            ("amount_fcfa", tr(lang, "Montant", "Amount")),
        ],
    );
    for a in &sim.allocations {
        let reasons: Vec<String> = a
            .eligibility
            .reasons
            .iter()
            .filter(|r| !r.passes())
            .map(|r| reason(rubric, r, lang))
            .collect();
        t.push(vec![
            Cell::Text(a.commune.clone()),
            Cell::Text(name(&a.commune)),
            Cell::Text(a.region.clone()),
            a.population.map_or(Cell::Empty, Cell::Int),
            Cell::Score(a.score),
            Cell::Text(labels::yes_no(a.eligibility.eligible, lang).to_owned()),
            Cell::Text(reasons.join("; ")),
            Cell::Money(a.amount),
        ]);
    }
    let rules = &sim.rules;
    let formula = match rules.formula {
        capacity::Formula::ScoreTimesPopulation => {
            tr(lang, "score × population", "score × population")
        }
        _ => tr(lang, "score", "score"),
    };
    t.with_note(match lang {
        Lang::Fr => format!(
            "Enveloppe {} ; seuil {} ; conditions minimales du référentiel ; répartition proportionnelle au {formula} par la méthode du plus fort reste. Éligibles : {} sur {}. Distribué : {} ; non distribué : {}.",
            capacity::format::fcfa(rules.pool, lang),
            capacity::format::score(rules.threshold, lang),
            sim.eligible,
            sim.allocations.len(),
            capacity::format::fcfa(sim.distributed, lang),
            capacity::format::fcfa(sim.undistributed, lang),
        ),
        Lang::En => format!(
            "Pool {}; threshold {}; the rubric's minimum conditions; shared in proportion to the {formula} by the largest-remainder method. Eligible: {} of {}. Distributed: {}; undistributed: {}.",
            capacity::format::fcfa(rules.pool, lang),
            capacity::format::score(rules.threshold, lang),
            sim.eligible,
            sim.allocations.len(),
            capacity::format::fcfa(sim.distributed, lang),
            capacity::format::fcfa(sim.undistributed, lang),
        ),
    })
}

/// An eligibility reason in words.
pub fn reason(rubric: &CompiledRubric, r: &capacity::EligibilityReason, lang: Lang) -> String {
    use capacity::EligibilityReason as R;
    let id = |ix: IndicatorIx| {
        rubric
            .indicator(ix)
            .map_or("?".to_owned(), |c| c.id.clone())
    };
    match (r, lang) {
        (R::MinimumConditionsMet { met, .. }, Lang::Fr) => {
            format!("{met} conditions minimales remplies")
        }
        (R::MinimumConditionsMet { met, .. }, Lang::En) => format!("{met} minimum conditions met"),
        (
            R::MinimumConditionFailed {
                indicator, minimum, ..
            },
            Lang::Fr,
        ) => {
            format!(
                "condition minimale {} non remplie (≥ {})",
                id(*indicator),
                rubric.level_code(*minimum)
            )
        }
        (
            R::MinimumConditionFailed {
                indicator, minimum, ..
            },
            Lang::En,
        ) => {
            format!(
                "minimum condition {} failed (≥ {})",
                id(*indicator),
                rubric.level_code(*minimum)
            )
        }
        (R::MinimumConditionPending { indicator }, Lang::Fr) => {
            format!("condition minimale {} en attente", id(*indicator))
        }
        (R::MinimumConditionPending { indicator }, Lang::En) => {
            format!("minimum condition {} pending", id(*indicator))
        }
        (R::Provisional { unanswered }, Lang::Fr) => {
            format!("provisoire ({unanswered} non répondus)")
        }
        (R::Provisional { unanswered }, Lang::En) => {
            format!("provisional ({unanswered} unanswered)")
        }
        (R::ProvisionalAccepted { .. }, _) => {
            tr(lang, "provisoire accepté", "provisional accepted").to_owned()
        }
        (R::ScoreAtOrAboveThreshold { .. }, _) => tr(
            lang,
            "score au seuil ou plus",
            "score at or above threshold",
        )
        .to_owned(),
        (R::BelowThreshold { score, threshold }, _) => format!(
            "{} {} < {}",
            tr(lang, "score", "score"),
            capacity::format::score(*score, lang),
            capacity::format::score(*threshold, lang)
        ),
        (R::NoScore, _) => tr(lang, "aucun score", "no score").to_owned(),
        (R::PopulationUnknown, _) => {
            tr(lang, "population inconnue", "population unknown").to_owned()
        }
        (R::PopulationOutOfRange { population }, _) => format!("population {population}?"),
        _ => format!("{r:?}"),
    }
}

/// The condition of a critical indicator, if any, in words.
pub fn condition_text(c: Option<Condition>, lang: Lang) -> String {
    c.map(|c| labels::condition(c, lang).to_owned())
        .unwrap_or_default()
}

/// A share in words for a sentence, e.g. `37,5 % (3/8)`.
pub fn share_text(s: Share, lang: Lang) -> String {
    Cell::Share(s).display(lang)
}

/// A decimal for a sentence (score format).
pub fn score_text(s: Option<Decimal>, lang: Lang) -> String {
    Cell::Score(s).display(lang)
}
