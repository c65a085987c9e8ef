//! The planners' tables of one commune's costed action plan
//! ([`capacity::ActionPlan`]).
//!
//! - **Actions**: one row per action, in plan order: priority, indicator,
//!   its title, domain and competency, the step it closes (`D → C`), what
//!   to do, the rubric's indicative cost and the cost retained (the
//!   council's override, else the rubric's), both in FCFA, the horizon,
//!   the role responsible and the council's decision.
//! - **Totals**: included actions (proposed or accepted), accepted ones,
//!   dropped ones (left out of the total), steps with no costed action
//!   (never priced at zero silently), then included actions by domain, by
//!   competency and by horizon: a count and a cost each.
//! - **Council actions** (only when the council added some): the council's
//!   own actions, with the indicator, what to do, the person responsible,
//!   the deadline, the horizon, the cost and where each stands; they are
//!   included in every total (the totals say how much of it they are).
//! - **Goals**: per indicator of the plan, the level it starts from (`NI`
//!   kept as such), the target, the goal, whether it fails its minimum
//!   condition, and the steps the rubric has no action for.
//! - **Legend**: the commune and round, and what the codes mean.
//!
//! Reads the plan and the rubric only.

use crate::error::Error;
use crate::scores::node_title;
use crate::table::{Cell, Export, Table};
use crate::words::{decision, horizon, legend_codes, legend_headers, legend_name, tr, yes_no};
use capacity::plan::{NodeTotals, Totals};
use capacity::{
    ActionPlan, ActionStatus, Commune, CompiledRubric, Decision, Horizon, Lang, LevelIx, NodeRef,
};

fn step(rubric: &CompiledRubric, from: LevelIx, to: LevelIx) -> String {
    format!("{} → {}", rubric.level_code(from), rubric.level_code(to))
}

