//! Server configuration from flags, environment variables and a
//! configuration file.
//!
//! Every setting has a flag (`--data-dir`), an environment variable
//! (`CAPACITY_DATA_DIR`) and a key of the same name as the flag in the
//! TOML file named by `--config` / `CAPACITY_CONFIG` (`data-dir = "…"`).
//! A flag wins over the variable, which wins over the file, which wins
//! over the default: clap parses flags and variables and says where each
//! value came from ([`clap::parser::ValueSource`]); a key of the file
//! fills only the settings still at their default ([`Config::load`]).
//! An unknown key of the file is an error naming the key and the file.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};
use serde::Deserialize;

/// Runs the commune-capacity web app.
#[derive(Debug, Clone, Parser)]
#[command(name = "capacity-web", version, about)]
pub struct Config {
    /// A TOML configuration file: keys named as the flags (`port = 8080`,
    /// `data-dir = "/var/lib/capacity"`); flags and environment variables
    /// win over it.
    #[arg(long, env = "CAPACITY_CONFIG")]
    pub config: Option<PathBuf>,
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
    /// Writes a consistent copy of the database (the SQLite file of the
    /// data directory, or the PostgreSQL database of `--database-url`) to a
    /// new SQLite file, while servers keep running on it. Any backup can be
    /// restored on either database.
    Backup {
        /// The file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Puts a backup in place as the database (the SQLite file of the data
    /// directory, or the PostgreSQL database of `--database-url`), which
    /// must hold no assessment and no account unless `--force` is given.
    /// Stop every server on it first.
    Restore {
        /// The backup file (made by `capacity-web backup`, on either
        /// database).
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Copies a whole database into another one, e.g. from SQLite to
    /// PostgreSQL: every table, the audit trail and the accounts (not the
    /// sessions). The source must be at this version's schema (start a
    /// server on it once) and is only read; the target must exist and hold
    /// no assessment and no account unless `--force`. Stop every server on
    /// both first.
    MigrateDb {
        /// The database to copy: a data directory (its `capacity.sqlite3`),
        /// a SQLite file, or a `postgres://` URL.
        #[arg(long)]
        from: String,
        /// The database to copy into: a data directory, a SQLite file or a
        /// `postgres://` URL; by default the one this configuration names
        /// (`--database-url`, else the data directory). Keep a password out
        /// of the command line: set `CAPACITY_DATABASE_URL` and leave
        /// `--to` out.
        #[arg(long)]
        to: Option<String>,
        /// Replace a target that holds data.
        #[arg(long)]
        force: bool,
    },
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
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

    /// The configuration of this process: its flags and environment
    /// variables, then the configuration file they name for the settings
    /// still at their default. `--help` and `--version` print and exit,
    /// as a flag error does (status 2).
    pub fn load() -> Result<Config, ConfigError> {
        Config::from_matches(&Config::command().get_matches())
    }

    /// [`Config::load`] from parsed flags (and the environment variables
    /// clap read for them).
    pub fn from_matches(matches: &ArgMatches) -> Result<Config, ConfigError> {
        let mut config = Config::from_arg_matches(matches).map_err(ConfigError::Flags)?;
        let Some(path) = config.config.clone() else {
            return Ok(config);
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.clone(),
            message: e.to_string(),
        })?;
        config.fill_from(&file, |id| {
            matches!(
                matches.value_source(id),
                None | Some(ValueSource::DefaultValue)
            )
        });
        Ok(config)
    }

    /// Takes each setting `file` has whose value is still the default
    /// (`at_default(arg id)`).
    fn fill_from(&mut self, file: &FileConfig, at_default: impl Fn(&str) -> bool) {
        macro_rules! fill {
            ($($field:ident),*) => {$(
                if let Some(value) = &file.$field
                    && at_default(stringify!($field))
                {
                    self.$field = value.clone();
                }
            )*};
        }
        fill!(
            host,
            port,
            data_dir,
            site_root,
            log_format,
            synthetic,
            demo,
            secure_cookies,
            forwarded_for
        );
        if file.database_url.is_some() && at_default("database_url") {
            self.database_url = file.database_url.clone();
        }
    }
}

/// The keys of a configuration file: the flags' names, every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    host: Option<IpAddr>,
    port: Option<u16>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    site_root: Option<String>,
    log_format: Option<LogFormat>,
    synthetic: Option<usize>,
    demo: Option<bool>,
    secure_cookies: Option<bool>,
    forwarded_for: Option<bool>,
}

