//! Prometheus metrics, served on their own address (`AIMD_METRICS_BIND`),
//! never on the public API: what a scrape returns is for operators.
//!
//! Counters and histograms are recorded where things happen (requests
//! here, rate limits, webhook deliveries, imports and exports); gauges of
//! state (pools, the search index and the feed, the webhook outbox) are
//! read when a scrape asks, so they are never stale.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::api::access::Operations;
use crate::api::health::{Source, within_wait};
use crate::api::openapi::API_VERSION;
use crate::api::state::AppState;
use crate::store::health::database_state;
use crate::sync::webhooks::repo;

/// Seconds; from a cached record (well under a millisecond) to an import.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide recorder, installed once (the `metrics` facade has one
/// global recorder); every instance in the process shares it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("_duration_seconds".to_owned()),
                LATENCY_BUCKETS,
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder was installed first, and then
        // that one records: nothing to do.
        let _ = metrics::set_global_recorder(recorder);
        gauge!("aimd_build_info", "version" => API_VERSION).set(1.0);
        handle
    })
}

/// Counts every request by the operation the router matched and its
/// status, and times it.
pub async fn record_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let response = next.call(request).await?;
    let operation = response
        .request()
        .app_data::<web::Data<Operations>>()
        .zip(response.request().match_pattern())
        .and_then(|(operations, pattern)| {
            operations.operation_id(response.request().method(), &pattern)
        })
        .unwrap_or("unmatched")
        .to_owned();
    let status = response.status().as_u16().to_string();
    counter!("aimd_http_requests_total", "operation" => operation.clone(), "status" => status)
        .increment(1);
    histogram!("aimd_http_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// The metrics server's app: `GET /metrics` in Prometheus' text format.
pub fn app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    handle();
    actix_web::App::new()
        .app_data(state)
        .route("/metrics", web::get().to(scrape))
}

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    observe(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle().render())
}

/// Sets the gauges of state from what they are now.
async fn observe(state: &AppState) {
    for (pool, status) in state.pool_status() {
        let in_use = status.size.saturating_sub(status.available);
        gauge!("aimd_db_pool_connections", "pool" => pool, "state" => "in_use").set(in_use as f64);
        gauge!("aimd_db_pool_connections", "pool" => pool, "state" => "idle")
            .set(status.available as f64);
        gauge!("aimd_db_pool_max_connections", "pool" => pool).set(status.max_size as f64);
        gauge!("aimd_db_pool_waiting", "pool" => pool).set(status.waiting as f64);
    }
    let (applied, since_current) = state.index.status();
    gauge!("aimd_search_index_built").set(if applied.is_some() { 1.0 } else { 0.0 });
    gauge!("aimd_search_index_seconds_since_current").set(since_current.as_secs_f64());
    if let Some(applied) = applied {
        gauge!("aimd_search_index_position").set(applied as f64);
    }
    let worker = state.worker.snapshot();
    gauge!("aimd_webhook_worker_running").set(if worker.running { 1.0 } else { 0.0 });
    let read = within_wait(state, Source::Primary, async |conn| {
        Ok((database_state(conn).await?, repo::queue(conn).await?))
    })
    .await;
    let Ok(Ok((database, queue))) = read else {
        gauge!("aimd_database_up").set(0.0);
        // Unknown, not the last value read: a stale number would look
        // healthy, while NaN compares false in every alert and leaves a
        // gap in a graph.
        for read_from_database in [
            "aimd_change_feed_position",
            "aimd_replica_lag_events",
            "aimd_search_index_lag_events",
            "aimd_webhook_queue_depth",
            "aimd_webhook_queue_due",
            "aimd_webhook_oldest_pending_seconds",
        ] {
            gauge!(read_from_database).set(f64::NAN);
        }
        return;
    };
    gauge!("aimd_database_up").set(1.0);
    gauge!("aimd_change_feed_position").set(database.position as f64);
    if state.replicated() {
        let replica = within_wait(state, Source::Replica, async |conn| {
            database_state(conn).await
        })
        .await;
        let lag = match replica {
            Ok(Ok(replica)) => (database.position - replica.position).max(0) as f64,
            _ => f64::NAN,
        };
        gauge!("aimd_replica_lag_events").set(lag);
    }
    if let Some(applied) = applied {
        gauge!("aimd_search_index_lag_events").set((database.position - applied).max(0) as f64);
    }
    gauge!("aimd_webhook_queue_depth").set(queue.pending as f64);
    gauge!("aimd_webhook_queue_due").set(queue.due as f64);
    let oldest = queue.oldest_pending_at.map_or(0.0, |at| {
        (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    gauge!("aimd_webhook_oldest_pending_seconds").set(oldest);
}
