//! Queries: rubrics, communes, assessments, ratings, answers, plan
//! adjustments. Every write runs as one `BEGIN IMMEDIATE` transaction
//! (`write_tx!`); those that edit a person's data check, inside it, the
//! version they were given and the assessment's lock, and bump the
//! assessment's revision. Each appends its audit event(s) in the same
//! transaction, with the value before and after.

use std::collections::{BTreeMap, HashMap};

use capacity::{Answer, Assessment, Commune, Consensus, Rater, Rating, Role, Rubric};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::{Event, append};
use crate::campaigns::{RoundOf, campaign_for_round, check_joins};
use crate::register::MAX_RATERS;
use crate::rows::{
    AssessmentFilter, AssessmentHeader, Audit, CommuneFilter, CommuneRow, CouncilActionRow,
    NewCouncilAction, PlanAdjustmentRow, RaterLink, RatingInput, RubricRow, StoredAssessment,
    StoredRating, Versions,
};
use crate::{NOW, Sql, Store, StoreError, bit, flag, from_json, not_found, to_json, write_tx};

fn parse_role(code: &str) -> Result<Role, StoreError> {
    Role::from_code(code).ok_or_else(|| {
        StoreError::Invalid(format!(
            "stored rater role `{code}` is unknown: expected elected, staff, citizen or facilitator"
        ))
    })
}

impl Store {
    // ------------------------------------------------------------ rubrics

    /// Stores a rubric version and its source text. Returns `false` when
    /// that id and version are already stored with the same text; a
    /// different text under the same version is a conflict (versions are
    /// immutable: publish a new version instead). A new row appends
    /// `rubric.stored` (object = `id version`; after = `{id, version,
    /// title_fr}`; the text itself is in the row, never changed).
    pub async fn put_rubric(
        &self,
        rubric: &Rubric,
        source: &str,
        audit: &Audit,
    ) -> Result<bool, StoreError> {
        write_tx!(self, |tx| {
            let existing: Option<String> =
                sqlx::query_scalar("SELECT source FROM rubric WHERE id = $1 AND version = $2")
                    .bind(&rubric.id)
                    .bind(&rubric.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(text) if text == source => return Ok(false),
                Some(_) => {
                    return Err(StoreError::Conflict {
                        what: format!("rubric {} version {}", rubric.id, rubric.version),
                        hint: "a rubric version never changes: give the new text a new `version`"
                            .to_owned(),
                    });
                }
                None => {}
            }
            sqlx::query(&format!(
            "INSERT INTO rubric (id, version, title_fr, title_en, source, created_at) VALUES ($1, $2, $3, $4, $5, {NOW})"
        ))
        .bind(&rubric.id)
        .bind(&rubric.version)
        .bind(&rubric.title.fr)
        .bind(&rubric.title.en)
        .bind(source)
        .execute(&mut *tx)
        .await?;
            append(
                tx,
                audit,
                Event::new("rubric.stored", format!("{} {}", rubric.id, rubric.version)).after(
                    json!({
                        "id": rubric.id,
                        "version": rubric.version,
                        "title_fr": rubric.title.fr,
                    }),
                ),
            )
            .await?;
            Ok(true)
        })
    }