impl Export {
    /// The tables of one commune's action plan (see the module
    /// documentation). `commune` names the commune the plan was made for;
    /// fails when the plan was made with another rubric or for another
    /// commune.
    ///
    /// ```
    /// use capacity::{ActionPlan, CommuneResult, CompiledRubric, Lang, example};
    /// use capacity_exchange::{Cell, Export};
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
    /// let scored = capacity::score(&rubric, &resolved)?;
    /// let plan = ActionPlan::new(&rubric, &CommuneResult::new(&assessment, &scored))?;
    /// let export = Export::plan(&rubric, &plan, &assessment.commune, Lang::En)?;
    /// let totals = export.table("Totals").expect("a totals table");
    /// assert_eq!(totals.rows[0][2], Cell::text("Total (included actions)"));
    /// assert_eq!(totals.rows[0][4], Cell::Money(1_370_000.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(
        rubric: &CompiledRubric,
        plan: &ActionPlan,
        commune: &Commune,
        lang: Lang,
    ) -> Result<Export, Error> {
        if plan.rubric != rubric.key() {
            return Err(Error::RubricMismatch {
                what: format!("the plan of {}, round {}", plan.commune, plan.round),
                expected: rubric.key().to_owned(),
                found: plan.rubric.clone(),
            });
        }
        if plan.commune != commune.id {
            return Err(Error::CommuneMismatch {
                plan: plan.commune.clone(),
                given: commune.id.clone(),
            });
        }
        let indicator_title = |ix| {
            rubric
                .title(NodeRef::Indicator(ix))
                .map(|t| t.get(lang).to_owned())
                .unwrap_or_default()
        };

        let action_columns = action_columns(lang);
        let mut actions = Table::new(
            tr(lang, "Actions", "Actions"),
            action_columns
                .iter()
                .map(|(h, _)| (*h).to_owned())
                .collect(),
        );
        for item in &plan.items {
            actions.rows.push(vec![
                Cell::int(item.priority),
                Cell::text(&item.indicator_id),
                Cell::text(indicator_title(item.indicator)),
                Cell::text(node_title(rubric, item.domain, lang)),
                Cell::text(node_title(rubric, item.competency, lang)),
                Cell::text(step(rubric, item.step.from, item.step.to)),
                Cell::text(item.text.get(lang)),
                Cell::Money(item.rubric_cost),
                Cell::Money(item.cost()),
                Cell::text(horizon(lang, item.horizon)),
                Cell::text(item.responsible.get(lang)),
                Cell::text(decision(lang, item.decision)),
            ]);
        }

        let total_columns = total_columns(lang);
        let mut totals = Table::new(
            tr(lang, "Totaux", "Totals"),
            total_columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
        );
        let t = &plan.totals;
        let line = |group: &str, id: &str, label: &str, totals: &Totals| {
            vec![
                Cell::text(group),
                if id.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(id)
                },
                Cell::text(label),
                Cell::int(totals.actions),
                Cell::Money(totals.cost),
            ]
        };
        let total = tr(lang, "Total", "Total");
        totals.rows.push(line(
            total,
            "",
            tr(lang, "Total (actions retenues)", "Total (included actions)"),
            &t.included,
        ));
        totals.rows.push(line(
            total,
            "",
            tr(lang, "dont acceptées", "of which accepted"),
            &t.accepted,
        ));
        if t.council.actions > 0 {
            totals.rows.push(line(
                total,
                "",
                tr(
                    lang,
                    "dont actions du conseil",
                    "of which the council's own actions",
                ),
                &t.council,
            ));
        }
        totals.rows.push(line(
            total,
            "",
            tr(
                lang,
                "Abandonnées (hors total)",
                "Dropped (not in the total)",
            ),
            &t.dropped,
        ));
        totals.rows.push(vec![
            Cell::text(total),
            Cell::Empty,
            Cell::text(tr(
                lang,
                "Étapes sans action chiffrée (non comptées)",
                "Steps with no costed action (not counted)",
            )),
            Cell::int(t.uncosted_steps),
            Cell::Empty,
        ]);
        let nodes = |group: &str, list: &[NodeTotals], rows: &mut Vec<Vec<Cell>>| {
            for n in list {
                let id = rubric
                    .node(n.node)
                    .map(|n| n.id.as_str())
                    .unwrap_or_default();
                rows.push(line(
                    group,
                    id,
                    &node_title(rubric, n.node, lang),
                    &n.totals,
                ));
            }
        };
        nodes(
            tr(lang, "Domaine", "Domain"),
            &t.by_domain,
            &mut totals.rows,
        );
        nodes(
            tr(lang, "Compétence", "Competency"),
            &t.by_competency,
            &mut totals.rows,
        );
        for h in &t.by_horizon {
            let id = match h.horizon {
                Horizon::Short => "short",
                Horizon::Medium => "medium",
                Horizon::Long => "long",
            };
            totals.rows.push(line(
                tr(lang, "Horizon", "Horizon"),
                id,
                horizon(lang, h.horizon),
                &h.totals,
            ));
        }

        let goal_columns = goal_columns(lang);
        let mut goals = Table::new(
            tr(lang, "Objectifs", "Goals"),
            goal_columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
        );
        for g in &plan.goals {
            let uncosted: Vec<String> = g
                .uncosted_steps
                .iter()
                .map(|from| {
                    let to = rubric
                        .levels()
                        .get(from.index() + 1)
                        .map_or("?", |l| l.code.as_str());
                    format!("{} → {to}", rubric.level_code(*from))
                })
                .collect();
            goals.rows.push(vec![
                Cell::int(g.priority),
                Cell::text(&g.indicator_id),
                Cell::text(indicator_title(g.indicator)),
                Cell::text(if g.no_information {
                    capacity::NO_INFORMATION
                } else {
                    rubric.level_code(g.level)
                }),
                Cell::text(rubric.level_code(g.target)),
                Cell::text(rubric.level_code(g.goal)),
                yes_no(lang, g.failed_condition),
                if uncosted.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(uncosted.join(", "))
                },
            ]);
        }

        let mut council = Table::new(
            tr(lang, "Actions du conseil", "Council actions"),
            [
                tr(lang, "Indicateur", "Indicator"),
                tr(lang, "Intitulé", "Title"),
                tr(lang, "Action", "Action"),
                tr(lang, "Responsable", "Responsible"),
                tr(lang, "Échéance", "Deadline"),
                tr(lang, "Horizon", "Horizon"),
                tr(lang, "Coût (FCFA)", "Cost (FCFA)"),
                tr(lang, "État", "Status"),
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        );
        for a in &plan.council {
            council.rows.push(vec![
                Cell::text(&a.indicator_id),
                Cell::text(indicator_title(a.indicator)),
                Cell::text(&a.title),
                Cell::text(&a.responsible),
                a.deadline.as_ref().map_or(Cell::Empty, Cell::text),
                Cell::text(horizon(lang, a.horizon)),
                Cell::Money(a.cost),
                Cell::text(match a.status {
                    ActionStatus::NotStarted => tr(lang, "non commencée", "not started"),
                    ActionStatus::InProgress => tr(lang, "en cours", "in progress"),
                    ActionStatus::Done => tr(lang, "réalisée", "done"),
                }),
            ]);
        }

        let mut legend = Table::new(legend_name(lang), legend_headers(lang));
        legend.rows.push(vec![
            Cell::text(tr(lang, "Commune", "Commune")),
            Cell::text(format!(
                "{} ({}) — {} {}, {} {}",
                commune.name,
                commune.id,
                tr(lang, "cercle de", "cercle of"),
                commune.cercle,
                tr(lang, "région de", "region of"),
                commune.region
            )),
        ]);
        legend.rows.push(vec![
            Cell::text(tr(lang, "Tour", "Round")),
            Cell::text(&plan.round),
        ]);
        legend.rows.extend(legend_codes(rubric, lang));
        legend.rows.push(vec![
            Cell::text(tr(lang, "Coûts", "Costs")),
            Cell::text(tr(
                lang,
                "En francs CFA (FCFA), indicatifs : ceux du référentiel, sauf quand le conseil a retenu un autre montant ; à adapter aux prix locaux. Plusieurs actions d'une même étape la franchissent ensemble.",
                "In CFA francs (FCFA), indicative: the rubric's, unless the council retained another amount; adapt them to local prices. Several actions of the same step close it together.",
            )),
        ]);
        for d in [Decision::Proposed, Decision::Accepted, Decision::Dropped] {
            let meaning = match d {
                Decision::Proposed => tr(
                    lang,
                    "proposée par le référentiel, pas encore décidée : comptée dans le total",
                    "proposed by the rubric, not yet decided: counted in the total",
                ),
                Decision::Accepted => tr(
                    lang,
                    "acceptée par le conseil : comptée dans le total",
                    "accepted by the council: counted in the total",
                ),
                Decision::Dropped => tr(
                    lang,
                    "abandonnée par le conseil : hors total",
                    "dropped by the council: not in the total",
                ),
            };
            legend
                .rows
                .push(vec![Cell::text(decision(lang, d)), Cell::text(meaning)]);
        }
        for (h, meaning) in action_columns
            .into_iter()
            .chain(total_columns)
            .chain(goal_columns)
        {
            legend.rows.push(vec![Cell::text(h), Cell::text(meaning)]);
        }
        let mut tables = vec![actions, totals];
        if !council.rows.is_empty() {
            tables.push(council);
        }
        tables.extend([goals, legend]);
        Ok(Export { tables })
    }
}

