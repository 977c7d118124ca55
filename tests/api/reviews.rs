//! Sources on records, the review cycle (publishing and `confirm` are
//! reviews) and the records due for review, judged on fixed days (`on=`).

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::auth::Role;
use aimd_registry::domain::reviews::ReviewPeriod;
use chrono::{Days, Utc};
use serde_json::{Value, json};

use crate::support::{initiative, single_editor, spawn_with, step};

fn day(offset: u64) -> String {
    (Utc::now().date_naive() + Days::new(offset)).to_string()
}

/// (kind, name, reason codes) of a page of due records.
fn due(page: &Value) -> Vec<(String, String, Vec<String>)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let codes = item["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_owned())
                .collect();
            (
                item["kind"].as_str().unwrap().to_owned(),
                item["name"].as_str().unwrap().to_owned(),
                codes,
            )
        })
        .collect()
}

fn row(kind: &str, name: &str, codes: &[&str]) -> (String, String, Vec<String>) {
    (
        kind.to_owned(),
        name.to_owned(),
        codes.iter().map(|c| (*c).to_owned()).collect(),
    )
}

#[actix_web::test]
async fn sources_are_checked_shown_to_everyone_and_needed_to_publish_an_initiative() {
    let app = spawn_with(single_editor()).await;
    let mut body = initiative("Unsourced");
    body.as_object_mut().unwrap().remove("sources");
    let created = app.post("/v1/initiatives", body).await;
    created.expect(201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/initiatives/{id}");
    assert_eq!(created.json()["sources"], json!([]));
    assert_eq!(created.json()["lastReviewedAt"], Value::Null);

    // A draft may lack sources; publishing it may not.
    app.send(step(&path, 1, "submit")).await.expect(200);
    let refused = app.send(step(&path, 2, "approve")).await;
    refused.problem(409);
    assert_eq!(
        refused.json()["detail"],
        "an initiative needs at least one source in `sources` before it can be published"
    );

    // Each source is checked, every problem named.
    let bad = app
        .patch(
            &path,
            json!({"sources": [
                {"title": "No address", "consultedOn": "2026-11-30"},
                {"url": "https://example.org/", "title": "Ahead", "consultedOn": day(2)},
                {"url": "https://example.org/", "title": "Later", "publishedOn": "2026-12-01",
                 "consultedOn": "2026-11-30", "pages": 3}
            ]}),
        )
        .await;
    let mut problems = bad.problem(400);
    problems.sort();
    assert_eq!(
        problems,
        vec![
            ("sources/0/url".to_owned(), "required".to_owned()),
            (
                "sources/1/consultedOn".to_owned(),
                "in-the-future".to_owned()
            ),
            ("sources/2/pages".to_owned(), "unknown-field".to_owned()),
            (
                "sources/2/publishedOn".to_owned(),
                "after-consulted".to_owned()
            ),
        ]
    );

    let source = json!({"url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
                        "title": "Regulation (EU) 2024/1689", "publisher": "Publications Office",
                        "publishedOn": "2024-07-12", "consultedOn": "2026-11-30"});
    app.patch(&path, json!({"sources": [source]}))
        .await
        .expect(200);
    let editor = app.key(Role::Editor).await;
    app.send_as(step(&path, 3, "approve"), Some(&editor))
        .await
        .expect(200);

    // Everyone sees the sources and when it was reviewed; staff see who.
    let public = app
        .send_as(TestRequest::get().uri(&path), None)
        .await
        .json();
    assert_eq!(public["sources"], json!([source]));
    assert!(public["lastReviewedAt"].is_string(), "{public}");
    assert_eq!(public["reviewedBy"], Value::Null);
    let staff = app.get(&path).await.json();
    assert_eq!(staff["reviewedBy"]["name"], "test editor");

    // Sources are a field like any other: history and the feed see them.
    let history = app.get(&format!("{path}/history")).await.json();
    let changed: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "updated")
        .collect();
    assert_eq!(changed.len(), 1, "{history}");
    assert_eq!(changed[0]["changes"]["sources"]["after"], json!([source]));
}

#[actix_web::test]
async fn confirming_a_record_marks_it_reviewed_without_changing_it() {
    let app = spawn_with(single_editor()).await;
    let id = app
        .create(
            "/v1/organisations",
            json!({"name": "Checked", "type": "regulator"}),
        )
        .await;
    let path = format!("/v1/organisations/{id}");
    let curator = app.key(Role::Curator).await;
    let reader = app.key(Role::Reader).await;

    // Only published records are confirmed.
    app.send_as(step(&path, 1, "confirm"), Some(&curator))
        .await
        .problem(409);
    app.approve(&path).await;
    let before = app.get(&path).await.json();
    let version = before["version"].as_i64().unwrap();
    app.send_as(step(&path, version, "confirm"), Some(&reader))
        .await
        .problem(403);
    let confirmed = app
        .send_as(step(&path, version, "confirm"), Some(&curator))
        .await;
    confirmed.expect(200);
    let after = confirmed.json();
    assert_eq!(after["version"], version + 1);
    assert_eq!(after["publicationStatus"], "published");
    assert!(after["lastReviewedAt"].as_str() > before["lastReviewedAt"].as_str());
    assert_eq!(after["reviewedBy"]["name"], "test curator");
    for unchanged in ["name", "type", "sources", "createdAt"] {
        assert_eq!(after[unchanged], before[unchanged], "{unchanged}");
    }
    let history = app.get(&format!("{path}/history")).await.json();
    assert_eq!(history["items"][0]["action"], "confirmed");
    assert_eq!(history["items"][0]["changes"], json!({}));
}

