//! Discovery: search, filters, sorts, facets, the overview, the duplicate
//! finder and conditional GET, on a small fixture whose answers are known.

use std::collections::BTreeMap;

use actix_web::test::TestRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{ids, spawn};

/// Ids of the fixture's records, by short name.
struct Fixture {
    ids: BTreeMap<&'static str, String>,
}

impl Fixture {
    fn id(&self, name: &str) -> String {
        self.ids[name].clone()
    }

    fn names(&self, ids: &[String]) -> Vec<&'static str> {
        ids.iter()
            .map(|id| {
                *self
                    .ids
                    .iter()
                    .find(|(_, v)| *v == id)
                    .map(|(k, _)| k)
                    .unwrap_or_else(|| panic!("{id} is not in the fixture"))
            })
            .collect()
    }
}

macro_rules! fixture {
    ($app:expr) => {{
        let app = &$app;
        let mut ids = BTreeMap::new();
        let organisations = [
            ("nen", json!({"name": "Koninklijk Nederlands Normalisatie-instituut", "acronym": "NEN", "type": "standards-body", "country": "NL", "website": "https://www.nen.nl/", "description": {"nl": "Normalisatie voor medische hulpmiddelen."}})),
            ("philips", json!({"name": "Philips", "type": "manufacturer", "country": "NL", "website": "https://www.philips.com/"})),
            ("bsi", json!({"name": "British Standards Institution", "acronym": "BSI", "type": "notified-body", "country": "GB"})),
        ];
        for (name, body) in organisations {
            ids.insert(name, app.create("/v1/organisations", body).await);
        }
        let experts = [
            ("anna", json!({"givenName": "Anna", "familyName": "de Vries", "orcid": "0000-0002-1825-0097", "email": "Anna.deVries@example.org", "country": "NL", "languages": ["nl", "en"], "topics": ["clinical-validation"], "bio": {"en": "Fictional. Clinical physicist validating AI in radiology."}})),
            ("jan", json!({"givenName": "Jan", "familyName": "Jansen", "country": "NL", "languages": ["nl"], "topics": ["algorithmic-bias"]})),
            ("ben", json!({"givenName": "Ben", "familyName": "Smith", "country": "GB", "languages": ["en"], "topics": ["clinical-validation"]})),
        ];
        for (name, body) in experts {
            ids.insert(name, app.create("/v1/experts", body).await);
        }
        let initiatives = [
            ("bias-benchmark", json!({"title": {"en": "European bias benchmark", "nl": "Europese biasbenchmark"}, "summary": {"en": "A benchmark for algorithmic bias in medical imaging."}, "scope": "european", "type": "research-project", "status": "active", "startDate": "2024-01-01", "endDate": "2027-12-31", "regulations": ["ai-act"], "topics": ["algorithmic-bias"]})),
            ("federated", json!({"title": {"en": "Federated learning for medical imaging", "nl": "Gefedereerd leren voor medische beeldvorming"}, "summary": {"en": "Privacy-preserving federated learning across Dutch hospitals.", "nl": "Patiëntgegevens blijven in het ziekenhuis."}, "scope": "national", "countries": ["NL"], "type": "research-project", "status": "active", "startDate": "2023-06-01", "regulations": ["gdpr"], "topics": ["anonymisation"]})),
            ("imdrf", json!({"title": {"en": "IMDRF AI working group"}, "acronym": "IMDRF AIMD", "summary": {"en": "Good machine learning practice and clinical validation of AI."}, "scope": "international", "countries": ["CA", "NL"], "type": "expert-network", "status": "active", "startDate": "2022-01-01", "regulations": ["mdr"], "topics": ["clinical-validation", "algorithmic-bias"]})),
            ("old-bias", json!({"title": {"en": "Old bias project"}, "scope": "european", "type": "research-project", "status": "completed", "startDate": "2019-01-01", "endDate": "2021-12-31", "regulations": ["ai-act"], "topics": ["algorithmic-bias"]})),
            ("interop", json!({"title": {"en": "Interoperability standards for AI devices"}, "summary": {"en": "Data exchange for radiology systems."}, "scope": "international", "type": "standard", "status": "planned", "startDate": "2027-01-01", "topics": ["semantic-interoperability"]})),
            ("undated", json!({"title": {"nl": "Ongedateerd initiatief"}, "scope": "european", "type": "other", "status": "active", "topics": ["ethics"]})),
        ];
        for (name, body) in initiatives {
            ids.insert(name, app.create("/v1/initiatives", body).await);
        }
        let links = [
            ("imdrf", "experts", "anna", json!({"role": "chair"})),
            ("imdrf", "experts", "ben", json!({"role": "member"})),
            ("bias-benchmark", "experts", "jan", json!({"role": "member"})),
            ("imdrf", "organisations", "nen", json!({"role": "member"})),
            ("bias-benchmark", "organisations", "nen", json!({"role": "lead"})),
            ("federated", "organisations", "philips", json!({"role": "lead"})),
        ];
        for (initiative, kind, other, body) in links {
            app.put(&format!("/v1/initiatives/{}/{kind}/{}", ids[initiative], ids[other]), body)
                .await
                .expect(201);
        }
        Fixture { ids }
    }};
}

