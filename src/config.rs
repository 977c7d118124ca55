//! Command line and environment. Every setting can come from an environment
//! variable; a flag overrides it.

use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::sync::webhooks::worker::DeliverySettings;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/aimd_registry";

#[derive(Debug, Parser)]
#[command(
    name = "aimd-registry",
    version,
    about = "Registry of experts, organisations and initiatives on AI in medical devices"
)]
pub struct Cli {
    /// PostgreSQL connection URL. The database is created if the server lacks it.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Log filter, e.g. `info` or `aimd_registry=debug,actix_web=info`.
    #[arg(long, env = "AIMD_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "AIMD_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// The address the public reaches the API at (scheme, host, port; no
    /// path): the base of every JSON-LD `@id`, which should not change.
    #[arg(long, env = "AIMD_PUBLIC_URL", default_value = "http://127.0.0.1:8080", value_parser = public_url, global = true)]
    pub public_url: String,

    /// The URL of the licence the registry's data is published under (the
    /// catalogue at /v1/catalog states it).
    #[arg(long, env = "AIMD_DATA_LICENCE", default_value = "https://creativecommons.org/licenses/by/4.0/", value_parser = licence_url, global = true)]
    pub data_licence: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage API keys (applies pending migrations first).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write every record of one kind to standard output, as the API exports
    /// it; the change-feed position it includes goes to standard error.
    Export(ExportArgs),
    /// Import an NDJSON file as `POST /v1/imports` does (as an operator:
    /// the history shows no API key).
    Import(ImportArgs),
    /// Write the whole registry (records, histories, change feed, keys,
    /// webhooks) as one archive file, from one snapshot, while it serves.
    Backup(BackupArgs),
    /// Restore an archive into a new database (created and migrated if
    /// need be) in one transaction; refuses a registry in use.
    Restore(RestoreArgs),
    /// Build the search index from one snapshot of the database and report
    /// what it holds and how long the build took (the index lives in memory).
    Reindex(ReindexArgs),
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Ask a running instance whether it is ready (or, with --live, alive);
    /// exits 0 when it passes or warns. For container health checks, where
    /// there may be no curl.
    Probe(ProbeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The instance's address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub address: String,
    /// Liveness instead of readiness.
    #[arg(long)]
    pub live: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check every setting `serve` would use (flags, environment, `.env`)
    /// and print the effective configuration, secrets hidden; exits with
    /// an error naming the setting when one is invalid.
    Check(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReindexArgs {
    /// Also search the built index for this text (the search box's syntax)
    /// and report how many records match, the best ones and how long it took.
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The NDJSON file, one record per line.
    pub file: std::path::PathBuf,
    /// Check and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Publish what is imported (otherwise records are drafts).
    #[arg(long)]
    pub publish: bool,
    /// Create records that look like existing ones instead of refusing
    /// their lines.
    #[arg(long)]
    pub create_duplicates: bool,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the archive (by default, standard output).
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The archive `backup` wrote.
    pub file: std::path::PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// organisations, experts or initiatives.
    #[arg(value_parser = ["organisations", "experts", "initiatives"])]
    pub kind: String,
    /// ndjson (default), csv or json-ld.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: crate::sync::exports::Format,
    /// Only what the public may see (by default: every live record; json-ld
    /// is always the public's view).
    #[arg(long)]
    pub public: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its token, which is shown only this once.
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
        /// reader, curator, editor or admin.
        #[arg(long, value_parser = ["reader", "curator", "editor", "admin"])]
        role: String,
        /// When the key stops working (RFC 3339, e.g. 2027-12-31T00:00:00Z).
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// List every key (never the tokens).
    List,
    /// Revoke a key by id; it is refused from then on.
    Revoke { id: uuid::Uuid },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "AIMD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Seconds a stop (SIGTERM, SIGINT) gives requests in flight to finish;
    /// connections still open then are closed.
    #[arg(long, env = "AIMD_SHUTDOWN_SECONDS", default_value_t = 30)]
    pub shutdown_seconds: u64,

    /// A streaming replica of the database, for reads that may lag by a few
    /// milliseconds (the search index, exports, records rendered for
    /// reading); writes and exact reads stay on DATABASE_URL.
    #[arg(long, env = "AIMD_READ_DATABASE_URL", hide_env_values = true)]
    pub read_database_url: Option<String>,

    /// Address and port of the Prometheus metrics (`GET /metrics`), apart
    /// from the API so that only operators reach it; none by default.
    #[arg(long, env = "AIMD_METRICS_BIND")]
    pub metrics_bind: Option<std::net::SocketAddr>,

    /// Maximum number of database connections per pool (public reads
    /// have a pool of their own).
    #[arg(long, env = "AIMD_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub pool_size: u64,

    /// Seconds to wait for a free database connection or a new one; then 503.
    #[arg(long, env = "AIMD_DB_WAIT_SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub db_wait_seconds: u64,

    /// Seconds one SQL statement may run (PostgreSQL's statement_timeout); then 503.
    #[arg(long, env = "AIMD_STATEMENT_TIMEOUT_SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub statement_timeout_seconds: u64,

    /// Seconds a transaction may wait on its client (idle_in_transaction_session_timeout).
    #[arg(long, env = "AIMD_IDLE_IN_TRANSACTION_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_in_transaction_seconds: u64,

    /// Seconds a request may take before it is answered 503 (imports: at
    /// least ten minutes). Bounds requests when the database stops answering
    /// without closing the connection.
    #[arg(long, env = "AIMD_REQUEST_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_seconds: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "AIMD_WORKERS", value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: Option<u64>,

    /// Do not apply pending migrations at start-up.
    #[arg(long, env = "AIMD_NO_MIGRATE", value_parser = BoolishValueParser::new())]
    pub no_migrate: bool,

    /// Reads need an API key too (role reader or higher).
    #[arg(long, env = "AIMD_READS_REQUIRE_KEY", value_parser = BoolishValueParser::new())]
    pub reads_require_key: bool,

    /// Editors may approve their own changes (single-editor deployments).
    #[arg(long, env = "AIMD_ALLOW_SELF_APPROVAL", value_parser = BoolishValueParser::new())]
    pub allow_self_approval: bool,

    /// Days a record may go without a review (approval or confirmation)
    /// before `GET /v1/reviews/due` lists it.
    #[arg(long, env = "AIMD_REVIEW_PERIOD_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..))]
    pub review_period_days: u32,

    /// Requests a minute per API key (0: unlimited).
    #[arg(long, env = "AIMD_RATE_LIMIT", default_value_t = 1200)]
    pub rate_limit: u32,

    /// Requests a minute per client address without a key (0: unlimited).
    #[arg(long, env = "AIMD_ANONYMOUS_RATE_LIMIT", default_value_t = 300)]
    pub anonymous_rate_limit: u32,

    /// Answers 401 or 403 a minute per client address before further
    /// requests from it are refused with 429 (0: unlimited).
    #[arg(long, env = "AIMD_FAILED_AUTH_LIMIT", default_value_t = 30)]
    pub failed_auth_limit: u32,

    /// Reverse proxies (CIDR networks or addresses, comma-separated) whose
    /// `Forwarded` or `X-Forwarded-For` names the client for rate limits.
    #[arg(long, env = "AIMD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// Browser origins allowed to call the API (CORS), comma-separated, or `*`.
    #[arg(long, env = "AIMD_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Let those origins write too, not only read.
    #[arg(long, env = "AIMD_CORS_ALLOW_WRITES", value_parser = BoolishValueParser::new())]
    pub cors_allow_writes: bool,

    /// Load the demo dataset (data/demo) at start-up; loading it again changes nothing.
    #[arg(long, env = "AIMD_DEMO", value_parser = BoolishValueParser::new())]
    pub demo: bool,

    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// How webhook deliveries are attempted.
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Do not send webhook deliveries from this instance (they wait in the
    /// outbox for an instance that does).
    #[arg(long, env = "AIMD_WEBHOOKS_OFF", value_parser = BoolishValueParser::new())]
    pub webhooks_off: bool,

    /// Seconds before the first retry of a failed delivery; doubles each time.
    #[arg(long, env = "AIMD_WEBHOOK_RETRY_SECONDS", default_value_t = 30)]
    pub webhook_retry_seconds: u64,

    /// Attempts per delivery before it is given up.
    #[arg(long, env = "AIMD_WEBHOOK_MAX_ATTEMPTS", default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..))]
    pub webhook_max_attempts: i32,

    /// Failed attempts in a row after which a subscription is switched off.
    #[arg(long, env = "AIMD_WEBHOOK_DISABLE_AFTER", default_value_t = 20, value_parser = clap::value_parser!(i32).range(1..))]
    pub webhook_disable_after: i32,

    /// Days delivered and failed deliveries stay listed and replayable.
    #[arg(long, env = "AIMD_WEBHOOK_KEEP_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_keep_days: u64,

    /// Let subscriptions and deliveries reach loopback, link-local, private
    /// and unspecified addresses (receivers inside your own network).
    #[arg(long, env = "AIMD_WEBHOOK_ALLOW_PRIVATE", value_parser = BoolishValueParser::new())]
    pub webhook_allow_private: bool,

    /// Seconds a receiver has to answer.
    #[arg(long, env = "AIMD_WEBHOOK_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_timeout_seconds: u64,
}

/// Reads `.env` from the working directory, if there is one. Variables
/// already set win, as do flags.
pub fn load_dotenv() -> Result<(), String> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot read .env: {e}")),
    }
}

/// Parses the command line and environment. An invalid value is reported
/// with both places it may have come from: the flag and its variable.
pub fn parse_or_exit() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let mut error = error;
            if matches!(
                error.kind(),
                ErrorKind::InvalidValue | ErrorKind::ValueValidation
            ) && let Some(variable) = variable_of(&error)
            {
                let from_env = std::env::var_os(&variable).is_some();
                let hint = if from_env {
                    format!(
                        "the value comes from the environment variable {variable} (a flag overrides it)"
                    )
                } else {
                    format!("it may also be set with the environment variable {variable}")
                };
                error.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec![hint.into()]),
                );
            }
            error.exit()
        }
    }
}