    /// Every stored rubric version, by id then version.
    pub async fn rubrics(&self) -> Result<Vec<RubricRow>, StoreError> {
        let rows =
            sqlx::query("SELECT id, version, title_fr, title_en FROM rubric ORDER BY id, version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| RubricRow {
                id: r.get("id"),
                version: r.get("version"),
                title_fr: r.get("title_fr"),
                title_en: r.get("title_en"),
            })
            .collect())
    }

    /// The source text of a rubric version.
    pub async fn rubric_source(
        &self,
        id: &str,
        version: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT source FROM rubric WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    // ------------------------------------------------------------ communes

    /// Inserts a commune or updates its attributes.
    ///
    /// The revision of every assessment of the commune moves when its
    /// attributes change (their headers show the commune's current name).
    /// A new commune or a change appends `commune.saved` (object = the
    /// commune id; before and after = the commune as in assessment files,
    /// before none for a new commune); storing the same attributes again
    /// writes nothing.
    pub async fn upsert_commune(&self, commune: &Commune, audit: &Audit) -> Result<(), StoreError> {
        write_tx!(self, |conn| { upsert_commune(conn, commune, audit).await })
    }

    /// Communes matching the filter, by region, cercle and name.
    pub async fn communes(&self, filter: &CommuneFilter) -> Result<Vec<CommuneRow>, StoreError> {
        let mut q = Sql::new(format!("SELECT * FROM ({COMMUNE_TODAY}) c WHERE 1 = 1"));
        if let Some(region) = filter.region.as_deref().filter(|s| !s.is_empty()) {
            q.push(" AND c.region = ").push_bind(region.to_owned());
        }
        if let Some(cercle) = filter.cercle.as_deref().filter(|s| !s.is_empty()) {
            q.push(" AND c.cercle = ").push_bind(cercle.to_owned());
        }
        if filter.active_only {
            q.push(" AND c.active = 1");
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
            q.push(" AND (lower(c.name) LIKE ")
                .push_bind(pattern.clone())
                .push(" OR lower(c.id) LIKE ")
                .push_bind(pattern)
                .push(")");
        }
        q.push(" ORDER BY c.region, c.cercle, c.name");
        let rows = q.build()?.fetch_all(&self.pool).await?;
        rows.iter().map(commune_row).collect()
    }

    /// One commune.
    pub async fn commune(&self, id: &str) -> Result<Option<CommuneRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT * FROM ({COMMUNE_TODAY}) c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(commune_row).transpose()
    }

    /// Regions with their cercles, sorted, for filters: every territory a
    /// commune has or had (`commune_territory`), since assessments are
    /// filed under the territory of their date.
    pub async fn regions(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows =
            sqlx::query("SELECT region, cercle FROM commune UNION SELECT region, cercle FROM commune_territory ORDER BY region, cercle")
                .fetch_all(&self.pool)
                .await?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in rows {
            let region: String = r.get("region");
            let cercle: String = r.get("cercle");
            match out.last_mut() {
                Some((last, cercles)) if *last == region => cercles.push(cercle),
                _ => out.push((region, vec![cercle])),
            }
        }
        Ok(out)
    }

    // ------------------------------------------------------------ assessments

    /// Stores a whole assessment (from a file, an import or a new workshop):
    /// the commune (inserted or updated), the header, raters, answers and
    /// ratings. Refused when the commune already has this rubric and round.
    ///
    /// Appends `commune.saved` when the commune is new or changed, then one
    /// `assessment.created` (object = `commune / round`) whose after lists
    /// the header and the raters (`{commune, rubric, rubric_version, round,
    /// date, fictional, finalised, raters: [{id, name, role}], answers,
    /// ratings}`, the last two as counts: the values of an imported file
    /// are in its rows, and each later change of one is an event with its
    /// value before).
    pub async fn insert_assessment(
        &self,
        assessment: &Assessment,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        self.insert_assessment_in(assessment, None, audit).await
    }

    /// [`Store::insert_assessment`] into campaign `campaign` when given
    /// (refused unless it takes the assessment: same rubric version, the
    /// commune in scope, the date in its window; the round label is the
    /// campaign's label), else into the campaign of its round (a declared
    /// one whose window and scope hold it, else the implicit campaign the
    /// store keeps for that round; see [`Store::campaigns`]).
    pub async fn insert_assessment_in(
        &self,
        assessment: &Assessment,
        campaign: Option<&str>,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            if assessment.raters.len() > MAX_RATERS {
                return Err(too_many_raters(&format!(
                    "the assessment of {} ({})",
                    assessment.commune.name, assessment.round
                )));
            }
            upsert_commune(tx, &assessment.commune, audit).await?;
            let of = RoundOf {
                commune: &assessment.commune.id,
                rubric: &assessment.rubric,
                rubric_version: &assessment.rubric_version,
                round: &assessment.round,
                date: &assessment.date,
            };
            let (campaign, round) = match campaign {
                Some(id) => (id.to_owned(), check_joins(tx, id, &of).await?),
                None => (
                    campaign_for_round(tx, &of, audit).await?,
                    assessment.round.clone(),
                ),
            };
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM assessment WHERE commune_id = $1 AND ((rubric_id = $2 AND round = $3) OR campaign_id = $4)",
            )
            .bind(&assessment.commune.id)
            .bind(&assessment.rubric)
            .bind(&round)
            .bind(&campaign)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = exists {
                return Err(StoreError::Conflict {
                    what: format!(
                        "an assessment of {} on {} for round {round} (number {id})",
                        assessment.commune.name, assessment.rubric
                    ),
                    hint: "open it to continue, or choose another campaign".to_owned(),
                });
            }
            let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO assessment (commune_id, rubric_id, rubric_version, round, campaign_id, date, fictional, finalised, comment, commune_snapshot, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {NOW}, {NOW}) RETURNING id"
        ))
        .bind(&assessment.commune.id)
        .bind(&assessment.rubric)
        .bind(&assessment.rubric_version)
        .bind(&round)
        .bind(&campaign)
        .bind(&assessment.date)
        .bind(bit(assessment.fictional))
        .bind(bit(assessment.finalised))
        .bind(&assessment.comment)
        .bind(to_json(&assessment.commune))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound {
                what: format!(
                    "rubric {} version {} (store the rubric before its assessments)",
                    assessment.rubric, assessment.rubric_version
                ),
            },
            other => other.into(),
        })?;
            for (position, rater) in assessment.raters.iter().enumerate() {
                insert_rater(tx, id, rater, position).await?;
            }
            for (position, answer) in assessment.answers.iter().enumerate() {
                let has_answer_data = answer.consensus.is_some()
                    || answer.target.is_some()
                    || answer.comment.is_some();
                if has_answer_data {
                    sqlx::query(&format!(
                    "INSERT INTO answer (assessment_id, indicator_id, consensus_level, justification, target, comment, position, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, {NOW})"
                ))
                .bind(id)
                .bind(&answer.indicator)
                .bind(answer.consensus.as_ref().map(|c| c.level.as_str()))
                .bind(answer.consensus.as_ref().and_then(|c| c.justification.as_deref()))
                .bind(&answer.target)
                .bind(&answer.comment)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
                }
                for rating in &answer.ratings {
                    sqlx::query(&format!(
                    "INSERT INTO rating (assessment_id, indicator_id, rater_id, level, evidence, refs, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, {NOW})"
                ))
                .bind(id)
                .bind(&answer.indicator)
                .bind(&rating.rater)
                .bind(&rating.level)
                .bind(&rating.evidence)
                .bind(to_json(&rating.refs))
                .execute(&mut *tx)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::Invalid(format!(
                        "{}: rating by unknown rater `{}`: add the rater first",
                        answer.indicator, rating.rater
                    )),
                    sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Invalid(format!(
                        "{}: two ratings by rater `{}`: keep one",
                        answer.indicator, rating.rater
                    )),
                    other => other.into(),
                })?;
                }
            }
            let raters: Vec<serde_json::Value> = assessment
                .raters
                .iter()
                .map(|r| json!({ "id": r.id, "name": r.name, "role": r.role.code() }))
                .collect();
            let ratings: usize = assessment.answers.iter().map(|a| a.ratings.len()).sum();
            append(
                tx,
                audit,
                Event::new(
                    "assessment.created",
                    format!("{} / {round}", assessment.commune.id),
                )
                .assessment(id)
                .after(json!({
                    "commune": assessment.commune.id,
                    "rubric": assessment.rubric,
                    "rubric_version": assessment.rubric_version,
                    "round": round,
                    "campaign": campaign,
                    "date": assessment.date,
                    "fictional": assessment.fictional,
                    "finalised": assessment.finalised,
                    "raters": raters,
                    "answers": assessment.answers.len(),
                    "ratings": ratings,
                })),
            )
            .await?;
            Ok(id)
        })
    }

    /// Assessment headers matching the filter, by region, cercle, commune
    /// name and round.
    pub async fn list_assessments(
        &self,
        filter: &AssessmentFilter,
    ) -> Result<Vec<AssessmentHeader>, StoreError> {
        let mut q = Sql::new(HEADER_SELECT);
        push_filter(&mut q, filter);
        q.push(" ORDER BY c.region, c.cercle, c.name, a.round, a.id");
        let rows = q.build()?.fetch_all(&self.pool).await?;
        rows.iter().map(header_row).collect()
    }

    /// One assessment's header (no ratings): one indexed row, for checks
    /// made on every save.
    pub async fn header(&self, id: i64) -> Result<Option<AssessmentHeader>, StoreError> {
        let mut q = Sql::new(HEADER_SELECT);
        q.push(" AND a.id = ").push_bind(id);
        let row = q.build()?.fetch_optional(&self.pool).await?;
        row.as_ref().map(header_row).transpose()
    }

    /// An assessment's revision and the id and revision of the round it is
    /// compared with (the latest earlier round — by date, then id — of the
    /// same commune with the same rubric version), `None` when there is no
    /// such assessment. One query on the commune's index: what a results
    /// page shows depends on these alone, so a reader asks for them on
    /// every request, also while other communes save.
    pub async fn revisions_with_previous(
        &self,
        id: i64,
    ) -> Result<Option<(i64, Option<(i64, i64)>)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.revision, p.id AS previous_id, p.revision AS previous_revision \
             FROM assessment a LEFT JOIN assessment p ON p.id = (\
               SELECT q.id FROM assessment q \
               WHERE q.commune_id = a.commune_id AND q.rubric_id = a.rubric_id \
                 AND q.rubric_version = a.rubric_version \
                 AND (q.date < a.date OR (q.date = a.date AND q.id < a.id)) \
               ORDER BY q.date DESC, q.id DESC LIMIT 1) \
             WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let previous = match row.try_get::<Option<i64>, _>("previous_id")? {
            Some(p) => Some((p, row.try_get("previous_revision")?)),
            None => None,
        };
        Ok(Some((row.try_get("revision")?, previous)))
    }

    /// One whole assessment.
    pub async fn assessment(&self, id: i64) -> Result<Option<StoredAssessment>, StoreError> {
        let filter = IdFilter::One(id);
        Ok(self.load(&filter).await?.into_iter().next())
    }

    /// Every assessment matching the filter, whole (with the council's plan
    /// decisions), in six queries (headers, raters, answers, ratings, plan
    /// adjustments, council actions) whatever their number.
    pub async fn load_assessments(
        &self,
        filter: &AssessmentFilter,
    ) -> Result<Vec<StoredAssessment>, StoreError> {
        self.load(&IdFilter::Many(filter)).await
    }

    async fn load(&self, filter: &IdFilter<'_>) -> Result<Vec<StoredAssessment>, StoreError> {
        // One read transaction: the four queries see one snapshot, so the
        // revision in a header is the revision of what comes with it.
        let mut tx = self.read_tx().await?;
        let mut q = Sql::new(HEADER_SELECT);
        filter.push(&mut q);
        q.push(" ORDER BY c.region, c.cercle, c.name, a.round, a.id");
        let heads = q.build()?.fetch_all(&mut *tx).await?;
        let mut out = Vec::with_capacity(heads.len());
        let mut index = HashMap::with_capacity(heads.len());
        for row in &heads {
            let header = header_row(row)?;
            let snapshot: String = row.get("commune_snapshot");
            let commune: Commune = from_json(&snapshot, &format!("assessment {}", header.id))?;
            index.insert(header.id, out.len());
            out.push(StoredAssessment {
                assessment: Assessment {
                    format: 1,
                    rubric: header.rubric.clone(),
                    rubric_version: header.rubric_version.clone(),
                    round: header.round.clone(),
                    date: header.date.clone(),
                    fictional: header.fictional,
                    finalised: header.finalised,
                    comment: row.get("comment"),
                    commune,
                    raters: Vec::new(),
                    answers: Vec::new(),
                    plan: Default::default(),
                },
                header,
                versions: Versions::default(),
                rater_accounts: BTreeMap::new(),
            });
        }
        if out.is_empty() {
            tx.commit().await?;
            return Ok(out);
        }

        let mut q = Sql::new(
            "SELECT r.assessment_id, r.id, r.name, r.role, r.account_id FROM rater r JOIN assessment a ON a.id = r.assessment_id JOIN commune c ON c.id = a.commune_id WHERE 1 = 1",
        );
        filter.push(&mut q);
        q.push(" ORDER BY r.assessment_id, r.position");
        for row in q.build()?.fetch_all(&mut *tx).await? {
            let aid: i64 = row.get("assessment_id");
            let Some(&ix) = index.get(&aid) else { continue };
            let role: String = row.get("role");
            let id: String = row.get("id");
            if let Some(account) = row.get::<Option<i64>, _>("account_id") {
                out[ix].rater_accounts.insert(id.clone(), account);
            }
            out[ix].assessment.raters.push(Rater {
                id,
                name: row.get("name"),
                role: parse_role(&role)?,
            });
        }

        // Answers first (they fix the order), then ratings join them.
        let mut answer_ix: HashMap<(i64, String), usize> = HashMap::new();
        let mut q = Sql::new(
            "SELECT n.* FROM answer n JOIN assessment a ON a.id = n.assessment_id JOIN commune c ON c.id = a.commune_id WHERE 1 = 1",
        );
        filter.push(&mut q);
        q.push(" ORDER BY n.assessment_id, n.position, n.indicator_id");
        for row in q.build()?.fetch_all(&mut *tx).await? {
            let aid: i64 = row.get("assessment_id");
            let Some(&ix) = index.get(&aid) else { continue };
            let indicator: String = row.get("indicator_id");
            let level: Option<String> = row.get("consensus_level");
            let stored = &mut out[ix];
            stored
                .versions
                .answers
                .insert(indicator.clone(), row.get("version"));
            answer_ix.insert((aid, indicator.clone()), stored.assessment.answers.len());
            stored.assessment.answers.push(Answer {
                indicator,
                target: row.get("target"),
                comment: row.get("comment"),
                consensus: level.map(|level| Consensus {
                    level,
                    justification: row.get("justification"),
                }),
                ratings: Vec::new(),
            });
        }

        let mut q = Sql::new(
            "SELECT g.* FROM rating g JOIN rater r ON r.assessment_id = g.assessment_id AND r.id = g.rater_id JOIN assessment a ON a.id = g.assessment_id JOIN commune c ON c.id = a.commune_id WHERE 1 = 1",
        );
        filter.push(&mut q);
        q.push(" ORDER BY g.assessment_id, g.indicator_id, r.position");
        for row in q.build()?.fetch_all(&mut *tx).await? {
            let aid: i64 = row.get("assessment_id");
            let Some(&ix) = index.get(&aid) else { continue };
            let indicator: String = row.get("indicator_id");
            let rater: String = row.get("rater_id");
            let refs: String = row.get("refs");
            let stored = &mut out[ix];
            stored
                .versions
                .ratings
                .insert((indicator.clone(), rater.clone()), row.get("version"));
            if flag(&row, "cleared")? {
                // A tombstone: not answered, only its version counts.
                continue;
            }
            let slot = match answer_ix.get(&(aid, indicator.clone())) {
                Some(&slot) => slot,
                None => {
                    let slot = stored.assessment.answers.len();
                    answer_ix.insert((aid, indicator.clone()), slot);
                    stored.assessment.answers.push(Answer {
                        indicator: indicator.clone(),
                        target: None,
                        comment: None,
                        consensus: None,
                        ratings: Vec::new(),
                    });
                    slot
                }
            };
            stored.assessment.answers[slot].ratings.push(Rating {
                rater,
                level: row.get("level"),
                evidence: row.get("evidence"),
                refs: from_json(&refs, &format!("assessment {aid}, rating of {indicator}"))?,
            });
        }
        let ids: Vec<i64> = out.iter().map(|s| s.header.id).collect();
        for (id, plan) in crate::plans::plans_of(&mut tx, &ids).await? {
            if let Some(stored) = index.get(&id).and_then(|&ix| out.get_mut(ix)) {
                stored.assessment.plan = plan;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Adds a rater to an assessment that is not finalised. Event
    /// `rater.added` (object = the rater id; after = `{id, name, role}`).
    pub async fn add_rater(
        &self,
        assessment: i64,
        rater: &Rater,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        if rater.id.trim().is_empty() || rater.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a rater needs an id and a name: fill both in".to_owned(),
            ));
        }
        write_tx!(self, |tx| {
            check_open(tx, assessment).await?;
            let position: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM rater WHERE assessment_id = $1")
                    .bind(assessment)
                    .fetch_one(&mut *tx)
                    .await?;
            if usize::try_from(position).unwrap_or(usize::MAX) >= MAX_RATERS {
                return Err(too_many_raters(&format!("assessment {assessment}")));
            }
            insert_rater(tx, assessment, rater, position as usize).await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("rater.added", rater.id.as_str())
                    .assessment(assessment)
                    .after(
                        json!({ "id": rater.id, "name": rater.name, "role": rater.role.code() }),
                    ),
            )
            .await?;
            Ok(())
        })
    }

    /// An assessment's header and the account linked to its rater `rater`
    /// (`None`: not linked, or no such rater), in one query: what deciding
    /// who may enter that rater's ratings needs. `None` when there is no
    /// such assessment. Give the link to [`Store::save_rating_checked`] or
    /// [`Store::clear_rating_checked`], which refuse the write if it has
    /// changed since.
    pub async fn header_with_rater(
        &self,
        id: i64,
        rater: &str,
    ) -> Result<Option<(AssessmentHeader, Option<i64>)>, StoreError> {
        let mut q = Sql::new(concat!(
            "SELECT ",
            header_columns!(),
            ", (SELECT rt.account_id FROM rater rt WHERE rt.assessment_id = a.id AND rt.id = "
        ));
        q.push_bind(rater.to_owned());
        q.push(") AS rater_account");
        q.push(HEADER_SELECT_FROM);
        q.push(" WHERE a.id = ").push_bind(id);
        let Some(row) = q.build()?.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let account: Option<i64> = row.try_get("rater_account")?;
        Ok(Some((header_row(&row)?, account)))
    }

    /// Links a rater of an assessment to an account (`Some`), or unlinks it
    /// (`None`). An account is at most one rater of an assessment (else
    /// [`StoreError::Conflict`]). Allowed on a finalised assessment too (it
    /// says who a rater is, not what was rated). Moves the assessment's
    /// revision; event `rater.linked` (object = the rater id; before and
    /// after = `{"account": id}`, none when unlinked). Linking a rater to
    /// the account it has writes nothing.
    pub async fn link_rater(
        &self,
        assessment: i64,
        rater: &str,
        account: Option<i64>,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let row =
                sqlx::query("SELECT account_id FROM rater WHERE assessment_id = $1 AND id = $2")
                    .bind(assessment)
                    .bind(rater)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        not_found(format!("rater `{rater}` in assessment {assessment}"))
                    })?;
            let old: Option<i64> = row.get("account_id");
            if old == account {
                return Ok(());
            }
            if let Some(id) = account {
                let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM account WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if known.is_none() {
                    return Err(not_found(format!("account {id}")));
                }
                let other: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM rater WHERE assessment_id = $1 AND account_id = $2",
                )
                .bind(assessment)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(other) = other {
                    return Err(StoreError::Conflict {
                        what: format!(
                            "account {id} as a rater of assessment {assessment} (rater `{other}`)"
                        ),
                        hint:
                            "a person is one rater of an assessment: unlink the other rater first"
                                .to_owned(),
                    });
                }
            }
            sqlx::query("UPDATE rater SET account_id = $1 WHERE assessment_id = $2 AND id = $3")
                .bind(account)
                .bind(assessment)
                .bind(rater)
                .execute(&mut *tx)
                .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("rater.linked", rater)
                    .assessment(assessment)
                    .before(old.map(|id| json!({ "account": id })))
                    .after(account.map(|id| json!({ "account": id }))),
            )
            .await?;
            Ok(())
        })
    }

    /// Saves one rater's rating of one indicator. `expected` is the version
    /// the caller read (0: there was none). Refused when stale, with the
    /// stored rating, and when the assessment is finalised. A rating that
    /// is not answered now (never saved, or cleared) may also be saved at
    /// version 0: nothing is overwritten then.
    ///
    /// Event `rating.saved` (indicator set; object = `INDICATOR / RATER`;
    /// before and after = `{level, evidence, refs}`, before none when the
    /// rating was not answered).
    pub async fn save_rating(
        &self,
        assessment: i64,
        indicator: &str,
        rater: &str,
        input: &RatingInput,
        expected: i64,
        audit: &Audit,
    ) -> Result<StoredRating, StoreError> {
        self.save_rating_checked(
            assessment,
            indicator,
            rater,
            input,
            expected,
            RaterLink::Unchecked,
            audit,
        )
        .await
    }

    /// [`Store::save_rating`], refused with [`StoreError::RaterRelinked`]
    /// (nothing written) unless the rater's account link is still `link`
    /// in the write's transaction: the link the caller's permission was
    /// decided on ([`Store::header_with_rater`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_rating_checked(
        &self,
        assessment: i64,
        indicator: &str,
        rater: &str,
        input: &RatingInput,
        expected: i64,
        link: RaterLink,
        audit: &Audit,
    ) -> Result<StoredRating, StoreError> {
        write_tx!(self, |tx| {
            // The write lock is held since BEGIN IMMEDIATE: what is read
            // here stays true until the commit.
            let now = open_rating(tx, assessment, indicator, rater, true, link).await?;
            now.check(expected)?;
            let sql = if now.version() == 0 {
                format!(
                    "INSERT INTO rating (level, evidence, refs, updated_at, assessment_id, indicator_id, rater_id)
                     VALUES ($1, $2, $3, {NOW}, $4, $5, $6) RETURNING version, updated_at"
                )
            } else {
                format!(
                    "UPDATE rating SET level = $1, evidence = $2, refs = $3, cleared = 0,
                       version = version + 1, updated_at = {NOW}
                     WHERE assessment_id = $4 AND indicator_id = $5 AND rater_id = $6
                     RETURNING version, updated_at"
                )
            };
            let row = sqlx::query(&sql)
                .bind(&input.level)
                .bind(&input.evidence)
                .bind(to_json(&input.refs))
                .bind(assessment)
                .bind(indicator)
                .bind(rater)
                .fetch_one(&mut *tx)
                .await?;
            touch(tx, assessment).await?;
            let before = match &now {
                RatingNow::Live(old) => Some(rating_json(&old.input)),
                RatingNow::Absent | RatingNow::Cleared(_) => None,
            };
            append(
                tx,
                audit,
                Event::new("rating.saved", format!("{indicator} / {rater}"))
                    .assessment(assessment)
                    .indicator(indicator)
                    .before(before)
                    .after(rating_json(input)),
            )
            .await?;
            Ok(StoredRating {
                indicator: indicator.to_owned(),
                rater: rater.to_owned(),
                input: input.clone(),
                version: row.get("version"),
                updated_at: row.get("updated_at"),
            })
        })
    }

    /// Clears a rating (back to "not answered") if it is still at
    /// `expected`, keeping its row as a tombstone with the next version, so
    /// that a save naming the version before the clear is refused as
    /// stale. Returns the version a later save names: the tombstone's, or
    /// 0 when there was nothing to clear (nothing is written then).
    ///
    /// Event `rating.cleared` (indicator set; object = `INDICATOR / RATER`;
    /// before = `{level, evidence, refs}`, after none).
    pub async fn clear_rating_returning_version(
        &self,
        assessment: i64,
        indicator: &str,
        rater: &str,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        self.clear_rating_checked(
            assessment,
            indicator,
            rater,
            expected,
            RaterLink::Unchecked,
            audit,
        )
        .await
    }

    /// [`Store::clear_rating_returning_version`], refused with
    /// [`StoreError::RaterRelinked`] (nothing written) unless the rater's
    /// account link is still `link` in the write's transaction.
    pub async fn clear_rating_checked(
        &self,
        assessment: i64,
        indicator: &str,
        rater: &str,
        expected: i64,
        link: RaterLink,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let now = open_rating(tx, assessment, indicator, rater, false, link).await?;
            now.check(expected)?;
            let RatingNow::Live(old) = now else {
                return Ok(now.version());
            };
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE rating SET level = '', evidence = NULL, refs = '[]', cleared = 1,
                   version = version + 1, updated_at = {NOW}
                 WHERE assessment_id = $1 AND indicator_id = $2 AND rater_id = $3
                 RETURNING version"
            ))
            .bind(assessment)
            .bind(indicator)
            .bind(rater)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("rating.cleared", format!("{indicator} / {rater}"))
                    .assessment(assessment)
                    .indicator(indicator)
                    .before(rating_json(&old.input)),
            )
            .await?;
            Ok(version)
        })
    }

    /// Clears a rating if it is still at `expected`, like
    /// [`Store::clear_rating_returning_version`] (kept for callers that do
    /// not need the tombstone's version: a rating not answered now may be
    /// saved again at version 0).
    pub async fn clear_rating(
        &self,
        assessment: i64,
        indicator: &str,
        rater: &str,
        expected: i64,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        self.clear_rating_returning_version(assessment, indicator, rater, expected, audit)
            .await
            .map(|_| ())
    }

    /// Saves the answer row of an indicator: the consensus (level and
    /// justification, or none), the target override and the comment.
    /// Returns the new version. Refused when stale or finalised.
    ///
    /// Event `consensus.saved` (indicator set; object = the indicator;
    /// before and after = `{consensus_level, justification, target,
    /// comment}`, before none when the indicator had no answer row).
    pub async fn save_answer(
        &self,
        assessment: i64,
        indicator: &str,
        answer: &Answer,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            check_open(tx, assessment).await?;
            let before = sqlx::query(
                "SELECT consensus_level, justification, target, comment FROM answer WHERE assessment_id = $1 AND indicator_id = $2",
            )
            .bind(assessment)
            .bind(indicator)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| {
                answer_json(
                    r.get("consensus_level"),
                    r.get("justification"),
                    r.get("target"),
                    r.get("comment"),
                )
            });
            let written: Option<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO answer (assessment_id, indicator_id, consensus_level, justification, target, comment, position, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, (SELECT COUNT(*) FROM answer WHERE assessment_id = $7), {NOW} WHERE true
             ON CONFLICT (assessment_id, indicator_id) DO UPDATE SET
               consensus_level = excluded.consensus_level, justification = excluded.justification,
               target = excluded.target, comment = excluded.comment,
               version = answer.version + 1, updated_at = excluded.updated_at
             WHERE answer.version = $8
             RETURNING version"
        ))
        .bind(assessment)
        .bind(indicator)
        .bind(answer.consensus.as_ref().map(|c| c.level.as_str()))
        .bind(answer.consensus.as_ref().and_then(|c| c.justification.as_deref()))
        .bind(&answer.target)
        .bind(&answer.comment)
        .bind(assessment)
        .bind(expected)
        .fetch_optional(&mut *tx)
        .await?;
            let Some(version) = written else {
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM answer WHERE assessment_id = $1 AND indicator_id = $2",
                )
                .bind(assessment)
                .bind(indicator)
                .fetch_optional(&mut *tx)
                .await?;
                return Err(StoreError::Stale {
                    what: format!("the consensus of {indicator}"),
                    expected,
                    current: current.unwrap_or(0),
                });
            };
            touch(tx, assessment).await?;
            let after = answer_json(
                answer.consensus.as_ref().map(|c| c.level.clone()),
                answer
                    .consensus
                    .as_ref()
                    .and_then(|c| c.justification.clone()),
                answer.target.clone(),
                answer.comment.clone(),
            );
            append(
                tx,
                audit,
                Event::new("consensus.saved", indicator)
                    .assessment(assessment)
                    .indicator(indicator)
                    .before(before)
                    .after(after),
            )
            .await?;
            Ok(version)
        })
    }

    /// Finalises (locks) an assessment still at `expected` version and
    /// clears its `reopened` mark; returns the new version. Event
    /// `assessment.finalised` (object = `commune / round`; before and after
    /// = `{finalised, reopened}`).
    pub async fn finalise(
        &self,
        assessment: i64,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        self.lock(assessment, expected, None, audit).await
    }

    /// Finalises (locks) an assessment still at `expected` version as a
    /// *provisional* round: below the completeness required, by the
    /// facilitator's explicit choice, with `reason` (required, kept on the
    /// assessment and in the trail). Returns the new version. Event
    /// `assessment.finalised` (before and after = `{finalised, reopened,
    /// provisional}`; the reason).
    pub async fn finalise_provisional(
        &self,
        assessment: i64,
        expected: i64,
        reason: &str,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let reason = crate::required_reason(
            reason,
            "finalising a provisional round needs a reason: say why it cannot be completed",
        )?;
        self.lock(assessment, expected, Some(reason), audit).await
    }

    /// Locks an assessment at `expected` version: provisional with its
    /// reason, or complete ([`Store::finalise`], [`Store::finalise_provisional`]).
    async fn lock(
        &self,
        assessment: i64,
        expected: i64,
        provisional: Option<&str>,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            check_open(tx, assessment).await?;
            let lock = lock_state(tx, assessment).await?;
            if lock.version != expected {
                return Err(StoreError::Stale {
                    what: format!("assessment {assessment}"),
                    expected,
                    current: lock.version,
                });
            }
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE assessment SET finalised = 1, reopened = 0, provisional_reason = $1, version = version + 1, revision = revision + 1, updated_at = {NOW}
                 WHERE id = $2 RETURNING version"
            ))
            .bind(provisional)
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
            let mut event = Event::new("assessment.finalised", lock.label()).assessment(assessment);
            event = match provisional {
                None => event
                    .before(json!({ "finalised": false, "reopened": lock.reopened }))
                    .after(json!({ "finalised": true, "reopened": false })),
                Some(reason) => event
                    .before(json!({ "finalised": false, "reopened": lock.reopened, "provisional": false }))
                    .after(json!({ "finalised": true, "reopened": false, "provisional": true }))
                    .reason(reason),
            };
            append(tx, audit, event).await?;
            Ok(version)
        })
    }

    /// Unlocks a finalised assessment still at `expected` version, for a
    /// correction: it becomes editable again and is marked `reopened`
    /// until finalised again. `reason` (required, kept in the trail) says
    /// why. Refused with [`StoreError::NotFinalised`] when the assessment
    /// is not finalised. Returns the new version; event
    /// `assessment.unlocked` (object = `commune / round`; before and after
    /// = `{finalised, reopened}`; the reason).
    pub async fn unlock(
        &self,
        assessment: i64,
        expected: i64,
        reason: &str,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let reason = crate::required_reason(
            reason,
            "unlocking a finalised assessment needs a reason: say what must be corrected",
        )?;
        write_tx!(self, |tx| {
            let lock = lock_state(tx, assessment).await?;
            if !lock.finalised {
                return Err(StoreError::NotFinalised { id: assessment });
            }
            if lock.version != expected {
                return Err(StoreError::Stale {
                    what: format!("assessment {assessment}"),
                    expected,
                    current: lock.version,
                });
            }
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE assessment SET finalised = 0, reopened = 1, provisional_reason = NULL, version = version + 1, revision = revision + 1, updated_at = {NOW}
                 WHERE id = $1 RETURNING version"
            ))
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("assessment.unlocked", lock.label())
                    .assessment(assessment)
                    .before(json!({ "finalised": true, "reopened": lock.reopened }))
                    .after(json!({ "finalised": false, "reopened": true }))
                    .reason(reason),
            )
            .await?;
            Ok(version)
        })
    }

    // ------------------------------------------------------------ plan

    /// The stored adjustments of an assessment's action plan.
    pub async fn plan_adjustments(
        &self,
        assessment: i64,
    ) -> Result<Vec<PlanAdjustmentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT action_key, accepted, cost_override, version FROM plan_adjustment WHERE assessment_id = $1 ORDER BY action_key",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PlanAdjustmentRow {
                action_key: r.get("action_key"),
                accepted: r.get::<i64, _>("accepted") != 0,
                cost_override: r.get("cost_override"),
                version: r.get("version"),
            })
            .collect())
    }

    /// Saves the adjustment of one action (kept or dropped, cost override).
    /// A plan stays adjustable after the assessment is finalised: it is the
    /// council's working document. Returns the new version.
    ///
    /// Event `plan.adjusted` (object = the action key; before and after =
    /// `{accepted, cost_override}`, before none for a first adjustment).
    pub async fn save_plan_adjustment(
        &self,
        assessment: i64,
        action_key: &str,
        accepted: bool,
        cost_override: Option<&str>,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM assessment WHERE id = $1")
                .bind(assessment)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(not_found(format!("assessment {assessment}")));
            }
            let before = sqlx::query(
                "SELECT accepted, cost_override FROM plan_adjustment WHERE assessment_id = $1 AND action_key = $2",
            )
            .bind(assessment)
            .bind(action_key)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| {
                json!({
                    "accepted": r.get::<i64, _>("accepted") != 0,
                    "cost_override": r.get::<Option<String>, _>("cost_override"),
                })
            });
            let written: Option<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO plan_adjustment (assessment_id, action_key, accepted, cost_override, updated_at)
             SELECT $1, $2, $3, $4, {NOW} WHERE true
             ON CONFLICT (assessment_id, action_key) DO UPDATE SET
               accepted = excluded.accepted, cost_override = excluded.cost_override,
               version = plan_adjustment.version + 1, updated_at = excluded.updated_at
             WHERE plan_adjustment.version = $5
             RETURNING version"
        ))
        .bind(assessment)
        .bind(action_key)
        .bind(bit(accepted))
        .bind(cost_override)
        .bind(expected)
        .fetch_optional(&mut *tx)
        .await?;
            let Some(version) = written else {
                let current: Option<i64> = sqlx::query_scalar(
                "SELECT version FROM plan_adjustment WHERE assessment_id = $1 AND action_key = $2",
            )
            .bind(assessment)
            .bind(action_key)
            .fetch_optional(&mut *tx)
            .await?;
                return Err(StoreError::Stale {
                    what: format!("the plan line {action_key}"),
                    expected,
                    current: current.unwrap_or(0),
                });
            };
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("plan.adjusted", action_key)
                    .assessment(assessment)
                    .before(before)
                    .after(json!({ "accepted": accepted, "cost_override": cost_override })),
            )
            .await?;
            Ok(version)
        })
    }

    /// The council's own actions of an assessment's plan, in the order
    /// they were added.
    pub async fn council_actions(
        &self,
        assessment: i64,
    ) -> Result<Vec<CouncilActionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, indicator, title, cost, horizon, responsible, deadline, status, version
             FROM council_action WHERE assessment_id = $1 ORDER BY id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CouncilActionRow {
                id: r.get("id"),
                indicator: r.get("indicator"),
                title: r.get("title"),
                cost: r.get("cost"),
                horizon: r.get("horizon"),
                responsible: r.get("responsible"),
                deadline: r.get("deadline"),
                status: r.get("status"),
                version: r.get("version"),
            })
            .collect())
    }

    /// Adds one of the council's own actions to an assessment's plan (also
    /// after finalising: the plan is the council's working document).
    /// Returns its id. Event `plan.action_added` (object = the indicator;
    /// after = the action).
    pub async fn add_council_action(
        &self,
        assessment: i64,
        action: &NewCouncilAction,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM assessment WHERE id = $1")
                .bind(assessment)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(not_found(format!("assessment {assessment}")));
            }
            let id: i64 = sqlx::query_scalar(&format!(
                "INSERT INTO council_action (assessment_id, indicator, title, cost, horizon, responsible, deadline, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {NOW}, {NOW}) RETURNING id"
            ))
            .bind(assessment)
            .bind(&action.indicator)
            .bind(&action.title)
            .bind(&action.cost)
            .bind(&action.horizon)
            .bind(&action.responsible)
            .bind(&action.deadline)
            .bind(&action.status)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("plan.action_added", action.indicator.as_str())
                    .assessment(assessment)
                    .indicator(&action.indicator)
                    .after(json!({
                        "id": id,
                        "title": action.title,
                        "cost": action.cost,
                        "horizon": action.horizon,
                        "responsible": action.responsible,
                        "deadline": action.deadline,
                        "status": action.status,
                    })),
            )
            .await?;
            Ok(id)
        })
    }

    /// Sets the status of one of the council's actions, still at
    /// `expected` version; returns the new version. Event
    /// `plan.action_updated` (object = the indicator; before and after =
    /// `{id, status}`).
    pub async fn set_council_action_status(
        &self,
        assessment: i64,
        action: i64,
        status: &str,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let stored = council_action_at(tx, assessment, action, expected).await?;
            let (indicator, before) = (stored.indicator, stored.status);
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE council_action SET status = $1, version = version + 1, updated_at = {NOW}
                 WHERE id = $2 RETURNING version"
            ))
            .bind(status)
            .bind(action)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("plan.action_updated", indicator.as_str())
                    .assessment(assessment)
                    .indicator(&indicator)
                    .before(json!({ "id": action, "status": before }))
                    .after(json!({ "id": action, "status": status })),
            )
            .await?;
            Ok(version)
        })
    }

    /// Changes one of the council's actions (every field but its status),
    /// still at `expected` version; returns the new version. Event
    /// `plan.action_updated` (object = the indicator; before and after =
    /// the action's fields with its id).
    pub async fn update_council_action(
        &self,
        assessment: i64,
        action: i64,
        changed: &NewCouncilAction,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let before = council_action_at(tx, assessment, action, expected).await?;
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE council_action SET indicator = $1, title = $2, cost = $3, horizon = $4, responsible = $5, deadline = $6,
                   version = version + 1, updated_at = {NOW} WHERE id = $7 RETURNING version"
            ))
            .bind(&changed.indicator)
            .bind(&changed.title)
            .bind(&changed.cost)
            .bind(&changed.horizon)
            .bind(&changed.responsible)
            .bind(&changed.deadline)
            .bind(action)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            let after = NewCouncilAction {
                status: before.status.clone(),
                ..changed.clone()
            };
            append(
                tx,
                audit,
                Event::new("plan.action_updated", changed.indicator.as_str())
                    .assessment(assessment)
                    .indicator(&changed.indicator)
                    .before(council_json(action, &before))
                    .after(council_json(action, &after)),
            )
            .await?;
            Ok(version)
        })
    }

    /// Deletes one of the council's actions, still at `expected` version.
    /// Event `plan.action_deleted` (object = the indicator; before = the
    /// action), so the trail keeps what it was.
    pub async fn delete_council_action(
        &self,
        assessment: i64,
        action: i64,
        expected: i64,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let before = council_action_at(tx, assessment, action, expected).await?;
            sqlx::query("DELETE FROM council_action WHERE id = $1")
                .bind(action)
                .execute(&mut *tx)
                .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("plan.action_deleted", before.indicator.as_str())
                    .assessment(assessment)
                    .indicator(&before.indicator)
                    .before(council_json(action, &before)),
            )
            .await?;
            Ok(())
        })
    }

    /// Number of stored assessments.
    pub async fn count_assessments(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM assessment")
            .fetch_one(&self.pool)
            .await?)
    }
}

