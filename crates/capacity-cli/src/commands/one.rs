//! Commands on one assessment: `score`, `explain`, `gaps`, `plan`.

use super::Ctx;
use crate::cli::{self, Format};
use crate::error::CliError;
use crate::load::{Batch, Loaded};
use crate::out;
use capacity::{ActionPlan, CommuneResult, CompiledRubric, Explainer, NodeRef};
use capacity_report::tables;
use serde_json::json;

/// The assessment and its rubric.
fn parts(batch: &Batch, i: usize) -> Result<(&Loaded, &CompiledRubric), CliError> {
    let l = batch
        .assessments
        .get(i)
        .ok_or_else(|| CliError::Other("internal: assessment lost".into()))?;
    let r = batch
        .rubric_of(l)
        .ok_or_else(|| CliError::Other("internal: rubric lost".into()))?;
    Ok((l, r))
}

/// Ids of the rubric's nodes and indicators, by index, and its level
/// codes: how to read the indices in the core's JSON.
pub fn index_json(rubric: &CompiledRubric) -> serde_json::Value {
    json!({
        "nodes": rubric.nodes().iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        "indicators": rubric.indicators().iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        "levels": rubric.levels().iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
    })
}

fn head_json(l: &Loaded, rubric: &CompiledRubric) -> serde_json::Value {
    let a = &l.assessment;
    json!({
        "file": l.file,
        "rubric": rubric.key(),
        "commune": a.commune,
        "round": a.round,
        "date": a.date,
    })
}

/// `capacity score ASSESSMENT`.
pub fn score(ctx: &Ctx, args: &cli::One) -> Result<(), CliError> {
    let (batch, i) = ctx.load_one(&args.assessment)?;
    let (l, rubric) = parts(&batch, i)?;
    let lang = ctx.lang;
    let summary = tables::summary(rubric, &l.assessment, &l.scored, lang);
    let tree = tables::score_tree(rubric, &l.scored, lang);
    let text = match args.format {
        Format::Table => out::terminal_all(&[summary, tree], lang),
        Format::Md => out::markdown(&[summary, tree], lang),
        Format::Csv => out::csv(&[("scores", &tree)])?,
        Format::Json => {
            let s = &l.scored;
            let nodes: Vec<_> = rubric
                .nodes()
                .iter()
                .zip(&s.nodes)
                .enumerate()
                .map(|(n, (node, r))| {
                    json!({
                        "id": node.id,
                        "kind": node.kind,
                        "title": rubric.title(NodeRef::Node(idx_node(rubric, n))),
                        "grade": r.grade.map(|g| g.label(rubric)),
                        "result": r,
                    })
                })
                .collect();
            let indicators: Vec<_> = tables::all_indicators(rubric)
                .into_iter()
                .filter_map(|ix| {
                    let (c, r) = (rubric.indicator(ix)?, s.indicator(ix)?);
                    Some(json!({
                        "id": c.id,
                        "path": rubric.indicator_path(ix),
                        "level": capacity_report::labels::level_short(rubric, r.status),
                        "critical": c.critical,
                        "result": r,
                    }))
                })
                .collect();
            let mut v = head_json(l, rubric);
            v["overall"] = json!({
                "score": s.overall.map(|d| d.to_string()),
                "grade": s.root().and_then(|r| r.grade).map(|g| g.label(rubric)),
                "provisional": s.provisional,
                "coverage": s.coverage,
                "flags": s.flags,
            });
            v["minimum_conditions"] = json!({
                "met": ids(rubric, &s.minimum_conditions.met),
                "failed": ids(rubric, &s.minimum_conditions.failed),
                "pending": ids(rubric, &s.minimum_conditions.pending),
                "not_applicable": ids(rubric, &s.minimum_conditions.not_applicable),
            });
            v["disagreements"] = json!(ids(rubric, &tables::disagreeing(rubric, s)));
            v["nodes"] = json!(nodes);
            v["indicators"] = json!(indicators);
            out::json(&v)?
        }
    };
    out::print(&text)
}

/// The node index of position `n` (nodes are listed in index order).
fn idx_node(rubric: &CompiledRubric, n: usize) -> capacity::NodeIx {
    rubric
        .nodes()
        .get(n)
        .and_then(|node| rubric.node_ix(&node.id))
        .unwrap_or(capacity::ROOT)
}

fn ids(rubric: &CompiledRubric, v: &[capacity::IndicatorIx]) -> Vec<String> {
    v.iter()
        .filter_map(|i| rubric.indicator(*i).map(|c| c.id.clone()))
        .collect()
}

