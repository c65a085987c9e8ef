//! Assessment campaigns: what planners declare (one rubric version, a date
//! window, the communes in scope, whether verification is required), and
//! which campaign each assessment belongs to.
//!
//! Every assessment belongs to exactly one campaign. An assessment written
//! with a campaign ([`Store::insert_assessment_in`]) must match it: same
//! rubric and version, its commune in scope, its date inside the window.
//! One written without ([`Store::insert_assessment`]: files, imports, the
//! samples) joins the campaign of its rubric version whose label is its
//! round — a declared one when its window holds the date and its scope the
//! commune, else an *implicit* campaign the store keeps for that round,
//! whose window and scope grow to hold what joins it. Rows older than
//! campaigns are attached the same way when the database is opened
//! ([`Store::attach_to_campaigns`]). A planner who edits an implicit
//! campaign declares it.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::{Event, append};
use crate::rows::{Audit, CampaignRow, NewCampaign};
use crate::{NOW, Store, StoreError, bit, flag, not_found, write_tx};

const CAMPAIGN_COLUMNS: &str = "k.id, k.label, k.rubric_id, k.rubric_version, k.starts, k.ends, k.verification_required, k.implicit, k.version,
     (SELECT COUNT(*) FROM campaign_commune cc WHERE cc.campaign_id = k.id) AS communes,
     (SELECT COUNT(*) FROM assessment a WHERE a.campaign_id = k.id) AS assessments";

fn campaign_row(r: &sqlx::any::AnyRow) -> Result<CampaignRow, StoreError> {
    Ok(CampaignRow {
        id: r.try_get("id")?,
        label: r.try_get("label")?,
        rubric_id: r.try_get("rubric_id")?,
        rubric_version: r.try_get("rubric_version")?,
        starts: r.try_get("starts")?,
        ends: r.try_get("ends")?,
        verification_required: flag(r, "verification_required")?,
        implicit: flag(r, "implicit")?,
        version: r.try_get("version")?,
        communes: r.try_get("communes")?,
        assessments: r.try_get("assessments")?,
    })
}

