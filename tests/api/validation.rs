//! Every validation rule, per field: a table of bad inputs, each answered 400
//! with the offending field named in `invalidParams`.

use serde_json::{Value, json};

use crate::support::{expert, initiative, organisation, spawn};

/// Merges `changes` into `base` (null removes a field).
fn with(mut base: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            base.as_object_mut().unwrap().remove(key);
        } else {
            base[key] = value.clone();
        }
    }
    base
}

type Case = (Value, &'static str, &'static str);

async fn check(collection: &str, base: Value, cases: Vec<Case>) {
    let app = spawn().await;
    for (changes, name, code) in cases {
        let body = with(base.clone(), changes.clone());
        let params = app.post(collection, body).await.problem(400);
        assert!(
            params.contains(&(name.to_owned(), code.to_owned())),
            "{collection} with {changes}: expected ({name}, {code}) in {params:?}"
        );
    }
    // None of the refused bodies was stored.
    assert_eq!(app.get(collection).await.json()["items"], json!([]));
}

#[actix_web::test]
async fn organisation_fields() {
    let long = "x".repeat(301);
    check(
        "/v1/organisations",
        organisation("NEN"),
        vec![
            (json!({"name": null}), "name", "required"),
            (json!({"name": "   "}), "name", "required"),
            (json!({"name": 42}), "name", "wrong-type"),
            (json!({"name": long}), "name", "too-long"),
            (json!({"name": "a\u{7}b"}), "name", "control-character"),
            (json!({"acronym": "x".repeat(61)}), "acronym", "too-long"),
            (json!({"type": null}), "type", "required"),
            (json!({"type": "club"}), "type", "unknown-value"),
            (json!({"country": "XX"}), "country", "unknown-country"),
            (json!({"country": "NLD"}), "country", "unknown-country"),
            (json!({"country": ["NL"]}), "country", "wrong-type"),
            (json!({"website": "www.nen.nl"}), "website", "invalid-url"),
            (
                json!({"website": "ftp://nen.nl/"}),
                "website",
                "invalid-url",
            ),
            (
                json!({"website": "javascript:alert(1)"}),
                "website",
                "invalid-url",
            ),
            (json!({"rorId": "02e2c7k0"}), "rorId", "invalid-ror-id"),
            (
                json!({"rorId": "https://ror.org/02e2c7k08"}),
                "rorId",
                "invalid-ror-id",
            ),
            (json!({"description": "plain"}), "description", "wrong-type"),
            (
                json!({"description": {"de": "x"}}),
                "description/de",
                "unknown-field",
            ),
            (
                json!({"description": {"en": 1}}),
                "description/en",
                "wrong-type",
            ),
            (
                json!({"description": {"en": "x".repeat(10_001)}}),
                "description/en",
                "too-long",
            ),
            (
                json!({"description": {"en": "a\u{0}"}}),
                "description/en",
                "control-character",
            ),
            (json!({"topics": "privacy"}), "topics", "wrong-type"),
            (
                json!({"topics": ["privacy", "nope"]}),
                "topics/1",
                "unknown-topic",
            ),
            (
                json!({"topics": ["Not A Slug"]}),
                "topics/0",
                "invalid-slug",
            ),
            (
                json!({"id": "01938b1e-7f00-7aaa-8000-000000000001"}),
                "id",
                "unknown-field",
            ),
            (json!({"version": 3}), "version", "unknown-field"),
            (json!({"colour": "blue"}), "colour", "unknown-field"),
        ],
    )
    .await;
}

#[actix_web::test]
async fn expert_fields() {
    check(
        "/v1/experts",
        expert("Anna", "Jansen"),
        vec![
            (json!({"givenName": null}), "givenName", "required"),
            (json!({"familyName": ""}), "familyName", "required"),
            (
                json!({"honorific": "x".repeat(61)}),
                "honorific",
                "too-long",
            ),
            (
                json!({"orcid": "0000-0002-1825-0098"}),
                "orcid",
                "invalid-orcid",
            ),
            (json!({"orcid": "0000-0002-1825"}), "orcid", "invalid-orcid"),
            (json!({"email": "not-an-address"}), "email", "invalid-email"),
            (json!({"email": "a@b@c"}), "email", "invalid-email"),
            (json!({"country": "EU"}), "country", "unknown-country"),
            (
                json!({"languages": ["nl", "xx"]}),
                "languages/1",
                "unknown-language",
            ),
            (json!({"languages": "nl"}), "languages", "wrong-type"),
            (json!({"bio": {"fr": "x"}}), "bio/fr", "unknown-field"),
            (json!({"topics": ["nope"]}), "topics/0", "unknown-topic"),
            (json!({"affiliations": []}), "affiliations", "unknown-field"),
            (json!({"name": "Anna Jansen"}), "name", "unknown-field"),
        ],
    )
    .await;
}

