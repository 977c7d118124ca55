//! Experts' personal data: contact data and consent for curators only,
//! experts without consent hidden from the public everywhere, and erasure
//! that leaves no trace.

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use crate::support::{ids, initiative, organisation, spawn, step};

#[actix_web::test]
async fn only_consenting_experts_are_public_and_never_with_contact_data() {
    let app = spawn().await;
    let editor = app.key(Role::Editor).await;
    let reader = app.key(Role::Reader).await;
    let consenting = app
        .create(
            "/v1/experts",
            json!({"givenName": "Anna", "familyName": "de Vries", "email": "anna@example.org",
                   "consent": {"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"}}),
        )
        .await;
    let private = app
        .create(
            "/v1/experts",
            json!({"givenName": "Ben", "familyName": "Bakker", "email": "ben@example.org"}),
        )
        .await;
    let initiative_id = app
        .create("/v1/initiatives", initiative("Expert group"))
        .await;
    for expert in [&consenting, &private] {
        app.put(
            &format!("/v1/initiatives/{initiative_id}/experts/{expert}"),
            json!({"role": "member"}),
        )
        .await
        .expect(201);
    }
    for path in [
        format!("/v1/experts/{consenting}"),
        format!("/v1/experts/{private}"),
        format!("/v1/initiatives/{initiative_id}"),
    ] {
        let version = app.get(&path).await.json()["version"].as_i64().unwrap();
        app.send(step(&path, version, "submit")).await.expect(200);
        app.send_as(step(&path, version + 1, "approve"), Some(&editor))
            .await
            .expect(200);
    }

    let staff = app.get(&format!("/v1/experts/{consenting}")).await.json();
    assert_eq!(staff["email"], "anna@example.org");
    assert_eq!(
        staff["consent"],
        json!({"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"})
    );
    for token in [None, Some(reader.as_str())] {
        let get = |path: String| app.send_as(TestRequest::get().uri(&path), token);
        let public = get(format!("/v1/experts/{consenting}")).await;
        public.expect(200);
        let public = public.json();
        assert!(public.get("email").is_none(), "{public}");
        assert!(public.get("consent").is_none(), "{public}");
        assert_eq!(public["familyName"], "de Vries");
        get(format!("/v1/experts/{private}")).await.problem(404);
        let listed = get("/v1/experts".to_owned()).await.json();
        assert_eq!(ids(&listed), [consenting.as_str()]);
        let group = get(format!("/v1/initiatives/{initiative_id}")).await.json();
        let members: Vec<&Value> = group["experts"].as_array().unwrap().iter().collect();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0]["id"], consenting.as_str());
        let overview = get("/v1/overview".to_owned()).await.json();
        assert_eq!(overview["experts"]["total"], 1);
    }
    // Consent is validated like any field.
    let bad = app
        .post(
            "/v1/experts",
            json!({"givenName": "C", "familyName": "D", "consent": {"publicProfile": "yes", "givenAt": "soon"}}),
        )
        .await
        .problem(400);
    assert!(
        bad.contains(&("consent/publicProfile".to_owned(), "wrong-type".to_owned())),
        "{bad:?}"
    );
    assert!(
        bad.contains(&("consent/givenAt".to_owned(), "invalid-date".to_owned())),
        "{bad:?}"
    );
}

#[actix_web::test]
async fn erasure_leaves_no_trace_of_the_person() {
    let app = spawn().await;
    let editor = app.key(Role::Editor).await;
    let create = || {
        TestRequest::post()
            .uri("/v1/experts")
            .insert_header((
                "x-change-message",
                "Added Zebedeus Quackenbush at his request",
            ))
            .insert_header(("idempotency-key", "create-zq-1"))
            .set_json(json!({
                "givenName": "Zebedeus", "familyName": "Quackenbush", "honorific": "dr.",
                "orcid": "0000-0002-1825-0097", "email": "zq@quackenbush.example",
                "bio": {"en": "Quackenbush studies bias."}, "topics": ["algorithmic-bias"],
                "consent": {"publicProfile": true, "note": "Quackenbush agreed"}
            }))
    };
    let created = app.send(create()).await;
    created.expect(201);
    // A retry is replayed from what the creation remembered.
    let replayed = app.send(create()).await;
    replayed.expect(201);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/experts/{id}");
    app.patch(
        &path,
        json!({"bio": {"nl": "Quackenbush onderzoekt bias."}}),
    )
    .await
    .expect(200);
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;
    let initiative_id = app.create("/v1/initiatives", initiative("Group")).await;
    app.put(
        &format!("{path}/affiliations/{organisation_id}"),
        json!({"role": "Advisor to Quackenbush lab"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/initiatives/{initiative_id}/experts/{id}"),
        json!({"role": "chair"}),
    )
    .await
    .expect(201);
    let before = app.every_row().await.to_lowercase();
    assert!(
        before.contains("quackenbush"),
        "the fixture is in the database"
    );

    let etag = app.get(&path).await.header("etag").unwrap().to_owned();
    let erase = |etag: Option<&str>| {
        let request = TestRequest::delete().uri(&format!("{path}?erase=true"));
        match etag {
            Some(etag) => request.insert_header(("if-match", etag.to_owned())),
            None => request,
        }
    };
    app.send_as(erase(Some(&etag)), Some(&editor))
        .await
        .problem(403);
    // The role is refused first, whatever else the request lacks.
    app.send_as(erase(None), Some(&editor)).await.problem(403);
    app.send(erase(None)).await.problem(428);
    app.send(erase(Some(&etag))).await.expect(204);

    app.get(&path).await.problem(410);
    let after = app.every_row().await.to_lowercase();
    for trace in ["quackenbush", "zebedeus", "zq@", "0000-0002-1825-0097"] {
        let found: Vec<&str> = after.lines().filter(|l| l.contains(trace)).collect();
        assert!(
            found.is_empty(),
            "'{trace}' is still in the database: {found:?}"
        );
    }
    let group = app
        .get(&format!("/v1/initiatives/{initiative_id}"))
        .await
        .json();
    assert_eq!(group["experts"], json!([]));
    let history = app.get(&format!("{path}/history")).await.json();
    let entries = history["items"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "erased");
    assert!(
        entries
            .iter()
            .skip(1)
            .all(|e| e["changes"] == json!({"redacted": true}))
    );
    app.send(erase(Some("*"))).await.problem(410);
    // The creation's retry cannot bring the person back, nor create them anew.
    let retried = app.send(create()).await;
    retried.problem(410);
    assert_eq!(app.get("/v1/experts").await.json()["total"], 0);
}