impl Store {
    /// Every campaign, of rubric `rubric` when given: the latest window
    /// first (by last day, then first day, then id).
    pub async fn campaigns(&self, rubric: Option<&str>) -> Result<Vec<CampaignRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaign k
             WHERE $1 IS NULL OR k.rubric_id = $1
             ORDER BY k.ends DESC, k.starts DESC, k.id"
        ))
        .bind(rubric)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(campaign_row).collect()
    }

    /// One campaign.
    pub async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaign k WHERE k.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(campaign_row).transpose()
    }

    /// The ids of the communes in a campaign's scope, sorted.
    pub async fn campaign_communes(&self, id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT commune_id FROM campaign_commune WHERE campaign_id = $1 ORDER BY commune_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Declares a campaign. Refused when the id is taken
    /// ([`StoreError::Conflict`]), the rubric version or a commune is
    /// unknown ([`StoreError::NotFound`]), or the window is reversed
    /// ([`StoreError::Invalid`]). Event `campaign.created` (object = the
    /// id; after = the campaign with its communes).
    pub async fn create_campaign(
        &self,
        campaign: &NewCampaign,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        check_window(&campaign.starts, &campaign.ends)?;
        write_tx!(self, |tx| {
            let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM campaign WHERE id = $1")
                .bind(&campaign.id)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    what: format!("campaign {}", campaign.id),
                    hint: "choose another id".to_owned(),
                });
            }
            require_rubric(tx, &campaign.rubric_id, &campaign.rubric_version).await?;
            sqlx::query(&format!(
                "INSERT INTO campaign (id, label, rubric_id, rubric_version, starts, ends, verification_required, implicit, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, {NOW}, {NOW})"
            ))
            .bind(&campaign.id)
            .bind(&campaign.label)
            .bind(&campaign.rubric_id)
            .bind(&campaign.rubric_version)
            .bind(&campaign.starts)
            .bind(&campaign.ends)
            .bind(bit(campaign.verification_required))
            .execute(&mut *tx)
            .await?;
            set_scope(tx, &campaign.id, &campaign.communes).await?;
            append(
                tx,
                audit,
                Event::new("campaign.created", campaign.id.as_str()).after(campaign_json(campaign)),
            )
            .await?;
            Ok(())
        })
    }

    /// Changes a campaign still at `expected` version (label, window,
    /// verification, communes; not its id or rubric). Refused when an
    /// assessment of the campaign would fall outside the new window or
    /// its commune outside the new scope ([`StoreError::Invalid`], naming
    /// them). The campaign is declared from then on. Returns the new
    /// version. Event `campaign.updated` (before and after).
    pub async fn update_campaign(
        &self,
        campaign: &NewCampaign,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        check_window(&campaign.starts, &campaign.ends)?;
        write_tx!(self, |tx| {
            let row = sqlx::query(&format!(
                "SELECT {CAMPAIGN_COLUMNS} FROM campaign k WHERE k.id = $1"
            ))
            .bind(&campaign.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| not_found(format!("campaign {}", campaign.id)))?;
            let before = campaign_row(&row)?;
            if before.version != expected {
                return Err(StoreError::Stale {
                    what: format!("campaign {}", campaign.id),
                    expected,
                    current: before.version,
                });
            }
            let outside: Vec<(String, String)> = sqlx::query_as(
                "SELECT commune_id, date FROM assessment WHERE campaign_id = $1 AND (date < $2 OR date > $3) ORDER BY commune_id",
            )
            .bind(&campaign.id)
            .bind(&campaign.starts)
            .bind(&campaign.ends)
            .fetch_all(&mut *tx)
            .await?;
            if !outside.is_empty() {
                let list: Vec<String> = outside.iter().map(|(c, d)| format!("{c} ({d})")).collect();
                return Err(StoreError::Invalid(format!(
                    "the window {} – {} leaves out assessments of this campaign: {}; keep their dates inside the window",
                    campaign.starts,
                    campaign.ends,
                    list.join(", ")
                )));
            }
            let assessed: Vec<String> = sqlx::query_scalar(
                "SELECT commune_id FROM assessment WHERE campaign_id = $1 ORDER BY commune_id",
            )
            .bind(&campaign.id)
            .fetch_all(&mut *tx)
            .await?;
            let dropped: Vec<&String> = assessed
                .iter()
                .filter(|c| !campaign.communes.contains(c))
                .collect();
            if !dropped.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "communes with an assessment in this campaign must stay in its scope: {}",
                    dropped
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let before_communes: Vec<String> = sqlx::query_scalar(
                "SELECT commune_id FROM campaign_commune WHERE campaign_id = $1 ORDER BY commune_id",
            )
            .bind(&campaign.id)
            .fetch_all(&mut *tx)
            .await?;
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE campaign SET label = $1, starts = $2, ends = $3, verification_required = $4, implicit = 0,
                   version = version + 1, updated_at = {NOW}
                 WHERE id = $5 RETURNING version"
            ))
            .bind(&campaign.label)
            .bind(&campaign.starts)
            .bind(&campaign.ends)
            .bind(bit(campaign.verification_required))
            .bind(&campaign.id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM campaign_commune WHERE campaign_id = $1")
                .bind(&campaign.id)
                .execute(&mut *tx)
                .await?;
            set_scope(tx, &campaign.id, &campaign.communes).await?;
            // The round label of the campaign's assessments is its label.
            sqlx::query(&format!(
                "UPDATE assessment SET round = $1, revision = revision + 1, updated_at = {NOW}
                 WHERE campaign_id = $2 AND round <> $3"
            ))
            .bind(&campaign.label)
            .bind(&campaign.id)
            .bind(&campaign.label)
            .execute(&mut *tx)
            .await?;
            let before_json = json!({
                "label": before.label,
                "starts": before.starts,
                "ends": before.ends,
                "verification_required": before.verification_required,
                "implicit": before.implicit,
                "communes": before_communes,
            });
            append(
                tx,
                audit,
                Event::new("campaign.updated", campaign.id.as_str())
                    .before(before_json)
                    .after(campaign_json(campaign)),
            )
            .await?;
            Ok(version)
        })
    }

    /// Attaches every assessment that has no campaign (rows written
    /// before campaigns existed) to the campaign of its round, as
    /// [`Store::insert_assessment`] does for new ones. Returns how many
    /// were attached; 0 (and no transaction) when none is missing.
    pub async fn attach_to_campaigns(&self, audit: &Audit) -> Result<usize, StoreError> {
        let missing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM assessment WHERE campaign_id IS NULL")
                .fetch_one(&self.pool)
                .await?;
        if missing == 0 {
            return Ok(0);
        }
        write_tx!(self, |tx| {
            let rows: Vec<Orphan> = sqlx::query_as(
                "SELECT id, commune_id, rubric_id, rubric_version, round, date FROM assessment
                 WHERE campaign_id IS NULL ORDER BY date, id",
            )
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let campaign = campaign_for_round(
                    tx,
                    &RoundOf {
                        commune: &row.commune_id,
                        rubric: &row.rubric_id,
                        rubric_version: &row.rubric_version,
                        round: &row.round,
                        date: &row.date,
                    },
                    audit,
                )
                .await?;
                sqlx::query("UPDATE assessment SET campaign_id = $1 WHERE id = $2")
                    .bind(&campaign)
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                append(
                    tx,
                    audit,
                    Event::new(
                        "assessment.campaign_set",
                        format!("{} / {}", row.commune_id, row.round),
                    )
                    .assessment(row.id)
                    .after(json!({ "campaign": campaign })),
                )
                .await?;
            }
            Ok(rows.len())
        })
    }
}