/// One of the council's actions as stored, when it is still at
/// `expected`; else the refusal naming the version now.
async fn council_action_at(
    conn: &mut AnyConnection,
    assessment: i64,
    action: i64,
    expected: i64,
) -> Result<NewCouncilAction, StoreError> {
    let row = sqlx::query(
        "SELECT indicator, title, cost, horizon, responsible, deadline, status, version FROM council_action WHERE id = $1 AND assessment_id = $2",
    )
    .bind(action)
    .bind(assessment)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(format!("council action {action} of assessment {assessment}")))?;
    let current: i64 = row.get("version");
    if current != expected {
        return Err(StoreError::Stale {
            what: format!("council action {action}"),
            expected,
            current,
        });
    }
    Ok(NewCouncilAction {
        indicator: row.get("indicator"),
        title: row.get("title"),
        cost: row.get("cost"),
        horizon: row.get("horizon"),
        responsible: row.get("responsible"),
        deadline: row.get("deadline"),
        status: row.get("status"),
    })
}

/// A council action in the audit trail.
fn council_json(id: i64, a: &NewCouncilAction) -> serde_json::Value {
    json!({
        "id": id,
        "title": a.title,
        "cost": a.cost,
        "horizon": a.horizon,
        "responsible": a.responsible,
        "deadline": a.deadline,
        "status": a.status,
    })
}

