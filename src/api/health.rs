//! `/v1/health/live` and `/v1/health/ready`, in `application/health+json`.
//!
//! Liveness says the process serves HTTP; it never touches the database, so
//! a database outage does not get every instance restarted. Readiness says
//! whether this instance should get traffic: the database answers and is
//! migrated to what this build expects, the search index is built and
//! following the feed, and (as warnings) the webhook worker, its queue and
//! the connection pools. Both answer without a key, also where reads need
//! one: probes carry no credentials.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::Utc;
use serde_json::Value;

use crate::api::access::{Allowed, least};
use crate::api::state::AppState;
use crate::auth::Audience;
use crate::db;
use crate::domain::health::{Check, Health, HealthStatus, MEDIA_TYPE};
use crate::domain::query::QueryReader;
use crate::error::ApiResult;
use crate::store::health::database_state;
use crate::sync::index::live::STALE_AFTER;
use crate::sync::webhooks::repo;
use diesel_async::AsyncPgConnection;

/// The build, which is the API's version (`api::openapi::RELEASE`,
/// named here without importing the spec, which mounts these handlers).
const RELEASE: &str = env!("CARGO_PKG_VERSION");
/// How long readiness and a metrics scrape wait for the database before
/// they call it down.
pub const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// Which database a probe reads.
#[derive(Clone, Copy)]
pub enum Source {
    Primary,
    /// The read replica (the primary when there is none).
    Replica,
}

/// `read` on a staff connection to `source`, given up after
/// [`DATABASE_WAIT`]: probes and scrapes answer even when the database
/// does not. `Err` when the wait ran out.
pub async fn within_wait<T>(
    state: &AppState,
    source: Source,
    read: impl AsyncFnOnce(&mut AsyncPgConnection) -> ApiResult<T>,
) -> Result<ApiResult<T>, tokio::time::error::Elapsed> {
    tokio::time::timeout(DATABASE_WAIT, async {
        let mut conn = match source {
            Source::Primary => state.conn(Audience::Staff).await?,
            Source::Replica => state.read_conn(Audience::Staff).await?,
        };
        read(&mut conn).await
    })
    .await
}
/// Pending deliveries older than this make the worker a concern.
const OLD_DELIVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(15);
/// An index that has not caught up for this long is a concern (it fails
/// at [`STALE_AFTER`], when discovery stops answering).
const INDEX_BEHIND: Duration = Duration::from_secs(2);

fn respond(health: &Health) -> ApiResult<HttpResponse> {
    let status = if health.status == HealthStatus::Fail {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_string(health).map_err(crate::error::ApiError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type(MEDIA_TYPE)
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}

/// Liveness
///
/// Whether the process serves HTTP at all. It never touches the database:
/// restart an instance (an orchestrator's liveness probe) only when this
/// fails, not when the database is down.
#[utoipa::path(
    tag = "health",
    operation_id = "getLiveness",
    responses((status = 200, description = "The process answers", content((Health = "application/health+json"))))
)]
#[get("/health/live")]
pub async fn live(
    Allowed { state, .. }: Allowed<least::Probe>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    let mut health = Health::new("liveness of this instance's process", RELEASE);
    let uptime = state.started.elapsed().as_secs();
    health.add("uptime", Check::new("system", uptime).unit("s"));
    respond(&health)
}

/// Readiness
///
/// Whether this instance should get traffic (a load balancer's health
/// check, an orchestrator's readiness probe): `fail` (503) when the
/// database does not answer within 2 s or is not migrated to what this
/// build expects, or when the search index is not built or has not caught
/// up with the feed for 10 s; `warn` (200) when the index is behind, the
/// webhook worker is not running or deliveries wait for more than 15
/// minutes, or a connection pool has callers waiting.
#[utoipa::path(
    tag = "health",
    operation_id = "getReadiness",
    responses(
        (status = 200, description = "Ready (`pass` or `warn`)", content((Health = "application/health+json"))),
        (status = 503, description = "Not ready (`fail`): take this instance out of rotation", content((Health = "application/health+json")))
    )
)]
#[get("/health/ready")]
pub async fn ready(
    Allowed { state, .. }: Allowed<least::Probe>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    let mut health = Health::new(
        "readiness of this instance: database, search index, webhook worker, connection pools",
        RELEASE,
    );
    let feed_position = check_database(&state, &mut health).await;
    if state.replicated() {
        check_replica(&state, feed_position, &mut health).await;
    }
    check_index(&state, feed_position, &mut health);
    check_webhooks(&state, &mut health).await;
    check_pools(&state, &mut health);
    respond(&health)
}