#[actix_web::test]
async fn the_records_due_for_review_and_why_on_a_fixed_day() {
    let app = spawn_with(Policy {
        review_period: ReviewPeriod(30),
        ..single_editor()
    })
    .await;
    // Published today: ends in 100 days but stays active.
    let mut ending = initiative("Ending");
    ending["endDate"] = json!(day(100));
    let ending = app.create("/v1/initiatives", ending).await;
    app.approve(&format!("/v1/initiatives/{ending}")).await;
    // A draft without a source.
    let mut bare = initiative("Bare");
    bare.as_object_mut().unwrap().remove("sources");
    bare["scope"] = json!("national");
    bare["countries"] = json!(["NL"]);
    bare["topics"] = json!(["privacy"]);
    app.post("/v1/initiatives", bare).await.expect(201);
    // A draft changed after its source was consulted.
    let changed = app.create("/v1/initiatives", initiative("Changed")).await;
    app.patch(
        &format!("/v1/initiatives/{changed}"),
        json!({"summary": {"en": "Now different."}}),
    )
    .await
    .expect(200);
    // An organisation, published today.
    let org = app
        .create(
            "/v1/organisations",
            json!({"name": "Org", "type": "regulator", "topics": ["privacy"]}),
        )
        .await;
    app.approve(&format!("/v1/organisations/{org}")).await;

    let on = |offset: u64, more: &str| format!("/v1/reviews/due?on={}{more}", day(offset));
    let today = app.get(&on(0, "")).await.json();
    assert_eq!(
        due(&today),
        vec![
            row("initiative", "Bare", &["no-source"]),
            row("initiative", "Changed", &["sources-outdated"]),
        ],
        "{today}"
    );
    assert_eq!(today["total"], 2);
    // The drafts were never reviewed: 30 days on, they are due for that too.
    let later = app.get(&on(101, "")).await.json();
    assert_eq!(
        due(&later),
        vec![
            row("initiative", "Ending", &["not-reviewed", "ended-but-open"]),
            row("initiative", "Bare", &["not-reviewed", "no-source"]),
            row(
                "initiative",
                "Changed",
                &["not-reviewed", "sources-outdated"]
            ),
            row("organisation", "Org", &["not-reviewed"]),
        ],
        "{later}"
    );
    assert_eq!(
        later["items"][0]["reasons"][0]["text"],
        "not reviewed in the last 30 days"
    );

    // Filters: kind, topic (or a narrower one), scope (initiatives only).
    assert_eq!(
        due(&app.get(&on(101, "&kind=organisation")).await.json()),
        vec![row("organisation", "Org", &["not-reviewed"])]
    );
    let on_privacy: Vec<String> = due(&app.get(&on(101, "&topic=privacy")).await.json())
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(on_privacy, ["Bare", "Org"]);
    let national: Vec<String> = due(&app.get(&on(101, "&scope=national")).await.json())
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(national, ["Bare"]);

    // Paged like every list.
    let first = app.get(&on(101, "&limit=3")).await;
    first.expect(200);
    let link = first.header("link").unwrap().to_owned();
    assert!(link.contains("rel=\"next\""), "{link}");
    let next = first.json()["next"].as_str().unwrap().to_owned();
    let second = app
        .get(&on(101, &format!("&limit=3&cursor={next}")))
        .await
        .json();
    assert_eq!(
        due(&second),
        vec![row("organisation", "Org", &["not-reviewed"])]
    );
    assert_eq!(second["next"], Value::Null);

    // Consulting the source again makes the record current.
    let source = json!({"url": "https://example.org/fixture", "title": "Fixture source",
                        "consultedOn": day(0)});
    app.patch(
        &format!("/v1/initiatives/{changed}"),
        json!({"sources": [source]}),
    )
    .await
    .expect(200);
    assert_eq!(
        due(&app.get(&on(0, "")).await.json()),
        vec![row("initiative", "Bare", &["no-source"])]
    );

    // Staff only; bad input is named.
    app.send_as(TestRequest::get().uri("/v1/reviews/due"), None)
        .await
        .problem(401);
    let reader = app.key(Role::Reader).await;
    app.send_as(TestRequest::get().uri("/v1/reviews/due"), Some(&reader))
        .await
        .problem(403);
    let mut problems = app
        .get("/v1/reviews/due?on=tomorrow&kind=person&topic=nothing&scope=galactic")
        .await
        .problem(400);
    problems.sort();
    assert_eq!(
        problems,
        vec![
            ("kind".to_owned(), "unknown-value".to_owned()),
            ("on".to_owned(), "invalid-date".to_owned()),
            ("scope".to_owned(), "unknown-value".to_owned()),
            ("topic".to_owned(), "unknown-topic".to_owned()),
        ]
    );
}