/// The environment variable behind the argument an error is about.
fn variable_of(error: &clap::Error) -> Option<String> {
    let ContextValue::String(shown) = error.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let long = shown.split_whitespace().next()?.trim_start_matches("--");
    let command = Cli::command();
    std::iter::once(&command)
        .chain(command.get_subcommands())
        .flat_map(|c| c.get_arguments())
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
        .map(|v| v.to_string_lossy().into_owned())
}

impl ServeArgs {
    /// The address to listen on, as `host:port`.
    pub fn bind_address(&self) -> Result<std::net::SocketAddr, String> {
        use std::net::ToSocketAddrs;
        let invalid = |why: &str| {
            format!(
                "AIMD_BIND or --bind must be host:port, such as 127.0.0.1:8080 or \
                 0.0.0.0:8080; '{}' {why}",
                self.bind
            )
        };
        self.bind
            .to_socket_addrs()
            .map_err(|e| invalid(&format!("is not one ({e})")))?
            .next()
            .ok_or_else(|| invalid("resolves to no address"))
    }

    pub fn db_settings(&self) -> crate::db::DbSettings {
        crate::db::DbSettings {
            max_size: usize::try_from(self.pool_size).unwrap_or(usize::MAX),
            wait: Duration::from_secs(self.db_wait_seconds),
            statement: Duration::from_secs(self.statement_timeout_seconds),
            idle_in_transaction: Duration::from_secs(self.idle_in_transaction_seconds),
        }
    }
}

