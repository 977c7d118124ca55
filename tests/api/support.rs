//! Test harness: every test gets its own database, copied from a template
//! that is migrated once, and an in-process instance of the app on it.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test;
use actix_web::web::Bytes;
use aimd_registry::api::access::Policy;
use aimd_registry::auth::Role;
use aimd_registry::db::{self, maintenance_url, quote_identifier};
use aimd_registry::store::api_keys;
use aimd_registry::sync::webhooks::worker::{Deliverer, DeliverySettings, WorkerStatus};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use diesel::sql_query;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use tokio::sync::OnceCell;

#[path = "../common/mod.rs"]
mod common;

use common::{database_url, server_url};

async fn maintenance() -> AsyncPgConnection {
    let (url, _) = maintenance_url(&server_url()).expect("DATABASE_URL names a database");
    AsyncPgConnection::establish(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url} ({e}); set DATABASE_URL"))
}

/// The template's name changes whenever a migration's SQL does, so a stale
/// template is never used.
fn template_name() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file)
            .expect("migration readable")
            .hash(&mut hasher);
    }
    format!("aimd_test_template_{:016x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Creates the migrated template once per server. Test processes may race
/// (nextest runs them in parallel), so creation holds an advisory lock and
/// builds under a temporary name that is renamed only when complete.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let mut conn = maintenance().await;
            sql_query("SELECT pg_advisory_lock(7240531)")
                .execute(&mut conn)
                .await
                .expect("lock");
            let exists: i64 = sql_query(format!(
                "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
            ))
            .get_result::<Count>(&mut conn)
            .await
            .expect("query pg_database")
            .n;
            if exists == 0 {
                let building = format!("{name}_building");
                sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_identifier(&building)
                ))
                .execute(&mut conn)
                .await
                .expect("drop half-built template");
                sql_query(format!("CREATE DATABASE {}", quote_identifier(&building)))
                    .execute(&mut conn)
                    .await
                    .expect("create template");
                db::run_migrations(&database_url(&building))
                    .await
                    .expect("migrate template");
                sql_query(format!(
                    "ALTER DATABASE {} RENAME TO {}",
                    quote_identifier(&building),
                    quote_identifier(&name)
                ))
                .execute(&mut conn)
                .await
                .expect("publish template");
            }
            sql_query("SELECT pg_advisory_unlock(7240531)")
                .execute(&mut conn)
                .await
                .expect("unlock");
            name
        })
        .await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A database of the test's own, dropped (even when the test panics) at the end.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!("aimd_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = maintenance().await;
        sql_query(format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_identifier(&name),
            quote_identifier(template)
        ))
        .execute(&mut conn)
        .await
        .expect("create test database");
        Self {
            url: database_url(&name),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context; use a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| {
                    rt.block_on(async {
                        let mut conn = maintenance().await;
                        sql_query(format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote_identifier(&name)
                        ))
                        .execute(&mut conn)
                        .await
                    })
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(Ok(_)))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// An HTTP response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of a header that may be sent more than once (`Vary`).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(',').map(str::trim))
            .collect()
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    /// Asserts a problem+json response and returns `(name, code)` of its invalidParams.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Vec<(String, String)> {
        self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["instance"]
                .as_str()
                .is_some_and(|t| t.starts_with('/')),
            "{body}"
        );
        body["invalidParams"]
            .as_array()
            .map(|params| {
                params
                    .iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap().to_owned(),
                            p["code"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The app on a fresh database. Requests go out with an admin key unless
/// sent with [`TestApp::send_as`].
pub struct TestApp<S> {
    service: S,
    pools: db::Pools,
    admin_token: String,
    /// The status the app's webhook endpoint reports.
    worker: WorkerStatus,
    /// The app's API key checks, which tests counting statements forget
    /// (a check reused within its second sends none).
    keys: Option<actix_web::web::Data<aimd_registry::api::state::AppState>>,
    /// Held so the database is dropped with the app, after the test.
    _database: Option<TestDb>,
}

pub async fn spawn() -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with(Policy::default()).await
}

/// A deployment whose one editor may approve their own changes.
pub fn single_editor() -> Policy {
    Policy {
        allow_self_approval: true,
        ..Policy::default()
    }
}

pub async fn spawn_with(
    policy: Policy,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let db = TestDb::new().await;
    let url = db.url.clone();
    spawn_on(url, db::DbSettings::sized(4), policy, Some(db)).await
}

/// The app on a database the test chose (behind a proxy, on a cluster of
/// its own), with the given limits. `database` is dropped with the app.
/// Returns once its search index is built.
pub async fn spawn_on(
    url: String,
    settings: db::DbSettings,
    policy: Policy,
    database: Option<TestDb>,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_app(url, settings, policy, database, true, None).await
}

/// The app on `url` whose lagging reads go to the replica at `replica`.
pub async fn spawn_with_replica(
    url: String,
    replica: &str,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_app(
        url,
        db::DbSettings::sized(4),
        Policy::default(),
        None,
        true,
        Some(replica),
    )
    .await
}

/// The app on its own database without a search index: what an instance
/// answers while its index is being built.
pub async fn spawn_unindexed() -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let db = TestDb::new().await;
    let url = db.url.clone();
    spawn_app(
        url,
        db::DbSettings::sized(4),
        Policy::default(),
        Some(db),
        false,
        None,
    )
    .await
}

async fn spawn_app(
    url: String,
    settings: db::DbSettings,
    policy: Policy,
    database: Option<TestDb>,
    index: bool,
    replica: Option<&str>,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    install_query_counter();
    let mut pools = db::pools_with(&url, &settings).expect("pools");
    if let Some(replica) = replica {
        pools = pools
            .with_replica(replica, &settings)
            .expect("replica pools");
    }
    let admin_token = new_key(&pools.staff, Role::Admin, "test admin").await;
    let state = aimd_registry::app_state(pools.clone(), policy)
        .await
        .expect("state");
    let worker = state.worker.clone();
    let keys = Some(state.clone());
    let live = state.index.clone();
    if index {
        // On a thread of its own, so that the statements it sends are not
        // counted as the test's (`count_queries` counts per thread). It
        // stops once the app is dropped.
        let (follower, listen, pool) = (
            state.index.clone(),
            pools.index.clone(),
            pools.reads.index.clone(),
        );
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the index follower")
                .block_on(aimd_registry::sync::index::live::follow(
                    follower, listen, pool,
                ));
        });
    }
    // Shares rate-limit counts with other instances on the database, on a
    // thread of its own for the same reason; it stops with the app.
    let sharing = aimd_registry::share_rate_limits(&state, &pools);
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for sharing rate limits")
            .block_on(sharing);
    });
    let spec = Arc::new(aimd_registry::api::openapi::spec());
    let service = test::init_service(aimd_registry::api::app(state, spec)).await;
    let built = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while index && live.current().is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    built.await.expect("the search index is built within 30 s");
    TestApp {
        service,
        pools,
        admin_token,
        worker,
        keys,
        _database: database,
    }
}