/// The refusal of a rater beyond [`MAX_RATERS`].
fn too_many_raters(what: &str) -> StoreError {
    StoreError::Invalid(format!(
        "{what} would have more than {MAX_RATERS} raters, the most one workshop holds: record the others' views through these raters, or split the workshop"
    ))
}

/// The columns [`header_row`] reads, for every query that lists headers
/// (one list: a column added to the header is added to every such query).
/// The cercle and region are the commune's territory at the assessment's
/// date ([`REGION_AT_DATE`]), so a reorganisation does not move old rounds.
macro_rules! header_columns {
    () => {
        "a.id, a.commune_id, c.name AS commune_name, COALESCE((SELECT t.cercle FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= a.date AND (t.valid_to IS NULL OR a.date < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.cercle) AS cercle, COALESCE((SELECT t.region FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= a.date AND (t.valid_to IS NULL OR a.date < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.region) AS region, a.rubric_id, a.rubric_version, a.round, a.campaign_id, a.date, a.fictional, a.finalised, a.reopened, a.provisional_reason, a.comment, a.commune_snapshot, a.version, a.revision"
    };
}
pub(crate) use header_columns;

const HEADER_SELECT: &str = concat!(
    "SELECT ",
    header_columns!(),
    " FROM assessment a JOIN commune c ON c.id = a.commune_id WHERE 1 = 1"
);

