//! The commune register: administrators add, edit, deactivate and merge
//! communes, record a commune's territory over time, and import both from
//! a file in one transaction.
//!
//! Every write here names the version it read (a new commune: none) and is
//! refused with [`StoreError::StaleCommune`], carrying the commune as
//! stored now, when the row moved on. Nothing is deleted: a deactivated or
//! merged commune keeps its assessments, and a merge only records where
//! the commune went. Every write appends its events (`commune.created`,
//! `commune.saved`, `commune.deactivated`, `commune.activated`,
//! `commune.merged`, `commune.territory`) in its own transaction. The
//! store checks structure (the rows exist, versions, periods that do not
//! overlap); the app checks what people type before.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::assessments::{COMMUNE_TODAY, commune_json, commune_row, enum_code};
use crate::audit::{Event, append};
use crate::rows::{Audit, CommuneRow, TerritoryRow};
use crate::{NOW, Store, StoreError, not_found, to_json, write_tx};
use capacity::Commune;

/// The most raters one stored assessment may have: what a workshop can
/// hold (the new-assessment form's limit). Adding a rater beyond it, or
/// storing an assessment that declares more, is refused.
pub const MAX_RATERS: usize = 12;

/// What an import writes, checked beforehand by the app: communes (new or
/// changed, each with the version the preview read, 0 for a new one) and
/// periods of territory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterImport {
    /// Communes to add or update, with the version read at the preview
    /// (0: the commune did not exist).
    pub communes: Vec<(Commune, i64)>,
    /// Periods of territory to record (a period with the same commune and
    /// first day is replaced).
    pub territories: Vec<TerritoryRow>,
}

impl Store {
    /// Adds a commune to the register. Refused when the id exists already.
    /// Event `commune.created` (object = the id; after = the commune).
    pub async fn create_commune(
        &self,
        commune: &Commune,
        audit: &Audit,
    ) -> Result<CommuneRow, StoreError> {
        write_tx!(self, |tx| {
            create(tx, commune, audit, None).await?;
            current(tx, &commune.id).await
        })
    }

    /// Changes a commune's attributes at the version read. The revision of
    /// each of its assessments moves (their headers show its current name).
    /// Event `commune.saved` (before and after = the commune); saving the
    /// same attributes writes nothing. Answers the commune as stored.
    pub async fn update_commune(
        &self,
        commune: &Commune,
        version: i64,
        audit: &Audit,
    ) -> Result<CommuneRow, StoreError> {
        write_tx!(self, |tx| {
            update(tx, commune, version, audit, None).await?;
            current(tx, &commune.id).await
        })
    }

    /// Deactivates (`active = false`) or activates a commune at the version
    /// read. A deactivated commune is not offered for new assessments; its
    /// assessments stay. A merged commune cannot be activated again.
    /// Events `commune.deactivated` / `commune.activated`.
    pub async fn set_commune_active(
        &self,
        id: &str,
        active: bool,
        version: i64,
        audit: &Audit,
    ) -> Result<CommuneRow, StoreError> {
        write_tx!(self, |tx| {
            let row = checked(tx, id, version).await?;
            if row.active == active {
                return Ok(row);
            }
            if active && let Some(into) = &row.merged_into {
                return Err(StoreError::Invalid(format!(
                    "commune {id} was merged into {into}: it cannot be activated again (edit {into} instead)"
                )));
            }
            bump(tx, id, &format!("active = {}", i64::from(active))).await?;
            let kind = if active {
                "commune.activated"
            } else {
                "commune.deactivated"
            };
            append(
                tx,
                audit,
                Event::new(kind, id)
                    .before(json!({ "active": row.active }))
                    .after(json!({ "active": active })),
            )
            .await?;
            current(tx, id).await
        })
    }

    /// Merges commune `from` (at the version read) into commune `into`:
    /// `from` is deactivated and names `into`; its assessments keep their
    /// commune and stay visible (the register lists them under `into` too).
    /// Refused for a commune into itself, into a commune that is inactive,
    /// or one merged already. Event `commune.merged` (object = `from`).
    pub async fn merge_commune(
        &self,
        from: &str,
        into: &str,
        version: i64,
        audit: &Audit,
    ) -> Result<CommuneRow, StoreError> {
        write_tx!(self, |tx| {
            if from == into {
                return Err(StoreError::Invalid(format!(
                    "commune {from} cannot be merged into itself: choose another commune"
                )));
            }
            let row = checked(tx, from, version).await?;
            if let Some(already) = &row.merged_into {
                return Err(StoreError::Invalid(format!(
                    "commune {from} was merged into {already} already"
                )));
            }
            let target = read(tx, into)
                .await?
                .ok_or_else(|| not_found(format!("commune {into}")))?;
            if !target.active {
                return Err(StoreError::Invalid(format!(
                    "commune {into} is not active: merge into an active commune"
                )));
            }
            sqlx::query(&format!(
                "UPDATE commune SET active = 0, merged_into = $1, version = version + 1, updated_at = {NOW} WHERE id = $2"
            ))
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
            touch_assessments(tx, from).await?;
            append(
                tx,
                audit,
                Event::new("commune.merged", from)
                    .before(json!({ "active": row.active, "merged_into": null }))
                    .after(json!({ "active": false, "merged_into": into })),
            )
            .await?;
            current(tx, from).await
        })
    }

