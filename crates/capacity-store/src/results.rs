//! Scored results kept beside the assessments (`assessment_result`, see
//! migration 0004): a derived table that the app fills after scoring and
//! reads back in one query for the pages over many communes.
//!
//! A kept result is only handed out while it is *current*: its revision
//! and rubric version are those of its assessment now, and its scorer is
//! the one asked for. The store neither scores nor reads the result text
//! (JSON of the core's `Scored`, decoded by the app); it only keys it.
//! Keeping a result is not a write of data: it does not move
//! [`Store::generation`], so filling the table never makes a kept page
//! older than the data.

use sqlx::Row;

use crate::assessments::{HEADER_SELECT_FROM, header_row, push_filter};
use crate::rows::{AssessmentFilter, AssessmentHeader};
use crate::{Sql, Store, StoreError};

/// A result to keep: what it was computed from and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResult {
    /// The assessment.
    pub assessment: i64,
    /// The assessment's revision the result was computed at (read in the
    /// same snapshot as the ratings it was computed from).
    pub revision: i64,
    /// The rubric version it was scored against.
    pub rubric_version: String,
    /// Format of the text (the app's name for its scorer and encoding).
    pub scorer: String,
    /// The result, as text.
    pub result: String,
}

/// One assessment of a list with its commune snapshot and, when one is
/// kept and current, its result text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderWithResult {
    /// The assessment's header.
    pub header: AssessmentHeader,
    /// The commune as stored with the assessment (JSON of the core's
    /// `Commune`).
    pub commune_snapshot: String,
    /// The assessment's comment.
    pub comment: Option<String>,
    /// The current result text, if kept.
    pub result: Option<String>,
    /// The council's plan decisions (read in the same snapshot).
    pub plan: capacity::PlanDecisions,
}

impl Store {
    /// The assessments matching `filter`, in the order of
    /// [`Store::list_assessments`], each with its kept result when that
    /// result is current for `scorer`, and its council's plan decisions:
    /// three queries in one snapshot, whatever their number.
    pub async fn assessments_with_results(
        &self,
        filter: &AssessmentFilter,
        scorer: &str,
    ) -> Result<Vec<HeaderWithResult>, StoreError> {
        let mut q = Sql::new(concat!(
            "SELECT ",
            crate::assessments::header_columns!(),
            ", r.result "
        ));
        q.push(HEADER_SELECT_FROM);
        q.push(" LEFT JOIN assessment_result r ON r.assessment_id = a.id AND r.revision = a.revision AND r.rubric_version = a.rubric_version AND r.scorer = ");
        q.push_bind(scorer.to_owned());
        q.push(" WHERE 1 = 1");
        push_filter(&mut q, filter);
        q.push(" ORDER BY c.region, c.cercle, c.name, a.round, a.id");
        // One read transaction: the plans are those of the revisions read.
        let mut tx = self.read_tx().await?;
        let rows = q.build()?.fetch_all(&mut *tx).await?;
        let mut out = rows
            .iter()
            .map(|row| {
                Ok(HeaderWithResult {
                    header: header_row(row)?,
                    commune_snapshot: row.try_get("commune_snapshot")?,
                    comment: row.try_get("comment")?,
                    result: row.try_get("result")?,
                    plan: capacity::PlanDecisions::default(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let ids: Vec<i64> = out.iter().map(|r| r.header.id).collect();
        let mut plans = crate::plans::plans_of(&mut tx, &ids).await?;
        tx.commit().await?;
        for r in &mut out {
            if let Some(plan) = plans.remove(&r.header.id) {
                r.plan = plan;
            }
        }
        Ok(out)
    }

    /// Keeps results (replacing what was kept for the same assessments),
    /// in one transaction on the writer connection. A result of an older
    /// revision than the one kept is not written over a newer one. This
    /// does not move [`Store::generation`]: no data changes. A busy
    /// database is not retried here (the result is computed again next
    /// time); the error says so.
    pub async fn keep_results(&self, results: &[NewResult]) -> Result<(), StoreError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with(self.backend.write_begin()).await?;
        for r in results {
            sqlx::query(
                "INSERT INTO assessment_result (assessment_id, revision, rubric_version, scorer, result, computed_at)
                 SELECT $1, $2, $3, $4, $5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE EXISTS (SELECT 1 FROM assessment WHERE id = $6)
                 ON CONFLICT (assessment_id) DO UPDATE SET
                   revision = excluded.revision, rubric_version = excluded.rubric_version,
                   scorer = excluded.scorer, result = excluded.result, computed_at = excluded.computed_at
                 WHERE excluded.revision >= assessment_result.revision",
            )
            .bind(r.assessment)
            .bind(r.revision)
            .bind(&r.rubric_version)
            .bind(&r.scorer)
            .bind(&r.result)
            .bind(r.assessment)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many results are kept (current or not), for tests and logs.
    pub async fn count_kept_results(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM assessment_result")
            .fetch_one(&self.pool)
            .await?)
    }
}