impl WebhookArgs {
    pub fn settings(&self) -> DeliverySettings {
        DeliverySettings {
            retry_base: Duration::from_secs(self.webhook_retry_seconds),
            max_attempts: self.webhook_max_attempts,
            disable_after: self.webhook_disable_after,
            timeout: Duration::from_secs(self.webhook_timeout_seconds),
            keep: Duration::from_secs(self.webhook_keep_days * 24 * 3600),
            allow_private: self.webhook_allow_private,
            ..DeliverySettings::default()
        }
    }
}

/// An absolute http(s) URL.
fn absolute_url(raw: &str) -> Result<url::Url, String> {
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(format!("'{raw}' is not an absolute http(s) URL")),
    }
}

/// The public address: scheme, host and port only, as every JSON-LD id
/// starts with it.
fn public_url(raw: &str) -> Result<String, String> {
    let url = absolute_url(raw)?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "'{raw}' has a path, query or fragment; give only scheme, host and port"
        ));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// A licence's URL.
fn licence_url(raw: &str) -> Result<String, String> {
    absolute_url(raw).map(|_| raw.to_owned())
}

/// The effective configuration of `config check`: every setting of the
/// command line (global ones and `serve`'s), as `VARIABLE=value`, with
/// where the value came from; the database password is hidden.
pub fn effective_configuration() -> Vec<String> {
    let matches = Cli::command().get_matches();
    let Some(("config", config)) = matches.subcommand() else {
        return Vec::new();
    };
    let Some(("check", check)) = config.subcommand() else {
        return Vec::new();
    };
    let command = Cli::command();
    let check_command = command
        .find_subcommand("config")
        .and_then(|c| c.find_subcommand("check"))
        .cloned()
        .unwrap_or_default();
    let arguments = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .chain(check_command.get_arguments())
        .filter(|a| a.get_id() != "help");
    let mut lines = Vec::new();
    for argument in arguments {
        let id = argument.get_id().as_str();
        let name = argument.get_env().map_or_else(
            || format!("--{}", argument.get_long().unwrap_or(id)),
            |env| env.to_string_lossy().into_owned(),
        );
        let values: Vec<String> = check
            .get_raw(id)
            .into_iter()
            .flatten()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let value = if id == "database_url" || id == "read_database_url" {
            values
                .iter()
                .map(|v| crate::db::without_password(v))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            values.join(",")
        };
        let source = match check.value_source(id) {
            Some(clap::parser::ValueSource::CommandLine) => "flag",
            Some(clap::parser::ValueSource::EnvVariable) => "environment",
            Some(clap::parser::ValueSource::DefaultValue) => "default",
            _ => "unset",
        };
        lines.push(format!("{name}={value}  # {source}"));
    }
    lines
}
