//! The review-and-publish workflow, four eyes, and what the public and
//! readers see: published records only, everywhere.

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use crate::support::{self, ids, initiative, organisation, spawn, spawn_with, step_with};

fn step(path: &str, version: i64, action: &str, message: Option<&str>) -> TestRequest {
    match message {
        Some(message) => step_with(path, version, json!({"action": action, "message": message})),
        None => support::step(path, version, action),
    }
}

#[actix_web::test]
async fn a_record_goes_from_draft_through_review_to_published_and_back() {
    let app = spawn().await;
    let curator = app.key(Role::Curator).await;
    let editor = app.key(Role::Editor).await;
    let created = app
        .send_as(
            TestRequest::post()
                .uri("/v1/initiatives")
                .set_json(initiative("AI Act")),
            Some(&curator),
        )
        .await;
    created.expect(201);
    assert_eq!(created.json()["publicationStatus"], "draft");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/initiatives/{id}");
    let anonymous = |p: &str| TestRequest::get().uri(p);
    app.send_as(anonymous(&path), None).await.problem(404);

    // Curators submit but do not approve.
    let submitted = app
        .send_as(step(&path, 1, "submit", None), Some(&curator))
        .await;
    submitted.expect(200);
    assert_eq!(submitted.json()["publicationStatus"], "in-review");
    assert_eq!(submitted.json()["version"], 2);
    let refused = app
        .send_as(step(&path, 2, "approve", None), Some(&curator))
        .await;
    refused.problem(403);
    // A step that does not apply is a conflict; a stale version is 412.
    app.send_as(step(&path, 2, "archive", None), Some(&editor))
        .await
        .problem(409);
    app.send_as(step(&path, 1, "approve", None), Some(&editor))
        .await
        .problem(412);

    // Rejected with a reason, mended, submitted again and approved.
    let rejected = app
        .send_as(
            step(&path, 2, "reject", Some("Add the Dutch title")),
            Some(&editor),
        )
        .await;
    assert_eq!(rejected.json()["publicationStatus"], "draft");
    app.send_as(step(&path, 3, "submit", None), Some(&curator))
        .await
        .expect(200);
    let approved = app
        .send_as(step(&path, 4, "approve", Some("OK")), Some(&editor))
        .await;
    approved.expect(200);
    assert_eq!(approved.json()["publicationStatus"], "published");
    let seen = app.send_as(anonymous(&path), None).await;
    seen.expect(200);
    assert_eq!(seen.json()["publicationStatus"], "published");

    // Archived records disappear for the public; restoring brings them back.
    app.send_as(step(&path, 5, "archive", None), Some(&editor))
        .await
        .expect(200);
    app.send_as(anonymous(&path), None).await.problem(404);
    let listed = app.send_as(anonymous("/v1/initiatives"), None).await.json();
    assert_eq!(listed["total"], 0);
    app.send_as(step(&path, 6, "restore", None), Some(&editor))
        .await
        .expect(200);
    app.send_as(anonymous(&path), None).await.expect(200);

    let history = app.get(&format!("{path}/history")).await.json();
    let steps: Vec<(&str, &Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), &e["message"]))
        .collect();
    assert_eq!(
        steps,
        [
            ("restored", &Value::Null),
            ("archived", &Value::Null),
            ("approved", &json!("OK")),
            ("submitted", &Value::Null),
            ("rejected", &json!("Add the Dutch title")),
            ("submitted", &Value::Null),
            ("created", &Value::Null),
        ]
    );
    assert_eq!(
        history["items"][4]["changes"],
        json!({"publicationStatus": {"before": "in-review", "after": "draft"}})
    );
    let bad = app
        .send_as(
            TestRequest::post()
                .uri(&format!("{path}/publication"))
                .insert_header(("if-match", "\"7\""))
                .set_json(json!({"action": "publish", "note": "x"})),
            Some(&editor),
        )
        .await
        .problem(400);
    assert!(bad.contains(&("action".to_owned(), "unknown-value".to_owned())));
    assert!(bad.contains(&("note".to_owned(), "unknown-field".to_owned())));
}

#[actix_web::test]
async fn an_editor_cannot_approve_their_own_change_unless_allowed() {
    for allowed in [false, true] {
        let app = spawn_with(Policy {
            allow_self_approval: allowed,
            ..Policy::default()
        })
        .await;
        let editor = app.key(Role::Editor).await;
        let other = app.key(Role::Editor).await;
        let created = app
            .send_as(
                TestRequest::post()
                    .uri("/v1/organisations")
                    .set_json(organisation("NEN")),
                Some(&editor),
            )
            .await;
        let path = format!(
            "/v1/organisations/{}",
            created.json()["id"].as_str().unwrap()
        );
        app.send_as(step(&path, 1, "submit", None), Some(&editor))
            .await
            .expect(200);
        let own = app
            .send_as(step(&path, 2, "approve", None), Some(&editor))
            .await;
        if allowed {
            own.expect(200);
        } else {
            own.problem(403);
            assert!(own.json()["detail"].as_str().unwrap().contains("four eyes"));
            app.send_as(step(&path, 2, "approve", None), Some(&other))
                .await
                .expect(200);
        }
    }
}

