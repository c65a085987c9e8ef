//! The council's plan decisions as the core reads them
//! ([`capacity::PlanDecisions`]): its adjustments of the rubric's actions
//! (`plan_adjustment`) and its own actions (`council_action`), read for
//! many assessments in two queries and attached to every assessment the
//! store loads ([`capacity::Assessment::plan`]), so that the one function
//! that builds a plan (`capacity::ActionPlan::new`) sees them wherever the
//! assessment goes: the plan page, the report, the downloads, the file a
//! council downloads for the command line, the compare page.
//!
//! Rows are read as the core reads them by [`PlanAdjustmentRow::decision`]
//! and [`CouncilActionRow::input`] (a stored cost, horizon or status that
//! does not read is logged and left aside rather than priced at zero).

use std::collections::HashMap;

use capacity::PlanDecisions;
use sqlx::{AnyConnection, Row};

use crate::rows::{CouncilActionRow, PlanAdjustmentRow};
use crate::{Sql, StoreError, flag};

/// How many ids one query names (well under SQLite's bound on variables,
/// and PostgreSQL's).
const CHUNK: usize = 500;

/// The decisions of each of `ids` that has some, in the order they were
/// made (adjustments by action key, council actions by id).
pub(crate) async fn plans_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, PlanDecisions>, StoreError> {
    let mut out: HashMap<i64, PlanDecisions> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Sql::new(
            "SELECT assessment_id, action_key, accepted, cost_override, version FROM plan_adjustment WHERE assessment_id IN (",
        );
        push_ids(&mut q, chunk);
        q.push(") ORDER BY assessment_id, action_key");
        for row in q.build()?.fetch_all(&mut *conn).await? {
            let id: i64 = row.try_get("assessment_id")?;
            let adjustment = PlanAdjustmentRow {
                action_key: row.try_get("action_key")?,
                accepted: flag(&row, "accepted")?,
                cost_override: row.try_get("cost_override")?,
                version: row.try_get("version")?,
            };
            out.entry(id)
                .or_default()
                .decisions
                .push(adjustment.decision());
        }
        let mut q = Sql::new(
            "SELECT assessment_id, id, indicator, title, cost, horizon, responsible, deadline, status, version FROM council_action WHERE assessment_id IN (",
        );
        push_ids(&mut q, chunk);
        q.push(") ORDER BY assessment_id, id");
        for row in q.build()?.fetch_all(&mut *conn).await? {
            let assessment: i64 = row.try_get("assessment_id")?;
            let action = CouncilActionRow {
                id: row.try_get("id")?,
                indicator: row.try_get("indicator")?,
                title: row.try_get("title")?,
                cost: row.try_get("cost")?,
                horizon: row.try_get("horizon")?,
                responsible: row.try_get("responsible")?,
                deadline: row.try_get("deadline")?,
                status: row.try_get("status")?,
                version: row.try_get("version")?,
            };
            if let Some(input) = action.input() {
                out.entry(assessment).or_default().council.push(input);
            }
        }
    }
    Ok(out)
}

fn push_ids(q: &mut Sql, ids: &[i64]) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(*id);
    }
}