#[derive(sqlx::FromRow)]
struct Orphan {
    id: i64,
    commune_id: String,
    rubric_id: String,
    rubric_version: String,
    round: String,
    date: String,
}

/// What an assessment written without a campaign is attached by.
pub(crate) struct RoundOf<'a> {
    pub(crate) commune: &'a str,
    pub(crate) rubric: &'a str,
    pub(crate) rubric_version: &'a str,
    pub(crate) round: &'a str,
    pub(crate) date: &'a str,
}

/// The campaign an assessment written without one joins (see the module
/// header), made or widened as needed, inside the caller's transaction.
pub(crate) async fn campaign_for_round(
    tx: &mut AnyConnection,
    of: &RoundOf<'_>,
    audit: &Audit,
) -> Result<String, StoreError> {
    // A declared campaign of this round that holds the commune and date.
    let declared: Option<String> = sqlx::query_scalar(
        "SELECT k.id FROM campaign k JOIN campaign_commune cc ON cc.campaign_id = k.id AND cc.commune_id = $1
         WHERE k.implicit = 0 AND k.rubric_id = $2 AND k.rubric_version = $3 AND k.label = $4
           AND k.starts <= $5 AND k.ends >= $6
         ORDER BY k.id LIMIT 1",
    )
    .bind(of.commune)
    .bind(of.rubric)
    .bind(of.rubric_version)
    .bind(of.round)
    .bind(of.date)
    .bind(of.date)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = declared {
        return Ok(id);
    }
    let implicit: Option<(String, String, String)> = sqlx::query_as(
        "SELECT id, starts, ends FROM campaign
         WHERE implicit = 1 AND rubric_id = $1 AND rubric_version = $2 AND label = $3
         ORDER BY id LIMIT 1",
    )
    .bind(of.rubric)
    .bind(of.rubric_version)
    .bind(of.round)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match implicit {
        Some((id, starts, ends)) => {
            if of.date < starts.as_str() || of.date > ends.as_str() {
                sqlx::query(&format!(
                    "UPDATE campaign SET starts = CASE WHEN $1 < starts THEN $1 ELSE starts END, ends = CASE WHEN $2 > ends THEN $2 ELSE ends END, updated_at = {NOW} WHERE id = $3"
                ))
                .bind(of.date)
                .bind(of.date)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
            id
        }
        None => {
            let id = free_id(tx, of).await?;
            let (starts, ends) = implicit_window(of.round, of.date);
            sqlx::query(&format!(
                "INSERT INTO campaign (id, label, rubric_id, rubric_version, starts, ends, verification_required, implicit, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 1, {NOW}, {NOW})"
            ))
            .bind(&id)
            .bind(of.round)
            .bind(of.rubric)
            .bind(of.rubric_version)
            .bind(&starts)
            .bind(&ends)
            .execute(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("campaign.created", id.as_str()).after(json!({
                    "label": of.round,
                    "rubric": of.rubric,
                    "rubric_version": of.rubric_version,
                    "starts": starts,
                    "ends": ends,
                    "implicit": true,
                })),
            )
            .await?;
            id
        }
    };
    sqlx::query("INSERT INTO campaign_commune (campaign_id, commune_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(&id)
        .bind(of.commune)
        .execute(&mut *tx)
        .await?;
    Ok(id)
}

/// Checks that a campaign can take an assessment of `of` (rubric version,
/// scope, window), inside the caller's transaction.
pub(crate) async fn check_joins(
    tx: &mut AnyConnection,
    campaign: &str,
    of: &RoundOf<'_>,
) -> Result<String, StoreError> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT label, rubric_id, rubric_version, starts, ends FROM campaign WHERE id = $1",
    )
    .bind(campaign)
    .fetch_optional(&mut *tx)
    .await?;
    let (label, rubric, version, starts, ends) =
        row.ok_or_else(|| not_found(format!("campaign {campaign}")))?;
    if rubric != of.rubric || version != of.rubric_version {
        return Err(StoreError::Invalid(format!(
            "campaign {campaign} uses rubric {rubric} version {version}, not {} version {}: choose a campaign of that rubric",
            of.rubric, of.rubric_version
        )));
    }
    if of.date < starts.as_str() || of.date > ends.as_str() {
        return Err(StoreError::Invalid(format!(
            "the date {} is outside campaign {campaign} ({starts} – {ends}): choose a date inside its window",
            of.date
        )));
    }
    let in_scope: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM campaign_commune WHERE campaign_id = $1 AND commune_id = $2",
    )
    .bind(campaign)
    .bind(of.commune)
    .fetch_optional(&mut *tx)
    .await?;
    if in_scope.is_none() {
        return Err(StoreError::Invalid(format!(
            "commune {} is not in the scope of campaign {campaign}: ask a planner to add it",
            of.commune
        )));
    }
    Ok(label)
}