/// Publishes a record with a second editor, as an editorial team would.
async fn publish<S, B>(app: &crate::support::TestApp<S>, path: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let version = app.get(path).await.json()["version"].as_i64().unwrap();
    app.send(step(path, version, "submit", None))
        .await
        .expect(200);
    let editor = app.key(Role::Editor).await;
    app.send_as(step(path, version + 1, "approve", None), Some(&editor))
        .await
        .expect(200);
}

#[actix_web::test]
async fn the_public_and_readers_see_published_records_only_everywhere() {
    let app = spawn().await;
    let reader = app.key(Role::Reader).await;
    let shown = app
        .create("/v1/initiatives", initiative("Shown standard on bias"))
        .await;
    let hidden = app
        .create("/v1/initiatives", initiative("Hidden standard on bias"))
        .await;
    let public_org = app
        .create("/v1/organisations", organisation("Public body"))
        .await;
    let draft_org = app
        .create("/v1/organisations", organisation("Draft body"))
        .await;
    for (org, role) in [(&public_org, "lead"), (&draft_org, "member")] {
        app.put(
            &format!("/v1/initiatives/{shown}/organisations/{org}"),
            json!({"role": role}),
        )
        .await
        .expect(201);
    }
    publish(&app, &format!("/v1/initiatives/{shown}")).await;
    publish(&app, &format!("/v1/organisations/{public_org}")).await;

    for token in [None, Some(reader.as_str())] {
        let get = |path: String| app.send_as(TestRequest::get().uri(&path), token);
        let record = get(format!("/v1/initiatives/{shown}")).await.json();
        let embedded: Vec<&str> = record["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            embedded,
            ["Public body"],
            "drafts are left out of summaries"
        );
        get(format!("/v1/initiatives/{hidden}")).await.problem(404);
        get(format!("/v1/organisations/{draft_org}"))
            .await
            .problem(404);

        let list = get("/v1/initiatives?facets=scope".to_owned()).await.json();
        assert_eq!(ids(&list), [shown.as_str()]);
        assert_eq!(list["total"], 1);
        assert_eq!(
            list["facets"]["scope"],
            json!([{"value": "european", "count": 1}])
        );
        let search = get("/v1/search?q=standard".to_owned()).await.json();
        assert_eq!(ids(&search), [shown.as_str()]);
        assert_eq!(search["total"], 1);
        let overview = get("/v1/overview".to_owned()).await.json();
        assert_eq!(overview["initiatives"]["total"], 1, "{overview}");
        assert_eq!(overview["organisations"]["total"], 1, "{overview}");
        let organisations = get("/v1/organisations".to_owned()).await.json();
        assert_eq!(ids(&organisations), [public_org.as_str()]);
        // Filtering on an unpublished record is like filtering on none.
        get(format!("/v1/initiatives?organisation={draft_org}"))
            .await
            .problem(400);
        get(format!("/v1/initiatives?organisation={public_org}"))
            .await
            .expect(200);
    }
    // Curators see every state.
    let all = app.get("/v1/initiatives").await.json();
    assert_eq!(all["total"], 2);
    let record = app.get(&format!("/v1/initiatives/{shown}")).await.json();
    assert_eq!(record["organisations"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn edits_of_published_records_wait_for_approval() {
    let app = spawn().await;
    let curator = app.key(Role::Curator).await;
    let editor = app.key(Role::Editor).await;
    let id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let path = format!("/v1/initiatives/{id}");
    publish(&app, &path).await;
    let anonymous = || TestRequest::get().uri(&path);
    let edit = |version: i64, body: Value| {
        TestRequest::patch()
            .uri(&path)
            .insert_header(("content-type", "application/merge-patch+json"))
            .insert_header(("if-match", format!("\"{version}\"")))
            .set_payload(body.to_string())
    };

    let proposed = app
        .send_as(edit(3, json!({"acronym": "AIA"})), Some(&curator))
        .await;
    proposed.expect(200);
    let staff_view = proposed.json();
    assert_eq!(
        staff_view["acronym"],
        Value::Null,
        "the live record is unchanged"
    );
    assert_eq!(staff_view["pendingRevision"]["acronym"], "AIA");
    // The revision has the shape the spec gives it: the create body's.
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let input = &spec["components"]["schemas"]["InitiativeInput"]["properties"];
    for field in staff_view["pendingRevision"].as_object().unwrap().keys() {
        assert!(
            input.get(field).is_some(),
            "pendingRevision.{field} is not in InitiativeInput"
        );
    }
    assert_eq!(
        spec["components"]["schemas"]["Initiative"]["properties"]["pendingRevision"]["oneOf"][0]["$ref"],
        "#/components/schemas/InitiativeInput"
    );
    assert_eq!(staff_view["publicationStatus"], "published");
    assert_eq!(staff_view["version"], 4);
    // A second edit amends the revision, not the live record.
    let amended = app
        .send_as(edit(4, json!({"status": "completed"})), Some(&curator))
        .await
        .json();
    assert_eq!(amended["pendingRevision"]["acronym"], "AIA");
    assert_eq!(amended["pendingRevision"]["status"], "completed");
    assert_eq!(amended["status"], "active");

    let reader = app.key(Role::Reader).await;
    for token in [None, Some(reader.as_str())] {
        let public = app.send_as(anonymous(), token).await.json();
        assert_eq!(public["acronym"], Value::Null);
        assert!(public.get("pendingRevision").is_none(), "{public}");
    }

    // The curator who proposed it cannot approve it even as an editor; another editor can.
    app.send_as(step(&path, 5, "approve", None), Some(&editor))
        .await
        .expect(200);
    let live = app.send_as(anonymous(), None).await.json();
    assert_eq!(live["acronym"], "AIA");
    assert_eq!(live["status"], "completed");
    assert!(app.get(&path).await.json().get("pendingRevision").is_none());

    // A rejected revision is dropped.
    app.send_as(edit(6, json!({"acronym": "WRONG"})), Some(&curator))
        .await
        .expect(200);
    app.send_as(
        step(&path, 7, "reject", Some("Not the official acronym")),
        Some(&editor),
    )
    .await
    .expect(200);
    let after = app.get(&path).await.json();
    assert_eq!(after["acronym"], "AIA");
    assert!(after.get("pendingRevision").is_none());

    let history = app.get(&format!("{path}/history")).await.json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .take(5)
        .collect();
    assert_eq!(
        actions,
        ["rejected", "revised", "approved", "revised", "revised"]
    );
    assert_eq!(
        history["items"][2]["changes"]["acronym"],
        json!({"before": null, "after": "AIA"}),
        "approval records what went live"
    );
}

#[actix_web::test]
async fn whoever_proposed_a_revision_cannot_approve_it() {
    let app = spawn().await;
    let editor = app.key(Role::Editor).await;
    let path = format!(
        "/v1/organisations/{}",
        app.create("/v1/organisations", organisation("NEN")).await
    );
    publish(&app, &path).await;
    let edit = TestRequest::patch()
        .uri(&path)
        .insert_header(("content-type", "application/merge-patch+json"))
        .insert_header(("if-match", "\"3\""))
        .set_payload(json!({"acronym": "NEN"}).to_string());
    app.send_as(edit, Some(&editor)).await.expect(200);
    app.send_as(step(&path, 4, "approve", None), Some(&editor))
        .await
        .problem(403);
}

#[actix_web::test]
async fn links_between_published_records_are_changed_by_editors_only() {
    let app = spawn().await;
    let curator = app.key(Role::Curator).await;
    let editor = app.key(Role::Editor).await;
    let initiative_id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;
    let draft_org = app.create("/v1/organisations", organisation("Draft")).await;
    let initiative_path = format!("/v1/initiatives/{initiative_id}");
    publish(&app, &initiative_path).await;
    publish(&app, &format!("/v1/organisations/{organisation_id}")).await;
    let link = |org: &str, version: i64| {
        TestRequest::put()
            .uri(&format!("{initiative_path}/organisations/{org}"))
            .insert_header(("if-match", format!("\"{version}\"")))
            .set_json(json!({"role": "lead"}))
    };
    let refused = app.send_as(link(&organisation_id, 3), Some(&curator)).await;
    refused.problem(403);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("published")
    );
    // A draft on one end is invisible to readers: curators may link it.
    app.send_as(link(&draft_org, 3), Some(&curator))
        .await
        .expect(201);
    app.send_as(link(&organisation_id, 4), Some(&editor))
        .await
        .expect(201);
    let unlink = TestRequest::delete()
        .uri(&format!(
            "{initiative_path}/organisations/{organisation_id}"
        ))
        .insert_header(("if-match", "\"5\""));
    app.send_as(unlink, Some(&curator)).await.problem(403);
}