/// `capacity explain ASSESSMENT [ID]`.
pub fn explain(ctx: &Ctx, args: &cli::Explain) -> Result<(), CliError> {
    let (batch, i) = ctx.load_one(&args.assessment)?;
    let (l, rubric) = parts(&batch, i)?;
    let why = Explainer::new(rubric, &l.assessment, &l.scored)
        .map_err(|e| CliError::Other(e.to_string()))?;
    let id = args.id.as_deref().unwrap_or("");
    let e = why.explain(id).ok_or_else(|| {
        CliError::Usage(format!(
            "the rubric {} has no domain, competency or indicator `{id}`: use an id listed by `capacity score`",
            rubric.key()
        ))
    })?;
    let text = match args.format {
        Format::Json => out::json(&e)?,
        _ => e.to_text(ctx.lang),
    };
    out::print(&text)
}

/// `capacity gaps ASSESSMENT`.
pub fn gaps(ctx: &Ctx, args: &cli::Gaps) -> Result<(), CliError> {
    let (batch, i) = ctx.load_one(&args.assessment)?;
    let (l, rubric) = parts(&batch, i)?;
    let lang = ctx.lang;
    let mut gaps = capacity::gaps(rubric, &l.scored).map_err(|e| CliError::Other(e.to_string()))?;
    if let Some(n) = args.limit {
        gaps.priorities.truncate(n);
    }
    let t = tables::gaps(rubric, &l.scored, &gaps, lang);
    let text = match args.format {
        Format::Table => out::terminal(&t, lang),
        Format::Md => t.to_markdown(lang),
        Format::Csv => out::csv(&[("gaps", &t)])?,
        Format::Json => {
            let priorities: Vec<_> = gaps
                .priorities
                .iter()
                .enumerate()
                .filter_map(|(rank, p)| {
                    let c = rubric.indicator(p.indicator)?;
                    let g = gaps.indicator(p.indicator)?;
                    Some(json!({
                        "priority": rank + 1,
                        "indicator": c.id,
                        "path": rubric.indicator_path(p.indicator),
                        "level": g.level.map(|x| rubric.level_code(x)),
                        "target": rubric.level_code(g.target),
                        "gap": g.gap,
                        "global_weight": g.global_weight.to_string(),
                        "impact": p.impact.to_string(),
                        "failed_condition": p.failed_condition,
                        "reasons": p.reasons,
                    }))
                })
                .collect();
            let mut v = head_json(l, rubric);
            v["priorities"] = json!(priorities);
            v["gaps"] = json!(gaps);
            v["index"] = index_json(rubric);
            out::json(&v)?
        }
    };
    out::print(&text)
}

/// `capacity plan ASSESSMENT`.
pub fn plan(ctx: &Ctx, args: &cli::Plan) -> Result<(), CliError> {
    let (batch, i) = ctx.load_one(&args.assessment)?;
    let (l, rubric) = parts(&batch, i)?;
    let lang = ctx.lang;
    let plan = ActionPlan::new(rubric, &CommuneResult::new(&l.assessment, &l.scored))
        .map_err(|e| CliError::Other(e.to_string()))?;
    let items = tables::plan_items(rubric, &plan, lang);
    let totals = tables::plan_totals(rubric, &plan, lang);
    let text = match args.format {
        Format::Table => out::terminal_all(&[totals, items], lang),
        Format::Md => {
            let a = &l.assessment;
            let md = capacity_report::markdown_text;
            let heading = match lang {
                capacity::Lang::Fr => format!(
                    "## Plan de renforcement des capacités — {} ({}, {}), tour {}\n\n{} actions, coût indicatif total {}.\n\n",
                    md(&a.commune.name),
                    md(&a.commune.cercle),
                    md(&a.commune.region),
                    md(&a.round),
                    plan.totals.included.actions,
                    capacity::format::fcfa(plan.totals.included.cost, lang)
                ),
                capacity::Lang::En => format!(
                    "## Capacity-building plan — {} ({}, {}), round {}\n\n{} actions, indicative total cost {}.\n\n",
                    md(&a.commune.name),
                    md(&a.commune.cercle),
                    md(&a.commune.region),
                    md(&a.round),
                    plan.totals.included.actions,
                    capacity::format::fcfa(plan.totals.included.cost, lang)
                ),
            };
            format!("{heading}{}", out::markdown(&[items, totals], lang))
        }
        Format::Csv => out::csv(&[("plan", &items)])?,
        Format::Json => {
            let mut v = head_json(l, rubric);
            v["plan"] = json!(plan);
            // The key of each item, in plan order: what a `[[plan.decision]]`
            // of the assessment file names.
            let keys: Vec<String> = plan.items.iter().map(|i| i.key(rubric)).collect();
            v["action_keys"] = json!(keys);
            v["index"] = index_json(rubric);
            out::json(&v)?
        }
    };
    out::print(&text)
}
