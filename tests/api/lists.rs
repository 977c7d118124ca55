//! Keyset pagination and the simple filters of the three lists.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{expert, ids, initiative, organisation, spawn};

#[actix_web::test]
async fn walking_pages_while_inserting_sees_every_original_record_once() {
    let app = spawn().await;
    let mut originals = HashSet::new();
    for n in 0..23 {
        originals.insert(
            app.create("/v1/organisations", organisation(&format!("Org {n}")))
                .await,
        );
    }
    let mut seen = Vec::new();
    let mut next = Some("/v1/organisations?limit=5&country=NL".to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let reply = app.get(&url).await;
        reply.expect(200);
        let body = reply.json();
        seen.extend(ids(&body));
        pages += 1;
        // Someone adds records while the portal walks the list.
        app.create("/v1/organisations", organisation(&format!("Late {pages}")))
            .await;
        match body["next"].as_str() {
            Some(cursor) => {
                let link = reply
                    .header("link")
                    .expect("Link header on a page with a next");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(
                    link.contains("limit=5") && link.contains("country=NL"),
                    "{link}"
                );
                assert!(link.contains(&format!("cursor={cursor}")), "{link}");
                next = Some(link[1..link.find('>').unwrap()].to_owned());
            }
            None => assert!(reply.header("link").is_none()),
        }
        assert!(pages < 30, "the walk ends");
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no record twice");
    assert!(
        originals.is_subset(&unique),
        "every record that existed is seen"
    );
}

#[actix_web::test]
async fn page_size_is_bounded_and_cursors_are_checked() {
    let app = spawn().await;
    for n in 0..3 {
        app.create("/v1/experts", expert("E", &n.to_string())).await;
    }
    let default_page = app.get("/v1/experts").await.json();
    assert_eq!(ids(&default_page).len(), 3);
    assert_eq!(default_page["next"], Value::Null);
    let first = app.get("/v1/experts?limit=2").await.json();
    assert_eq!(ids(&first).len(), 2);
    let second = app
        .get(&format!(
            "/v1/experts?limit=2&cursor={}",
            first["next"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(ids(&second).len(), 1);
    assert_eq!(second["next"], Value::Null);
    for bad in ["limit=0", "limit=201", "limit=ten", "limit=1&limit=2"] {
        let params = app.get(&format!("/v1/experts?{bad}")).await.problem(400);
        assert_eq!(params[0].0, "limit", "{bad}");
    }
    for bad in ["cursor=abc", "cursor=eyJ4IjoxfQ"] {
        assert_eq!(
            app.get(&format!("/v1/experts?{bad}")).await.problem(400),
            [("cursor".to_owned(), "invalid-cursor".to_owned())]
        );
    }
    assert_eq!(ids(&app.get("/v1/experts?limit=200").await.json()).len(), 3);
}

#[actix_web::test]
async fn initiative_filters() {
    let app = spawn().await;
    let make = |title: &str, extra: Value| {
        let mut body = initiative(title);
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let ai_act = app
        .create("/v1/initiatives", make("AI Act", json!({"type": "legislation", "regulations": ["ai-act"], "topics": ["trust-in-ai"]})))
        .await;
    let dutch = app
        .create(
            "/v1/initiatives",
            make("Dutch group", json!({"scope": "national", "countries": ["NL"], "type": "expert-network", "regulations": ["mdr", "ai-act"], "topics": ["algorithmic-bias", "privacy"]})),
        )
        .await;
    let imdrf = app
        .create(
            "/v1/initiatives",
            make("IMDRF", json!({"scope": "international", "countries": ["CA", "NL"], "status": "completed", "topics": ["clinical-validation"]})),
        )
        .await;
    let cases: Vec<(&str, Vec<&String>)> = vec![
        ("scope=european", vec![&ai_act]),
        ("scope=national&scope=international", vec![&dutch, &imdrf]),
        ("topic=privacy", vec![&dutch]),
        ("topic=privacy&topic=trust-in-ai", vec![&ai_act, &dutch]),
        ("country=NL", vec![&dutch, &imdrf]),
        ("country=ca", vec![&imdrf]),
        ("type=legislation", vec![&ai_act]),
        ("status=completed", vec![&imdrf]),
        ("status=active", vec![&ai_act, &dutch]),
        ("regulation=ai-act", vec![&ai_act, &dutch]),
        ("regulation=mdr", vec![&dutch]),
        ("regulation=ai-act&scope=national", vec![&dutch]),
        (
            "country=NL&status=completed&topic=clinical-validation",
            vec![&imdrf],
        ),
        ("regulation=gdpr", vec![]),
    ];
    for (query, expected) in cases {
        let found = ids(&app
            .get(&format!("/v1/initiatives?{query}"))
            .await
            .expect(200)
            .json());
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(found, expected, "{query}");
    }
    for (query, name, code) in [
        ("scope=galactic", "scope", "unknown-value"),
        ("topic=nope", "topic", "unknown-topic"),
        ("country=XX", "country", "unknown-country"),
        ("type=law", "type", "unknown-value"),
        ("status=", "status", "unknown-value"),
        ("regulation=hipaa", "regulation", "unknown-value"),
    ] {
        assert_eq!(
            app.get(&format!("/v1/initiatives?{query}"))
                .await
                .problem(400),
            [(name.to_owned(), code.to_owned())],
            "{query}"
        );
    }
}

#[actix_web::test]
async fn organisation_and_expert_filters() {
    let app = spawn().await;
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    let mut body = organisation("BSI");
    body["country"] = json!("GB");
    body["type"] = json!("notified-body");
    body["topics"] = json!(["privacy"]);
    let bsi = app.create("/v1/organisations", body).await;
    for (query, expected) in [
        ("type=standards-body", vec![&nen]),
        ("type=standards-body&type=notified-body", vec![&nen, &bsi]),
        ("country=GB", vec![&bsi]),
        ("topic=privacy", vec![&bsi]),
        ("topic=standardisation&country=GB", vec![]),
    ] {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(
            ids(&app.get(&format!("/v1/organisations?{query}")).await.json()),
            expected,
            "{query}"
        );
    }

    let anna = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    let mut body = expert("Ben", "Smith");
    body["country"] = json!("GB");
    body["topics"] = json!(["privacy"]);
    let ben = app.create("/v1/experts", body).await;
    app.put(&format!("/v1/experts/{ben}/affiliations/{bsi}"), json!({}))
        .await
        .expect(201);
    for (query, expected) in [
        ("country=NL", vec![&anna]),
        ("topic=privacy", vec![&ben]),
        (&format!("organisation={bsi}") as &str, vec![&ben]),
        (&format!("organisation={nen}"), vec![]),
        (
            &format!("organisation={nen}&organisation={bsi}"),
            vec![&ben],
        ),
    ] {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(
            ids(&app.get(&format!("/v1/experts?{query}")).await.json()),
            expected,
            "{query}"
        );
    }
    assert_eq!(
        app.get("/v1/experts?organisation=nope").await.problem(400),
        [("organisation".to_owned(), "invalid-id".to_owned())]
    );
    assert_eq!(
        app.get("/v1/experts?organisation=01938b1e-7f00-7aaa-8000-000000000009")
            .await
            .problem(400),
        [("organisation".to_owned(), "unknown-record".to_owned())]
    );
    assert_eq!(
        app.get("/v1/organisations?type=club").await.problem(400),
        [("type".to_owned(), "unknown-value".to_owned())]
    );
}