/// The tables of [`HEADER_SELECT`], for queries that join more to them.
pub(crate) const HEADER_SELECT_FROM: &str =
    " FROM assessment a JOIN commune c ON c.id = a.commune_id";

enum IdFilter<'a> {
    One(i64),
    Many(&'a AssessmentFilter),
}

impl IdFilter<'_> {
    fn push(&self, q: &mut Sql) {
        match self {
            IdFilter::One(id) => {
                q.push(" AND a.id = ").push_bind(*id);
            }
            IdFilter::Many(filter) => push_filter(q, filter),
        }
    }
}

/// A filter on the region of assessment `a`'s commune `c` at the
/// assessment's date (the period of `commune_territory` covering it, else
/// the commune's own region), as in [`header_columns`].
const REGION_AT_DATE: &str = " AND COALESCE((SELECT t.region FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= a.date AND (t.valid_to IS NULL OR a.date < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.region) = ";
/// The same for the cercle.
const CERCLE_AT_DATE: &str = " AND COALESCE((SELECT t.cercle FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= a.date AND (t.valid_to IS NULL OR a.date < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.cercle) = ";

pub(crate) fn push_filter(q: &mut Sql, f: &AssessmentFilter) {
    let fields = [
        (" AND a.rubric_id = ", &f.rubric),
        (" AND a.rubric_version = ", &f.rubric_version),
        (" AND a.round = ", &f.round),
        (" AND a.campaign_id = ", &f.campaign),
        (REGION_AT_DATE, &f.region),
        (CERCLE_AT_DATE, &f.cercle),
        (" AND a.commune_id = ", &f.commune),
    ];
    for (sql, value) in fields {
        if let Some(v) = value.as_deref().filter(|s| !s.is_empty()) {
            q.push(sql).push_bind(v.to_owned());
        }
    }
}

