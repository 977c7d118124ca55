//! Prometheus metrics: served on their own address (here: their own app),
//! counting requests by operation and status, rate-limit rejections, and
//! reading the state of pools, index, feed and outbox at each scrape.

use actix_web::test::{self, TestRequest};
use aimd_registry::api::access::Policy;

use crate::support::{spawn, spawn_with};

/// The value of the sample `name{labels}` (labels as Prometheus writes
/// them, in order), if the scrape has it.
pub(crate) fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

pub(crate) async fn scrape(
    state: actix_web::web::Data<aimd_registry::api::state::AppState>,
) -> String {
    let metrics = test::init_service(aimd_registry::api::metrics::app(state)).await;
    let reply = test::call_service(&metrics, TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(reply.status(), 200);
    assert!(
        reply
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    String::from_utf8(test::read_body(reply).await.to_vec()).unwrap()
}

#[actix_web::test]
async fn a_scrape_counts_requests_and_reads_the_state_of_the_instance() {
    let app = spawn().await;
    let ok = r#"aimd_http_requests_total{operation="listInitiatives",status="200"}"#;
    let bad = r#"aimd_http_requests_total{operation="getOrganisation",status="400"}"#;
    let before = scrape(app.live_state()).await;
    for _ in 0..3 {
        app.get("/v1/initiatives").await.expect(200);
    }
    app.get("/v1/organisations/not-an-id").await.expect(400);
    app.get("/v1/no-such-route").await.expect(404);
    app.create("/v1/organisations", crate::support::organisation("Metrics"))
        .await;
    let after = scrape(app.live_state()).await;

    let grew = |series: &str| {
        sample(&after, series).unwrap_or(0.0) - sample(&before, series).unwrap_or(0.0)
    };
    assert!(grew(ok) >= 3.0, "{ok} grew by {}", grew(ok));
    assert!(grew(bad) >= 1.0);
    assert!(grew(r#"aimd_http_requests_total{operation="unmatched",status="404"}"#) >= 1.0);
    assert!(after.contains(
        r#"aimd_http_request_duration_seconds_bucket{operation="listInitiatives",le="0.005"}"#
    ));
    assert_eq!(
        sample(
            &after,
            &format!(
                r#"aimd_build_info{{version="{}"}}"#,
                env!("CARGO_PKG_VERSION")
            )
        ),
        Some(1.0)
    );
    assert_eq!(sample(&after, "aimd_database_up"), Some(1.0));
    assert!(sample(&after, "aimd_change_feed_position").unwrap() >= 1.0);
    assert_eq!(sample(&after, "aimd_search_index_built"), Some(1.0));
    assert!(sample(&after, "aimd_search_index_lag_events").is_some());
    assert_eq!(sample(&after, "aimd_webhook_queue_depth"), Some(0.0));
    for pool in ["staff", "public", "index"] {
        let max = format!(r#"aimd_db_pool_max_connections{{pool="{pool}"}}"#);
        assert!(sample(&after, &max).unwrap() >= 1.0, "{max}");
    }
    // The metrics are not on the public API.
    app.get("/v1/metrics").await.expect(404);
}

#[actix_web::test]
async fn rate_limit_rejections_are_counted() {
    let app = spawn_with(Policy {
        anonymous_rate_limit: 1,
        ..Policy::default()
    })
    .await;
    let series = r#"aimd_rate_limit_rejections_total{limit="address"}"#;
    let before = sample(&scrape(app.live_state()).await, series).unwrap_or(0.0);
    app.send_as(TestRequest::get().uri("/v1/topics"), None)
        .await
        .expect(200);
    app.send_as(TestRequest::get().uri("/v1/topics"), None)
        .await
        .expect(429);
    let after = sample(&scrape(app.live_state()).await, series).unwrap_or(0.0);
    assert!(after >= before + 1.0, "{before} -> {after}");
}
