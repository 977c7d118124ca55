//! A streaming replica of the test's own (initdb, `pg_basebackup -R`, a
//! second port): reads that may lag go to it, writes and exact reads to
//! the primary, and a write is read back through the replica at its
//! position.

use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use aimd_registry::db;

use crate::faults::Cluster;
use crate::support::{organisation, spawn_with_replica};

async fn eventually(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < within,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn lagging_reads_go_to_the_replica_and_writes_are_read_back_at_their_position() {
    let primary = Cluster::create();
    db::ensure_database_exists(&primary.url()).await.unwrap();
    db::run_migrations(&primary.url()).await.unwrap();
    let replica = primary.replica();
    let replica_url = replica.url();
    let app = spawn_with_replica(primary.url(), &replica_url).await;

    // A write on the primary is read back through the replica: the answer
    // waits until the index (which reads the replica) includes it.
    let first = app
        .create("/v1/organisations", organisation("Replicated"))
        .await;
    app.get(&format!("/v1/organisations/{first}"))
        .await
        .expect(200);
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 1);

    // With replay paused the primary has a write the replica lacks: the
    // reads that may lag do not see it, the write itself succeeded.
    replica.psql("aimd", "SELECT pg_wal_replay_pause()");
    let paused = Instant::now();
    let written = app.post("/v1/organisations", organisation("Paused")).await;
    written.expect(201);
    let second = written.json()["id"].as_str().unwrap().to_owned();
    let position = written.header("change-position").unwrap().to_owned();
    assert!(
        paused.elapsed() >= Duration::from_secs(4),
        "the write waited for the replica"
    );
    app.get(&format!("/v1/organisations/{second}"))
        .await
        .expect(404);
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 1);
    let export = app.get("/v1/exports/organisations").await;
    assert_eq!(String::from_utf8_lossy(&export.body).lines().count(), 1);
    let behind: i64 = export.header("change-position").unwrap().parse().unwrap();
    assert!(behind < position.parse::<i64>().unwrap());
    let waiting = app
        .send(
            TestRequest::get()
                .uri("/v1/organisations")
                .insert_header(("Min-Change-Position", position.clone())),
        )
        .await;
    waiting.expect(503);
    // Readiness says how far behind the replica is.
    let ready = app.get("/v1/health/ready").await.json();
    let lag = &ready["checks"]["postgresql:replicaLag"][0];
    assert!(lag["observedValue"].as_i64().unwrap() >= 1, "{ready}");
    // Exact reads stay on the primary: the record's history is there.
    app.get(&format!("/v1/organisations/{second}/history"))
        .await
        .expect(200);
    assert_eq!(
        primary.psql("aimd", "SELECT count(*) FROM organisations"),
        "2"
    );

    // Replay resumed, the replica and everything read from it catch up.
    replica.psql("aimd", "SELECT pg_wal_replay_resume()");
    eventually("the replica replays", Duration::from_secs(10), async || {
        app.get(&format!("/v1/organisations/{second}")).await.status == 200
    })
    .await;
    let at_position = app
        .send(
            TestRequest::get()
                .uri("/v1/organisations")
                .insert_header(("Min-Change-Position", position)),
        )
        .await;
    at_position.expect(200);
    assert_eq!(at_position.json()["total"], 2);
    let ready = app.get("/v1/health/ready").await.json();
    assert_eq!(
        ready["checks"]["postgresql:replicaLag"][0]["observedValue"], 0,
        "{ready}"
    );

    // A burst of writes, each answered once the replica has it.
    let mut took = Vec::new();
    for n in 0..50 {
        let started = Instant::now();
        app.post("/v1/organisations", organisation(&format!("Burst {n}")))
            .await
            .expect(201);
        took.push(started.elapsed());
    }
    took.sort();
    eprintln!(
        "50 writes read back through the replica: median {:?}, slowest {:?}",
        took[25], took[49]
    );
    assert_eq!(
        app.get("/v1/organisations?limit=1").await.json()["total"],
        52
    );
}
