//! HTTP routes outside Leptos: health, the no-JavaScript language switch
//! and documents: the printable report, the action plan and the compare
//! page's tables as CSV or XLSX. Handlers reach the [`Service`] through an
//! axum `Extension`, a closure or a nested router's state.

use axum::Extension;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use capacity::filename::safe_file_name;

use crate::error::AppError;
use crate::locale::{LOCALE_COOKIE, code, core_lang, negotiate, parse_locale};
use crate::service::Service;
use crate::service::access::Actor;
use crate::view::compare::{CompareQuery, GrantInputError, GrantQuery};

/// The reader's language from the request (cookie, then Accept-Language).
pub fn request_lang(headers: &HeaderMap) -> capacity::Lang {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    core_lang(negotiate(get(header::COOKIE), get(header::ACCEPT_LANGUAGE)))
}

/// An [`AppError`] as an HTTP answer: the status it means and its message.
pub fn error_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(error = %e, "download failed");
    }
    let mut text = e.to_string();
    if matches!(e, AppError::Unauthenticated(_)) {
        text.push_str(" — log in at /connexion / connectez-vous sur /connexion");
    }
    (status, text).into_response()
}

/// `GET /evaluations/{id}/rapport`: the assessment's printable report (one
/// self-contained HTML page from `capacity-report`, with the previous round
/// when there is one, and the plan as the council adjusted it:
/// `service::plan::adjusted_plan`, like the plan page and its downloads),
/// in the reader's language.
pub async fn commune_report(
    Extension(state): Extension<Service>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    document(report_html(&state, &actor, id, request_lang(&headers)).await)
}

/// A printable document (self-contained HTML: inline styles and SVG, no
/// script), or the error's answer.
fn document(result: Result<String, AppError>) -> Response {
    match result {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    super::guard::DOCUMENT_POLICY,
                ),
            ],
            html,
        )
            .into_response(),
        Err(e) => error_response(&e),
    }
}

/// `GET /evaluations/{id}/verification/rapport`: the printable
/// verification report (self-assessed and verified scores side by side,
/// every changed level with its reason), in the reader's language.
pub async fn verification_report(
    Extension(state): Extension<Service>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    document(
        crate::service::verification::report_html(&state, &actor, id, request_lang(&headers)).await,
    )
}

async fn report_html(
    state: &Service,
    actor: &Actor,
    id: i64,
    lang: capacity::Lang,
) -> Result<String, AppError> {
    use crate::service::results::{internal, previous_of};
    // The plan as the council adjusted it: the same one the plan page and
    // its downloads show (checks that the actor may see the assessment).
    let (stored, _, plan, _) = crate::service::plan::adjusted_plan(state, actor, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let a = &stored.assessment;
    let previous = previous_of(state, id).await?;
    let previous_scored = match &previous {
        Some(p) => Some(state.score(p).await?.2),
        None => None,
    };
    let mut report = capacity_report::CommuneReport::new(&rubric, a, &scored).with_plan(&plan);
    if let (Some(p), Some(ps)) = (&previous, &previous_scored) {
        report = report.with_previous(&p.assessment, ps);
    }
    // The verification beside the self-assessment, when the reader may
    // see it (completed, or followed while in progress).
    let verification =
        crate::service::verification::for_report(state, actor, &rubric, &stored).await?;
    if let Some((verified, v)) = &verification {
        report =
            report.with_verification(verified, crate::service::verification::report_verifier(v));
    }
    report.render(lang).map_err(internal)
}

/// `GET /health`: `{"status":"ok","version":…}` while the server runs
/// (liveness: no database read, so a slow database does not get a
/// running server restarted).
pub async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// How long the readiness check waits for the database.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /ready`: 200 `{"status":"ready",…}` when the database answers a
/// query of its own schema within two seconds, else 503
/// `{"status":"unavailable"}` (the cause is logged, not shown): what a
/// load balancer asks before sending requests to this server.
pub async fn ready(state: Service) -> Response {
    let outcome = tokio::time::timeout(READY_WAIT, state.store.ready()).await;
    let problem = match outcome {
        Ok(Ok(())) => {
            return axum::Json(serde_json::json!({
                "status": "ready",
                "version": env!("CARGO_PKG_VERSION"),
            }))
            .into_response();
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {} s", READY_WAIT.as_secs()),
    };
    tracing::warn!(problem = %problem, "not ready: the database does not answer");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        axum::Json(serde_json::json!({ "status": "unavailable" })),
    )
        .into_response()
}

/// Query of the language route.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// Where to go back to; only a local path is followed.
    to: Option<String>,
}

