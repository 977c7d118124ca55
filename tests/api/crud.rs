//! Create, read, update (merge patch) and delete for each record kind,
//! versions and ETags, tombstones.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{expert, initiative, organisation, spawn};

#[actix_web::test]
async fn organisation_lifecycle() {
    let app = spawn().await;
    let reply = app
        .post(
            "/v1/organisations",
            json!({
                "name": "  Royal Netherlands Standardization Institute ",
                "acronym": "NEN",
                "type": "standards-body",
                "country": "nl",
                "website": "https://www.nen.nl",
                "rorId": "02e2c7k09",
                "description": {"en": "Dutch standards body", "nl": "  "},
                "topics": ["standardisation", "privacy", "standardisation"]
            }),
        )
        .await;
    reply.expect(201);
    let created = reply.json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/organisations/{id}").as_str())
    );
    let etag = reply.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with("\"1-"),
        "the ETag carries the version: {etag}"
    );
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    assert_eq!(
        created["name"],
        "Royal Netherlands Standardization Institute"
    );
    assert_eq!(created["country"], "NL");
    assert_eq!(created["website"], "https://www.nen.nl/");
    assert_eq!(created["rorId"], "https://ror.org/02e2c7k09");
    assert_eq!(
        created["description"],
        json!({"en": "Dutch standards body"})
    );
    let slugs: Vec<&str> = created["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["privacy", "standardisation"]);
    assert_eq!(
        created["topics"][1]["label"],
        json!({"en": "Standardisation", "nl": "Normalisatie"})
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["createdAt"], created["updatedAt"]);

    let read = app.get(&format!("/v1/organisations/{id}")).await;
    read.expect(200);
    assert_eq!(read.json(), created);
    assert_eq!(
        read.header("etag"),
        Some(etag.as_str()),
        "same body, same ETag"
    );

    let patched = app
        .patch(
            &format!("/v1/organisations/{id}"),
            json!({"acronym": null, "description": {"nl": "Normalisatie-instituut"}}),
        )
        .await;
    patched.expect(200);
    let patched = patched.json();
    assert_eq!(patched["acronym"], Value::Null);
    assert_eq!(
        patched["description"],
        json!({"en": "Dutch standards body", "nl": "Normalisatie-instituut"})
    );
    assert_eq!(patched["name"], created["name"]);
    assert_eq!(patched["version"], 2);
    assert_ne!(patched["updatedAt"], created["updatedAt"]);
    assert_eq!(patched["createdAt"], created["createdAt"]);

    app.delete(&format!("/v1/organisations/{id}"))
        .await
        .expect(204);
    app.get(&format!("/v1/organisations/{id}"))
        .await
        .problem(410);
    // The version the client last saw; the record is gone whatever it was.
    app.patch_if_match(
        &format!("/v1/organisations/{id}"),
        json!({"name": "x"}),
        "\"2\"",
    )
    .await
    .problem(410);
    app.delete_if_match(&format!("/v1/organisations/{id}"), "\"2\"")
        .await
        .problem(410);
    assert_eq!(
        app.get("/v1/organisations").await.json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn expert_lifecycle() {
    let app = spawn().await;
    let reply = app
        .post(
            "/v1/experts",
            json!({
                "givenName": "Anna",
                "familyName": "de Vries",
                "honorific": "dr. ir.",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
                "email": "anna@example.org",
                "country": "NL",
                "languages": ["NL", "en"],
                "bio": {"en": "Fictional.\nSecond line."},
                "topics": ["clinical-validation"]
            }),
        )
        .await;
    reply.expect(201);
    let created = reply.json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["name"], "Anna de Vries");
    assert_eq!(created["orcid"], "0000-0002-1825-0097");
    assert_eq!(created["languages"], json!(["nl", "en"]));
    assert_eq!(created["bio"], json!({"en": "Fictional.\nSecond line."}));
    assert_eq!(created["affiliations"], json!([]));
    assert_eq!(created["initiatives"], json!([]));

    let patched = app
        .patch(
            &format!("/v1/experts/{id}"),
            json!({"languages": ["de"], "email": null}),
        )
        .await;
    patched.expect(200);
    assert_eq!(patched.json()["languages"], json!(["de"]));
    assert_eq!(patched.json()["email"], Value::Null);
    assert_eq!(patched.json()["version"], 2);

    app.delete(&format!("/v1/experts/{id}")).await.expect(204);
    app.get(&format!("/v1/experts/{id}")).await.problem(410);
}

#[actix_web::test]
async fn initiative_lifecycle() {
    let app = spawn().await;
    let reply = app
        .post(
            "/v1/initiatives",
            json!({
                "title": {"en": "NEN expert group AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"},
                "summary": {"nl": "Expertgroep."},
                "scope": "national",
                "countries": ["nl"],
                "type": "expert-network",
                "status": "active",
                "startDate": "2023-01-01",
                "website": "https://www.nen.nl/",
                "regulations": ["mdr", "ai-act"],
                "topics": ["clinical-validation", "data-use"]
            }),
        )
        .await;
    reply.expect(201);
    let created = reply.json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["countries"], json!(["NL"]));
    assert_eq!(created["startDate"], "2023-01-01");
    assert_eq!(created["endDate"], Value::Null);
    assert_eq!(created["regulations"], json!(["mdr", "ai-act"]));
    assert_eq!(created["organisations"], json!([]));
    assert_eq!(created["related"], json!([]));

    let patched = app
        .patch(
            &format!("/v1/initiatives/{id}"),
            json!({"status": "completed", "endDate": "2025-06-30", "title": {"nl": null}}),
        )
        .await;
    patched.expect(200);
    let patched = patched.json();
    assert_eq!(patched["status"], "completed");
    assert_eq!(patched["endDate"], "2025-06-30");
    assert_eq!(
        patched["title"],
        json!({"en": "NEN expert group AI and medical devices"})
    );

    // Clearing the last title language leaves no title: refused, nothing changes.
    let refused = app
        .patch(
            &format!("/v1/initiatives/{id}"),
            json!({"title": {"en": null}}),
        )
        .await;
    assert_eq!(
        refused.problem(400),
        [("title".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        app.get(&format!("/v1/initiatives/{id}")).await.json(),
        patched
    );

    app.delete(&format!("/v1/initiatives/{id}"))
        .await
        .expect(204);
    app.get(&format!("/v1/initiatives/{id}")).await.problem(410);
}

#[actix_web::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = spawn().await;
    let id = app.create("/v1/organisations", organisation("NEN")).await;
    let reply = app
        .patch(
            &format!("/v1/organisations/{id}"),
            json!({"name": "NEN", "country": "nl"}),
        )
        .await;
    reply.expect(200);
    assert_eq!(reply.json()["version"], 1);
}

#[actix_web::test]
async fn plain_json_patches_are_accepted_too() {
    let app = spawn().await;
    let id = app.create("/v1/initiatives", initiative("AI Act")).await;
    let reply = app
        .send(
            TestRequest::patch()
                .uri(&format!("/v1/initiatives/{id}"))
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"acronym": "AIA"})),
        )
        .await;
    reply.expect(200);
    assert_eq!(reply.json()["acronym"], "AIA");
}