/// The header in a row of [`header_columns`]; a missing or mistyped column
/// is an error, never a panic.
pub(crate) fn header_row(r: &sqlx::any::AnyRow) -> Result<AssessmentHeader, StoreError> {
    Ok(AssessmentHeader {
        id: r.try_get("id")?,
        commune_id: r.try_get("commune_id")?,
        commune_name: r.try_get("commune_name")?,
        cercle: r.try_get("cercle")?,
        region: r.try_get("region")?,
        rubric: r.try_get("rubric_id")?,
        rubric_version: r.try_get("rubric_version")?,
        round: r.try_get("round")?,
        campaign_id: r
            .try_get::<Option<String>, _>("campaign_id")?
            .unwrap_or_default(),
        date: r.try_get("date")?,
        fictional: flag(r, "fictional")?,
        finalised: flag(r, "finalised")?,
        reopened: flag(r, "reopened")?,
        provisional_reason: r.try_get("provisional_reason")?,
        version: r.try_get("version")?,
        revision: r.try_get("revision")?,
    })
}

pub(crate) fn commune_row(r: &sqlx::any::AnyRow) -> Result<CommuneRow, StoreError> {
    let id: String = r.get("id");
    let kind: String = r.get("kind");
    let setting: Option<String> = r.get("setting");
    let transferred: String = r.get("transferred");
    let population: Option<i64> = r.get("population");
    Ok(CommuneRow {
        commune: Commune {
            name: r.get("name"),
            cercle: r.get("cercle"),
            region: r.get("region"),
            kind: from_json(&format!("\"{kind}\""), &format!("commune {id}"))?,
            population: population.and_then(|p| u64::try_from(p).ok()),
            setting: setting
                .map(|s| from_json(&format!("\"{s}\""), &format!("commune {id}")))
                .transpose()?,
            transferred: from_json(&transferred, &format!("commune {id}"))?,
            id,
        },
        assessments: r.get("n"),
        version: r.get("version"),
        active: flag(r, "active")?,
        merged_into: r.try_get("merged_into")?,
    })
}