    /// The communes merged into `id`, by name.
    pub async fn merged_into(&self, id: &str) -> Result<Vec<CommuneRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM ({COMMUNE_TODAY}) c WHERE c.merged_into = $1 ORDER BY c.name"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(commune_row).collect()
    }

    /// The periods of a commune's territory, oldest first.
    pub async fn territories(&self, id: &str) -> Result<Vec<TerritoryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT commune_id, valid_from, valid_to, region, cercle, source FROM commune_territory WHERE commune_id = $1 ORDER BY valid_from",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| TerritoryRow {
                commune_id: r.get("commune_id"),
                valid_from: r.get("valid_from"),
                valid_to: r.get("valid_to"),
                region: r.get("region"),
                cercle: r.get("cercle"),
                source: r.get("source"),
            })
            .collect())
    }

    /// Writes an import in one transaction: every commune (added, or
    /// updated at the version the preview read; the same attributes write
    /// nothing) and every period of territory. Any refusal (a commune
    /// changed since the preview, an id taken meanwhile, periods that
    /// overlap) writes nothing. Each change appends its own event, with
    /// the reason `import`. Answers how many communes and periods changed.
    pub async fn apply_register_import(
        &self,
        import: &RegisterImport,
        audit: &Audit,
    ) -> Result<(usize, usize), StoreError> {
        write_tx!(self, |tx| {
            let mut communes = 0;
            for (commune, version) in &import.communes {
                let changed = if *version == 0 {
                    create(tx, commune, audit, Some("import")).await?;
                    true
                } else {
                    update(tx, commune, *version, audit, Some("import")).await?
                };
                communes += usize::from(changed);
            }
            let mut periods = 0;
            for period in &import.territories {
                periods += usize::from(put_territory(tx, period, audit).await?);
            }
            Ok((communes, periods))
        })
    }
}

/// The commune as stored now, inside a transaction.
async fn read(conn: &mut AnyConnection, id: &str) -> Result<Option<CommuneRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT * FROM ({COMMUNE_TODAY}) c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(commune_row)
    .transpose()
}

/// The commune as stored now; not found is an error.
async fn current(conn: &mut AnyConnection, id: &str) -> Result<CommuneRow, StoreError> {
    read(conn, id)
        .await?
        .ok_or_else(|| not_found(format!("commune {id}")))
}

/// The commune, when it is still at `version`; else the refusal carrying it.
async fn checked(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
) -> Result<CommuneRow, StoreError> {
    let row = current(conn, id).await?;
    if row.version != version {
        return Err(StoreError::StaleCommune {
            expected: version,
            current: Box::new(row),
        });
    }
    Ok(row)
}

/// Sets one column assignment and moves the version.
async fn bump(conn: &mut AnyConnection, id: &str, set: &str) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE commune SET {set}, version = version + 1, updated_at = {NOW} WHERE id = $1"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    touch_assessments(conn, id).await
}