#[actix_web::test]
async fn initiative_fields() {
    check(
        "/v1/initiatives",
        initiative("AI Act"),
        vec![
            (json!({"title": null}), "title", "required"),
            (json!({"title": {}}), "title", "required"),
            (json!({"title": {"en": " ", "nl": ""}}), "title", "required"),
            (json!({"title": "AI Act"}), "title", "wrong-type"),
            (
                json!({"title": {"en": "x".repeat(501)}}),
                "title/en",
                "too-long",
            ),
            (json!({"scope": null}), "scope", "required"),
            (json!({"scope": "global"}), "scope", "unknown-value"),
            (json!({"scope": "national"}), "countries", "required"),
            (
                json!({"scope": "national", "countries": []}),
                "countries",
                "required",
            ),
            (
                json!({"countries": ["NL", "XX"]}),
                "countries/1",
                "unknown-country",
            ),
            (json!({"type": "law"}), "type", "unknown-value"),
            (json!({"status": null}), "status", "required"),
            (json!({"status": "ongoing"}), "status", "unknown-value"),
            (
                json!({"startDate": "2024-13-01"}),
                "startDate",
                "invalid-date",
            ),
            (
                json!({"startDate": "01-01-2024"}),
                "startDate",
                "invalid-date",
            ),
            (json!({"endDate": "2024-02-30"}), "endDate", "invalid-date"),
            (
                json!({"startDate": "2024-05-01", "endDate": "2024-04-30"}),
                "endDate",
                "before-start",
            ),
            (json!({"website": "not a url"}), "website", "invalid-url"),
            (
                json!({"regulations": ["mdr", "hipaa"]}),
                "regulations/1",
                "unknown-value",
            ),
            (json!({"topics": []}), "topics", "required"),
            (json!({"topics": null}), "topics", "required"),
            (json!({"topics": ["privacy", 3]}), "topics/1", "wrong-type"),
            (
                json!({"organisations": []}),
                "organisations",
                "unknown-field",
            ),
        ],
    )
    .await;
}

#[actix_web::test]
async fn every_offending_field_is_reported_at_once() {
    let app = spawn().await;
    let params = app
        .post(
            "/v1/initiatives",
            json!({"title": {"xx": "t"}, "scope": "global", "type": 5, "status": "active", "topics": ["nope"], "extra": true}),
        )
        .await
        .problem(400);
    for expected in [
        ("extra", "unknown-field"),
        ("title/xx", "unknown-field"),
        ("scope", "unknown-value"),
        ("type", "wrong-type"),
        ("topics/0", "unknown-topic"),
    ] {
        assert!(
            params.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {params:?}"
        );
    }
}

#[actix_web::test]
async fn patches_are_validated_like_new_records() {
    let app = spawn().await;
    let id = app.create("/v1/organisations", organisation("NEN")).await;
    let path = format!("/v1/organisations/{id}");
    let cases = [
        (json!({"name": null}), "name", "required"),
        (json!({"country": "XX"}), "country", "unknown-country"),
        (json!({"unknown": null}), "unknown", "unknown-field"),
        (
            json!({"description": {"fr": null}}),
            "description/fr",
            "unknown-field",
        ),
        (
            json!({"createdAt": "2020-01-01T00:00:00Z"}),
            "createdAt",
            "unknown-field",
        ),
    ];
    for (patch, name, code) in cases {
        let params = app.patch(&path, patch.clone()).await.problem(400);
        assert!(
            params.contains(&(name.to_owned(), code.to_owned())),
            "{patch}: {params:?}"
        );
    }
    app.patch(&path, json!(["not", "an", "object"]))
        .await
        .problem(400);
    assert_eq!(app.get(&path).await.json()["version"], 1);
}

#[actix_web::test]
async fn link_bodies_are_validated() {
    let app = spawn().await;
    let initiative_id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;
    let expert_id = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    let on_initiative = format!("/v1/initiatives/{initiative_id}/organisations/{organisation_id}");
    assert_eq!(
        app.put(&on_initiative, json!({})).await.problem(400),
        [("role".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        app.put(&on_initiative, json!({"role": "boss"}))
            .await
            .problem(400),
        [("role".to_owned(), "unknown-value".to_owned())]
    );
    assert_eq!(
        app.put(
            &on_initiative,
            json!({"role": "lead", "since": "2020-01-01"})
        )
        .await
        .problem(400),
        [("since".to_owned(), "unknown-field".to_owned())]
    );
    let expert_link = format!("/v1/initiatives/{initiative_id}/experts/{expert_id}");
    assert_eq!(
        app.put(&expert_link, json!({"role": "lead"}))
            .await
            .problem(400),
        [("role".to_owned(), "unknown-value".to_owned())]
    );
    let affiliation = format!("/v1/experts/{expert_id}/affiliations/{organisation_id}");
    assert_eq!(
        app.put(
            &affiliation,
            json!({"since": "2022-01-01", "until": "2021-12-31"})
        )
        .await
        .problem(400),
        [("until".to_owned(), "before-start".to_owned())]
    );
    assert_eq!(
        app.put(&affiliation, json!({"role": "x".repeat(201)}))
            .await
            .problem(400),
        [("role".to_owned(), "too-long".to_owned())]
    );
    let other = app.create("/v1/initiatives", initiative("Other")).await;
    assert_eq!(
        app.put(
            &format!("/v1/initiatives/{initiative_id}/related/{other}"),
            json!({"relation": "sibling-of"})
        )
        .await
        .problem(400),
        [("relation".to_owned(), "unknown-value".to_owned())]
    );
}