/// An implicit campaign's first window: the calendar year when the round
/// is a year, else the workshop's day; always holding the date.
fn implicit_window(round: &str, date: &str) -> (String, String) {
    let (mut starts, mut ends) = if round.len() == 4 && round.bytes().all(|b| b.is_ascii_digit()) {
        (format!("{round}-01-01"), format!("{round}-12-31"))
    } else {
        (date.to_owned(), date.to_owned())
    };
    if date < starts.as_str() {
        date.clone_into(&mut starts);
    }
    if date > ends.as_str() {
        date.clone_into(&mut ends);
    }
    (starts, ends)
}

/// A free id for an implicit campaign: `rubric-round`, then with the
/// rubric version, then numbered.
async fn free_id(tx: &mut AnyConnection, of: &RoundOf<'_>) -> Result<String, StoreError> {
    let base = slug(&format!("{}-{}", of.rubric, of.round));
    let with_version = slug(&format!("{}-{}-{}", of.rubric, of.round, of.rubric_version));
    let mut candidates = vec![base, with_version.clone()];
    candidates.extend((2..100).map(|n| format!("{with_version}-{n}")));
    for id in candidates {
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM campaign WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_none() {
            return Ok(id);
        }
    }
    Err(StoreError::Conflict {
        what: format!("campaign ids for {} round {}", of.rubric, of.round),
        hint: "declare the campaign of this round before importing".to_owned(),
    })
}

/// Lowercase ASCII letters, digits and single dashes.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn check_window(starts: &str, ends: &str) -> Result<(), StoreError> {
    if starts > ends {
        return Err(StoreError::Invalid(format!(
            "the window starts ({starts}) after it ends ({ends}): give the first day, then the last"
        )));
    }
    Ok(())
}

async fn require_rubric(tx: &mut AnyConnection, id: &str, version: &str) -> Result<(), StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM rubric WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
    found
        .map(|_| ())
        .ok_or_else(|| not_found(format!("rubric {id} version {version}")))
}

async fn set_scope(
    tx: &mut AnyConnection,
    campaign: &str,
    communes: &[String],
) -> Result<(), StoreError> {
    for commune in communes {
        sqlx::query(
            "INSERT INTO campaign_commune (campaign_id, commune_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(campaign)
        .bind(commune)
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                not_found(format!("commune {commune}"))
            }
            other => other.into(),
        })?;
    }
    Ok(())
}

fn campaign_json(c: &NewCampaign) -> serde_json::Value {
    json!({
        "label": c.label,
        "rubric": c.rubric_id,
        "rubric_version": c.rubric_version,
        "starts": c.starts,
        "ends": c.ends,
        "verification_required": c.verification_required,
        "communes": c.communes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_windows_hold_the_date() {
        assert_eq!(
            implicit_window("2025", "2025-03-04"),
            ("2025-01-01".to_owned(), "2025-12-31".to_owned())
        );
        assert_eq!(
            implicit_window("2024", "2025-01-10"),
            ("2024-01-01".to_owned(), "2025-01-10".to_owned())
        );
        assert_eq!(
            implicit_window("pilote", "2025-03-04"),
            ("2025-03-04".to_owned(), "2025-03-04".to_owned())
        );
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slug("ml-communes-2025"), "ml-communes-2025");
        assert_eq!(slug("Tour 1 / Été"), "tour-1-t");
    }
}
