//! Server-only code: configuration, HTTP routes outside Leptos, start-up.
//!
//! Nothing here is compiled for the browser. Pages and server functions do
//! not read configuration directly: what they need is put in the Leptos
//! context by [`serve`].

pub mod cache;
pub mod config;
pub mod http;
pub mod routes;

use std::net::SocketAddr;

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::{App, shell};
pub use crate::service::Service;
pub use config::Config;

/// Largest request body accepted (forms and server-function calls).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Errors that stop the server from starting, each saying what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The listening address is taken or not allowed.
    #[error(
        "cannot listen on {addr}: {source} (is another server running? choose another port with --port or CAPACITY_PORT)"
    )]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// The site directory (wasm, JS, CSS) is missing.
    #[error("site directory {0} has no pkg/ folder: build the site first (./x run does it)")]
    MissingSite(String),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// Directory asked for.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The database cannot be opened or seeded.
    #[error("{0}")]
    Store(#[from] capacity_store::StoreError),
    /// The synthetic dataset asked for (`--synthetic`) cannot be made.
    #[error("cannot make the synthetic dataset: {0} (use --synthetic 0 to start without it)")]
    Synthetic(String),
    /// Serving failed.
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// Builds the axum router: Leptos pages and server functions, static files,
/// the health endpoint, the language route and the plan downloads.
pub fn router(options: LeptosOptions, state: Service) -> Router {
    let routes = generate_route_list(App);
    let app_options = options.clone();
    let shared = state.clone();
    let download = |format| {
        let state = state.clone();
        axum::routing::get(
            move |axum::extract::Path(id): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap| {
                routes::plan_download(state.clone(), format, id, headers)
            },
        )
    };
    let plan_csv = download(routes::PlanFormat::Csv);
    let plan_xlsx = download(routes::PlanFormat::Xlsx);
    let downloads = state.clone();
    let context = move || provide_context(state.clone());
    Router::new()
        .route("/health", axum::routing::get(routes::health))
        .route("/lang/{code}", axum::routing::get(routes::set_language))
        .route(
            "/evaluations/{id}/rapport",
            axum::routing::get(routes::commune_report),
        )
        .route("/evaluations/{id}/plan.csv", plan_csv)
        .route("/evaluations/{id}/plan.xlsx", plan_xlsx)
        .merge(routes::compare_downloads(downloads))
        .leptos_routes_with_context(&options, routes, context, move || {
            shell(app_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(axum::middleware::from_fn_with_state(
            (shared.clone(), cache::PageCache::default()),
            cache::pages,
        ))
        .layer(axum::Extension(shared))
        .layer(axum::middleware::from_fn(http::server_fn_status))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Weak connections: pages, the wasm and the CSS go gzip-compressed
        // to browsers that ask for it.
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(http::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(http::span)
                .on_request(())
                .on_response(http::log_response),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(http::Ids::default()))
        .with_state(options)
}

/// Stores `communes` fictional communes (two rounds each) from the
/// synthetic generator. Assessments already there are left as they are.
async fn seed_synthetic(store: &capacity_store::Store, communes: usize) -> Result<(), StartError> {
    let synthetic = StartError::Synthetic;
    let rubric =
        capacity_data::embedded::reference_rubric().map_err(|e| synthetic(e.to_string()))?;
    let config = capacity_data::SynthConfig {
        communes,
        ..Default::default()
    };
    let dataset =
        capacity_data::generate(&rubric, &config).map_err(|e| synthetic(e.to_string()))?;
    let mut stored = 0usize;
    for a in &dataset.assessments {
        match store.insert_assessment(a).await {
            Ok(_) => stored += 1,
            Err(capacity_store::StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(
        communes,
        assessments = stored,
        "stored the synthetic dataset"
    );
    Ok(())
}

/// Starts the server with this configuration and serves until Ctrl-C or
/// SIGTERM, then finishes the requests in progress.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let site_root = config.site_root.clone();
    if !std::path::Path::new(&site_root).join("pkg").is_dir() {
        return Err(StartError::MissingSite(site_root));
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let store = capacity_store::Store::open(&config.data_dir).await?;
    if store.is_empty().await? {
        let report = crate::service::seed_embedded(&store).await?;
        tracing::info!(
            rubrics = report.rubrics,
            assessments = report.assessments,
            skipped = report.skipped.len(),
            "seeded a new database from assessments/"
        );
        for (file, why) in &report.skipped {
            tracing::warn!(file = %file, reason = %why, "sample not seeded");
        }
        if config.synthetic > 0 {
            seed_synthetic(&store, config.synthetic).await?;
        }
    }
    let addr = config.addr();
    let options = LeptosOptions::builder()
        .output_name("capacity_app")
        .site_root(site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let service = Service::new(store);
    // Results the store keeps no current copy of (a new or migrated
    // database) are computed now and kept, and all are read into memory:
    // the first page over many communes does not wait for them.
    let started = std::time::Instant::now();
    match service.warm_results().await {
        Ok(n) => tracing::info!(
            assessments = n,
            ms = started.elapsed().as_millis() as u64,
            "results ready"
        ),
        Err(e) => tracing::warn!(error = %e, "results not prepared at start"),
    }
    let app = router(options, service);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(StartError::Serve)?;
    tracing::info!(
        addr = %local,
        url = %format!("http://{local}"),
        data_dir = %config.data_dir.display(),
        site_root = %site_root,
        "listening"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(http::shutdown_signal())
        .await
        .map_err(StartError::Serve)
}