/// Moves the revision of every assessment of the commune (what is shown
/// about them changed).
async fn touch_assessments(conn: &mut AnyConnection, id: &str) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE assessment SET revision = revision + 1, updated_at = {NOW} WHERE commune_id = $1"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn create(
    conn: &mut AnyConnection,
    c: &Commune,
    audit: &Audit,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    if read(conn, &c.id).await?.is_some() {
        return Err(StoreError::Conflict {
            what: format!("commune {}", c.id),
            hint: "choose another id, or edit that commune".to_owned(),
        });
    }
    sqlx::query(&format!(
        "INSERT INTO commune (id, name, cercle, region, kind, population, setting, transferred, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {NOW})"
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
    .await?;
    let mut event = Event::new("commune.created", c.id.as_str()).after(commune_json(c));
    if let Some(reason) = reason {
        event = event.reason(reason);
    }
    append(conn, audit, event).await?;
    Ok(())
}

/// Updates at `version`; true when something changed. `reason` goes
/// into the event (`import` for an import).
async fn update(
    conn: &mut AnyConnection,
    c: &Commune,
    version: i64,
    audit: &Audit,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let before = checked(conn, &c.id, version).await?;
    if before.commune == *c {
        return Ok(false);
    }
    // The register shows the territory valid today; when a recorded
    // period gives it, the row's own region and cercle (the territory
    // outside every period) are not what people see, so a change of
    // territory must be a new period, not an edit of the row.
    let (region, cercle): (String, String) =
        sqlx::query_as("SELECT region, cercle FROM commune WHERE id = $1")
            .bind(&c.id)
            .fetch_one(&mut *conn)
            .await?;
    let from_period = region != before.commune.region || cercle != before.commune.cercle;
    if from_period && (c.region != before.commune.region || c.cercle != before.commune.cercle) {
        return Err(StoreError::Invalid(format!(
            "the territory of commune {} today comes from a recorded period: record the change as a new period (import a territory file) instead of editing the region or cercle",
            c.id
        )));
    }
    let (region, cercle) = if from_period {
        (region, cercle)
    } else {
        (c.region.clone(), c.cercle.clone())
    };
    sqlx::query(&format!(
        "UPDATE commune SET name = $1, cercle = $2, region = $3, kind = $4, population = $5, setting = $6, transferred = $7,
           version = version + 1, updated_at = {NOW} WHERE id = $8"
    ))
    .bind(&c.name)
    .bind(&cercle)
    .bind(&region)
    .bind(enum_code(&c.kind))
    .bind(c.population.and_then(|p| i64::try_from(p).ok()))
    .bind(c.setting.as_ref().map(enum_code))
    .bind(to_json(&c.transferred))
    .bind(&c.id)
    .execute(&mut *conn)
    .await?;
    touch_assessments(conn, &c.id).await?;
    let mut event = Event::new("commune.saved", c.id.as_str())
        .before(commune_json(&before.commune))
        .after(commune_json(c));
    if let Some(reason) = reason {
        event = event.reason(reason);
    }
    append(conn, audit, event).await?;
    Ok(true)
}

/// Records one period of territory (replacing the one of the same commune
/// and first day); true when something changed. Refused when the commune
/// is unknown or the period overlaps another of the commune.
async fn put_territory(
    conn: &mut AnyConnection,
    t: &TerritoryRow,
    audit: &Audit,
) -> Result<bool, StoreError> {
    if read(conn, &t.commune_id).await?.is_none() {
        return Err(not_found(format!("commune {}", t.commune_id)));
    }
    if t.valid_to
        .as_deref()
        .is_some_and(|to| to <= t.valid_from.as_str())
    {
        return Err(StoreError::Invalid(format!(
            "the period of commune {} from {} ends before it starts: give an end after the start, or none",
            t.commune_id, t.valid_from
        )));
    }
    let overlapping: Option<String> = sqlx::query_scalar(
        "SELECT valid_from FROM commune_territory WHERE commune_id = $1 AND valid_from <> $2
           AND valid_from < COALESCE($3, '9999-12-31') AND COALESCE(valid_to, '9999-12-31') > $4 LIMIT 1",
    )
    .bind(&t.commune_id)
    .bind(&t.valid_from)
    .bind(&t.valid_to)
    .bind(&t.valid_from)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(other) = overlapping {
        return Err(StoreError::Invalid(format!(
            "the period of commune {} from {} overlaps the one from {other}: end one before the other starts",
            t.commune_id, t.valid_from
        )));
    }
    let before = sqlx::query(
        "SELECT valid_to, region, cercle, source FROM commune_territory WHERE commune_id = $1 AND valid_from = $2",
    )
    .bind(&t.commune_id)
    .bind(&t.valid_from)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| {
        json!({
            "valid_from": t.valid_from,
            "valid_to": r.get::<Option<String>, _>("valid_to"),
            "region": r.get::<String, _>("region"),
            "cercle": r.get::<String, _>("cercle"),
            "source": r.get::<String, _>("source"),
        })
    });
    let after = json!({
        "valid_from": t.valid_from,
        "valid_to": t.valid_to,
        "region": t.region,
        "cercle": t.cercle,
        "source": t.source,
    });
    if before.as_ref() == Some(&after) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO commune_territory (commune_id, valid_from, valid_to, region, cercle, source) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (commune_id, valid_from) DO UPDATE SET valid_to = excluded.valid_to, region = excluded.region,
           cercle = excluded.cercle, source = excluded.source",
    )
    .bind(&t.commune_id)
    .bind(&t.valid_from)
    .bind(&t.valid_to)
    .bind(&t.region)
    .bind(&t.cercle)
    .bind(&t.source)
    .execute(&mut *conn)
    .await?;
    // Headers of its assessments show the territory of their date.
    sqlx::query(&format!(
        "UPDATE commune SET version = version + 1, updated_at = {NOW} WHERE id = $1"
    ))
    .bind(&t.commune_id)
    .execute(&mut *conn)
    .await?;
    touch_assessments(conn, &t.commune_id).await?;
    append(
        conn,
        audit,
        Event::new("commune.territory", t.commune_id.as_str())
            .before(before)
            .after(after)
            .reason("import"),
    )
    .await?;
    Ok(true)
}
