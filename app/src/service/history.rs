//! The audit trail as people read it: an assessment's history, one
//! rating's history ("who changed what, when"), and the CSV export of an
//! assessment's trail for auditors. The trail itself is written by the
//! store, in the transaction of each change, and never changed after.

use capacity::Lang;

use super::Service;
use super::access::{Action, Actor, Place};
use crate::error::AppError;
use crate::view::account::{HistoryLine, HistoryPage};

/// Most events shown on one page (the CSV has them all).
pub const PAGE_EVENTS: i64 = 2_000;

fn line(e: capacity_store::AuditEvent) -> HistoryLine {
    HistoryLine {
        id: e.id,
        at: e.at,
        actor: e.actor,
        kind: e.kind,
        object: e.object,
        before: e.before,
        after: e.after,
        reason: e.reason,
        request_id: e.request_id,
    }
}

/// The events of assessment `id`, or of one of its indicators.
async fn events(
    service: &Service,
    actor: &Actor,
    id: i64,
    indicator: Option<String>,
    limit: Option<i64>,
) -> Result<(capacity_store::AssessmentHeader, Vec<HistoryLine>), AppError> {
    let header = service
        .store
        .header(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    actor.check(Action::ViewAudit, &Place::of(&header))?;
    let events = service
        .store
        .audit_events(&capacity_store::AuditFilter {
            assessment: Some(id),
            indicator: indicator.filter(|i| !i.is_empty()),
            limit,
            ..Default::default()
        })
        .await?;
    Ok((header, events.into_iter().map(line).collect()))
}

/// The history page of an assessment (`indicator` empty: all of it).
pub async fn load_history(
    service: &Service,
    actor: &Actor,
    id: i64,
    indicator: String,
) -> Result<HistoryPage, AppError> {
    let indicator = Some(indicator).filter(|i| !i.is_empty());
    let (header, events) = events(service, actor, id, indicator.clone(), Some(PAGE_EVENTS)).await?;
    Ok(HistoryPage {
        assessment: id,
        title: format!("{} — {}", header.commune_name, header.round),
        indicator,
        events,
    })
}

/// The whole trail of an assessment as CSV (French Excel or plain,
/// following `lang`), with its file name.
pub async fn history_csv(
    service: &Service,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> Result<(String, Vec<u8>), AppError> {
    let (header, events) = events(service, actor, id, None, None).await?;
    let headers = [
        "id",
        "at",
        "actor",
        "kind",
        "object",
        "before",
        "after",
        "reason",
        "request_id",
    ];
    let mut table =
        capacity_exchange::Table::new("audit", headers.iter().map(|h| (*h).to_owned()).collect());
    for e in events {
        use capacity_exchange::Cell;
        table.rows.push(vec![
            Cell::int(e.id),
            Cell::text(e.at),
            Cell::text(e.actor),
            Cell::text(e.kind),
            Cell::text(e.object),
            Cell::text(e.before.unwrap_or_default()),
            Cell::text(e.after.unwrap_or_default()),
            Cell::text(e.reason.unwrap_or_default()),
            Cell::text(e.request_id),
        ]);
    }
    let export = capacity_exchange::Export {
        tables: vec![table],
    };
    let text =
        capacity_exchange::export_csv(&export, &capacity_exchange::CsvOptions::for_lang(lang))
            .map_err(|e| AppError::Internal(format!("audit export: {e}")))?;
    let name = capacity::filename::safe_file_name(
        &["audit", &header.commune_id, &header.round],
        "csv",
        "audit",
    );
    Ok((name, text.into_bytes()))
}