fn action_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Priorité", "Priority"),
            tr(
                lang,
                "Rang de l'indicateur dans les priorités (1 = le premier)",
                "The indicator's rank among the priorities (1 = first)",
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
            tr(lang, "Domaine", "Domain"),
            tr(lang, "Domaine de l'indicateur", "The indicator's domain"),
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
            tr(lang, "Étape", "Step"),
            tr(
                lang,
                "Passage de niveau que l'action permet (avec les autres actions de la même étape)",
                "The level step the action closes (with the other actions of the same step)",
            ),
        ),
        (
            tr(lang, "Action", "Action"),
            tr(lang, "Ce qu'il faut faire", "What to do"),
        ),
        (
            tr(lang, "Coût indicatif (FCFA)", "Indicative cost (FCFA)"),
            tr(lang, "Coût proposé par le référentiel", "The rubric's cost"),
        ),
        (
            tr(lang, "Coût retenu (FCFA)", "Retained cost (FCFA)"),
            tr(
                lang,
                "Coût retenu par le conseil, sinon celui du référentiel",
                "The council's cost, else the rubric's",
            ),
        ),
        (
            tr(lang, "Horizon", "Horizon"),
            tr(
                lang,
                "Délai pour que l'action porte ses fruits",
                "When the action bears fruit",
            ),
        ),
        (
            tr(lang, "Responsable", "Responsible"),
            tr(lang, "Rôle responsable de l'action", "The role responsible"),
        ),
        (
            tr(lang, "Décision", "Decision"),
            tr(
                lang,
                "Décision du conseil : proposée, acceptée ou abandonnée",
                "The council's decision: proposed, accepted or dropped",
            ),
        ),
    ]
}