/// Every commune with its territory valid today (the period of
/// `commune_territory` covering today, else its own region and cercle) and
/// its number of assessments: the columns [`commune_row`] reads.
pub(crate) const COMMUNE_TODAY: &str = "SELECT c.id, c.name, c.kind, c.population, c.setting, c.transferred, c.version, c.active, c.merged_into,
   COALESCE((SELECT t.region FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= strftime('%Y-%m-%d', 'now') AND (t.valid_to IS NULL OR strftime('%Y-%m-%d', 'now') < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.region) AS region,
   COALESCE((SELECT t.cercle FROM commune_territory t WHERE t.commune_id = c.id AND t.valid_from <= strftime('%Y-%m-%d', 'now') AND (t.valid_to IS NULL OR strftime('%Y-%m-%d', 'now') < t.valid_to) ORDER BY t.valid_from DESC LIMIT 1), c.cercle) AS cercle,
   (SELECT COUNT(*) FROM assessment a WHERE a.commune_id = c.id) AS n
 FROM commune c";

/// A serde enum's wire name (`"urban"` → `urban`).
pub(crate) fn enum_code<T: serde::Serialize>(value: &T) -> String {
    to_json(value).trim_matches('"').to_owned()
}

pub(crate) async fn upsert_commune(
    conn: &mut AnyConnection,
    c: &Commune,
    audit: &Audit,
) -> Result<(), StoreError> {
    let before = sqlx::query("SELECT c.*, 0 AS n FROM commune c WHERE c.id = $1")
        .bind(&c.id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(commune_row)
        .transpose()?;
    let changed = sqlx::query(&format!(
        "INSERT INTO commune (id, name, cercle, region, kind, population, setting, transferred, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {NOW})
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, cercle = excluded.cercle, region = excluded.region,
           kind = excluded.kind, population = excluded.population, setting = excluded.setting,
           transferred = excluded.transferred, version = commune.version + 1, updated_at = excluded.updated_at
         WHERE commune.name IS DISTINCT FROM excluded.name OR commune.cercle IS DISTINCT FROM excluded.cercle
           OR commune.region IS DISTINCT FROM excluded.region OR commune.kind IS DISTINCT FROM excluded.kind
           OR commune.population IS DISTINCT FROM excluded.population OR commune.setting IS DISTINCT FROM excluded.setting
           OR commune.transferred IS DISTINCT FROM excluded.transferred"
    ))
    .bind(&c.id)
    .bind(&c.name)
    .bind(&c.cercle)
    .bind(&c.region)
    .bind(enum_code(&c.kind))
    .bind(c.population.and_then(|p| i64::try_from(p).ok()))
    .bind(c.setting.as_ref().map(enum_code))
    .bind(to_json(&c.transferred))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed > 0 {
        // Headers show the commune's current name, cercle and region.
        sqlx::query(&format!(
            "UPDATE assessment SET revision = revision + 1, updated_at = {NOW} WHERE commune_id = $1"
        ))
        .bind(&c.id)
        .execute(&mut *conn)
        .await?;
        append(
            conn,
            audit,
            Event::new("commune.saved", c.id.as_str())
                .before(before.map(|row| commune_json(&row.commune)))
                .after(commune_json(c)),
        )
        .await?;
    }
    Ok(())
}

async fn insert_rater(
    conn: &mut AnyConnection,
    assessment: i64,
    rater: &Rater,
    position: usize,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO rater (assessment_id, id, name, role, position) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(assessment)
    .bind(&rater.id)
    .bind(&rater.name)
    .bind(rater.role.code())
    .bind(position as i64)
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict {
            what: format!("rater `{}`", rater.id),
            hint: "each rater of an assessment needs its own id".to_owned(),
        },
        other => other.into(),
    })?;
    Ok(())
}

async fn check_open(conn: &mut AnyConnection, assessment: i64) -> Result<(), StoreError> {
    let finalised: Option<i64> =
        sqlx::query_scalar("SELECT finalised FROM assessment WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *conn)
            .await?;
    match finalised.map(|f| f != 0) {
        None => Err(not_found(format!("assessment {assessment}"))),
        Some(true) => Err(StoreError::Locked { id: assessment }),
        Some(false) => Ok(()),
    }
}

/// Marks a write to an assessment: its revision moves (same transaction).
pub(crate) async fn touch(conn: &mut AnyConnection, assessment: i64) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE assessment SET revision = revision + 1, updated_at = {NOW} WHERE id = $1"
    ))
    .bind(assessment)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A rating as stored now, read inside a write transaction.
