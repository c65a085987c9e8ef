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
    /// Directory of the data (the SQLite file lives there).
    #[arg(long, env = "CAPACITY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
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