/// A configuration that cannot be used, saying where and how to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The flags or environment variables are wrong.
    #[error("{0}")]
    Flags(clap::Error),
    /// The configuration file cannot be read.
    #[error("cannot read the configuration file {}: {source} (check --config or CAPACITY_CONFIG)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The configuration file is not valid: TOML syntax, an unknown key
    /// or a value of the wrong kind, at its line and column.
    #[error("configuration file {}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, where (the TOML reader's message names the key).
        message: String,
    },
}

impl ConfigError {
    /// The file concerned, if any.
    pub fn file(&self) -> Option<&Path> {
        match self {
            ConfigError::Flags(_) => None,
            ConfigError::Read { path, .. } | ConfigError::File { path, .. } => Some(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A configuration file with `text`, and the configuration of `args`
    /// with `--config` naming it. Of the server's environment variables,
    /// only `LEPTOS_SITE_ROOT` may be set while the tests run (the test
    /// command sets it for the server it builds).
    fn load(name: &str, text: &str, args: &[&str]) -> Result<Config, ConfigError> {
        let file = std::env::temp_dir().join(format!(
            "capacity-config-{name}-{}.toml",
            std::process::id()
        ));
        std::fs::write(&file, text).map_err(|source| ConfigError::Read {
            path: file.clone(),
            source,
        })?;
        let mut all = vec!["capacity-web".to_owned(), "--config".to_owned()];
        all.push(file.display().to_string());
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let matches = Config::command()
            .try_get_matches_from(all)
            .map_err(ConfigError::Flags)?;
        let config = Config::from_matches(&matches);
        let _ = std::fs::remove_file(&file);
        config
    }

    #[test]
    fn the_file_fills_what_flags_leave_at_their_default() -> TestResult {
        let text = "port = 8080\ndata-dir = \"/var/lib/capacity\"\nlog-format = \"json\"\n\
                    secure-cookies = true\nhost = \"0.0.0.0\"\n";
        let config = load("fill", text, &[])?;
        assert_eq!(config.port, 8080);
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/capacity"));
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(config.secure_cookies);
        assert!(!config.demo, "absent from the file: the default");
        assert_eq!(config.host.to_string(), "0.0.0.0");
        // Absent from the file: the environment, else the default.
        let site_root =
            std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".to_owned());
        assert_eq!(config.site_root, site_root);
        // A flag wins over the file.
        let config = load("flags", text, &["--port", "9090", "--data-dir", "here"])?;
        assert_eq!(config.port, 9090);
        assert_eq!(config.data_dir, PathBuf::from("here"));
        assert_eq!(config.log_format, LogFormat::Json);
        Ok(())
    }

    #[test]
    fn an_unknown_key_or_a_wrong_value_names_the_key_and_the_file() {
        for (text, words) in [
            ("prot = 8080\n", ["prot", "port"]),
            ("port = \"many\"\n", ["port", "line 1"]),
            ("log-format = \"xml\"\n", ["log-format", "xml"]),
        ] {
            match load("unknown", text, &[]) {
                Err(e @ ConfigError::File { .. }) => {
                    let message = e.to_string();
                    assert!(
                        message.contains("capacity-config-unknown"),
                        "the file is named: {message}"
                    );
                    for w in words {
                        assert!(message.contains(w), "{w} in {message}");
                    }
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_file_says_so() {
        let matches = Config::command().try_get_matches_from([
            "capacity-web",
            "--config",
            "/nonexistent/capacity.toml",
        ]);
        let Ok(matches) = matches else {
            panic!("flags parse");
        };
        let e = Config::from_matches(&matches);
        assert!(
            matches!(&e, Err(ConfigError::Read { path, .. }) if path.ends_with("capacity.toml")),
            "{e:?}"
        );
    }
}