#[actix_web::test]
async fn search_in_both_languages_with_accents_prefixes_phrases_exclusions_and_typos() {
    let app = spawn().await;
    let f = fixture!(app);
    let cases: &[(&str, &[&str])] = &[
        ("gefedereerd", &["federated"]),
        ("federated", &["federated"]),
        ("patiënt", &["federated"]),
        ("patient", &["federated"]),
        ("ZIEKENHUIS", &["federated"]),
        ("interop", &["interop"]),
        ("\"federated learning\"", &["federated"]),
        ("\"learning federated\"", &[]),
        ("interoperability -radiology", &[]),
        ("benchmark or imdrf", &["bias-benchmark", "imdrf"]),
        ("Philps", &["philips"]),
        ("Nederlnds Normalisatie", &["nen"]),
        ("NEN", &["nen"]),
        ("jansen", &["jan"]),
        ("radiology", &["interop", "anna"]),
    ];
    for (q, expected) in cases {
        let reply = app.get(&format!("/v1/search?q={}", urlencode(q))).await;
        reply.expect(200);
        let body = reply.json();
        let mut found = f.names(&ids(&body));
        found.sort_unstable();
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        assert_eq!(found, expected, "q={q}");
        assert_eq!(body["total"], expected.len(), "q={q}");
        let scores: Vec<f64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "q={q}: best first");
    }
    let hit = app.get("/v1/search?q=federated").await.json()["items"][0].clone();
    assert_eq!(hit["type"], "initiative");
    assert_eq!(hit["title"], "Federated learning for medical imaging");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>federated</mark>"),
        "{hit}"
    );
    let dutch = app.get("/v1/search?q=ziekenhuis").await.json()["items"][0].clone();
    assert!(
        dutch["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>ziekenhuis</mark>"),
        "{dutch}"
    );
    let only = app.get("/v1/search?q=radiology&type=expert").await.json();
    assert_eq!(f.names(&ids(&only)), ["anna"]);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn lists_take_q_and_rank_by_relevance() {
    let app = spawn().await;
    let f = fixture!(app);
    let page = app.get("/v1/initiatives?q=bias").await.json();
    let mut found = f.names(&ids(&page));
    found.sort_unstable();
    assert_eq!(found, ["bias-benchmark", "old-bias"]);
    let organisations = app.get("/v1/organisations?q=standards").await.json();
    assert_eq!(f.names(&ids(&organisations)), ["bsi"]);
    let experts = app.get("/v1/experts?q=vries").await.json();
    assert_eq!(f.names(&ids(&experts)), ["anna"]);
}