async fn new_key(pool: &db::DbPool, role: Role, name: &str) -> String {
    let mut conn = pool.get().await.expect("connection");
    api_keys::create(&mut conn, name, role, None)
        .await
        .expect("create key")
        .token
}

/// The app with a database that does not answer (nothing listens on port 9).
pub async fn spawn_without_database() -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let db = TestDb::new().await;
    let pools = db::pools("postgres://postgres@127.0.0.1:9/nowhere", 1).expect("pools");
    let state = actix_web::web::Data::new(aimd_registry::api::state::AppState::new(
        pools.clone(),
        Default::default(),
        Policy::default(),
    ));
    let worker = state.worker.clone();
    let spec = Arc::new(aimd_registry::api::openapi::spec());
    let service = test::init_service(aimd_registry::api::app(state, spec)).await;
    TestApp {
        service,
        pools,
        admin_token: String::new(),
        worker,
        keys: None,
        _database: Some(db),
    }
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Sends a request with the admin key.
    pub async fn send(&self, request: test::TestRequest) -> Reply {
        let token = self.admin_token.clone();
        self.send_as(request, Some(&token)).await
    }

    /// Sends a request with the given key, or none.
    pub async fn send_as(&self, request: test::TestRequest, token: Option<&str>) -> Reply {
        let mut request = request.to_request();
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            let value = format!("Bearer {token}").parse().expect("header value");
            request
                .headers_mut()
                .insert(actix_web::http::header::AUTHORIZATION, value);
        }
        let response = test::call_service(&self.service, request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await;
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(test::TestRequest::get().uri(path)).await
    }

    /// `get` for a path the future owns.
    pub async fn get_owned(&self, path: String) -> Reply {
        self.get(&path).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(test::TestRequest::post().uri(path).set_json(body))
            .await
    }

    /// Forgets the API key checks the app reuses, so that the next request
    /// with a key looks it up: for tests that count statements.
    pub fn forget_key_checks(&self) {
        if let Some(state) = &self.keys {
            state.keys.forget_all();
        }
    }

    /// The state the app's handlers share (its pools, index, worker).
    pub fn live_state(&self) -> actix_web::web::Data<aimd_registry::api::state::AppState> {
        self.keys.clone().expect("an app with its own state")
    }

    /// The URL of the app's own database, for a second instance on it.
    pub fn database_url(&self) -> &str {
        &self
            ._database
            .as_ref()
            .expect("an app with its own database")
            .url
    }

    /// A new key with `role`; returns its token.
    pub async fn key(&self, role: Role) -> String {
        new_key(&self.pools.staff, role, &format!("test {}", role.as_str())).await
    }

    /// The shared state the app's handlers see, on the app's database.
    pub async fn state(&self) -> actix_web::web::Data<aimd_registry::api::state::AppState> {
        aimd_registry::app_state(self.pools.clone(), Policy::default())
            .await
            .expect("state")
    }

    /// What the public sees of a record: its version, ETag and updatedAt.
    pub async fn public_view(&self, path: &str) -> (Value, String, Value) {
        let reply = self.send_as(test::TestRequest::get().uri(path), None).await;
        reply.expect(200);
        let body = reply.json();
        (
            body["version"].clone(),
            reply.header("etag").expect("ETag").to_owned(),
            body["updatedAt"].clone(),
        )
    }

    /// Submits and approves (with the admin key): publishes a draft, or
    /// applies a published record's pending revision.
    pub async fn approve(&self, path: &str) {
        let record = self.get(path).await.json();
        let mut version = record["version"].as_i64().expect("version");
        if record["publicationStatus"] == "draft" {
            let submitted = self.send(step(path, version, "submit")).await;
            submitted.expect(200);
            version = submitted.json()["version"].as_i64().expect("version");
        }
        self.send(step(path, version, "approve")).await.expect(200);
    }

    /// The events of the public change feed about record `id`.
    pub async fn public_events(&self, id: &str) -> Vec<String> {
        let uri = "/v1/changes?limit=500";
        let feed = self
            .send_as(test::TestRequest::get().uri(uri), None)
            .await
            .json();
        feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["id"] == id)
            .map(|e| e["event"].as_str().expect("event").to_owned())
            .collect()
    }

    /// A webhook delivery worker on the app's database, driven by the test.
    /// The tests' receivers listen on 127.0.0.1, so private addresses are
    /// allowed; [`TestApp::strict_deliverer`] refuses them.
    pub fn deliverer(&self, settings: DeliverySettings) -> Deliverer {
        let settings = DeliverySettings {
            allow_private: true,
            ..settings
        };
        Deliverer::new(self.pools.staff.clone(), settings)
    }

    /// A webhook worker as deployed by default: public receivers only.
    pub fn strict_deliverer(&self, settings: DeliverySettings) -> Deliverer {
        Deliverer::new(self.pools.staff.clone(), settings)
    }

    /// A webhook worker that reports to the app's status endpoint, as the
    /// one `serve` starts does.
    pub fn reporting_deliverer(&self, settings: DeliverySettings) -> Deliverer {
        self.deliverer(settings).reporting_to(self.worker.clone())
    }

    /// A connection that reads as the public does, as the app's public
    /// reads do.
    pub async fn public_connection(&self) -> aimd_registry::db::PooledConnection {
        self.pools.public.get().await.expect("public connection")
    }

    /// A connection of its own to the app's database.
    pub async fn connection(&self) -> aimd_registry::db::PooledConnection {
        self.pools.staff.get().await.expect("connection")
    }

    /// Every row of every table of the app's database, as text.
    pub async fn every_row(&self) -> String {
        #[derive(diesel::QueryableByName)]
        struct Dump {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let mut conn = self.pools.staff.get().await.expect("connection");
        let tables: Vec<Dump> = sql_query(
            "SELECT quote_ident(table_name) AS text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .load(&mut conn)
        .await
        .expect("tables");
        assert!(tables.len() > 10, "every table is listed");
        let mut all = String::new();
        for table in tables {
            let rows: Dump = sql_query(format!(
                "SELECT coalesce(string_agg(t::text, E'\\n'), '') AS text FROM {} t",
                table.text
            ))
            .get_result(&mut conn)
            .await
            .expect("dump");
            all.push_str(&rows.text);
            all.push('\n');
        }
        all
    }

    /// Makes a key's expiry lie in the past.
    pub async fn expire_key(&self, id: &str) {
        let mut conn = self.pools.staff.get().await.expect("connection");
        sql_query(format!(
            "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '{id}'"
        ))
        .execute(&mut conn)
        .await
        .expect("expire key");
    }

    /// The current ETag of the record a path changes (the record itself, or
    /// the owner of a link). A record without one (missing, deleted) is a
    /// mistake in the test: send that request with the `If-Match` it means.
    async fn current_etag(&self, path: &str) -> String {
        let record: String = path.split('/').take(4).collect::<Vec<_>>().join("/");
        let reply = self.get(&record).await;
        match reply.header("etag") {
            Some(etag) => etag.to_owned(),
            None => panic!(
                "{record} has no ETag (it answered {}); send the request with an explicit If-Match",
                reply.status
            ),
        }
    }

    /// `PUT`, with `If-Match` set to the current version.
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        let etag = self.current_etag(path).await;
        self.put_if_match(path, body, &etag).await
    }

    /// `PUT` with the given `If-Match`.
    pub async fn put_if_match(&self, path: &str, body: Value, etag: &str) -> Reply {
        let request = test::TestRequest::put().uri(path).set_json(body);
        self.send(request.insert_header(("if-match", etag.to_owned())))
            .await
    }

    /// A merge patch, with `If-Match` set to the current version.
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        let etag = self.current_etag(path).await;
        self.patch_if_match(path, body, &etag).await
    }

    /// A merge patch with the given `If-Match`.
    pub async fn patch_if_match(&self, path: &str, body: Value, etag: &str) -> Reply {
        let request = test::TestRequest::patch()
            .uri(path)
            .insert_header(("content-type", "application/merge-patch+json"))
            .set_payload(body.to_string());
        self.send(request.insert_header(("if-match", etag.to_owned())))
            .await
    }

    /// `DELETE`, with `If-Match` set to the current version.
    pub async fn delete(&self, path: &str) -> Reply {
        let etag = self.current_etag(path).await;
        self.delete_if_match(path, &etag).await
    }

    /// `DELETE` with the given `If-Match`.
    pub async fn delete_if_match(&self, path: &str, etag: &str) -> Reply {
        let request = test::TestRequest::delete().uri(path);
        self.send(request.insert_header(("if-match", etag.to_owned())))
            .await
    }

    /// Creates a record and returns its id.
    /// Creates a record. An initiative without sources gets
    /// [`fixture_source`], since none can be published without one.
    pub async fn create(&self, collection: &str, mut body: Value) -> String {
        if collection == "/v1/initiatives" && body.get("sources").is_none() {
            body["sources"] = serde_json::json!([fixture_source()]);
        }
        let reply = self.post(collection, body).await;
        reply.expect(201);
        reply.json()["id"].as_str().expect("id").to_owned()
    }
}

