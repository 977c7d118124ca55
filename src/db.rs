//! Connection pool, database creation and the embedded migrations.

use std::time::Duration;

use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::sql::{Fragment, sql};

pub type DbPool = Pool<AsyncPgConnection>;
pub type PooledConnection = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// How long the service waits on the database, at most.
#[derive(Debug, Clone)]
pub struct DbSettings {
    pub max_size: usize,
    /// For a free connection from the pool, and for making a new one.
    pub wait: Duration,
    /// For one statement (`statement_timeout`, enforced by the server).
    pub statement: Duration,
    /// For a transaction that sends nothing
    /// (`idle_in_transaction_session_timeout`): a client that stopped
    /// reading an export, say.
    pub idle_in_transaction: Duration,
}

impl DbSettings {
    /// The defaults, with a pool of `max_size` connections.
    pub fn sized(max_size: usize) -> Self {
        Self {
            max_size,
            wait: Duration::from_secs(5),
            statement: Duration::from_secs(15),
            idle_in_transaction: Duration::from_secs(60),
        }
    }
}

/// The service's two pools, each of up to `max_size` connections. The
/// staff's reads and writes everything. The public's connections act as
/// the role `aimd_public_reader` with the schema `aimd_public` first on
/// their search path (see the `public_schema` migration): the same
/// statements read only live, public rows there, and a table without a
/// public view cannot be read at all.
#[derive(Clone)]
pub struct Pools {
    pub staff: DbPool,
    pub public: DbPool,
    /// The search index follower's own two connections (one listening for
    /// the feed, one reading it), so that requests never wait behind it
    /// and it never waits behind them.
    pub index: DbPool,
    /// For reads that may lag behind the primary by a few milliseconds: a
    /// streaming replica's when `AIMD_READ_DATABASE_URL` is set, otherwise
    /// the pools above.
    pub reads: ReadPools,
    /// Whether `reads` are a replica's.
    pub replicated: bool,
}

/// The pools reads that may lag go to (see [`Pools::with_replica`]).
#[derive(Clone)]
pub struct ReadPools {
    pub staff: DbPool,
    pub public: DbPool,
    /// What the search index reads (it listens for changes on the primary,
    /// as a replica does not pass notifications on).
    pub index: DbPool,
}

pub fn pools(database_url: &str, max_size: usize) -> Result<Pools, BoxError> {
    pools_with(database_url, &DbSettings::sized(max_size))
}

pub fn pools_with(database_url: &str, settings: &DbSettings) -> Result<Pools, BoxError> {
    // The index pool holds the follower's LISTEN connection and the one it
    // reads with; without a replica, lagging reads share these pools.
    let reads = pool_set(database_url, settings, 2)?;
    Ok(Pools {
        staff: reads.staff.clone(),
        public: reads.public.clone(),
        index: reads.index.clone(),
        reads,
        replicated: false,
    })
}

/// A staff, a public and an index pool on one database.
fn pool_set(
    database_url: &str,
    settings: &DbSettings,
    index_size: usize,
) -> Result<ReadPools, BoxError> {
    Ok(ReadPools {
        staff: pool_with(database_url, settings, "")?,
        public: pool_with(database_url, settings, PUBLIC_READER_SETUP)?,
        index: pool_with(
            database_url,
            &DbSettings {
                max_size: index_size,
                ..settings.clone()
            },
            "",
        )?,
    })
}

impl Pools {
    /// Sends the reads that may lag (the search index's, exports, records
    /// rendered for reading) to the streaming replica at `replica_url`;
    /// writes, and reads that must be exact, stay on the primary.
    pub fn with_replica(
        mut self,
        replica_url: &str,
        settings: &DbSettings,
    ) -> Result<Self, BoxError> {
        // The replica's index pool only reads; the LISTEN stays on the primary.
        self.reads = pool_set(replica_url, settings, 1)?;
        self.replicated = true;
        Ok(self)
    }
}

/// Makes a session read as the public: `SET ROLE` drops every privilege the
/// login had (a superuser's too) for those of the reader role.
const PUBLIC_READER_SETUP: &str =
    "; SET ROLE aimd_public_reader; SET search_path = aimd_public, public";

