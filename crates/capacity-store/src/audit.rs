//! The audit trail: appending events inside a write's own transaction,
//! reading them back, and the database's clock (the times of events, and
//! of the expiry windows callers compute).
//!
//! Every write appends its events with [`append`] on the connection of its
//! transaction, so an event exists exactly when its write was committed: a
//! refused write (stale, locked, invalid) rolls back and leaves none.
//! Nothing updates or deletes an event; triggers of the schema refuse it.

use serde_json::Value;
use sqlx::{AnyConnection, Row};
use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339};

use crate::rows::{Audit, AuditEvent, AuditFilter};
use crate::{NOW, Sql, Store, StoreError, to_json};

/// One event to append: what happened to which object, with the values
/// before and after (JSON objects; `None` when there was none).
pub(crate) struct Event<'a> {
    kind: &'a str,
    object: String,
    assessment: Option<i64>,
    indicator: Option<&'a str>,
    before: Option<Value>,
    after: Option<Value>,
    reason: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// An event of `kind` about `object`, with nothing before or after.
    pub(crate) fn new(kind: &'a str, object: impl Into<String>) -> Event<'a> {
        Event {
            kind,
            object: object.into(),
            assessment: None,
            indicator: None,
            before: None,
            after: None,
            reason: None,
        }
    }

    /// About this assessment.
    pub(crate) fn assessment(mut self, id: i64) -> Self {
        self.assessment = Some(id);
        self
    }

    /// About this indicator (of the assessment).
    pub(crate) fn indicator(mut self, indicator: &'a str) -> Self {
        self.indicator = Some(indicator);
        self
    }

    /// The value before.
    pub(crate) fn before(mut self, value: impl Into<Option<Value>>) -> Self {
        self.before = value.into();
        self
    }

    /// The value after.
    pub(crate) fn after(mut self, value: impl Into<Option<Value>>) -> Self {
        self.after = value.into();
        self
    }

    /// Why.
    pub(crate) fn reason(mut self, reason: &'a str) -> Self {
        self.reason = Some(reason);
        self
    }
}

/// Appends one event, by `audit`'s actor, on the connection of the write's
/// transaction. Returns its id.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    audit: &Audit,
    event: Event<'_>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO audit_event (at, actor_id, actor, request_id, address, kind, assessment_id, indicator, object, before, after, reason)
         VALUES ({NOW}, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    ))
    .bind(audit.actor_id)
    .bind(&audit.actor)
    .bind(&audit.request_id)
    .bind(&audit.address)
    .bind(event.kind)
    .bind(event.assessment)
    .bind(event.indicator)
    .bind(&event.object)
    .bind(event.before.as_ref().map(to_json))
    .bind(event.after.as_ref().map(to_json))
    .bind(event.reason)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// A time given by a caller, as the store writes times: UTC, RFC 3339 with
/// milliseconds (`2026-12-06T09:30:00.000Z`), so that comparing the text
/// compares the instants. Any RFC 3339 time is accepted (any offset, any
/// number of fraction digits; extra digits are truncated).
pub(crate) fn utc_time(text: &str, what: &str) -> Result<String, StoreError> {
    let time = OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|e| {
        StoreError::Invalid(format!(
            "{what} `{text}` is not an RFC 3339 time ({e}): write e.g. 2026-12-06T09:30:00Z"
        ))
    })?;
    Ok(utc_text(time, 3))
}

/// `time` in UTC as RFC 3339 text with `digits` digits of fraction (3: the
/// form of every time the store writes; 9: nanoseconds), always of the
/// same width, so that comparing texts of one width compares the instants.
pub(crate) fn utc_text(time: OffsetDateTime, digits: u32) -> String {
    let t = time.to_offset(UtcOffset::UTC);
    let digits = digits.min(9);
    let fraction = t.nanosecond() / 10u32.pow(9 - digits);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{fraction:0width$}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        width = digits as usize
    )
}

impl Store {
    /// Events of the audit trail matching the filter, oldest first (by id);
    /// at most `filter.limit` of them.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let mut q = Sql::new(
            "SELECT id, at, actor_id, actor, request_id, address, kind, assessment_id, indicator, object, before, after, reason FROM audit_event WHERE 1 = 1",
        );
        if let Some(assessment) = filter.assessment {
            q.push(" AND assessment_id = ").push_bind(assessment);
        }
        if let Some(indicator) = filter.indicator.as_deref().filter(|s| !s.is_empty()) {
            q.push(" AND indicator = ").push_bind(indicator.to_owned());
        }
        if let Some(kind) = filter.kind.as_deref().filter(|s| !s.is_empty()) {
            q.push(" AND kind = ").push_bind(kind.to_owned());
        }
        if let Some(actor) = filter.actor_id {
            q.push(" AND actor_id = ").push_bind(actor);
        }
        if let Some(after) = filter.after_id {
            q.push(" AND id > ").push_bind(after);
        }
        q.push(" ORDER BY id");
        if let Some(limit) = filter.limit {
            q.push(" LIMIT ").push_bind(limit.max(0));
        }
        let rows = q.build()?.fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEvent {
                id: r.get("id"),
                at: r.get("at"),
                actor_id: r.get("actor_id"),
                actor: r.get("actor"),
                request_id: r.get("request_id"),
                address: r.get("address"),
                kind: r.get("kind"),
                assessment_id: r.get("assessment_id"),
                indicator: r.get("indicator"),
                object: r.get("object"),
                before: r.get("before"),
                after: r.get("after"),
                reason: r.get("reason"),
            })
            .collect())
    }

    /// The database's current time, in the form of every time it writes
    /// (UTC, RFC 3339 with milliseconds: `2026-12-06T09:30:00.000Z`), so
    /// that expiry windows compare with the times of events.
    pub async fn now(&self) -> Result<String, StoreError> {
        self.now_offset(0).await
    }

    /// The database's current time moved by `seconds` (negative: in the
    /// past), in the form of [`Store::now`]: e.g. the expiry of a link
    /// valid 72 hours, or the start of a window of failed logins.
    pub async fn now_offset(&self, seconds: i64) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $1 || ' seconds')")
                .bind(seconds)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