#[actix_web::test]
async fn if_match_guards_against_lost_updates() {
    let app = spawn().await;
    let id = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    let path = format!("/v1/experts/{id}");
    let first = app
        .send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"honorific": "dr."})),
        )
        .await;
    first.expect(200);
    assert!(first.header("etag").unwrap().starts_with("\"2-"));
    let stale = app
        .send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"honorific": "prof."})),
        )
        .await;
    stale.problem(412);
    assert!(
        stale.json()["detail"]
            .as_str()
            .unwrap()
            .contains("version 2")
    );
    assert_eq!(app.get(&path).await.json()["honorific"], "dr.");
    let malformed = app
        .send(
            TestRequest::delete()
                .uri(&path)
                .insert_header(("if-match", "W/\"x\"")),
        )
        .await;
    assert_eq!(
        malformed.problem(400),
        [("If-Match".to_owned(), "invalid-etag".to_owned())]
    );
    let stale_delete = app
        .send(
            TestRequest::delete()
                .uri(&path)
                .insert_header(("if-match", "\"1\"")),
        )
        .await;
    stale_delete.problem(412);
    app.send(
        TestRequest::delete()
            .uri(&path)
            .insert_header(("if-match", "\"2\"")),
    )
    .await
    .expect(204);
}

#[actix_web::test]
async fn unknown_ids_are_404_problems() {
    let app = spawn().await;
    let id = "01938b1e-7f00-7aaa-8000-000000000001";
    for kind in ["organisations", "experts", "initiatives"] {
        app.get(&format!("/v1/{kind}/{id}")).await.problem(404);
        let path = format!("/v1/{kind}/{id}");
        app.patch_if_match(&path, json!({}), "\"1\"")
            .await
            .problem(404);
        app.delete_if_match(&path, "\"1\"").await.problem(404);
    }
}

#[actix_web::test]
async fn topics_are_readable_with_both_labels_and_hierarchy() {
    let app = spawn().await;
    let topics = app.get("/v1/topics").await;
    topics.expect(200);
    let items = topics.json()["items"].as_array().unwrap().clone();
    let find = |slug: &str| {
        items
            .iter()
            .find(|t| t["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("{slug} seeded"))
    };
    for (slug, nl) in [
        ("clinical-investigation", "Klinisch onderzoek"),
        ("clinical-validation", "Klinische validatie"),
        ("data-use", "Gebruik van data"),
        ("algorithmic-bias", "Bias van algoritmes"),
        ("interoperability", "Interoperabiliteit"),
        ("trust-in-ai", "Vertrouwen in AI"),
        ("privacy", "Privacy"),
        ("ethics", "Ethiek"),
    ] {
        assert_eq!(find(slug)["label"]["nl"], nl);
        assert_eq!(find(slug)["parent"], Value::Null);
    }
    assert_eq!(find("human-oversight")["parent"], "trust-in-ai");
    assert!(
        find("trust-in-ai")["children"]
            .as_array()
            .unwrap()
            .contains(&json!("human-oversight"))
    );
    for slug in [
        "cybersecurity",
        "risk-management",
        "quality-management",
        "post-market-surveillance",
        "data-governance",
        "standardisation",
        "transparency-and-explainability",
    ] {
        find(slug);
    }
    let one = app.get("/v1/topics/human-oversight").await;
    one.expect(200);
    assert_eq!(one.json(), find("human-oversight"));
}