/// `GET /lang/{fr|en}?to=/path`: remembers the language in a cookie and
/// redirects back. This is how the switch works with JavaScript off.
pub async fn set_language(Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let Some(locale) = parse_locale(&code).filter(|l| code == self::code(*l)) else {
        return (
            StatusCode::NOT_FOUND,
            "unknown language: use /lang/fr or /lang/en",
        )
            .into_response();
    };
    let target = safe_local_path(q.to.as_deref());
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        self::code(locale)
    );
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&target) {
        headers.insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, v);
    }
    resp
}

/// Keeps a redirect on this site: a path starting with one `/`, no scheme,
/// no `//host`, no control characters; anything else goes home.
fn safe_local_path(to: Option<&str>) -> String {
    match to {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A file format of the plan download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    /// CSV for a spreadsheet in the reader's language (French: `;`, BOM,
    /// decimal comma).
    Csv,
    /// An XLSX workbook.
    Xlsx,
}

impl PlanFormat {
    fn extension(self) -> &'static str {
        match self {
            PlanFormat::Csv => "csv",
            PlanFormat::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            PlanFormat::Csv => "text/csv; charset=utf-8",
            PlanFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// `GET /evaluations/{id}/evaluation.toml`: the assessment file with the
/// council's plan decisions (`service::workshop::assessment_file`).
pub async fn assessment_file(
    Extension(state): Extension<Service>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Response {
    match crate::service::workshop::assessment_file(&state, &actor, id).await {
        Ok((name, text)) => attachment(TOML_TYPE, &name, text.into_bytes()),
        Err(e) => error_response(&e),
    }
}

const TOML_TYPE: &str = "application/toml; charset=utf-8";

/// `GET /evaluations/{id}/plan.csv` and `…/plan.xlsx`: the action plan with
/// the council's adjustments, headers in the language of the request
/// (cookie, then `Accept-Language`, then French), as an attachment.
pub async fn plan_download(
    state: Service,
    actor: Actor,
    format: PlanFormat,
    id: String,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return (StatusCode::NOT_FOUND, format!("no assessment `{id}`")).into_response();
    };
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let lang = core_lang(negotiate(
        text(header::COOKIE),
        text(header::ACCEPT_LANGUAGE),
    ));
    let result = async {
        let (stored, rubric, plan, _) =
            crate::service::plan::adjusted_plan(&state, &actor, id).await?;
        let export =
            capacity_exchange::Export::plan(&rubric, &plan, &stored.assessment.commune, lang)
                .map_err(|e| AppError::Internal(format!("plan export: {e}")))?;
        let bytes = match format {
            PlanFormat::Csv => capacity_exchange::export_csv(
                &export,
                &capacity_exchange::CsvOptions::for_lang(lang),
            )
            .map(String::into_bytes),
            PlanFormat::Xlsx => capacity_exchange::export_xlsx(&export),
        }
        .map_err(|e| AppError::Internal(format!("plan export: {e}")))?;
        let a = &stored.assessment;
        Ok::<_, AppError>((
            safe_file_name(
                &["plan", &a.commune.id, &a.round],
                format.extension(),
                "plan",
            ),
            bytes,
        ))
    }
    .await;
    match result {
        Ok((name, bytes)) => {
            let disposition = format!("attachment; filename=\"{name}\"");
            let mut resp = bytes.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Err(e) => error_response(&e),
    }
}

/// The downloads of `/comparer`, with the page's query string:
/// `GET /comparer/export.csv`, `GET /comparer/export.xlsx` (the comparison)
/// and `GET /comparer/subventions.csv` (the grant simulation).
pub fn compare_downloads<S: Clone + Send + Sync + 'static>(state: Service) -> axum::Router<S> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/comparer/export.csv",
            get(|st, a, q, h| comparison_download(st, a, q, h, Sheet::Csv)),
        )
        .route(
            "/comparer/export.xlsx",
            get(|st, a, q, h| comparison_download(st, a, q, h, Sheet::Xlsx)),
        )
        .route("/comparer/subventions.csv", get(grants_download))
        .with_state(state)
}

/// The two download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sheet {
    Csv,
    Xlsx,
}

const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

fn plain_error(e: AppError) -> Response {
    error_response(&e)
}

fn nothing_matches(lang: capacity::Lang) -> Response {
    plain(
        StatusCode::NOT_FOUND,
        match lang {
            capacity::Lang::Fr => {
                "aucune évaluation ne correspond à ces filtres : élargissez la région, le cercle ou le tour".to_owned()
            }
            capacity::Lang::En => {
                "no assessment matches these filters: widen the region, cercle or round".to_owned()
            }
        },
    )
}

/// `GET /comparer/export.{csv,xlsx}?rubric&region&cercle&round`.
async fn comparison_download(
    State(state): State<Service>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    sheet: Sheet,
) -> Response {
    let lang = request_lang(&headers);
    let query = CompareQuery::from_lookup(|k| q.get(k).cloned());
    let export =
        match crate::service::compare::comparison_export(&state, &actor, &query, lang).await {
            Ok(Some(export)) => export,
            Ok(None) => return nothing_matches(lang),
            Err(e) => return plain_error(e),
        };
    let round = query.campaign.as_deref().unwrap_or("");
    let stem = match lang {
        capacity::Lang::Fr => "comparaison",
        capacity::Lang::En => "comparison",
    };
    let parts = [
        stem,
        query.rubric_id(),
        query.region.as_deref().unwrap_or(""),
        query.cercle.as_deref().unwrap_or(""),
        round,
    ];
    // Writing a national workbook is CPU work: off the async workers.
    let written = state
        .cpu(move || match sheet {
            Sheet::Csv => capacity_exchange::export_csv(
                &export,
                &capacity_exchange::CsvOptions::for_lang(lang),
            )
            .map(|s| (CSV_TYPE, "csv", s.into_bytes())),
            Sheet::Xlsx => capacity_exchange::export_xlsx(&export).map(|b| (XLSX_TYPE, "xlsx", b)),
        })
        .await;
    match written {
        Ok(Ok((content_type, extension, body))) => attachment(
            content_type,
            &safe_file_name(&parts, extension, "export"),
            body,
        ),
        Ok(Err(e)) => plain_error(AppError::Internal(e.to_string())),
        Err(e) => plain_error(e),
    }
}

/// `GET /comparer/subventions.csv?…&pool&threshold&formula&provisional`.
async fn grants_download(
    State(state): State<Service>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let query = CompareQuery::from_lookup(|k| q.get(k).cloned());
    let grants = GrantQuery::from_lookup(|k| q.get(k).cloned());
    let export =
        match crate::service::compare::grants_export(&state, &actor, &query, &grants, lang).await {
            Ok(Some(Ok(export))) => export,
            Ok(Some(Err(e))) => {
                let message = match e {
                    GrantInputError::Pool(v) => format!(
                        "pool `{v}` is not a whole number of francs: write digits, e.g. 100000000"
                    ),
                    GrantInputError::Threshold(v) => {
                        format!("threshold `{v}` is not a score between 0 and 100: write e.g. 50")
                    }
                    GrantInputError::Rules(m) => m,
                };
                return plain(StatusCode::BAD_REQUEST, message);
            }
            Ok(None) => return nothing_matches(lang),
            Err(e) => return plain_error(e),
        };
    let stem = match lang {
        capacity::Lang::Fr => "subventions",
        capacity::Lang::En => "grants",
    };
    let parts = [
        stem,
        query.rubric_id(),
        query.region.as_deref().unwrap_or(""),
        query.cercle.as_deref().unwrap_or(""),
        query.campaign.as_deref().unwrap_or(""),
    ];
    match capacity_exchange::export_csv(&export, &capacity_exchange::CsvOptions::for_lang(lang)) {
        Ok(s) => attachment(
            CSV_TYPE,
            &safe_file_name(&parts, "csv", "export"),
            s.into_bytes(),
        ),
        Err(e) => plain_error(AppError::Internal(e.to_string())),
    }
}

/// `GET /evaluations/{id}/historique.csv`: the assessment's whole audit
/// trail, for auditors (planners, verifiers, facilitators of the commune,
/// administrators).
pub async fn history_download(
    Extension(state): Extension<Service>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    match crate::service::history::history_csv(&state, &actor, id, request_lang(&headers)).await {
        Ok((name, bytes)) => attachment(CSV_TYPE, &name, bytes),
        Err(e) => error_response(&e),
    }
}

/// `POST /admin/import-communes`: the preview of a register import, from
/// an uploaded file (multipart field `file`) or pasted text (field `text`,
/// multipart or a plain form). Nothing is written. A browser is sent to
/// the preview page (`/admin/import-communes?apercu=TOKEN`), where every
/// problem is listed by row and column and a clean file can be applied;
/// other clients get the preview as JSON: 200 when it can be applied, 422
/// when it has problems. Over the size of an import: 413; not UTF-8: 422.
pub async fn import_preview(
    Extension(state): Extension<Service>,
    Extension(actor): Extension<Actor>,
    request: axum::extract::Request,
) -> Response {
    let html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let bytes = match import_body(request).await {
        Ok(bytes) => bytes,
        Err(e) => return error_response(&e),
    };
    match crate::service::register::preview_import(&state, &actor, &bytes).await {
        Ok(p) if html => {
            let mut resp = StatusCode::SEE_OTHER.into_response();
            let target = format!("/admin/import-communes?apercu={}", p.token);
            if let Ok(v) = HeaderValue::from_str(&target) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Ok(p) => {
            let status = if p.problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (status, axum::Json(p)).into_response()
        }
        Err(e) => error_response(&e),
    }
}

/// The file of an import request: the `file` field when one was chosen,
/// else the `text` field.
async fn import_body(request: axum::extract::Request) -> Result<Vec<u8>, AppError> {
    use axum::extract::FromRequest;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_large_or_malformed = |status: StatusCode, text: String| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!("the request is too large: {text}"))
        } else {
            AppError::Malformed(format!("the form cannot be read: {text}"))
        }
    };
    if multipart {
        let mut form = axum::extract::Multipart::from_request(request, &())
            .await
            .map_err(|e| too_large_or_malformed(e.status(), e.body_text()))?;
        let (mut file, mut text) = (Vec::new(), Vec::new());
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| too_large_or_malformed(e.status(), e.body_text()))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| too_large_or_malformed(e.status(), e.body_text()))?;
            match name.as_str() {
                "file" => file = bytes.to_vec(),
                "text" => text = bytes.to_vec(),
                _ => {}
            }
        }
        Ok(if file.is_empty() { text } else { file })
    } else {
        let axum::Form(form) = axum::Form::<HashMap<String, String>>::from_request(request, &())
            .await
            .map_err(|e| too_large_or_malformed(e.status(), e.body_text()))?;
        Ok(form.get("text").cloned().unwrap_or_default().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::{Service, StatusCode, header, safe_local_path};
    use capacity::filename::safe_file_name;

    #[test]
    fn download_names_stay_in_their_directory() {
        // The one rule of the core, applied to the web app's downloads.
        for (parts, name) in [
            (
                &["plan", "ml-segou-san", "2025"][..],
                "plan-ml-segou-san-2025.csv",
            ),
            (
                &["plan", "x\"; rm", "../../etc/passwd"][..],
                "plan-x-rm-etc-passwd.csv",
            ),
            (&["..", "/"][..], "plan.csv"),
        ] {
            let got = safe_file_name(parts, "csv", "plan");
            assert_eq!(got, name);
            assert!(!got.contains('/') && !got.contains('"') && !got.starts_with('.'));
        }
    }

    #[track_caller]
    fn check(input: Option<&str>, expected: &str) {
        assert_eq!(safe_local_path(input), expected);
    }

    #[test]
    fn redirects_stay_on_site() {
        check(Some("/comparer"), "/comparer");
        check(Some("/resultats?id=3"), "/resultats?id=3");
        check(None, "/");
        check(Some("https://evil.example"), "/");
        check(Some("//evil.example"), "/");
        check(Some("/\\evil.example"), "/");
        check(Some("/a\r\nSet-Cookie: x=1"), "/");
    }

    #[tokio::test]
    async fn ready_answers_503_when_the_database_does_not_answer() {
        let Ok(store) = capacity_store::Store::open_in_memory().await else {
            panic!("in-memory store");
        };
        let service = Service::new(store.clone());
        assert_eq!(super::ready(service.clone()).await.status(), StatusCode::OK);
        store.close().await;
        let answer = super::ready(service).await;
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(answer.headers().contains_key(header::RETRY_AFTER));
    }
}
