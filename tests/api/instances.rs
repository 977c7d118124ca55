//! Several instances on one database are one registry: rate limits hold
//! for all of them together, an idempotent creation retried on another
//! instance is replayed, a write is found by search on another instance
//! at its position, and each webhook delivery is sent once.

use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::db::DbSettings;
use aimd_registry::sync::webhooks::worker::DeliverySettings;
use serde_json::json;

use crate::support::{TestDb, organisation, spawn_on, spawn_with};
use crate::webhooks::{Receiver, local_receivers};

/// Rate limits are counted for the three together: a burst spread over
/// them is admitted up to the limit, within the documented tolerance
/// (each instance may admit one more), not three times the limit.
#[actix_web::test]
async fn three_instances_share_one_rate_limit() {
    const LIMIT: u32 = 60;
    let policy = || Policy {
        anonymous_rate_limit: LIMIT,
        ..Policy::default()
    };
    let first = spawn_with(policy()).await;
    let url = first.database_url().to_owned();
    let second = spawn_on(url.clone(), DbSettings::sized(4), policy(), None).await;
    let third = spawn_on(url, DbSettings::sized(4), policy(), None).await;
    // Until each has seen the others (a sync or two).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let request = || {
        TestRequest::get()
            .uri("/v1/topics")
            .peer_addr("198.51.100.20:4000".parse().unwrap())
    };
    let mut admitted = 0;
    let started = Instant::now();
    for _ in 0..60 {
        for app in [
            &first.send_as(request(), None).await,
            &second.send_as(request(), None).await,
            &third.send_as(request(), None).await,
        ] {
            if app.status == 200 {
                admitted += 1;
            } else {
                assert_eq!(app.status, 429);
            }
        }
    }
    let took = started.elapsed();
    eprintln!("three instances, limit {LIMIT}: {admitted} of 180 admitted in {took:?}");
    assert!(
        admitted <= LIMIT as usize * 11 / 10,
        "{admitted} admitted: the limit was not shared"
    );
    assert!(
        admitted >= (LIMIT as usize) * 9 / 10,
        "only {admitted} admitted"
    );

    // Spread over many syncs, from another address: the same.
    let request = || {
        TestRequest::get()
            .uri("/v1/topics")
            .peer_addr("198.51.100.21:4000".parse().unwrap())
    };
    let mut admitted = 0;
    let started = Instant::now();
    for _ in 0..60 {
        for reply in [
            first.send_as(request(), None).await,
            second.send_as(request(), None).await,
            third.send_as(request(), None).await,
        ] {
            admitted += usize::from(reply.status == 200);
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let took = started.elapsed();
    eprintln!("three instances, limit {LIMIT}, spread: {admitted} of 180 admitted in {took:?}");
    assert!(
        admitted <= LIMIT as usize * 11 / 10,
        "{admitted} admitted over {took:?}"
    );
    assert!(
        admitted >= (LIMIT as usize) * 9 / 10,
        "only {admitted} admitted"
    );
}

#[actix_web::test]
async fn three_instances_are_one_registry() {
    let database = TestDb::new().await;
    let url = database.url.clone();
    let first = spawn_on(
        url.clone(),
        DbSettings::sized(4),
        local_receivers(),
        Some(database),
    )
    .await;
    let second = spawn_on(url.clone(), DbSettings::sized(4), local_receivers(), None).await;
    let third = spawn_on(url, DbSettings::sized(4), local_receivers(), None).await;

    // An idempotent creation retried on another instance is replayed.
    let create = || {
        TestRequest::post()
            .uri("/v1/organisations")
            .insert_header(("Idempotency-Key", "instances-1"))
            .set_json(organisation("Once"))
    };
    let token = first.key(aimd_registry::auth::Role::Curator).await;
    let created = first.send_as(create(), Some(&token)).await;
    created.expect(201);
    let replayed = second.send_as(create(), Some(&token)).await;
    replayed.expect(201);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.json()["id"], created.json()["id"]);

    // A write on one instance is found on another at its position.
    let receiver = Receiver::start(&[]);
    first
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff"}),
        )
        .await
        .expect(201);
    let written = second
        .post("/v1/organisations", organisation("Zeppelinfabriek"))
        .await;
    written.expect(201);
    let position = written.header("change-position").unwrap().to_owned();
    let found = third
        .send(
            TestRequest::get()
                .uri("/v1/search?q=zeppelinfabriek")
                .insert_header(("Min-Change-Position", position)),
        )
        .await;
    found.expect(200);
    assert_eq!(found.json()["total"], 1);

    // Each delivery is sent once, whichever of the three workers claims it.
    let workers: Vec<_> = [&first, &second, &third]
        .into_iter()
        .map(|app| actix_web::rt::spawn(app.deliverer(DeliverySettings::default()).run()))
        .collect();
    for n in 0..10 {
        [&first, &second, &third][n % 3]
            .post("/v1/organisations", organisation(&format!("Delivered {n}")))
            .await
            .expect(201);
    }
    let started = Instant::now();
    while receiver.seen().len() < 11 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} delivered",
            receiver.seen().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for worker in workers {
        worker.abort();
    }
    // The change feed is the same read through any of them.
    let feeds: Vec<String> = [
        first.get("/v1/changes?after=0&limit=1000").await,
        second.get("/v1/changes?after=0&limit=1000").await,
        third.get("/v1/changes?after=0&limit=1000").await,
    ]
    .into_iter()
    .map(|reply| {
        reply.expect(200);
        String::from_utf8_lossy(&reply.body).into_owned()
    })
    .collect();
    let events = serde_json::from_str::<serde_json::Value>(&feeds[0]).unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        events >= 12,
        "{events} events: two organisations and ten more"
    );
    assert_eq!(feeds[0], feeds[1]);
    assert_eq!(feeds[1], feeds[2]);
    let mut ids: Vec<String> = receiver.seen().into_iter().map(|r| r.id).collect();
    let sent = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), sent, "a delivery was sent twice");
    assert_eq!(sent, 11, "one per change: the organisation and ten more");
}