/// A pool whose connections run `SESSION_SETUP`, the timeouts, and then
/// `more_setup` (statements each starting with `; `).
fn pool_with(
    database_url: &str,
    settings: &DbSettings,
    more_setup: &'static str,
) -> Result<DbPool, BoxError> {
    let mut config = ManagerConfig::default();
    // A broken connection surfaces as a failed query and is then dropped by
    // the pool; pinging on every checkout would cost a round trip per request.
    config.recycling_method = RecyclingMethod::Fast;
    let setup = sql!(
        SESSION_SETUP,
        "; SET statement_timeout = ",
        Fragment::integer(settings.statement.as_millis()),
        "; SET idle_in_transaction_session_timeout = ",
        Fragment::integer(settings.idle_in_transaction.as_millis()),
        more_setup
    );
    config.custom_setup = Box::new(move |url| Box::pin(connect(url.to_owned(), setup.clone())));
    let url = with_network_limits(database_url, settings.wait)?;
    let manager = AsyncDieselConnectionManager::new_with_config(url, config);
    Ok(Pool::builder(manager)
        .max_size(settings.max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(settings.wait))
        .create_timeout(Some(settings.wait))
        .recycle_timeout(Some(settings.wait))
        .build()?)
}

/// The URL with the socket's limits, unless it sets them itself: a connect
/// timeout, TCP keepalive (a peer that vanished is noticed within about a
/// minute, not hours) and a limit on unacknowledged data.
fn with_network_limits(database_url: &str, connect: Duration) -> Result<String, BoxError> {
    let mut url = url::Url::parse(database_url)
        .map_err(|e| format!("DATABASE_URL is not a postgres:// URL: {e}"))?;
    let given: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let limits = [
        ("connect_timeout", connect.as_secs().max(1).to_string()),
        ("keepalives_idle", "30".to_owned()),
        ("keepalives_interval", "10".to_owned()),
        ("keepalives_retries", "3".to_owned()),
        ("tcp_user_timeout", "30".to_owned()),
    ];
    for (key, value) in limits {
        if !given.iter().any(|k| k == key) {
            url.query_pairs_mut().append_pair(key, &value);
        }
    }
    Ok(url.to_string())
}

/// Session settings every pooled connection needs. The duplicate finder
/// uses pg_trgm's `<%` and `%>` operators; at their default threshold (0.6)
/// one dropped letter in a short name ("Philps") is not found, at 0.5 it is. JIT
/// compilation costs more than it saves on queries of a few milliseconds:
/// measured on the benchmark dataset, a broad search went from 730 ms to
/// tens of milliseconds without it.
const SESSION_SETUP: &str = "SET pg_trgm.word_similarity_threshold = 0.5; SET jit = off";

async fn connect(url: String, setup: Fragment) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(&url).await?;
    setup
        .execute_batch(&mut conn)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// Splits a `postgres://` URL into the URL of the server's maintenance
/// database (`postgres`) and the name of the database it points at.
pub fn maintenance_url(database_url: &str) -> Result<(String, String), BoxError> {
    let mut url = url::Url::parse(database_url)
        .map_err(|e| format!("DATABASE_URL is not a postgres:// URL: {e}"))?;
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() {
        return Err("DATABASE_URL names no database".into());
    }
    url.set_path("/postgres");
    Ok((url.to_string(), name))
}

/// The database a URL names, for messages: `database 'x' on host:port`
/// (never the password).
pub fn describe(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(url) => {
            let (host, port) = server_of(&url);
            let name = url.path().trim_start_matches('/');
            format!("database '{name}' on {host}:{port}")
        }
        Err(_) => "the database DATABASE_URL names".to_owned(),
    }
}