/// The database answers and is migrated; returns the feed's position.
async fn check_database(state: &AppState, health: &mut Health) -> Option<i64> {
    let started = Instant::now();
    let read = within_wait(state, Source::Primary, async |conn| {
        database_state(conn).await
    })
    .await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let response_time = Check::new("datastore", (elapsed_ms * 10.0).round() / 10.0).unit("ms");
    let database = match read {
        Ok(Ok(database)) => database,
        Ok(Err(error)) => {
            // The detail goes to the log: probes answer anyone.
            tracing::warn!(%error, "readiness: the database did not answer");
            let failed = response_time.concern(HealthStatus::Fail, "the database did not answer");
            health.add("postgresql:responseTime", failed);
            return None;
        }
        Err(_) => {
            let failed = response_time.concern(
                HealthStatus::Fail,
                format!(
                    "the database did not answer within {} s",
                    DATABASE_WAIT.as_secs()
                ),
            );
            health.add("postgresql:responseTime", failed);
            return None;
        }
    };
    health.add("postgresql:responseTime", response_time);
    let expected = db::latest_migration();
    let applied = database.migration.clone();
    let mut migration = Check::new(
        "datastore",
        applied.clone().map_or(Value::Null, Value::from),
    );
    if applied < expected {
        migration = migration.concern(
            HealthStatus::Fail,
            format!(
                "this build expects migration {}; run `aimd-registry migrate`",
                expected.unwrap_or_default()
            ),
        );
    } else if applied > expected {
        migration = migration.concern(
            HealthStatus::Warn,
            "the database is migrated beyond this build: a newer build is rolling out",
        );
    }
    health.add("postgresql:migration", migration);
    Some(database.position)
}

/// Events the replica has not replayed yet that make it a concern.
const REPLICA_BEHIND: i64 = 100;

/// The replica answers; how many events behind the primary it is.
async fn check_replica(state: &AppState, feed_position: Option<i64>, health: &mut Health) {
    let read = within_wait(state, Source::Replica, async |conn| {
        database_state(conn).await
    })
    .await;
    let check = match read {
        Ok(Ok(replica)) => {
            let lag = feed_position.map(|head| (head - replica.position).max(0));
            let check =
                Check::new("datastore", lag.map_or(Value::Null, Value::from)).unit("events");
            if lag.is_some_and(|lag| lag > REPLICA_BEHIND) {
                check.concern(HealthStatus::Warn, "the read replica is behind the primary")
            } else {
                check
            }
        }
        // Reads that lag wait for it; the index check says when that hurts.
        _ => Check::new("datastore", Value::Null)
            .unit("events")
            .concern(HealthStatus::Warn, "the read replica does not answer"),
    };
    health.add("postgresql:replicaLag", check);
}

/// The index is built and follows the feed: its lag in events, and how
/// long since it was last current.
fn check_index(state: &AppState, feed_position: Option<i64>, health: &mut Health) {
    let (applied, since_current) = state.index.status();
    let Some(applied) = applied else {
        let building = Check::new("component", Value::Null)
            .unit("events")
            .concern(HealthStatus::Fail, "the search index is being built");
        health.add("searchIndex:lag", building);
        return;
    };
    let lag = feed_position.map(|head| (head - applied).max(0));
    let mut check = Check::new("component", lag.map_or(Value::Null, Value::from)).unit("events");
    if since_current >= STALE_AFTER {
        check = check.concern(
            HealthStatus::Fail,
            format!(
                "the search index has not caught up with the feed for {} s; discovery answers 503",
                since_current.as_secs()
            ),
        );
    } else if since_current >= INDEX_BEHIND && lag.is_some_and(|l| l > 0) {
        check = check.concern(
            HealthStatus::Warn,
            "the search index is catching up with the feed",
        );
    }
    health.add("searchIndex:lag", check);
    health.add(
        "searchIndex:position",
        Check::new("component", applied).unit("events"),
    );
}

/// The webhook worker runs and the outbox drains.
async fn check_webhooks(state: &AppState, health: &mut Health) {
    let worker = state.worker.snapshot();
    let (value, concern) = match (worker.enabled, worker.running) {
        (false, _) => ("off", None),
        (true, true) => ("running", None),
        (true, false) => (
            "stopped",
            Some("the webhook worker is not running; it is restarted"),
        ),
    };
    let mut check = Check::new("component", value);
    if let Some(concern) = concern {
        check = check.concern(HealthStatus::Warn, concern);
    }
    health.add("webhookWorker:status", check);
    // The database check reports a database that does not answer.
    let queue = within_wait(state, Source::Primary, async |conn| repo::queue(conn).await).await;
    let Ok(Ok(queue)) = queue else {
        return;
    };
    health.add(
        "webhookQueue:depth",
        Check::new("component", queue.pending).unit("deliveries"),
    );
    let age = queue
        .oldest_pending_at
        .map(|at| (Utc::now() - at).num_seconds().max(0));
    let mut oldest = Check::new("component", age.map_or(Value::Null, Value::from)).unit("s");
    if age.is_some_and(|seconds| seconds > OLD_DELIVERY.num_seconds()) {
        oldest = oldest.concern(
            HealthStatus::Warn,
            "a delivery has waited for more than 15 minutes",
        );
    }
    health.add("webhookQueue:oldestPending", oldest);
}

/// Each pool's connections in use, of its most; callers waiting is a concern.
fn check_pools(state: &AppState, health: &mut Health) {
    for (name, status) in state.pool_status() {
        let in_use = status.size.saturating_sub(status.available);
        let mut check = Check::new("component", in_use).id(name).unit("connections");
        if status.waiting > 0 {
            check = check.concern(
                HealthStatus::Warn,
                format!(
                    "{} callers wait for a connection (at most {})",
                    status.waiting, status.max_size
                ),
            );
        }
        health.add("connectionPool:inUse", check);
    }
}
