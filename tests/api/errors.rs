//! Failures the framework would answer in plain text answer with
//! problem+json like everything else, with the standard headers.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{organisation, spawn, spawn_without_database};

#[actix_web::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn().await;
    let reply = app
        .send(
            TestRequest::post()
                .uri("/v1/organisations")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"name\": "),
        )
        .await;
    reply.problem(400);
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[actix_web::test]
async fn a_body_that_is_not_an_object_is_a_400_problem() {
    let app = spawn().await;
    app.post("/v1/organisations", json!(["NEN"]))
        .await
        .problem(400);
    app.post("/v1/initiatives", json!("text"))
        .await
        .problem(400);
}

#[actix_web::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn().await;
    let reply = app
        .send(
            TestRequest::post()
                .uri("/v1/organisations")
                .insert_header(("content-type", "text/plain"))
                .set_payload(organisation("NEN").to_string()),
        )
        .await;
    reply.problem(415);
    let missing = app
        .send(
            TestRequest::post()
                .uri("/v1/organisations")
                .set_payload(organisation("NEN").to_string()),
        )
        .await;
    missing.problem(415);
}

#[actix_web::test]
async fn malformed_ids_in_the_path_are_named() {
    let app = spawn().await;
    assert_eq!(
        app.get("/v1/organisations/not-a-uuid").await.problem(400),
        [("id".to_owned(), "invalid-id".to_owned())]
    );
    let expert = app
        .create("/v1/experts", crate::support::expert("Anna", "Jansen"))
        .await;
    assert_eq!(
        app.put(&format!("/v1/experts/{expert}/affiliations/xyz"), json!({}))
            .await
            .problem(400),
        [("organisationId".to_owned(), "invalid-id".to_owned())]
    );
}

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn().await;
    app.get("/v1/nothing-here").await.problem(404);
    app.get("/v2/organisations").await.problem(404);
    app.get("/v1/organisations/").await.problem(404);
    app.get("/v1/topics/no-such-topic").await.problem(404);
}

#[actix_web::test]
async fn wrong_methods_are_405_problems_with_allow() {
    let app = spawn().await;
    let reply = app.send(TestRequest::put().uri("/v1/organisations")).await;
    reply.problem(405);
    assert_eq!(reply.header("allow"), Some("GET, POST"));
    let id = "01938b1e-7f00-7aaa-8000-000000000001";
    let reply = app
        .send(TestRequest::post().uri(&format!("/v1/initiatives/{id}")))
        .await;
    reply.problem(405);
    assert_eq!(reply.header("allow"), Some("GET, DELETE, PATCH"));
}

#[actix_web::test]
async fn bodies_over_one_mebibyte_are_413_problems() {
    let app = spawn().await;
    let huge = json!({"name": "x".repeat(1024 * 1024 + 1), "type": "other"});
    app.post("/v1/organisations", huge).await.problem(413);
}

#[actix_web::test]
async fn every_response_carries_api_version_and_a_request_id() {
    let app = spawn().await;
    for reply in [
        app.get("/v1/topics").await,
        app.get("/v1/nothing").await,
        app.post("/v1/organisations", json!({})).await,
        app.get("/v1/openapi.json").await,
    ] {
        assert_eq!(reply.header("api-version"), Some(env!("CARGO_PKG_VERSION")));
        assert!(
            reply
                .header("x-request-id")
                .is_some_and(|id| !id.is_empty())
        );
    }
}

#[actix_web::test]
async fn a_plain_request_id_is_echoed_and_a_forged_one_replaced() {
    let app = spawn().await;
    let reply = app
        .send(
            TestRequest::get()
                .uri("/v1/topics")
                .insert_header(("x-request-id", "portal-42.abc")),
        )
        .await;
    assert_eq!(reply.header("x-request-id"), Some("portal-42.abc"));
    let reply = app
        .send(
            TestRequest::get()
                .uri("/v1/topics")
                .insert_header(("x-request-id", "a b\tc")),
        )
        .await;
    let id = reply.header("x-request-id").unwrap();
    assert_ne!(id, "a b\tc");
    assert!(uuid::Uuid::parse_str(id).is_ok());
}

#[actix_web::test]
async fn unknown_query_parameters_are_refused() {
    let app = spawn().await;
    assert_eq!(
        app.get("/v1/initiatives?topics=privacy").await.problem(400),
        [("topics".to_owned(), "unknown-parameter".to_owned())]
    );
    app.get("/v1/topics?lang=nl").await.problem(400);
}

#[actix_web::test]
async fn control_characters_are_refused_not_stored() {
    let app = spawn().await;
    let reply = app
        .post(
            "/v1/organisations",
            json!({"name": "NEN\u{0000}", "type": "other"}),
        )
        .await;
    assert_eq!(
        reply.problem(400),
        [("name".to_owned(), "control-character".to_owned())]
    );
    let reply = app
        .post(
            "/v1/organisations",
            json!({"name": "NEN\u{001b}[31m", "type": "other"}),
        )
        .await;
    assert_eq!(
        reply.problem(400),
        [("name".to_owned(), "control-character".to_owned())]
    );
    let listed = app.get("/v1/organisations").await;
    assert_eq!(listed.json()["items"], json!([]));
}

#[actix_web::test]
async fn an_unreachable_database_is_a_retryable_503() {
    let app = spawn_without_database().await;
    let reply = app.get("/v1/organisations").await;
    reply.problem(503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    // Refusing a caller without a key needs no database; checking a key does.
    let anonymous = TestRequest::post()
        .uri("/v1/initiatives")
        .set_json(json!({}));
    app.send_as(anonymous, None).await.problem(401);
    let keyed = TestRequest::post()
        .uri("/v1/initiatives")
        .insert_header(("authorization", format!("Bearer aimd_{}", "a".repeat(43))))
        .set_json(json!({}));
    app.send_as(keyed, None).await.problem(503);
}

/// The API's root says where to go; every link it gives answers.
#[actix_web::test]
async fn the_root_links_to_the_docs_spec_collections_and_feed() {
    let app = crate::support::spawn().await;
    for root in ["/", "/v1"] {
        let reply = app
            .send_as(actix_web::test::TestRequest::get().uri(root), None)
            .await;
        let body = reply.expect(200).json();
        assert_eq!(reply.header("api-version"), Some(env!("CARGO_PKG_VERSION")));
        let links = body["links"].as_object().expect("links");
        assert!(links.len() >= 9, "{body}");
        for (name, link) in links {
            let link = link.as_str().unwrap().replace("{kind}", "organisations");
            let followed = app
                .send_as(actix_web::test::TestRequest::get().uri(&link), None)
                .await;
            // Search needs its `q`: it answers, with a 400 that says so.
            let expected = if name == "search" { 400 } else { 200 };
            assert_eq!(followed.status.as_u16(), expected, "{name}: {link}");
        }
        let browser = app
            .send_as(
                actix_web::test::TestRequest::get()
                    .uri(root)
                    .insert_header(("accept", "text/html,application/xhtml+xml")),
                None,
            )
            .await;
        browser.expect(303);
        assert_eq!(browser.header("location"), Some("/v1/docs"));
    }
}