/// A database URL with its password, if any, replaced by `***`, for
/// printing.
pub fn without_password(database_url: &str) -> String {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return "(not a URL)".to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    // libpq also takes secrets as query parameters.
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(key, value)| {
            let secret = matches!(&*key, "password" | "sslpassword");
            (
                key.into_owned(),
                if secret {
                    "***".to_owned()
                } else {
                    value.into_owned()
                },
            )
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The host and port a URL connects to, with libpq's defaults.
fn server_of(url: &url::Url) -> (&str, u16) {
    (
        url.host_str().unwrap_or("localhost"),
        url.port().unwrap_or(5432),
    )
}

/// A failure to reach the database, saying which and what to check.
pub fn unreachable(database_url: &str, error: impl Into<BoxError>) -> BoxError {
    let error: BoxError = error.into();
    // The causes too: "error connecting to server" alone does not say why.
    let mut cause = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !cause.contains(&text) {
            cause = format!("{cause}: {text}");
        }
        source = inner.source();
    }
    if let Some(refusal) = socket_problem(database_url) {
        cause = format!("{cause}: {refusal}");
    }
    format!(
        "cannot connect to {} ({cause}). Is PostgreSQL running there, and do the user and \
         password in DATABASE_URL (or --database-url) fit?",
        describe(database_url)
    )
    .into()
}

/// Why nothing answers at the URL's host and port, if that is the problem.
fn socket_problem(database_url: &str) -> Option<String> {
    use std::net::ToSocketAddrs;
    let url = url::Url::parse(database_url).ok()?;
    let (host, port) = server_of(&url);
    let address = (host, port).to_socket_addrs().ok()?.next()?;
    std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2))
        .err()
        .map(|e| format!("nothing answers on {host}:{port} ({e})"))
}

/// A connection to the server's maintenance database, and the name of the
/// database `database_url` points at.
async fn maintenance_connection(
    database_url: &str,
) -> Result<(AsyncPgConnection, String), BoxError> {
    let (maintenance, name) = maintenance_url(database_url)?;
    let conn = AsyncPgConnection::establish(&maintenance)
        .await
        .map_err(|e| unreachable(database_url, e))?;
    Ok((conn, name))
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> Result<bool, BoxError> {
    let exists: Exists =
        sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(name)
            .get_result(conn)
            .await?;
    Ok(exists.found)
}

/// Checks that the database exists and is migrated, without changing it:
/// for commands that work on a registry someone set up (`keys`, `import`,
/// `export`), so that a mistyped URL does not make a new, empty one.
pub async fn check_ready(database_url: &str) -> Result<(), BoxError> {
    let (mut conn, name) = maintenance_connection(database_url).await?;
    if !database_exists(&mut conn, &name).await? {
        return Err(format!(
            "{} does not exist. Start the registry once (`aimd-registry serve`) or run \
             `aimd-registry migrate` with this DATABASE_URL, or point DATABASE_URL at the \
             registry's database",
            describe(database_url)
        )
        .into());
    }
    let url = database_url.to_owned();
    let pending = tokio::task::spawn_blocking(move || -> Result<usize, BoxError> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        Ok(conn.pending_migrations(MIGRATIONS)?.len())
    })
    .await?
    .map_err(|e| unreachable(database_url, e))?;
    if pending > 0 {
        return Err(format!(
            "{} has {pending} migration(s) to apply: run `aimd-registry migrate` (or start \
             `aimd-registry serve`, which applies them) first",
            describe(database_url)
        )
        .into());
    }
    Ok(())
}

/// Quotes an identifier for use in DDL.
pub fn quote_identifier(name: &str) -> String {
    Fragment::identifier(name).as_str().to_owned()
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Creates the configured database when the server does not have it yet.
/// Returns whether it was created.
pub async fn ensure_database_exists(database_url: &str) -> Result<bool, BoxError> {
    let (mut conn, name) = maintenance_connection(database_url).await?;
    if database_exists(&mut conn, &name).await? {
        return Ok(false);
    }
    sql!("CREATE DATABASE ", Fragment::identifier(&name))
        .query()
        .execute(&mut conn)
        .await?;
    Ok(true)
}

/// The newest migration this build carries, spelt as diesel records it in
/// `__diesel_schema_migrations`.
pub fn latest_migration() -> Option<String> {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .ok()?
        .iter()
        .map(|migration| migration.name().version().to_string())
        .max()
}

/// Applies pending migrations and returns the versions applied.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, BoxError> {
    let url = database_url.to_owned();
    // The wrapper blocks on the async connection, so it needs a thread of its own.
    tokio::task::spawn_blocking(move || -> Result<Vec<String>, BoxError> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        let applied = conn.run_pending_migrations(MIGRATIONS)?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await?
}