#[actix_web::test]
async fn every_filter_alone_and_combined() {
    let app = spawn().await;
    let f = fixture!(app);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (format!("/v1/initiatives?organisation={}", f.id("nen")), vec!["bias-benchmark", "imdrf"]),
        (format!("/v1/initiatives?expert={}", f.id("anna")), vec!["imdrf"]),
        ("/v1/initiatives?activeOn=2020-06-01".into(), vec!["old-bias", "undated"]),
        ("/v1/initiatives?activeOn=2026-11-28".into(), vec!["bias-benchmark", "federated", "imdrf", "undated"]),
        ("/v1/initiatives?updatedSince=2999-01-01".into(), vec![]),
        ("/v1/initiatives?updatedSince=2000-01-01T00:00:00Z&scope=national".into(), vec!["federated"]),
        ("/v1/initiatives?topic=privacy".into(), vec!["federated"]),
        ("/v1/initiatives?topic=interoperability".into(), vec!["interop"]),
        ("/v1/initiatives?topic=algorithmic-bias&topic=clinical-validation".into(), vec!["bias-benchmark", "imdrf", "old-bias"]),
        ("/v1/initiatives?topic=algorithmic-bias&topic=clinical-validation&topicMatch=all".into(), vec!["imdrf"]),
        ("/v1/initiatives?scope=european&topic=algorithmic-bias&activeOn=2026-11-28".into(), vec!["bias-benchmark"]),
        ("/v1/initiatives?status=active&regulation=ai-act&regulation=mdr".into(), vec!["bias-benchmark", "imdrf"]),
        ("/v1/initiatives?country=CA".into(), vec!["imdrf"]),
        (format!("/v1/experts?initiative={}", f.id("imdrf")), vec!["anna", "ben"]),
        ("/v1/experts?initiativeScope=international".into(), vec!["anna", "ben"]),
        ("/v1/experts?initiativeScope=european".into(), vec!["jan"]),
        ("/v1/experts?language=nl".into(), vec!["anna", "jan"]),
        ("/v1/experts?country=NL&initiativeScope=international&initiativeTopic=clinical-validation".into(), vec!["anna"]),
        ("/v1/experts?initiativeScope=european&initiativeTopic=clinical-validation".into(), vec![]),
        ("/v1/experts?topic=clinical-validation&language=en".into(), vec!["anna", "ben"]),
        (format!("/v1/organisations?initiative={}", f.id("bias-benchmark")), vec!["nen"]),
        (format!("/v1/organisations?initiative={}&type=manufacturer", f.id("federated")), vec!["philips"]),
    ];
    for (url, expected) in cases {
        let reply = app.get(&url).await;
        reply.expect(200);
        let body = reply.json();
        let mut found = f.names(&ids(&body));
        found.sort_unstable();
        assert_eq!(found, expected, "{url}");
        assert_eq!(body["total"], expected.len(), "{url}");
    }
}

