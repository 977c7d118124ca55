//! No lost edits (If-Match required) and the history of every change.

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use crate::support::{initiative, organisation, spawn};

fn patch(path: &str, etag: Option<&str>, body: Value) -> TestRequest {
    let request = TestRequest::patch()
        .uri(path)
        .insert_header(("content-type", "application/merge-patch+json"))
        .set_payload(body.to_string());
    match etag {
        Some(etag) => request.insert_header(("if-match", etag)),
        None => request,
    }
}

#[actix_web::test]
async fn changes_without_if_match_are_428_and_stale_ones_412() {
    let app = spawn().await;
    let id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let path = format!("/v1/initiatives/{id}");
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;

    let missing = app
        .send(patch(&path, None, json!({"acronym": "AIA"})))
        .await;
    missing.problem(428);
    for request in [
        TestRequest::delete().uri(&path),
        TestRequest::put()
            .uri(&format!("{path}/organisations/{organisation_id}"))
            .set_json(json!({"role": "lead"})),
        TestRequest::delete().uri(&format!("{path}/organisations/{organisation_id}")),
    ] {
        app.send(request).await.problem(428);
    }
    app.get(&path).await.expect(200);
    assert_eq!(app.get(&path).await.json()["version"], 1, "nothing changed");

    let etag = app.get(&path).await.header("etag").unwrap().to_owned();
    app.send(patch(&path, Some(&etag), json!({"acronym": "AIA"})))
        .await
        .expect(200);
    let stale = app
        .send(patch(&path, Some(&etag), json!({"acronym": "AI-Act"})))
        .await;
    stale.problem(412);
    assert!(
        stale.json()["detail"]
            .as_str()
            .unwrap()
            .contains("version 2"),
        "the problem names the current version: {}",
        stale.json()
    );
    let malformed = app.send(patch(&path, Some("yesterday"), json!({}))).await;
    assert_eq!(
        malformed.problem(400),
        vec![("If-Match".to_owned(), "invalid-etag".to_owned())]
    );
}

#[actix_web::test]
async fn of_twenty_concurrent_edits_on_one_version_exactly_one_wins() {
    let app = spawn().await;
    let id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let path = format!("/v1/initiatives/{id}");
    let etag = app.get(&path).await.header("etag").unwrap().to_owned();
    let edits = (0..20).map(|n| {
        app.send(patch(
            &path,
            Some(&etag),
            json!({"acronym": format!("EDIT-{n}")}),
        ))
    });
    let replies = futures_util::future::join_all(edits).await;
    let winners: Vec<usize> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status.as_u16() == 200)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one edit succeeds");
    for reply in &replies {
        if reply.status.as_u16() != 200 {
            reply.problem(412);
        }
    }
    let record = app.get(&path).await.json();
    assert_eq!(record["acronym"], format!("EDIT-{}", winners[0]));
    assert_eq!(record["version"], 2);
}

