//! Server configuration from flags and environment variables.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;

/// Runs the commune-capacity web app.
#[derive(Debug, Clone, Parser)]
#[command(name = "capacity-web", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "CAPACITY_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "CAPACITY_PORT", default_value_t = 3000)]
    pub port: u16,
    /// Directory of the data (the SQLite file lives there, unless
    /// `--database-url` names another database).
    #[arg(long, env = "CAPACITY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The database, when it is not the SQLite file of the data
    /// directory: `postgres://user:password@host:port/database` for
    /// PostgreSQL (the database must exist; the schema is created on
    /// first start).
    #[arg(long, env = "CAPACITY_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory of the built site (pkg/ with wasm, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Log format: `text` or `json`.
    #[arg(long, env = "CAPACITY_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// When the database is created, also store this many fictional
    /// communes from the synthetic generator (two rounds each, reference
    /// rubric, seed 42): a national-size dataset for planners' demos and
    /// load tests. 703 is the national map.
    #[arg(long, env = "CAPACITY_SYNTHETIC", default_value_t = 0)]
    pub synthetic: usize,
    /// When the database is created, also store the fictional sample
    /// assessments of `assessments/` and one demonstration account per
    /// role, with random passwords printed at every start (and kept in
    /// `demo-accounts.txt` in the data directory). Without it a new
    /// database holds the rubrics only and no account: create the first
    /// administrator with `capacity-web user add --admin NAME`.
    #[arg(long, env = "CAPACITY_DEMO")]
    pub demo: bool,
    /// Mark the session cookie `Secure` (set it when the site is served
    /// over HTTPS, e.g. behind a reverse proxy with TLS).
    #[arg(long, env = "CAPACITY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Take the client's address from the last hop of `X-Forwarded-For`
    /// (only behind a reverse proxy that sets it): failed logins are
    /// counted per address.
    #[arg(long, env = "CAPACITY_FORWARDED_FOR")]
    pub forwarded_for: bool,
    /// A command instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands of the server binary.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Accounts.
    #[command(subcommand)]
    User(UserCommand),
}

/// Account commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum UserCommand {
    /// Creates an account and prints its one-time set-password link (no
    /// password is ever set by default).
    Add {
        /// Login name (letters, digits, `.`, `_`, `-`).
        name: String,
        /// Give it the national administrator role.
        #[arg(long)]
        admin: bool,
        /// Name shown (default: the login name).
        #[arg(long, default_value = "")]
        display_name: String,
    },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines with key=value fields.
    Text,
    /// One JSON object a line.
    Json,
}

impl Config {
    /// The socket address to bind.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}