#[actix_web::test]
async fn facets_count_under_the_other_filters() {
    let app = spawn().await;
    let _f = fixture!(app);
    let reply = app
        .get("/v1/initiatives?scope=european&facets=scope,topic,regulation,status,country,type")
        .await;
    let body = reply.expect(200).json();
    assert_eq!(body["total"], 3);
    let facet = |name: &str| -> Vec<(String, i64)> {
        body["facets"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["value"].as_str().unwrap().to_owned(),
                    v["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let pairs = |list: &[(&str, i64)]| -> Vec<(String, i64)> {
        list.iter().map(|(v, c)| ((*v).to_owned(), *c)).collect()
    };
    // The scope facet ignores the scope filter itself.
    assert_eq!(
        facet("scope"),
        pairs(&[("european", 3), ("international", 2), ("national", 1)])
    );
    // The others count the three European initiatives; topics roll up to their parents.
    assert_eq!(
        facet("topic"),
        pairs(&[("algorithmic-bias", 2), ("ethics", 1)])
    );
    assert_eq!(facet("regulation"), pairs(&[("ai-act", 2)]));
    assert_eq!(facet("status"), pairs(&[("active", 2), ("completed", 1)]));
    assert_eq!(facet("country"), pairs(&[]));
    assert_eq!(
        facet("type"),
        pairs(&[("research-project", 2), ("other", 1)])
    );
    assert_eq!(
        body["facets"]["topic"][0]["label"],
        json!({"en": "Algorithmic bias", "nl": "Bias van algoritmes"})
    );
    let rollup = app.get("/v1/initiatives?facets=topic").await.json();
    let privacy = rollup["facets"]["topic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "privacy")
        .cloned();
    assert_eq!(
        privacy.map(|p| p["count"].clone()),
        Some(json!(1)),
        "anonymisation counts for privacy"
    );
    let experts = app
        .get("/v1/experts?facets=country,language&country=NL")
        .await
        .json();
    assert_eq!(
        experts["facets"]["country"],
        json!([{"value": "NL", "count": 2}, {"value": "GB", "count": 1}])
    );
    assert_eq!(
        experts["facets"]["language"],
        json!([{"value": "nl", "count": 2}, {"value": "en", "count": 1}])
    );
    // The key repeated asks for the same as commas.
    let repeated = app
        .get("/v1/experts?facets=country&facets=language&country=NL")
        .await
        .json();
    assert_eq!(repeated["facets"], experts["facets"]);
    assert!(
        app.get("/v1/organisations")
            .await
            .json()
            .get("facets")
            .is_none()
    );
}

#[actix_web::test]
async fn the_overview_matrix_matches_the_fixture() {
    let app = spawn().await;
    let _f = fixture!(app);
    let overview = app.get("/v1/overview").await.expect(200).json();
    let initiatives = &overview["initiatives"];
    assert_eq!(initiatives["total"], 6);
    assert_eq!(
        initiatives["byScope"],
        json!({"national": 1, "european": 3, "international": 2})
    );
    assert_eq!(
        initiatives["byCountry"],
        json!([{"country": "NL", "count": 2}, {"country": "CA", "count": 1}])
    );
    let row = |slug: &str| {
        initiatives["byTopicAndScope"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["topic"]["slug"] == slug)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        row("algorithmic-bias")["scopes"],
        json!({"national": 0, "european": 2, "international": 1})
    );
    assert_eq!(row("algorithmic-bias")["total"], 3);
    assert_eq!(
        row("algorithmic-bias")["topic"]["label"]["nl"],
        "Bias van algoritmes"
    );
    assert_eq!(
        row("privacy")["scopes"],
        json!({"national": 1, "european": 0, "international": 0})
    );
    assert_eq!(row("interoperability")["total"], 1);
    assert_eq!(
        row("semantic-interoperability")["parent"],
        "interoperability"
    );
    assert_eq!(row("cybersecurity")["total"], 0);
    let expert_topics = overview["experts"]["byTopic"].as_array().unwrap();
    let clinical = expert_topics
        .iter()
        .find(|t| t["topic"]["slug"] == "clinical-validation")
        .unwrap();
    assert_eq!(
        (
            overview["experts"]["total"].clone(),
            clinical["count"].clone()
        ),
        (json!(3), json!(2))
    );
    assert_eq!(
        overview["organisations"],
        json!({"total": 3, "byType": [{"type": "manufacturer", "count": 1}, {"type": "notified-body", "count": 1}, {"type": "standards-body", "count": 1}]})
    );
    let filtered = app.get("/v1/overview?regulation=ai-act").await.json();
    assert_eq!(filtered["initiatives"]["total"], 2);
    assert_eq!(
        filtered["initiatives"]["byScope"],
        json!({"national": 0, "european": 2, "international": 0})
    );
    assert_eq!(
        filtered["experts"]["total"], 3,
        "expert figures are not filtered"
    );
    assert_eq!(
        app.get("/v1/overview?scope=galactic").await.problem(400),
        [("scope".to_owned(), "unknown-value".to_owned())]
    );
}

/// Walks a list page by page and returns the ids in the order seen.
async fn walk<S, B>(app: &crate::support::TestApp<S>, url: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut seen = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(url) = next.take() {
        let reply = app.get(&url).await;
        let body = reply.expect(200).json();
        seen.extend(ids(&body));
        next = reply
            .header("link")
            .map(|link| link[1..link.find('>').unwrap()].to_owned());
        assert!(seen.len() < 100);
    }
    seen
}

#[actix_web::test]
async fn pagination_is_correct_under_every_sort() {
    let app = spawn().await;
    let f = fixture!(app);
    let expected: &[(&str, &[&str])] = &[
        (
            "startDate",
            &[
                "old-bias",
                "imdrf",
                "federated",
                "bias-benchmark",
                "interop",
                "undated",
            ],
        ),
        (
            "-startDate",
            &[
                "interop",
                "bias-benchmark",
                "federated",
                "imdrf",
                "old-bias",
                "undated",
            ],
        ),
        (
            "title",
            &[
                "bias-benchmark",
                "federated",
                "imdrf",
                "interop",
                "old-bias",
                "undated",
            ],
        ),
        (
            "createdAt",
            &[
                "bias-benchmark",
                "federated",
                "imdrf",
                "old-bias",
                "interop",
                "undated",
            ],
        ),
    ];
    for (sort, order) in expected {
        for limit in [1, 2, 4] {
            let seen = walk(&app, &format!("/v1/initiatives?sort={sort}&limit={limit}")).await;
            assert_eq!(f.names(&seen), order.to_vec(), "sort={sort} limit={limit}");
        }
    }
    // -updatedAt: the most recently changed first.
    app.patch(
        &format!("/v1/initiatives/{}", f.id("old-bias")),
        json!({"acronym": "OBP"}),
    )
    .await
    .expect(200);
    let seen = walk(&app, "/v1/initiatives?sort=-updatedAt&limit=2").await;
    assert_eq!(f.names(&seen)[0], "old-bias");
    assert_eq!(seen.len(), 6);
    // Relevance pages follow the one-page order.
    let whole = ids(&app
        .get("/v1/search?q=bias%20or%20imaging&limit=200")
        .await
        .json());
    let mut paged = Vec::new();
    let mut next = Some("/v1/search?q=bias%20or%20imaging&limit=1".to_owned());
    while let Some(url) = next.take() {
        let reply = app.get(&url).await;
        paged.extend(ids(&reply.json()));
        next = reply
            .header("link")
            .map(|link| link[1..link.find('>').unwrap()].to_owned());
    }
    assert_eq!(paged, whole);
    assert!(whole.len() >= 3);
    let experts = walk(&app, "/v1/experts?sort=name&limit=1").await;
    assert_eq!(
        f.names(&experts),
        ["jan", "ben", "anna"],
        "family name first: Jansen, Smith, Vries (de)"
    );
    let organisations = walk(
        &app,
        "/v1/organisations?q=normalisatie%20or%20philips%20or%20standards&limit=1",
    )
    .await;
    assert_eq!(organisations.len(), 3);
}

#[actix_web::test]
async fn the_duplicate_finder_ranks_candidates_with_reasons() {
    let app = spawn().await;
    let f = fixture!(app);
    let first = |body: Value| {
        (
            body["items"][0]["id"].as_str().unwrap_or("").to_owned(),
            body["items"][0].clone(),
        )
    };
    let (id, hit) = first(
        app.get("/v1/organisations/matches?name=Philps%20Healthcare&country=NL")
            .await
            .expect(200)
            .json(),
    );
    assert_eq!(id, f.id("philips"));
    assert_eq!(hit["reasons"], json!(["similar-name", "same-country"]));
    let (id, hit) = first(
        app.get("/v1/organisations/matches?website=http://nen.nl/over-nen")
            .await
            .json(),
    );
    assert_eq!(
        (id, hit["score"].clone(), hit["reasons"].clone()),
        (f.id("nen"), json!(0.9), json!(["same-website-domain"]))
    );
    let (id, hit) = first(app.get("/v1/organisations/matches?name=NEN").await.json());
    assert_eq!(id, f.id("nen"));
    assert!(
        hit["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("acronym"))
    );
    let nothing = app.get("/v1/organisations/matches?name=Zeiss").await.json();
    assert_eq!(nothing["items"], json!([]));

    let (id, hit) = first(
        app.get("/v1/experts/matches?orcid=https://orcid.org/0000-0002-1825-0097")
            .await
            .json(),
    );
    assert_eq!((id, hit["score"].clone()), (f.id("anna"), json!(1.0)));
    let (id, hit) = first(
        app.get("/v1/experts/matches?email=anna.devries@EXAMPLE.org")
            .await
            .json(),
    );
    assert_eq!(
        (id, hit["reasons"].clone()),
        (f.id("anna"), json!(["same-email"]))
    );
    let ranked = app
        .get("/v1/experts/matches?name=Ana%20de%20Vries")
        .await
        .json();
    assert_eq!(ranked["items"][0]["id"], f.id("anna"));
    assert!(ranked["items"][0]["score"].as_f64().unwrap() > 0.5);
    assert!(
        ranked["items"][0].get("email").is_none(),
        "contact data is not shown"
    );

    assert_eq!(
        app.get("/v1/organisations/matches").await.problem(400),
        [("name".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        app.get("/v1/experts/matches?orcid=1234").await.problem(400),
        [("orcid".to_owned(), "invalid-orcid".to_owned())]
    );
}

#[actix_web::test]
async fn conditional_get_answers_304_until_the_body_changes() {
    let app = spawn().await;
    let f = fixture!(app);
    for url in [
        format!("/v1/initiatives/{}", f.id("imdrf")),
        "/v1/initiatives?scope=international".to_owned(),
        "/v1/overview".to_owned(),
        "/v1/topics".to_owned(),
    ] {
        let first = app.get(&url).await;
        first.expect(200);
        let etag = first.header("etag").expect("ETag").to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong ETag: {etag}"
        );
        assert_eq!(first.header("cache-control"), Some("no-cache"));
        let again = app
            .send(
                TestRequest::get()
                    .uri(&url)
                    .insert_header(("if-none-match", etag.as_str())),
            )
            .await;
        again.expect(304);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let stale = app
            .send(
                TestRequest::get()
                    .uri(&url)
                    .insert_header(("if-none-match", "\"0-0000000000000000\", W/\"x\"")),
            )
            .await;
        stale.expect(200);
    }
    // A linked record's new name changes the initiative's body, so its ETag too.
    let url = format!("/v1/initiatives/{}", f.id("imdrf"));
    let before = app.get(&url).await.header("etag").unwrap().to_owned();
    app.patch(
        &format!("/v1/organisations/{}", f.id("nen")),
        json!({"acronym": "NEN-NL"}),
    )
    .await
    .expect(200);
    let after = app
        .send(
            TestRequest::get()
                .uri(&url)
                .insert_header(("if-none-match", before.as_str())),
        )
        .await;
    after.expect(200);
    assert_ne!(after.header("etag"), Some(before.as_str()));
}

#[actix_web::test]
async fn bad_discovery_parameters_are_named() {
    let app = spawn().await;
    let f = fixture!(app);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "/v1/initiatives?sort=popularity".into(),
            "sort",
            "unknown-value",
        ),
        (
            "/v1/initiatives?sort=relevance".into(),
            "sort",
            "needs-query",
        ),
        (
            "/v1/initiatives?facets=scope,colour".into(),
            "facets",
            "unknown-value",
        ),
        (
            "/v1/organisations?facets=scope".into(),
            "facets",
            "unknown-value",
        ),
        ("/v1/initiatives?q=%20%20".into(), "q", "blank"),
        (
            format!("/v1/initiatives?q={}", "x".repeat(201)),
            "q",
            "too-long",
        ),
        (
            "/v1/initiatives?activeOn=2020-13-01".into(),
            "activeOn",
            "invalid-date",
        ),
        (
            "/v1/initiatives?updatedSince=yesterday".into(),
            "updatedSince",
            "invalid-date",
        ),
        (
            "/v1/initiatives?topicMatch=some".into(),
            "topicMatch",
            "unknown-value",
        ),
        (
            "/v1/experts?initiativeTopic=nope".into(),
            "initiativeTopic",
            "unknown-topic",
        ),
        (
            "/v1/experts?language=xx".into(),
            "language",
            "unknown-language",
        ),
        (
            "/v1/initiatives?expert=01938b1e-7f00-7aaa-8000-000000000009".into(),
            "expert",
            "unknown-record",
        ),
        (
            format!("/v1/initiatives?organisation={}", f.id("anna")),
            "organisation",
            "unknown-record",
        ),
        ("/v1/search".into(), "q", "required"),
        (
            "/v1/search?q=bias&type=person".into(),
            "type",
            "unknown-value",
        ),
    ];
    for (url, name, code) in cases {
        let params = app.get(&url).await.problem(400);
        assert!(
            params.contains(&(name.to_owned(), code.to_owned())),
            "{url}: {params:?}"
        );
    }
    let page = app.get("/v1/initiatives?sort=title&limit=1").await.json();
    let cursor = page["next"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/initiatives?sort=startDate&cursor={cursor}"))
            .await
            .problem(400),
        [("cursor".to_owned(), "invalid-cursor".to_owned())]
    );
    // An edited cursor whose key is not of its sort's type is a 400 naming
    // `cursor`, not a failed cast (it was a 500).
    let edited = |sort: &str, key: Value| {
        let cursor = json!({"s": sort, "k": key, "i": "01938b1e-7f00-7aaa-8000-000000000001"});
        URL_SAFE_NO_PAD.encode(cursor.to_string())
    };
    for (sort, key) in [
        ("startDate", json!("not a date")),
        ("startDate", json!("2024-02-30")),
        ("-startDate", json!("2024-01-01\nforged")),
        ("-updatedAt", json!("yesterday")),
        ("-updatedAt", json!("2024-01-01")),
        ("relevance", json!("high")),
        ("title", json!("a\u{0}b")),
    ] {
        let query = if sort == "relevance" { "q=bias&" } else { "" };
        let url = format!(
            "/v1/initiatives?{query}sort={sort}&cursor={}",
            edited(sort, key.clone())
        );
        assert_eq!(
            app.get(&url).await.problem(400),
            [("cursor".to_owned(), "invalid-cursor".to_owned())],
            "{sort} {key}"
        );
    }
    // What the API hands out still walks.
    for sort in ["startDate", "-updatedAt", "title"] {
        let first = app
            .get(&format!("/v1/initiatives?sort={sort}&limit=1"))
            .await
            .json();
        let next = first["next"]
            .as_str()
            .expect("the fixture has several initiatives");
        app.get(&format!(
            "/v1/initiatives?sort={sort}&limit=1&cursor={next}"
        ))
        .await
        .expect(200);
    }
}

#[actix_web::test]
async fn typos_are_corrected_from_the_words_records_use_now() {
    let app = spawn().await;
    let id = app
        .create(
            "/v1/organisations",
            json!({"name": "Zorginstituut Nederland", "type": "government", "country": "NL"}),
        )
        .await;
    let found = |body: Value| ids(&body);
    assert_eq!(
        found(app.get("/v1/organisations?q=Zorginstitut").await.json()),
        [id.as_str()]
    );
    assert_eq!(
        found(app.get("/v1/organisations?q=Zorgintituut").await.json()),
        [id.as_str()]
    );
    // A renamed record's new words are in the dictionary at once.
    app.patch(
        &format!("/v1/organisations/{id}"),
        json!({"name": "Nederlandse Zorgautoriteit"}),
    )
    .await
    .expect(200);
    assert_eq!(
        found(app.get("/v1/organisations?q=Zorgautoriteet").await.json()),
        [id.as_str()]
    );
    // A quoted phrase is taken as typed.
    assert!(
        found(
            app.get("/v1/organisations?q=%22Nederlandse%20Zorgautoriteet%22")
                .await
                .json()
        )
        .is_empty()
    );
}

/// Search hits' titles and snippets come in the language asked for (`lang`,
/// else `Accept-Language`), with the other language where a record has no
/// text in it; the answer says which in `Content-Language`.
#[actix_web::test]
async fn search_hits_speak_the_language_asked_for() {
    let app = spawn().await;
    app.create(
        "/v1/initiatives",
        json!({"title": {"en": "Aardvark registry", "nl": "Aardvarkregister"},
               "summary": {"en": "The aardvark project, told in English.", "nl": "Het aardvark-project, verteld in het Nederlands."},
               "scope": "european", "type": "standard", "status": "active", "topics": ["ethics"]}),
    )
    .await;
    app.create(
        "/v1/initiatives",
        json!({"title": {"en": "Aardvark working group"}, "summary": {"en": "Only English about the aardvark."},
               "scope": "european", "type": "standard", "status": "active", "topics": ["ethics"]}),
    )
    .await;
    let search = |uri: &str, accept: Option<&str>| {
        let mut request = TestRequest::get().uri(uri);
        if let Some(accept) = accept {
            request = request.insert_header(("Accept-Language", accept));
        }
        app.send(request)
    };
    let hits = |body: &Value| -> Vec<(String, String)> {
        let mut hits: Vec<(String, String)> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["title"].as_str().unwrap().to_owned(),
                    h["snippet"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        hits.sort();
        hits
    };

    let english = search("/v1/search?q=aardvark", None).await;
    english.expect(200);
    assert_eq!(english.header("content-language"), Some("en"));
    assert!(
        english
            .header("vary")
            .is_some_and(|v| v.contains("Accept-Language"))
    );
    let found = hits(&english.json());
    assert_eq!(found[0].0, "Aardvark registry");
    assert!(found[0].1.contains("English"), "{found:?}");

    for (uri, accept) in [
        ("/v1/search?q=aardvark", Some("de-DE, nl;q=0.8, en;q=0.5")),
        ("/v1/search?q=aardvark&lang=nl", None),
        ("/v1/search?q=aardvark&lang=NL", Some("en")),
    ] {
        let dutch = search(uri, accept).await;
        dutch.expect(200);
        assert_eq!(
            dutch.header("content-language"),
            Some("nl"),
            "{uri} {accept:?}"
        );
        let found = hits(&dutch.json());
        // The Dutch title and snippet where the record has them; English
        // where it has nothing else.
        assert_eq!(found[0].0, "Aardvark working group");
        assert!(found[0].1.contains("English"), "{found:?}");
        assert_eq!(found[1].0, "Aardvarkregister");
        assert!(found[1].1.contains("Nederlands"), "{found:?}");
    }

    let overridden = search("/v1/search?q=aardvark&lang=en", Some("nl")).await;
    assert_eq!(overridden.header("content-language"), Some("en"));
    assert_eq!(hits(&overridden.json())[0].0, "Aardvark registry");

    let bad = search("/v1/search?q=aardvark&lang=de", None).await;
    assert_eq!(
        bad.problem(400),
        [("lang".to_owned(), "unknown-language".to_owned())]
    );
}