// ---- query counting, for the no-N+1 tests ---------------------------------

thread_local! {
    static QUERIES: Cell<usize> = const { Cell::new(0) };
}

struct CountQueries;

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            QUERIES.with(|q| q.set(q.get() + 1));
        }
    }
}

fn install_query_counter() {
    set_default_instrumentation(|| Some(Box::new(CountQueries))).expect("instrumentation");
}

/// Runs `work` and returns how many SQL statements this thread sent meanwhile.
/// Tests run each on a thread of their own, so parallel tests do not mix in.
pub async fn count_queries<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = QUERIES.with(Cell::get);
    let result = work.await;
    (result, QUERIES.with(Cell::get) - before)
}

// ---- requests -----------------------------------------------------------------

/// A publication step on the record at `path`, based on `version`.
pub fn step(path: &str, version: i64, action: &str) -> test::TestRequest {
    step_with(path, version, serde_json::json!({"action": action}))
}

/// A publication step with a body of the caller's own (a message, say).
pub fn step_with(path: &str, version: i64, body: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("{path}/publication"))
        .insert_header(("if-match", format!("\"{version}\"")))
        .set_json(body)
}

// ---- fixtures ---------------------------------------------------------------

/// The ids of a list page's items, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn organisation(name: &str) -> Value {
    serde_json::json!({"name": name, "type": "standards-body", "country": "NL", "topics": ["standardisation"]})
}

pub fn expert(given: &str, family: &str) -> Value {
    serde_json::json!({"givenName": given, "familyName": family, "country": "NL", "topics": ["clinical-validation"]})
}

pub fn initiative(title: &str) -> Value {
    serde_json::json!({
        "title": {"en": title},
        "scope": "european",
        "type": "standard",
        "status": "active",
        "topics": ["algorithmic-bias"],
        "sources": [fixture_source()]
    })
}

/// A source for fixtures that need one and are not about sources.
pub fn fixture_source() -> Value {
    serde_json::json!({"url": "https://example.org/fixture", "title": "Fixture source",
                       "consultedOn": "2026-11-30"})
}
