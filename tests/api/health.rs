//! Liveness and readiness, in application/health+json: what each checks,
//! when readiness fails, and that probes need no key anywhere.

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use serde_json::Value;

use crate::support::{spawn, spawn_unindexed, spawn_with, spawn_without_database};

const HEALTH: &str = "application/health+json";

fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    &body["checks"][name][0]
}

#[actix_web::test]
async fn a_ready_instance_passes_every_check() {
    let app = spawn().await;
    let live = app
        .send_as(TestRequest::get().uri("/v1/health/live"), None)
        .await;
    live.expect(200);
    assert_eq!(live.header("content-type"), Some(HEALTH));
    assert_eq!(live.header("cache-control"), Some("no-store"));
    assert!(live.header("api-version").is_some());
    let body = live.json();
    assert_eq!(body["status"], "pass");
    assert_eq!(check(&body, "uptime")["observedUnit"], "s");

    // Something in the feed, so that the lag is measured against it.
    app.create("/v1/organisations", crate::support::organisation("Health"))
        .await;
    let ready = app
        .send_as(TestRequest::get().uri("/v1/health/ready"), None)
        .await;
    ready.expect(200);
    assert_eq!(ready.header("content-type"), Some(HEALTH));
    let body = ready.json();
    assert_eq!(body["status"], "pass", "{body}");
    assert_eq!(body["releaseId"], env!("CARGO_PKG_VERSION"));
    let database = check(&body, "postgresql:responseTime");
    assert_eq!(database["status"], "pass");
    assert_eq!(database["componentType"], "datastore");
    assert!(database["observedValue"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        check(&body, "postgresql:migration")["observedValue"],
        aimd_registry::db::latest_migration().unwrap()
    );
    assert_eq!(check(&body, "searchIndex:lag")["observedValue"], 0);
    assert!(
        check(&body, "searchIndex:position")["observedValue"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert_eq!(check(&body, "webhookQueue:depth")["observedValue"], 0);
    assert_eq!(
        check(&body, "webhookQueue:oldestPending")["observedValue"],
        Value::Null
    );
    let pools: Vec<&str> = body["checks"]["connectionPool:inUse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["componentId"].as_str().unwrap())
        .collect();
    assert_eq!(pools, ["staff", "public", "index"]);
    for (name, checks) in body["checks"].as_object().unwrap() {
        for check in checks.as_array().unwrap() {
            assert!(check["time"].as_str().is_some(), "{name}: time");
        }
    }
}

#[actix_web::test]
async fn readiness_fails_while_the_index_is_built_and_liveness_does_not() {
    let app = spawn_unindexed().await;
    let ready = app
        .send_as(TestRequest::get().uri("/v1/health/ready"), None)
        .await;
    ready.expect(503);
    assert_eq!(
        ready.header("content-type"),
        Some(HEALTH),
        "not rewritten as a problem"
    );
    let body = ready.json();
    assert_eq!(body["status"], "fail");
    let index = check(&body, "searchIndex:lag");
    assert_eq!(index["status"], "fail");
    assert_eq!(index["output"], "the search index is being built");
    assert_eq!(check(&body, "postgresql:responseTime")["status"], "pass");
    app.send_as(TestRequest::get().uri("/v1/health/live"), None)
        .await
        .expect(200);
}

#[actix_web::test]
async fn without_a_database_readiness_fails_and_liveness_passes() {
    let app = spawn_without_database().await;
    let ready = app
        .send_as(TestRequest::get().uri("/v1/health/ready"), None)
        .await;
    ready.expect(503);
    let body = ready.json();
    let database = check(&body, "postgresql:responseTime");
    assert_eq!(database["status"], "fail");
    assert!(
        database["output"]
            .as_str()
            .unwrap()
            .starts_with("the database did not answer"),
        "{database}"
    );
    assert!(body["checks"].get("webhookQueue:depth").is_none());
    let live = app
        .send_as(TestRequest::get().uri("/v1/health/live"), None)
        .await;
    live.expect(200);
    assert_eq!(live.json()["status"], "pass");
}

#[actix_web::test]
async fn readiness_fails_on_a_database_this_build_has_not_migrated() {
    let app = spawn().await;
    {
        use diesel_async::SimpleAsyncConnection;
        let mut conn = app.connection().await;
        conn.batch_execute(
            "DELETE FROM __diesel_schema_migrations \
             WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
        )
        .await
        .unwrap();
    }
    let ready = app
        .send_as(TestRequest::get().uri("/v1/health/ready"), None)
        .await;
    ready.expect(503);
    let migration = ready.json()["checks"]["postgresql:migration"][0].clone();
    assert_eq!(migration["status"], "fail");
    assert!(
        migration["output"]
            .as_str()
            .unwrap()
            .contains("aimd-registry migrate"),
        "{migration}"
    );
}

/// Probes carry no key, also where every read needs one.
#[actix_web::test]
async fn probes_need_no_key_where_reads_do() {
    let app = spawn_with(Policy {
        reads_require_key: true,
        ..Policy::default()
    })
    .await;
    app.send_as(TestRequest::get().uri("/v1/topics"), None)
        .await
        .expect(401);
    for path in ["/v1/health/live", "/v1/health/ready"] {
        app.send_as(TestRequest::get().uri(path), None)
            .await
            .expect(200);
    }
}

/// Load balancers probe often, many from one address: no rate limit holds
/// a probe back, while the same address is limited on the API itself.
#[actix_web::test]
async fn probes_are_never_rate_limited() {
    let app = spawn_with(Policy {
        anonymous_rate_limit: 2,
        ..Policy::default()
    })
    .await;
    for path in ["/v1/health/live", "/v1/health/ready"] {
        for _ in 0..4 {
            let probe = app.send_as(TestRequest::get().uri(path), None).await;
            probe.expect(200);
            assert_eq!(probe.header("ratelimit-limit"), None, "{path}");
        }
    }
    let topics = || TestRequest::get().uri("/v1/topics");
    app.send_as(topics(), None).await.expect(200);
    app.send_as(topics(), None).await.expect(200);
    app.send_as(topics(), None).await.problem(429);
    // A path that only looks like a probe is an unknown route, and counted.
    app.send_as(TestRequest::get().uri("/v1/health/other"), None)
        .await
        .problem(429);
}
