//! The change feed: complete and in commit order under concurrent writers,
//! and seen by each caller as they see the registry.

use std::time::Duration;

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use diesel::sql_query;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

use crate::support::{initiative, organisation, spawn, step};

fn events(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_later_commit_never_overtakes_an_open_writer() {
    let app = spawn().await;
    let first = app.create("/v1/organisations", organisation("First")).await;
    let second = app
        .create("/v1/organisations", organisation("Second"))
        .await;
    let start = app.get("/v1/changes").await.json()["next"]
        .as_i64()
        .unwrap();

    // Writer A changes `first` and stays open.
    let mut a = app.connection().await;
    a.batch_execute(&format!(
        "BEGIN; UPDATE organisations SET version = version + 1 WHERE id = '{first}'"
    ))
    .await
    .unwrap();
    // Writer B changes `second` and tries to commit meanwhile.
    let mut b = app.connection().await;
    let statement = format!(
        "BEGIN; UPDATE organisations SET version = version + 1 WHERE id = '{second}'; COMMIT"
    );
    let writer_b = tokio::spawn(async move { b.batch_execute(&statement).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !writer_b.is_finished(),
        "B waits for A's position to be settled"
    );
    let meanwhile = app.get(&format!("/v1/changes?after={start}")).await.json();
    assert_eq!(events(&meanwhile), [], "nothing uncommitted is shown");
    assert_eq!(meanwhile["next"], start);

    sql_query("COMMIT").execute(&mut a).await.unwrap();
    writer_b.await.unwrap().unwrap();
    let after = app.get(&format!("/v1/changes?after={start}")).await.json();
    assert_eq!(
        events(&after),
        [
            ("updated".to_owned(), first.clone()),
            ("updated".to_owned(), second.clone())
        ],
        "in commit order"
    );
    let positions: Vec<i64> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [start + 1, start + 2], "no gaps");
    let next = after["next"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/v1/changes?after={next}")).await.json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn each_caller_sees_the_feed_as_they_see_the_registry() {
    let app = spawn().await;
    let editor = app.key(Role::Editor).await;
    let id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let path = format!("/v1/initiatives/{id}");
    let step = |version: i64, action: &str| step(&path, version, action);
    app.send(step(1, "submit")).await.expect(200);
    app.send_as(step(2, "approve"), Some(&editor))
        .await
        .expect(200);
    app.patch(&path, json!({"acronym": "AIA"}))
        .await
        .expect(200); // pending
    app.send_as(step(4, "approve"), Some(&editor))
        .await
        .expect(200);
    app.send_as(step(5, "archive"), Some(&editor))
        .await
        .expect(200);
    let other = app
        .create("/v1/organisations", organisation("Draft only"))
        .await;

    let staff = app.get("/v1/changes").await.json();
    let mine: Vec<String> = events(&staff)
        .into_iter()
        .filter(|(_, record)| *record == id)
        .map(|(event, _)| event)
        .collect();
    assert_eq!(
        mine,
        [
            "created", "updated", "updated", "updated", "updated", "updated"
        ]
    );
    assert!(events(&staff).contains(&("created".to_owned(), other.clone())));

    let reader = app.key(Role::Reader).await;
    for token in [None, Some(reader.as_str())] {
        let public = app
            .send_as(TestRequest::get().uri("/v1/changes"), token)
            .await
            .json();
        assert_eq!(
            events(&public),
            [
                ("created".to_owned(), id.clone()),
                ("updated".to_owned(), id.clone()),
                ("deleted".to_owned(), id.clone())
            ],
            "published is created, the approved edit an update, archived a deletion; drafts and pending edits are not news"
        );
    }
    // Paging and filtering by kind.
    let first = app.get("/v1/changes?limit=2").await.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let rest = app
        .get(&format!("/v1/changes?after={}", first["next"]))
        .await
        .json();
    assert_eq!(
        first["items"].as_array().unwrap().len() + rest["items"].as_array().unwrap().len(),
        staff["items"].as_array().unwrap().len()
    );
    let organisations = app.get("/v1/changes?kind=organisation").await.json();
    assert_eq!(events(&organisations), [("created".to_owned(), other)]);
    let bad = app
        .get("/v1/changes?after=-1&limit=5000&kind=person")
        .await
        .problem(400);
    assert_eq!(bad.len(), 3);
}

#[actix_web::test]
async fn merges_and_deletions_reach_the_feed() {
    let app = spawn().await;
    let duplicate = app
        .create("/v1/organisations", organisation("NEN dup"))
        .await;
    let survivor = app.create("/v1/organisations", organisation("NEN")).await;
    let merge = TestRequest::post()
        .uri(&format!("/v1/organisations/{duplicate}/merge"))
        .insert_header(("if-match", "\"1\""))
        .set_json(json!({"into": survivor}));
    app.send(merge).await.expect(200);
    app.delete(&format!("/v1/organisations/{survivor}"))
        .await
        .expect(204);
    let feed = app.get("/v1/changes?kind=organisation").await.json();
    let merged = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "merged")
        .expect("a merged event");
    assert_eq!(merged["id"], duplicate.as_str());
    assert_eq!(merged["successorId"], survivor.as_str());
    assert_eq!(
        events(&feed).last().unwrap(),
        &("deleted".to_owned(), survivor)
    );
}