enum RatingNow {
    /// No row: never saved.
    Absent,
    /// A tombstone: cleared at this version.
    Cleared(i64),
    /// A rating.
    Live(StoredRating),
}

impl RatingNow {
    /// Version of the row, 0 without one.
    fn version(&self) -> i64 {
        match self {
            RatingNow::Absent => 0,
            RatingNow::Cleared(version) => *version,
            RatingNow::Live(rating) => rating.version,
        }
    }

    /// Accepts a write naming `expected` when it is the stored version, or
    /// 0 while the rating is not answered (nothing would be overwritten);
    /// refuses it with what is stored now otherwise.
    fn check(&self, expected: i64) -> Result<(), StoreError> {
        let accepted = match self {
            RatingNow::Live(rating) => rating.version == expected,
            RatingNow::Absent | RatingNow::Cleared(_) => {
                expected == 0 || expected == self.version()
            }
        };
        if accepted {
            return Ok(());
        }
        Err(StoreError::StaleRating {
            expected,
            current: match self {
                RatingNow::Live(rating) => Some(Box::new(rating.clone())),
                RatingNow::Absent | RatingNow::Cleared(_) => None,
            },
        })
    }
}

/// What a write of one rating checks first, read in one query inside its
/// write transaction: the assessment exists and is open (else
/// [`StoreError::NotFound`] or [`StoreError::Locked`]), with
/// `rater_known`, rater `rater` is one of its raters (else `NotFound`),
/// and the rating as stored now.
async fn open_rating(
    conn: &mut AnyConnection,
    assessment: i64,
    indicator: &str,
    rater: &str,
    rater_known: bool,
    link: RaterLink,
) -> Result<RatingNow, StoreError> {
    let row = sqlx::query(
        "SELECT a.finalised, rt.id AS rater_found, rt.account_id AS rater_account, \
           r.level, r.evidence, r.refs, r.version, r.updated_at, r.cleared \
         FROM assessment a \
         LEFT JOIN rater rt ON rt.assessment_id = a.id AND rt.id = $3 \
         LEFT JOIN rating r \
           ON r.assessment_id = a.id AND r.indicator_id = $2 AND r.rater_id = $3 \
         WHERE a.id = $1",
    )
    .bind(assessment)
    .bind(indicator)
    .bind(rater)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        return Err(not_found(format!("assessment {assessment}")));
    };
    if r.get::<i64, _>("finalised") != 0 {
        return Err(StoreError::Locked { id: assessment });
    }
    if rater_known && r.try_get::<Option<String>, _>("rater_found")?.is_none() {
        return Err(not_found(format!(
            "rater `{rater}` in assessment {assessment}"
        )));
    }
    if let RaterLink::Expect(expected) = link {
        let now: Option<i64> = r.try_get("rater_account")?;
        if now != expected {
            return Err(StoreError::RaterRelinked {
                assessment,
                rater: rater.to_owned(),
            });
        }
    }
    let Some(version) = r.get::<Option<i64>, _>("version") else {
        return Ok(RatingNow::Absent);
    };
    if r.get::<Option<i64>, _>("cleared").unwrap_or(0) != 0 {
        return Ok(RatingNow::Cleared(version));
    }
    let refs: String = r.get::<Option<String>, _>("refs").unwrap_or_default();
    Ok(RatingNow::Live(StoredRating {
        indicator: indicator.to_owned(),
        rater: rater.to_owned(),
        input: RatingInput {
            level: r.get::<Option<String>, _>("level").unwrap_or_default(),
            evidence: r.get("evidence"),
            refs: from_json(&refs, &format!("rating of {indicator} by {rater}"))?,
        },
        version,
        updated_at: r.get::<Option<String>, _>("updated_at").unwrap_or_default(),
    }))
}

/// A rating in the audit trail: `{level, evidence, refs}`.
fn rating_json(input: &RatingInput) -> serde_json::Value {
    json!({ "level": input.level, "evidence": input.evidence, "refs": input.refs })
}

/// An answer row in the audit trail.
fn answer_json(
    consensus_level: Option<String>,
    justification: Option<String>,
    target: Option<String>,
    comment: Option<String>,
) -> serde_json::Value {
    json!({
        "consensus_level": consensus_level,
        "justification": justification,
        "target": target,
        "comment": comment,
    })
}

/// A commune in the audit trail: as in assessment files.
pub(crate) fn commune_json(commune: &Commune) -> serde_json::Value {
    serde_json::to_value(commune).unwrap_or(serde_json::Value::Null)
}

/// The lock of an assessment, read inside a write transaction.
struct LockState {
    commune: String,
    round: String,
    finalised: bool,
    reopened: bool,
    version: i64,
}

impl LockState {
    /// The object of the assessment's events: `commune / round`.
    fn label(&self) -> String {
        format!("{} / {}", self.commune, self.round)
    }
}

async fn lock_state(conn: &mut AnyConnection, assessment: i64) -> Result<LockState, StoreError> {
    let row = sqlx::query(
        "SELECT commune_id, round, finalised, reopened, version FROM assessment WHERE id = $1",
    )
    .bind(assessment)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(format!("assessment {assessment}")))?;
    Ok(LockState {
        commune: row.get("commune_id"),
        round: row.get("round"),
        finalised: row.get::<i64, _>("finalised") != 0,
        reopened: row.get::<i64, _>("reopened") != 0,
        version: row.get("version"),
    })
}