#[actix_web::test]
async fn every_change_is_in_the_history_with_actor_reason_and_values() {
    let app = spawn().await;
    let curator = app.key(Role::Curator).await;
    let editor = app.key(Role::Editor).await;
    let created = app
        .send_as(
            TestRequest::post()
                .uri("/v1/initiatives")
                .insert_header(("x-change-message", "From the NEN overview list"))
                .insert_header(("x-request-id", "req-create-1"))
                .set_json(initiative("AI Act")),
            Some(&curator),
        )
        .await;
    created.expect(201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/initiatives/{id}");
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;

    let edit = patch(&path, Some("\"1\""), json!({"acronym": "AIA"}))
        .insert_header(("x-change-message", "Acronym as used by the Commission"));
    app.send_as(edit, Some(&curator)).await.expect(200);
    let link = TestRequest::put()
        .uri(&format!("{path}/organisations/{organisation_id}"))
        .insert_header(("if-match", "\"2\""))
        .set_json(json!({"role": "lead"}));
    app.send_as(link, Some(&curator)).await.expect(201);
    let relink = TestRequest::put()
        .uri(&format!("{path}/organisations/{organisation_id}"))
        .insert_header(("if-match", "\"3\""))
        .set_json(json!({"role": "member"}));
    app.send_as(relink, Some(&curator)).await.expect(200);
    let delete = TestRequest::delete()
        .uri(&path)
        .insert_header(("if-match", "\"4\""));
    app.send_as(delete, Some(&editor)).await.expect(204);

    let history = app.get(&format!("{path}/history")).await;
    history.expect(200);
    let entries = history.json()["items"].as_array().unwrap().clone();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["deleted", "linked", "linked", "updated", "created"]
    );
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seqs:?}"
    );

    let created_entry = &entries[4];
    assert_eq!(created_entry["actor"]["name"], "test curator");
    assert_eq!(created_entry["requestId"], "req-create-1");
    assert_eq!(created_entry["message"], "From the NEN overview list");
    assert_eq!(
        created_entry["changes"]["scope"],
        json!({"before": null, "after": "european"})
    );

    let updated = &entries[3];
    assert_eq!(updated["message"], "Acronym as used by the Commission");
    assert_eq!(
        updated["changes"],
        json!({"acronym": {"before": null, "after": "AIA"}})
    );

    let link_key = format!("organisations/{organisation_id}");
    assert_eq!(
        entries[2]["changes"][&link_key],
        json!({"before": null, "after": {"role": "lead"}})
    );
    assert_eq!(
        entries[1]["changes"][&link_key],
        json!({"before": {"role": "lead"}, "after": {"role": "member"}})
    );
    assert_eq!(entries[0]["actor"]["name"], "test editor");
    assert_eq!(
        entries[0]["changes"]["acronym"],
        json!({"before": "AIA", "after": null})
    );
    assert!(
        entries
            .iter()
            .all(|e| e["requestId"].is_string() && e["at"].is_string())
    );

    // The organisation's side: linked, changed, and unlinked by the delete.
    let theirs = app
        .get(&format!("/v1/organisations/{organisation_id}/history"))
        .await
        .json();
    let initiative_key = format!("initiatives/{id}");
    let theirs: Vec<(&str, &Value)> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                &e["changes"][&initiative_key],
            )
        })
        .collect();
    assert_eq!(
        theirs[0],
        (
            "unlinked",
            &json!({"before": {"role": "member"}, "after": null})
        )
    );
    assert_eq!(theirs[1].0, "linked");
    assert_eq!(theirs[3].0, "created");

    // Pages walk back in time; readers may not see the history.
    let first = app.get(&format!("{path}/history?limit=2")).await;
    let next = first.json()["next"].as_str().unwrap().to_owned();
    assert!(first.header("link").is_some());
    let second = app
        .get(&format!("{path}/history?limit=2&cursor={next}"))
        .await
        .json();
    let second_actions: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(second_actions, ["linked", "updated"]);
    let reader = app.key(Role::Reader).await;
    app.send_as(
        TestRequest::get().uri(&format!("{path}/history")),
        Some(&reader),
    )
    .await
    .problem(403);
    app.get(&format!("/v1/initiatives/{}/history", uuid::Uuid::now_v7()))
        .await
        .problem(404);
    let long = "x".repeat(1001);
    let too_long = patch(
        &format!("/v1/organisations/{organisation_id}"),
        Some("*"),
        json!({}),
    )
    .insert_header(("x-change-message", long));
    assert_eq!(
        app.send(too_long).await.problem(400),
        vec![("X-Change-Message".to_owned(), "invalid-message".to_owned())]
    );
}

#[actix_web::test]
async fn creations_with_an_idempotency_key_are_safe_to_retry() {
    let app = spawn().await;
    let create = |key: &str, body: Value| {
        TestRequest::post()
            .uri("/v1/organisations")
            .insert_header(("idempotency-key", key.to_owned()))
            .set_json(body)
    };
    let first = app.send(create("retry-1", organisation("NEN"))).await;
    first.expect(201);
    assert!(first.header("idempotent-replayed").is_none());
    let retry = app.send(create("retry-1", organisation("NEN"))).await;
    retry.expect(201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.json(), first.json());
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));

    let reused = app
        .send(create("retry-1", organisation("Other body")))
        .await;
    assert_eq!(
        reused.problem(422),
        [("Idempotency-Key".to_owned(), "key-reused".to_owned())]
    );

    // Concurrent retries: one creates, the others wait and replay.
    let concurrent = futures_util::future::join_all(
        (0..5).map(|_| app.send(create("retry-2", organisation("CEN")))),
    )
    .await;
    let ids: std::collections::BTreeSet<String> = concurrent
        .iter()
        .map(|r| {
            r.expect(201);
            r.json()["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let listed = app.get("/v1/organisations").await.json();
    assert_eq!(listed["total"], 2, "one NEN and one CEN");

    // Another API key's identical key is its own.
    let curator = app.key(aimd_registry::auth::Role::Curator).await;
    let theirs = app
        .send_as(create("retry-1", organisation("NEN")), Some(&curator))
        .await;
    theirs.expect(201);
    assert!(theirs.header("idempotent-replayed").is_none());
    let too_long = app.send(create(&"k".repeat(256), organisation("X"))).await;
    assert_eq!(
        too_long.problem(400),
        [("Idempotency-Key".to_owned(), "invalid-key".to_owned())]
    );
}