fn total_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Regroupement", "Group"),
            tr(
                lang,
                "Total, domaine, compétence ou horizon",
                "Total, domain, competency or horizon",
            ),
        ),
        (
            tr(lang, "Code", "Code"),
            tr(
                lang,
                "Identifiant du domaine, de la compétence ou de l'horizon",
                "The domain's, competency's or horizon's id",
            ),
        ),
        (
            tr(lang, "Libellé", "Label"),
            tr(lang, "Ce que la ligne totalise", "What the line adds up"),
        ),
        (
            tr(lang, "Nombre d'actions", "Actions"),
            tr(
                lang,
                "Nombre d'actions (ou d'étapes, pour les étapes sans action chiffrée)",
                "Number of actions (or of steps, for steps with no costed action)",
            ),
        ),
        (
            tr(lang, "Coût (FCFA)", "Cost (FCFA)"),
            tr(lang, "Somme des coûts retenus", "Sum of the retained costs"),
        ),
    ]
}

fn goal_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Rang", "Rank"),
            tr(
                lang,
                "Rang de l'indicateur dans les priorités",
                "The indicator's rank among the priorities",
            ),
        ),
        (
            tr(lang, "Indicateur de l'objectif", "Goal indicator"),
            tr(lang, "Identifiant de l'indicateur", "The indicator's id"),
        ),
        (
            tr(lang, "Intitulé de l'indicateur", "Indicator title"),
            tr(lang, "Intitulé de l'indicateur", "The indicator's title"),
        ),
        (
            tr(lang, "Niveau actuel", "Current level"),
            tr(
                lang,
                "Niveau consolidé (NI : pas d'information ; le plan part du niveau le plus bas)",
                "Consolidated level (NI: no information; the plan starts from the lowest level)",
            ),
        ),
        (
            tr(lang, "Cible", "Target"),
            tr(lang, "Niveau cible", "Target level"),
        ),
        (
            tr(lang, "Objectif", "Goal"),
            tr(
                lang,
                "Niveau visé par le plan : la cible, ou le minimum s'il est plus haut et non rempli",
                "The level the plan aims at: the target, or the minimum when higher and failed",
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
            tr(lang, "Étapes sans action", "Steps without action"),
            tr(
                lang,
                "Étapes pour lesquelles le référentiel ne propose pas d'action chiffrée",
                "Steps for which the rubric has no costed action",
            ),
        ),
    ]
}
