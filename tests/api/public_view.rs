//! What the public sees of a record (its version, ETag, `updatedAt`, the
//! change feed, public webhooks) moves only when the public's view of it
//! does: not with edits waiting for review, links to drafts or to experts
//! without consent, or fields the public never sees.

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::sync::webhooks::worker::DeliverySettings;
use serde_json::{Value, json};

use crate::support::{expert, initiative, organisation, spawn_with};
use crate::webhooks::Receiver;

fn single_editor() -> Policy {
    Policy {
        webhook_allow_private: true,
        ..crate::support::single_editor()
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
    app.approve(&path).await;
    let published = app.public_view(&path).await;

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
    app.approve(&format!("/v1/experts/{shy}")).await;
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
        app.public_view(&path).await,
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
    assert_eq!(app.public_events(&nen).await, ["created"]);
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
    app.approve(&path).await;
    let revised = app.public_view(&path).await;
    assert!(revised.0.as_i64() > published.0.as_i64());
    assert_ne!(revised.1, published.1);
    assert_eq!(app.public_events(&nen).await, ["created", "updated"]);
    // The draft it is linked to is published: the organisation's public
    // view lists it from then on, so its public version moves too.
    app.approve(&format!("/v1/initiatives/{draft}")).await;
    let linked = app.public_view(&path).await;
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
        app.approve(&path).await;
        for (change, moves) in public
            .iter()
            .map(|c| (c, true))
            .chain(private.iter().map(|c| (c, false)))
        {
            let before = app.public_view(&path).await;
            app.patch(&path, change.clone()).await.expect(200);
            app.approve(&path).await;
            let after = app.public_view(&path).await;
            assert_eq!(
                after.0 != before.0,
                moves,
                "{collection} {change}: {before:?} -> {after:?}"
            );
        }
    }
}
