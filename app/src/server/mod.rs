//! Server-only code: configuration, HTTP routes outside Leptos, start-up.
//!
//! Nothing here is compiled for the browser. Pages and server functions do
//! not read configuration directly: what they need is put in the Leptos
//! context by [`serve`].

pub mod cache;
pub mod config;
pub mod guard;
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
    /// The demonstration accounts cannot be made or written.
    #[error("cannot make the demonstration accounts: {0}")]
    Demo(String),
    /// A command of the binary failed.
    #[error("{0}")]
    Command(String),
    /// Serving failed.
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// Builds the axum router: Leptos pages and server functions, static files,
/// the health endpoint, the language route and the plan downloads.
pub fn router(options: LeptosOptions, state: Service, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let app_options = options.clone();
    let shared = state.clone();
    let download = |format| {
        let state = state.clone();
        axum::routing::get(
            move |axum::Extension(actor): axum::Extension<crate::service::access::Actor>,
                  axum::extract::Path(id): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap| {
                routes::plan_download(state.clone(), actor, format, id, headers)
            },
        )
    };
    let plan_csv = download(routes::PlanFormat::Csv);
    let plan_xlsx = download(routes::PlanFormat::Xlsx);
    let downloads = state.clone();
    let state_for_ready = state.clone();
    let sessions = crate::session::layer(&state, config.secure_cookies);
    let client = crate::session::ClientAddress {
        forwarded: config.forwarded_for,
    };
    let fragments = crate::ui::fragments::Fragments::default();
    let context = move || {
        provide_context(fragments.clone());
        // A page render whose generation the page cache read already
        // reads header lists at that generation.
        let known = use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<cache::KnownGeneration>().copied());
        provide_context(match known {
            Some(cache::KnownGeneration(g)) => state.clone().at_generation(g),
            None => state.clone(),
        });
        // The request's nonce (see `guard`) replaces the one Leptos made,
        // so the inline scripts and the policy header agree.
        if let Some(parts) = use_context::<axum::http::request::Parts>()
            && let Some(nonce) = parts.extensions.get::<guard::CspNonce>()
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
    };
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let app = Router::new()
        .route("/lang/{code}", axum::routing::get(routes::set_language))
        .route(
            "/evaluations/{id}/rapport",
            axum::routing::get(routes::commune_report),
        )
        .route(
            "/evaluations/{id}/verification/rapport",
            axum::routing::get(routes::verification_report),
        )
        .route(
            "/evaluations/{id}/historique.csv",
            axum::routing::get(routes::history_download),
        )
        .route(
            "/admin/import-communes",
            axum::routing::post(routes::import_preview),
        )
        .route(
            "/evaluations/{id}/evaluation.toml",
            axum::routing::get(routes::assessment_file),
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
        .layer(axum::middleware::from_fn_with_state(
            (shared.clone(), client),
            crate::session::actor,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(http::session_unavailable))
        .layer(axum::Extension(shared))
        .layer(axum::middleware::from_fn(http::pending_writes))
        .layer(axum::middleware::from_fn(http::server_fn_status))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(options);
    // The health and readiness checks and the built files (wasm, JS, CSS)
    // need no session: they are served beside the app (`/health` without a
    // database read, `/ready` with one).
    let ready = state_for_ready;
    Router::new()
        .route("/health", axum::routing::get(routes::health))
        .route(
            "/ready",
            axum::routing::get(move || routes::ready(ready.clone())),
        )
        .nest_service("/pkg", tower_http::services::ServeDir::new(pkg))
        .merge(app)
        .layer(axum::middleware::from_fn(guard::guard))
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
        match store
            .insert_assessment(a, &capacity_store::Audit::system("synthetic"))
            .await
        {
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

/// The store of this configuration: the database `--database-url` names,
/// else the SQLite file of the data directory.
async fn open_store(config: &Config) -> Result<capacity_store::Store, capacity_store::StoreError> {
    match config.database_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => capacity_store::Store::connect(url).await,
        _ => capacity_store::Store::open(&config.data_dir).await,
    }
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
    let store = open_store(&config).await?;
    let service = Service::new(store.clone());
    if store.is_empty().await? {
        let report = crate::service::seed_embedded(&store, config.demo).await?;
        tracing::info!(
            rubrics = report.rubrics,
            assessments = report.assessments,
            skipped = report.skipped.len(),
            demo = config.demo,
            "seeded a new database"
        );
        for (file, why) in &report.skipped {
            tracing::warn!(file = %file, reason = %why, "sample not seeded");
        }
        if config.synthetic > 0 {
            seed_synthetic(&store, config.synthetic).await?;
        }
        if config.demo {
            crate::service::campaigns::create_demo_campaign(&service)
                .await
                .map_err(|e| StartError::Demo(e.to_string()))?;
            let accounts = crate::service::accounts::create_demo_accounts(&service)
                .await
                .map_err(|e| StartError::Demo(e.to_string()))?;
            write_demo_accounts(&config.data_dir, &accounts)?;
        }
    }
    print_demo_accounts(&config.data_dir);
    if store.count_accounts().await? == 0 {
        tracing::warn!(
            "no account yet: create the first administrator with `capacity-web user add --admin NAME`"
        );
    }
    let addr = config.addr();
    let options = LeptosOptions::builder()
        .output_name("capacity_app")
        .site_root(site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
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
    let app = router(options, service, &config);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(StartError::Serve)?;
    tracing::info!(
        addr = %local,
        url = %format!("http://{local}"),
        data_dir = %config.data_dir.display(),
        database = store.backend().name(),
        site_root = %site_root,
        "listening"
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(http::shutdown_signal())
    .await
    .map_err(StartError::Serve)
}

/// The file, in the data directory, that keeps the demonstration
/// accounts' passwords (readable by its owner only).
pub const DEMO_ACCOUNTS_FILE: &str = "demo-accounts.txt";

/// Writes the demonstration accounts to [`DEMO_ACCOUNTS_FILE`]: one line
/// per account, `name<TAB>password<TAB>what it may do`.
fn write_demo_accounts(
    data_dir: &std::path::Path,
    accounts: &[crate::service::accounts::DemoAccount],
) -> Result<(), StartError> {
    let path = data_dir.join(DEMO_ACCOUNTS_FILE);
    let mut text = String::from(
        "# DEMO accounts of the sample data (not for real use): name, password, role\n",
    );
    for a in accounts {
        text.push_str(&format!("{}\t{}\t{}\n", a.name, a.password, a.what));
    }
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path)?.write_all(text.as_bytes())
    };
    write().map_err(|e| StartError::Demo(format!("{}: {e}", path.display())))
}

/// Prints the demonstration accounts at start, when the data directory
/// has them.
fn print_demo_accounts(data_dir: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(data_dir.join(DEMO_ACCOUNTS_FILE)) else {
        return;
    };
    println!("\nDEMO accounts (sample data only) — comptes de DÉMONSTRATION :");
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split('\t');
        if let (Some(name), Some(password), Some(what)) = (parts.next(), parts.next(), parts.next())
        {
            println!("  {name:<14} {password:<24} {what}");
        }
    }
    println!();
}

/// Runs a command of the binary (`capacity-web user add …`, `backup`,
/// `restore`, `migrate-db`) on the configured database: the one
/// `--database-url` names, else the SQLite file of the data directory.
pub async fn command(config: Config, command: config::Command) -> Result<(), StartError> {
    // Backups, restores and copies work on the databases without opening
    // them as a server does (no migration of a source, no seeding).
    let url = config
        .database_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    match &command {
        config::Command::Backup { to } => {
            let report = match url {
                Some(url) => capacity_store::backup_postgres(url, to).await?,
                None => capacity_store::backup_database(&config.data_dir, to).await?,
            };
            println!("Backup written: {}", describe(&report));
            return Ok(());
        }
        config::Command::Restore { from, force } => {
            let report = match url {
                Some(url) => capacity_store::restore_postgres(url, from, *force).await?,
                None => capacity_store::restore_database(&config.data_dir, from, *force).await?,
            };
            println!(
                "Restored from {}: {}. The next start applies any newer migrations (after a backup).",
                from.display(),
                describe(&report)
            );
            return Ok(());
        }
        config::Command::MigrateDb { from, to, force } => {
            let from = capacity_store::DatabaseAt::parse(from);
            let to = match (to.as_deref(), url) {
                (Some(to), _) => capacity_store::DatabaseAt::parse(to),
                (None, Some(url)) => capacity_store::DatabaseAt::parse(url),
                (None, None) => capacity_store::DatabaseAt::Sqlite(
                    config.data_dir.join(capacity_store::DATABASE_FILE),
                ),
            };
            let report = capacity_store::migrate_database(&from, &to, *force).await?;
            println!(
                "Copied {} into {}. Start the servers on the new database.",
                from.describe(),
                describe(&report)
            );
            return Ok(());
        }
        config::Command::User(_) => {}
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let store = open_store(&config).await?;
    if store.is_empty().await? {
        crate::service::seed_embedded(&store, false).await?;
    }
    let service = Service::new(store.clone());
    match command {
        config::Command::User(config::UserCommand::Add {
            name,
            admin,
            display_name,
        }) => {
            let link =
                crate::service::accounts::add_from_command(&service, &name, &display_name, admin)
                    .await
                    .map_err(|e| StartError::Command(e.to_string()))?;
            println!(
                "Account {} created. Open this link within {} hours to set its password \
                 (it works once):\n  http://{}{}",
                link.account,
                crate::service::accounts::LINK_HOURS,
                config.addr(),
                link.path
            );
        }
        config::Command::Backup { .. }
        | config::Command::Restore { .. }
        | config::Command::MigrateDb { .. } => {}
    }
    store.close().await;
    Ok(())
}

/// One line on a backup or a restored database.
fn describe(report: &capacity_store::BackupReport) -> String {
    format!(
        "{} ({} bytes, schema version {}, {} assessments, {} accounts, {} audit events)",
        report.database.describe(),
        report.bytes,
        report.schema_version,
        report.assessments,
        report.accounts,
        report.audit_events
    )
}
