//! What the public sees of a record (its version, ETag, `updatedAt`, the
//! change feed, public webhooks) moves only when the public's view of it
//! does: not with edits waiting for review, links to drafts or to experts
//! without consent, or fields the public never sees.

use actix_web::test::TestRequest;
use aimd_registry::http::access::Policy;
use aimd_registry::resources::webhooks::worker::DeliverySettings;
use serde_json::{Value, json};

use crate::support::{TestApp, expert, initiative, organisation, spawn_with, step};
use crate::webhooks::Receiver;

/// The public's view: version, ETag, updatedAt.
async fn public_view<S, B>(app: &TestApp<S>, path: &str) -> (Value, String, Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let reply = app.send_as(TestRequest::get().uri(path), None).await;
    reply.expect(200);
    let body = reply.json();
    (
        body["version"].clone(),
        reply.header("etag").unwrap().to_owned(),
        body["updatedAt"].clone(),
    )
}

/// Submits and approves: publishes a draft, or applies a pending revision.
async fn approve<S, B>(app: &TestApp<S>, path: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let record = app.get(path).await.json();
    let mut version = record["version"].as_i64().unwrap();
    if record["publicationStatus"] == "draft" {
        let submitted = app.send(step(path, version, "submit")).await;
        submitted.expect(200);
        version = submitted.json()["version"].as_i64().unwrap();
    }
    app.send(step(path, version, "approve")).await.expect(200);
}

/// The public change feed's events for `id`.
async fn public_events<S, B>(app: &TestApp<S>, id: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let feed = app
        .send_as(TestRequest::get().uri("/v1/changes?limit=500"), None)
        .await
        .json();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"] == id)
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

fn single_editor() -> Policy {
    Policy {
        allow_self_approval: true,
        webhook_allow_private: true,
        ..Policy::default()
    }
}

#[actix_web::test]
async fn hidden_activity_leaves_the_public_view_as_it_was() {
    let app = spawn_with(single_editor()).await;
    let receiver = Receiver::start(&[]);
    app.create(
        "/v1/webhooks",
        json!({"url": receiver.url, "audience": "public"}),
    )
    .await;
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    let path = format!("/v1/organisations/{nen}");
    approve(&app, &path).await;
    let published = public_view(&app, &path).await;

    // An edit waiting for review.
    app.patch(&path, json!({"acronym": "NEN-X"}))
        .await
        .expect(200);
    // A link to a draft initiative.
    let draft = app
        .create("/v1/initiatives", initiative("Draft group"))
        .await;
    app.put(
        &format!("/v1/initiatives/{draft}/organisations/{nen}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    // An affiliation of a published expert who did not consent.
    let shy = app.create("/v1/experts", expert("Shy", "Person")).await;
    approve(&app, &format!("/v1/experts/{shy}")).await;
    app.put(
        &format!("/v1/experts/{shy}/affiliations/{nen}"),
        json!({"role": "advisor"}),
    )
    .await
    .expect(201);

    let staff_version = app.get(&path).await.json()["version"].as_i64().unwrap();
    assert!(
        staff_version > published.0.as_i64().unwrap() + 2,
        "staff saw it all"
    );
    assert_eq!(
        public_view(&app, &path).await,
        published,
        "the public saw nothing"
    );
    let revalidated = app
        .send_as(
            TestRequest::get()
                .uri(&path)
                .insert_header(("if-none-match", published.1.clone())),
            None,
        )
        .await;
    revalidated.expect(304);
    assert_eq!(public_events(&app, &nen).await, ["created"]);
    let listed = app
        .send_as(
            TestRequest::get().uri("/v1/organisations?sort=-updatedAt"),
            None,
        )
        .await
        .json();
    assert_eq!(listed["items"][0]["version"], published.0);
    assert_eq!(listed["items"][0]["updatedAt"], published.2);

    // The revision approved: now the public's view changes.
    approve(&app, &path).await;
    let revised = public_view(&app, &path).await;
    assert!(revised.0.as_i64() > published.0.as_i64());
    assert_ne!(revised.1, published.1);
    assert_eq!(public_events(&app, &nen).await, ["created", "updated"]);
    // The draft it is linked to is published: the organisation's public
    // view lists it from then on, so its public version moves too.
    approve(&app, &format!("/v1/initiatives/{draft}")).await;
    let linked = public_view(&app, &path).await;
    assert!(linked.0.as_i64() > revised.0.as_i64());

    // A public subscription heard of the organisation twice, like the feed.
    let deliverer = app.deliverer(DeliverySettings::default());
    while deliverer.deliver_due().await.unwrap() > 0 {}
    let mut heard: Vec<String> = receiver
        .seen()
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .filter(|p| p["data"]["id"] == nen.as_str())
        .map(|p| p["type"].as_str().unwrap().to_owned())
        .collect();
    heard.sort();
    assert_eq!(heard, ["organisation.created", "organisation.updated"]);
}

/// Every field the public sees moves the public version when it changes;
/// contact data does not.
#[actix_web::test]
async fn every_public_field_moves_the_public_version_and_contact_data_does_not() {
    let app = spawn_with(single_editor()).await;
    let cases = [
        (
            "/v1/organisations",
            organisation("Fields"),
            vec![
                json!({"name": "Renamed"}),
                json!({"acronym": "RN"}),
                json!({"type": "regulator"}),
                json!({"country": "BE"}),
                json!({"website": "https://renamed.example/"}),
                json!({"rorId": "https://ror.org/04pp8hn57"}),
                json!({"description": {"en": "Now described."}}),
                json!({"topics": ["ethics"]}),
            ],
            vec![],
        ),
        (
            "/v1/experts",
            json!({"givenName": "Ada", "familyName": "Field", "consent": {"publicProfile": true}}),
            vec![
                json!({"givenName": "Adah"}),
                json!({"familyName": "Fields"}),
                json!({"honorific": "dr."}),
                json!({"orcid": "0000-0002-1825-0097"}),
                json!({"country": "NL"}),
                json!({"languages": ["nl"]}),
                json!({"bio": {"en": "Fictional."}}),
                json!({"topics": ["ethics"]}),
            ],
            vec![
                json!({"email": "ada@example.org"}),
                json!({"consent": {"publicProfile": true, "note": "by e-mail"}}),
            ],
        ),
        (
            "/v1/initiatives",
            initiative("Fields"),
            vec![
                json!({"title": {"en": "Renamed"}}),
                json!({"acronym": "RN"}),
                json!({"summary": {"en": "Summed up."}}),
                json!({"scope": "international"}),
                json!({"countries": ["BE"]}),
                json!({"type": "regulatory-guidance"}),
                json!({"status": "completed"}),
                json!({"startDate": "2024-01-01"}),
                json!({"endDate": "2026-01-01"}),
                json!({"website": "https://fields.example/"}),
                json!({"regulations": ["mdr"]}),
                json!({"topics": ["ethics"]}),
            ],
            vec![],
        ),
    ];
    for (collection, body, public, private) in cases {
        let id = app.create(collection, body).await;
        let path = format!("{collection}/{id}");
        approve(&app, &path).await;
        for (change, moves) in public
            .iter()
            .map(|c| (c, true))
            .chain(private.iter().map(|c| (c, false)))
        {
            let before = public_view(&app, &path).await;
            app.patch(&path, change.clone()).await.expect(200);
            approve(&app, &path).await;
            let after = public_view(&app, &path).await;
            assert_eq!(
                after.0 != before.0,
                moves,
                "{collection} {change}: {before:?} -> {after:?}"
            );
        }
    }
}
