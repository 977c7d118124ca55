//! Suggestions that connect people and work, on small fixtures whose
//! expected rankings and scores are worked out by hand from the weights in
//! `domain::suggestions`, and what the public may learn through them.

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use aimd_registry::store::suggestions::HOPS;
use serde_json::{Value, json};

use crate::support::{TestApp, single_editor, spawn_with};

fn consenting(given: &str, country: &str, languages: &[&str], topics: &[&str]) -> Value {
    json!({"givenName": given, "familyName": "Fixture", "country": country,
           "languages": languages, "topics": topics,
           "consent": {"publicProfile": true, "givenAt": "2026-11-20"}})
}

fn initiative(
    title: &str,
    scope: &str,
    countries: &[&str],
    status: &str,
    topics: &[&str],
) -> Value {
    json!({"title": {"en": title}, "scope": scope, "countries": countries, "type": "research-project",
           "status": status, "topics": topics})
}

async fn link<S, B>(app: &TestApp<S>, path: String, body: Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    app.put(&path, body).await.expect(201);
}

async fn published<S, B>(app: &TestApp<S>, collection: &str, body: Value) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let id = app.create(collection, body).await;
    app.approve(&format!("{collection}/{id}")).await;
    id
}

/// (name or title, score, reason codes) of a page's items.
fn ranking(page: &Value, record: &str, label: &str) -> Vec<(String, f64, Vec<String>)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let name = &item[record][label];
            let name = name.as_str().or(name["en"].as_str()).unwrap().to_owned();
            let codes = item["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_owned())
                .collect();
            (name, item["score"].as_f64().unwrap(), codes)
        })
        .collect()
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

/// The initiative T (national, NL; clinical validation and algorithmic
/// bias; UMC takes part; Lena is its member and works with Colin in O) and
/// the experts around it.
struct Fixture {
    target: String,
    anna: String,
    eva: String,
}

async fn fixture<S, B>(app: &TestApp<S>) -> Fixture
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let umc = published(
        app,
        "/v1/organisations",
        json!({"name": "UMC Fixture", "type": "healthcare-provider", "country": "NL"}),
    )
    .await;
    let target = published(
        app,
        "/v1/initiatives",
        initiative(
            "T",
            "national",
            &["NL"],
            "active",
            &["clinical-validation", "algorithmic-bias"],
        ),
    )
    .await;
    let other = published(
        app,
        "/v1/initiatives",
        initiative("O", "european", &[], "completed", &["privacy"]),
    )
    .await;
    let experts = "/v1/experts";
    let anna = published(
        app,
        experts,
        consenting(
            "Anna",
            "NL",
            &["nl", "en"],
            &["clinical-validation", "algorithmic-bias"],
        ),
    )
    .await;
    let _bram = published(
        app,
        experts,
        consenting("Bram", "DE", &["de", "en"], &["performance-evaluation"]),
    )
    .await;
    let colin = published(
        app,
        experts,
        consenting("Colin", "GB", &["en"], &["privacy"]),
    )
    .await;
    let _dana = published(
        app,
        experts,
        consenting("Dana", "NL", &["nl"], &["cybersecurity"]),
    )
    .await;
    let lena = published(app, experts, consenting("Lena", "NL", &["nl"], &["ethics"])).await;
    // No consent to a public profile: staff may invite her, the public never sees her.
    let eva = app
        .create(
            experts,
            json!({"givenName": "Eva", "familyName": "Fixture", "country": "NL",
                   "topics": ["clinical-validation"]}),
        )
        .await;
    link(
        app,
        format!("/v1/initiatives/{target}/organisations/{umc}"),
        json!({"role": "member"}),
    )
    .await;
    link(
        app,
        format!("/v1/experts/{anna}/affiliations/{umc}"),
        json!({"role": "Researcher"}),
    )
    .await;
    for (initiative, expert) in [(&target, &lena), (&other, &lena), (&other, &colin)] {
        link(
            app,
            format!("/v1/initiatives/{initiative}/experts/{expert}"),
            json!({"role": "member"}),
        )
        .await;
    }
    Fixture { target, anna, eva }
}

#[actix_web::test]
async fn experts_to_invite_are_ranked_by_topics_organisations_colleagues_and_fit() {
    let app = spawn_with(single_editor()).await;
    let f = fixture(&app).await;
    let path = format!("/v1/initiatives/{}/suggested-experts", f.target);
    let page = app.get(&path).await;
    page.expect(200);
    let page = page.json();
    // By hand, with the expert weights (topic .15, organisation .29,
    // colleagues .29, country .1, language .05, activity .12): Anna shares
    // both topics (.15), UMC (1 of 2: .145), NL (.1) and Dutch (.05); Eva
    // one topic of two (.075) and NL; Colin works with Lena in O (1 of 3:
    // .0967) and takes part in it (ln 2 / ln 51 of .12: .0212); Bram a
    // narrower topic (half of one of two: .0375). Dana shares nothing but
    // her country, Lena is already a member.
    assert_eq!(
        ranking(&page, "expert", "name"),
        vec![
            (
                "Anna Fixture".to_owned(),
                0.445,
                codes(&[
                    "shared-topic",
                    "shared-organisation",
                    "country-fit",
                    "language-fit"
                ])
            ),
            (
                "Eva Fixture".to_owned(),
                0.175,
                codes(&["shared-topic", "country-fit"])
            ),
            (
                "Colin Fixture".to_owned(),
                0.1178,
                codes(&["co-participant", "active"])
            ),
            ("Bram Fixture".to_owned(), 0.0375, codes(&["related-topic"])),
        ],
        "{page}"
    );
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"][0]["expert"]["id"], f.anna.as_str());
    assert_eq!(page["items"][0]["expert"]["publicProfile"], true);
    assert_eq!(page["items"][1]["expert"]["id"], f.eva.as_str());
    assert_eq!(page["items"][1]["expert"]["publicProfile"], false);
    assert_eq!(
        page["items"][0]["reasons"][1]["text"],
        "affiliated with UMC Fixture, which takes part"
    );
    assert_eq!(
        page["items"][3]["reasons"][0]["text"],
        "on Performance evaluation, broader or narrower than a topic of the initiative"
    );
    assert_eq!(
        page["items"][2]["reasons"][0]["text"],
        "works with 1 of its experts in 1 other initiative"
    );
    assert_eq!(
        page["items"][2]["reasons"][1]["text"],
        "takes part in 1 initiative"
    );

    // Paged like every list: the second page follows the first.
    let first = app.get(&format!("{path}?limit=2")).await;
    let link = first.header("link").unwrap().to_owned();
    let first = first.json();
    assert_eq!(first["total"], 4);
    let cursor = first["next"].as_str().unwrap();
    assert!(link.contains(cursor), "{link}");
    let second = app
        .get(&format!("{path}?limit=2&cursor={cursor}"))
        .await
        .json();
    let names: Vec<_> = ranking(&second, "expert", "name")
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(names, ["Colin Fixture", "Bram Fixture"]);
    assert_eq!(second["next"], Value::Null);
    // A cursor of another list is refused.
    let list = app.get("/v1/experts?limit=1").await.json();
    let foreign = list["next"].as_str().unwrap();
    app.get(&format!("{path}?cursor={foreign}"))
        .await
        .problem(400);
    // A cursor of this list whose score is not a number is refused, not a 500.
    let crafted = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!(r#"{{"s":"score","k":"x","i":"{}"}}"#, f.anna),
    );
    app.get(&format!("{path}?cursor={crafted}"))
        .await
        .problem(400);
    app.get(&format!("{path}?limt=2")).await.problem(400);
}

#[actix_web::test]
async fn only_curators_and_up_are_suggested_experts() {
    let app = spawn_with(single_editor()).await;
    let f = fixture(&app).await;
    let path = format!("/v1/initiatives/{}/suggested-experts", f.target);
    app.send_as(TestRequest::get().uri(&path), None)
        .await
        .problem(401);
    let reader = app.key(Role::Reader).await;
    app.send_as(TestRequest::get().uri(&path), Some(&reader))
        .await
        .problem(403);
    let curator = app.key(Role::Curator).await;
    app.send_as(TestRequest::get().uri(&path), Some(&curator))
        .await
        .expect(200);
    app.get("/v1/initiatives/01938000-0000-7000-8000-00000000dead/suggested-experts")
        .await
        .problem(404);
    app.get("/v1/initiatives/nope/suggested-experts")
        .await
        .problem(400);
}

#[actix_web::test]
async fn initiatives_to_join_prefer_those_without_the_experts_country() {
    let app = spawn_with(single_editor()).await;
    let f = fixture(&app).await;
    let initiatives = "/v1/initiatives";
    let topics = ["clinical-validation"];
    let x = published(
        &app,
        initiatives,
        initiative("X", "european", &[], "active", &topics),
    )
    .await;
    let y = published(
        &app,
        initiatives,
        initiative(
            "Y",
            "european",
            &[],
            "active",
            &["clinical-validation", "algorithmic-bias"],
        ),
    )
    .await;
    let _z = published(
        &app,
        initiatives,
        initiative("Z", "international", &[], "completed", &topics),
    )
    .await;
    let _w = published(
        &app,
        initiatives,
        initiative("W", "national", &["DE"], "active", &["algorithmic-bias"]),
    )
    .await;
    let _draft = app
        .create(
            initiatives,
            initiative("V", "european", &[], "active", &topics),
        )
        .await;
    // UMC (NL) takes part in Y; Eva (NL, no public profile) in X.
    let umc = app.get("/v1/organisations?limit=1").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    link(
        &app,
        format!("/v1/initiatives/{y}/organisations/{umc}"),
        json!({"role": "member"}),
    )
    .await;
    link(
        &app,
        format!("/v1/initiatives/{x}/experts/{}", f.eva),
        json!({"role": "member"}),
    )
    .await;
    // Anna is already in T.
    link(
        &app,
        format!("/v1/initiatives/{}/experts/{}", f.target, f.anna),
        json!({"role": "member"}),
    )
    .await;

    let path = format!("/v1/experts/{}/suggested-initiatives", f.anna);
    let public = app.send_as(TestRequest::get().uri(&path), None).await;
    public.expect(200);
    let public = public.json();
    // By hand, with the initiative weights (topic .45, organisation .15,
    // colleagues .1, country .05, language .05, absence .2): Y shares both
    // topics (.45), UMC (.075), English (.05), one NL participant (.1); X
    // one topic (.225), English, no NL participant the public can see
    // (.2); W one topic, German only, national: no absence bonus. Z is
    // completed, V a draft, T already hers, O not on her topics.
    assert_eq!(
        ranking(&public, "initiative", "title"),
        vec![
            (
                "Y".to_owned(),
                0.675,
                codes(&[
                    "shared-topic",
                    "shared-organisation",
                    "language-fit",
                    "few-participants-from-country"
                ])
            ),
            (
                "X".to_owned(),
                0.475,
                codes(&[
                    "shared-topic",
                    "language-fit",
                    "no-participant-from-country"
                ])
            ),
            ("W".to_owned(), 0.225, codes(&["shared-topic"])),
        ],
        "{public}"
    );
    assert_eq!(
        public["items"][1]["reasons"][2]["text"],
        "no participant from NL yet"
    );

    // Staff count Eva, and see the draft.
    let staff = app.get(&path).await.json();
    assert_eq!(
        ranking(&staff, "initiative", "title"),
        vec![
            (
                "Y".to_owned(),
                0.675,
                codes(&[
                    "shared-topic",
                    "shared-organisation",
                    "language-fit",
                    "few-participants-from-country"
                ])
            ),
            (
                "V".to_owned(),
                0.475,
                codes(&[
                    "shared-topic",
                    "language-fit",
                    "no-participant-from-country"
                ])
            ),
            (
                "X".to_owned(),
                0.375,
                codes(&[
                    "shared-topic",
                    "language-fit",
                    "few-participants-from-country"
                ])
            ),
            ("W".to_owned(), 0.225, codes(&["shared-topic"])),
        ],
        "{staff}"
    );
    // The public asking about an expert it may not see learns nothing.
    app.send_as(
        TestRequest::get().uri(&format!("/v1/experts/{}/suggested-initiatives", f.eva)),
        None,
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn similar_initiatives_are_alike_in_wording_topics_regulations_and_organisations() {
    let app = spawn_with(single_editor()).await;
    let nen = published(
        &app,
        "/v1/organisations",
        json!({"name": "NEN Fixture", "type": "standards-body", "country": "NL"}),
    )
    .await;
    let record = |title: &str, summary: &str, topics: &[&str], regulations: &[&str]| {
        json!({"title": {"en": title}, "summary": {"en": summary}, "scope": "european",
               "type": "standard", "status": "active", "topics": topics, "regulations": regulations})
    };
    let initiatives = "/v1/initiatives";
    let a = published(
        &app,
        initiatives,
        record(
            "Clinical validation of radiology software",
            "How radiology software that learns from images is validated before clinical use.",
            &["clinical-validation"],
            &["mdr"],
        ),
    )
    .await;
    let b = published(
        &app,
        initiatives,
        record(
            "Validation of radiology software in hospitals",
            "Validating radiology software that learns from images, in clinical practice.",
            &["clinical-validation"],
            &["mdr"],
        ),
    )
    .await;
    let c = published(
        &app,
        initiatives,
        record(
            "Network security for hospitals",
            "Protecting hospital networks against intrusion.",
            &["cybersecurity"],
            &[],
        ),
    )
    .await;
    let d = published(
        &app,
        initiatives,
        record(
            "Standards committee",
            "A committee.",
            &["standardisation"],
            &[],
        ),
    )
    .await;
    let draft = app
        .create(
            initiatives,
            record(
                "Clinical validation of radiology software (draft)",
                "How radiology software that learns from images is validated before clinical use.",
                &["clinical-validation"],
                &["mdr"],
            ),
        )
        .await;
    for initiative in [&a, &b, &d] {
        link(
            &app,
            format!("/v1/initiatives/{initiative}/organisations/{nen}"),
            json!({"role": "member"}),
        )
        .await;
    }
    let path = format!("/v1/initiatives/{a}/similar");
    let public = app.send_as(TestRequest::get().uri(&path), None).await;
    public.expect(200);
    assert!(public.header("change-position").is_some());
    let public = public.json();
    // B: the best wording (.4), the same topic (.35) and regulation (.1),
    // one organisation of two (.075). D: only NEN. C: nothing in common.
    assert_eq!(
        ranking(&public, "initiative", "title"),
        vec![
            (
                "Validation of radiology software in hospitals".to_owned(),
                0.925,
                codes(&[
                    "similar-text",
                    "shared-topic",
                    "shared-regulation",
                    "shared-organisation"
                ])
            ),
            (
                "Standards committee".to_owned(),
                0.075,
                codes(&["shared-organisation"])
            ),
        ],
        "{public}"
    );
    assert_eq!(public["items"][0]["initiative"]["id"], b.as_str());
    assert_eq!(
        public["items"][0]["reasons"][3]["text"],
        "both with NEN Fixture"
    );
    let text = public.to_string();
    assert!(!text.contains(&c) && !text.contains(&draft), "{text}");

    // Staff also see the draft, whose wording is A's own.
    let staff = app.get(&path).await.json();
    assert_eq!(
        staff["items"][0]["initiative"]["id"],
        draft.as_str(),
        "{staff}"
    );
    assert_eq!(staff["total"], 3);
    // The public cannot ask about the draft.
    app.send_as(
        TestRequest::get().uri(&format!("/v1/initiatives/{draft}/similar")),
        None,
    )
    .await
    .problem(404);
    // Paged: one at a time, in the same order.
    let first = app.get(&format!("{path}?limit=1")).await.json();
    let cursor = first["next"].as_str().unwrap();
    let second = app
        .get(&format!("{path}?limit=1&cursor={cursor}"))
        .await
        .json();
    assert_eq!(second["items"][0]["initiative"]["id"], b.as_str());
    // A list's cursor is not a similarity cursor.
    let list = app.get("/v1/initiatives?limit=1").await.json();
    let foreign = list["next"].as_str().unwrap();
    app.get(&format!("{path}?cursor={foreign}"))
        .await
        .problem(400);
}

#[actix_web::test]
async fn similar_organisations_share_type_topics_and_initiatives() {
    let app = spawn_with(single_editor()).await;
    let organisation = |name: &str, kind: &str, topics: &[&str]| json!({"name": name, "type": kind, "country": "NL", "topics": topics});
    let orgs = "/v1/organisations";
    let nen = published(
        &app,
        orgs,
        organisation("NEN", "standards-body", &["standardisation"]),
    )
    .await;
    let cen = published(
        &app,
        orgs,
        organisation("CEN", "standards-body", &["standardisation"]),
    )
    .await;
    let uni = published(
        &app,
        orgs,
        organisation("Leiden University", "university", &["privacy"]),
    )
    .await;
    let committee = published(
        &app,
        "/v1/initiatives",
        initiative("JTC 21", "european", &[], "active", &["standardisation"]),
    )
    .await;
    for org in [&nen, &cen, &uni] {
        link(
            &app,
            format!("/v1/initiatives/{committee}/organisations/{org}"),
            json!({"role": "member"}),
        )
        .await;
    }
    let similar = app
        .get(&format!("/v1/organisations/{nen}/similar"))
        .await
        .json();
    // CEN: the same topic (.35), type (.1) and committee (one of two:
    // .075); the university: the committee alone.
    assert_eq!(
        ranking(&similar, "organisation", "name"),
        vec![
            (
                "CEN".to_owned(),
                0.525,
                codes(&["shared-topic", "same-type", "shared-initiative"])
            ),
            (
                "Leiden University".to_owned(),
                0.075,
                codes(&["shared-initiative"])
            ),
        ],
        "{similar}"
    );
    assert_eq!(
        similar["items"][0]["reasons"][2]["text"],
        "both take part in JTC 21"
    );
}

/// The network of initiatives on privacy, worked out by hand: P and Q, UMC
/// in P, Lena in both, Colin and Anna in Q, Anna affiliated with UMC; for
/// staff also Eva (no public profile) and a draft organisation in Q.
#[actix_web::test]
async fn the_network_measures_who_bridges_and_shows_the_public_only_public_records() {
    let app = spawn_with(single_editor()).await;
    let initiatives = "/v1/initiatives";
    let p = published(
        &app,
        initiatives,
        initiative("P", "european", &[], "active", &["privacy"]),
    )
    .await;
    let q = published(
        &app,
        initiatives,
        initiative("Q", "european", &[], "active", &["privacy"]),
    )
    .await;
    let _r = published(
        &app,
        initiatives,
        initiative("R", "european", &[], "active", &["cybersecurity"]),
    )
    .await;
    let umc = published(
        &app,
        "/v1/organisations",
        json!({"name": "UMC Fixture", "acronym": "UMC", "type": "healthcare-provider"}),
    )
    .await;
    let draft = app
        .create(
            "/v1/organisations",
            json!({"name": "Draft Fixture", "type": "other"}),
        )
        .await;
    let experts = "/v1/experts";
    let lena = published(
        &app,
        experts,
        consenting("Lena", "NL", &["nl"], &["ethics"]),
    )
    .await;
    let colin = published(
        &app,
        experts,
        consenting("Colin", "GB", &["en"], &["privacy"]),
    )
    .await;
    let anna = published(
        &app,
        experts,
        consenting("Anna", "NL", &["nl"], &["privacy"]),
    )
    .await;
    let eva = app
        .create(
            experts,
            json!({"givenName": "Eva", "familyName": "Fixture"}),
        )
        .await;
    let member = json!({"role": "member"});
    link(
        &app,
        format!("{initiatives}/{p}/organisations/{umc}"),
        member.clone(),
    )
    .await;
    link(
        &app,
        format!("{initiatives}/{q}/organisations/{draft}"),
        member.clone(),
    )
    .await;
    for (initiative, expert) in [
        (&p, &lena),
        (&q, &lena),
        (&q, &colin),
        (&q, &anna),
        (&q, &eva),
    ] {
        link(
            &app,
            format!("{initiatives}/{initiative}/experts/{expert}"),
            member.clone(),
        )
        .await;
    }
    link(
        &app,
        format!("/v1/experts/{anna}/affiliations/{umc}"),
        json!({"role": "Researcher"}),
    )
    .await;

    let public = app
        .send_as(TestRequest::get().uri("/v1/network?topic=privacy"), None)
        .await;
    public.expect(200);
    assert!(public.header("change-position").is_some());
    let public = public.json();
    assert_eq!(public["initiatives"], json!({"matched": 2, "shown": 2}));
    let nodes: Vec<(String, String, u64, f64)> = public["elements"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let d = &n["data"];
            (
                d["label"].as_str().unwrap().to_owned(),
                d["kind"].as_str().unwrap().to_owned(),
                d["degree"].as_u64().unwrap(),
                d["betweenness"].as_f64().unwrap(),
            )
        })
        .collect();
    // A five-cycle P–Lena–Q–Anna–UMC with Colin hanging off Q: Q is on 5
    // of the 10 shortest paths between two others, Lena and Anna on 2,
    // P and UMC on 1.
    let node = |label: &str, kind: &str, degree: u64, betweenness: f64| {
        (label.to_owned(), kind.to_owned(), degree, betweenness)
    };
    assert_eq!(
        nodes,
        vec![
            node("P", "initiative", 2, 0.1),
            node("Q", "initiative", 3, 0.5),
            node("UMC", "organisation", 2, 0.1),
            node("Lena Fixture", "expert", 2, 0.2),
            node("Anna Fixture", "expert", 2, 0.2),
            node("Colin Fixture", "expert", 1, 0.0),
        ],
        "{public}"
    );
    let edges: Vec<(String, String, String)> = public["elements"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let d = &e["data"];
            let end = |key: &str| d[key].as_str().unwrap().to_owned();
            (end("source"), end("target"), end("kind"))
        })
        .collect();
    assert_eq!(edges.len(), 6, "{edges:?}");
    assert!(edges.contains(&(anna.clone(), umc.clone(), "affiliated-with".to_owned())));
    let text = public.to_string();
    assert!(!text.contains(&eva) && !text.contains(&draft), "{text}");

    // Staff see Eva and the draft organisation too.
    let staff = app.get("/v1/network?topic=privacy").await.json();
    assert_eq!(staff["elements"]["nodes"].as_array().unwrap().len(), 8);
    assert_eq!(staff["elements"]["edges"].as_array().unwrap().len(), 8);

    // One initiative at a time: the first, and the next page.
    let first = app.get("/v1/network?topic=privacy&limit=1").await;
    assert!(first.header("link").is_some());
    let first = first.json();
    assert_eq!(first["initiatives"], json!({"matched": 2, "shown": 1}));
    let cursor = first["next"].as_str().unwrap();
    let second = app
        .get(&format!(
            "/v1/network?topic=privacy&limit=1&cursor={cursor}"
        ))
        .await
        .json();
    assert_eq!(second["elements"]["nodes"][0]["data"]["id"], q.as_str());
    assert_eq!(second["next"], Value::Null);

    // GraphML, for Gephi and yEd.
    let graphml = app
        .send_as(
            TestRequest::get()
                .uri("/v1/network?topic=privacy")
                .insert_header(("accept", "application/graphml+xml")),
            None,
        )
        .await;
    graphml.expect(200);
    assert_eq!(
        graphml.header("content-type"),
        Some("application/graphml+xml")
    );
    let xml = String::from_utf8(graphml.body.to_vec()).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml "),
        "{xml}"
    );
    assert_eq!(xml.matches("<node id=").count(), 6);
    assert_eq!(xml.matches("<edge id=").count(), 6);
    assert!(
        xml.contains("<data key=\"betweenness\">0.5</data>"),
        "{xml}"
    );
    app.send_as(
        TestRequest::get()
            .uri("/v1/network")
            .insert_header(("accept", "text/csv")),
        None,
    )
    .await
    .problem(406);
    app.get("/v1/network?topic=nonsense").await.problem(400);
    app.get("/v1/network?sort=title").await.problem(400);
}

/// Where the Netherlands takes part and where it is missing, by hand: E1
/// (European, privacy) has a Dutch organisation, E2 (European, privacy) a
/// German one and Eva, Dutch without a public profile; N1 (national,
/// privacy) a Dutch expert; I1 and I2 (international, ethics) two German
/// and one Belgian participant; D is a draft (European, privacy).
#[actix_web::test]
async fn participation_counts_the_country_and_lists_where_it_is_missing() {
    let app = spawn_with(single_editor()).await;
    let orgs = "/v1/organisations";
    let org =
        |name: &str, country: &str| json!({"name": name, "type": "other", "country": country});
    let nl_org = published(&app, orgs, org("Dutch Fixture", "NL")).await;
    let de_org = published(&app, orgs, org("German Fixture", "DE")).await;
    let de_org2 = published(&app, orgs, org("Other German Fixture", "DE")).await;
    let be_org = published(&app, orgs, org("Belgian Fixture", "BE")).await;
    let anna = published(
        &app,
        "/v1/experts",
        consenting("Anna", "NL", &["nl"], &["privacy"]),
    )
    .await;
    let eva = app
        .create(
            "/v1/experts",
            json!({"givenName": "Eva", "familyName": "Fixture", "country": "NL"}),
        )
        .await;
    let initiatives = "/v1/initiatives";
    let e1 = published(
        &app,
        initiatives,
        initiative("E1", "european", &[], "active", &["privacy"]),
    )
    .await;
    let e2 = published(
        &app,
        initiatives,
        initiative("E2", "european", &[], "active", &["privacy"]),
    )
    .await;
    let n1 = published(
        &app,
        initiatives,
        initiative("N1", "national", &["NL"], "active", &["privacy"]),
    )
    .await;
    let i1 = published(
        &app,
        initiatives,
        initiative("I1", "international", &[], "active", &["ethics"]),
    )
    .await;
    let i2 = published(
        &app,
        initiatives,
        initiative("I2", "international", &[], "active", &["ethics"]),
    )
    .await;
    let d = app
        .create(
            initiatives,
            initiative("D", "european", &[], "active", &["privacy"]),
        )
        .await;
    let member = json!({"role": "member"});
    for (initiative, organisation) in [
        (&e1, &nl_org),
        (&e2, &de_org),
        (&i1, &de_org),
        (&i1, &de_org2),
        (&i2, &be_org),
    ] {
        link(
            &app,
            format!("{initiatives}/{initiative}/organisations/{organisation}"),
            member.clone(),
        )
        .await;
    }
    link(
        &app,
        format!("{initiatives}/{e2}/experts/{eva}"),
        member.clone(),
    )
    .await;
    link(
        &app,
        format!("{initiatives}/{n1}/experts/{anna}"),
        member.clone(),
    )
    .await;

    let row = |body: &Value, topic: &str| {
        body["byTopicAndScope"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["topic"]["slug"] == topic)
            .unwrap()["scopes"]
            .clone()
    };
    let missing = |body: &Value| -> Vec<(String, u64)> {
        body["largestWithout"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["title"].as_str().unwrap().to_owned(),
                    m["participants"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let public = app
        .send_as(
            TestRequest::get().uri("/v1/overview/participation?country=nl"),
            None,
        )
        .await;
    public.expect(200);
    let public = public.json();
    assert_eq!(public["country"], "NL");
    assert_eq!(
        public["total"],
        json!({"initiatives": 5, "withParticipant": 2})
    );
    assert_eq!(
        row(&public, "privacy"),
        json!({"national": {"initiatives": 1, "withParticipant": 1},
               "european": {"initiatives": 2, "withParticipant": 1},
               "international": {"initiatives": 0, "withParticipant": 0}})
    );
    assert_eq!(
        row(&public, "ethics")["international"],
        json!({"initiatives": 2, "withParticipant": 0})
    );
    // Eva counts for no country the public can see; D is not there.
    assert_eq!(
        missing(&public),
        [
            ("I1".to_owned(), 2),
            ("E2".to_owned(), 1),
            ("I2".to_owned(), 1)
        ]
    );
    assert!(!public.to_string().contains(&d));

    let staff = app
        .get("/v1/overview/participation?country=NL")
        .await
        .json();
    assert_eq!(
        staff["total"],
        json!({"initiatives": 6, "withParticipant": 3})
    );
    assert_eq!(
        row(&staff, "privacy")["european"],
        json!({"initiatives": 3, "withParticipant": 2})
    );
    assert_eq!(
        missing(&staff),
        [
            ("I1".to_owned(), 2),
            ("I2".to_owned(), 1),
            ("D".to_owned(), 0)
        ]
    );

    // The same as an SVG heat map, in Dutch.
    let svg = app
        .send_as(
            TestRequest::get()
                .uri("/v1/overview/participation?country=NL")
                .insert_header(("accept", "image/svg+xml"))
                .insert_header(("accept-language", "nl")),
            None,
        )
        .await;
    svg.expect(200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_eq!(svg.header("content-language"), Some("nl"));
    assert!(svg.header_values("vary").contains(&"Accept-Language"));
    let text = String::from_utf8(svg.body.to_vec()).unwrap();
    assert!(
        text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{text}"
    );
    assert!(text.contains("role=\"img\" aria-labelledby=\"heatmap-title heatmap-desc\""));
    assert!(text.contains(
        "<title id=\"heatmap-title\">Deelname vanuit NL per thema en reikwijdte</title>"
    ));
    assert!(text.contains("<desc id=\"heatmap-desc\">2 van 5 initiatieven hebben een deelnemer"));
    assert!(text.contains(
        "<title>Privacy, europees: 1 van 2 initiatieven met een deelnemer uit NL</title>"
    ));
    assert!(text.contains(">1 / 2</text>"));
    assert!(text.contains(">Internationaal</text>"));

    app.get("/v1/overview/participation").await.problem(400);
    app.get("/v1/overview/participation?country=XX")
        .await
        .problem(400);
    app.get("/v1/overview/participation?country=NL&lang=fr")
        .await
        .problem(400);
    app.send_as(
        TestRequest::get()
            .uri("/v1/overview/participation?country=NL")
            .insert_header(("accept", "text/csv")),
        None,
    )
    .await
    .problem(406);
}

#[actix_web::test]
async fn the_overview_is_also_an_svg_heat_map() {
    let app = spawn_with(single_editor()).await;
    published(
        &app,
        "/v1/initiatives",
        initiative("E1", "european", &[], "active", &["privacy"]),
    )
    .await;
    let svg = app
        .send_as(
            TestRequest::get()
                .uri("/v1/overview?lang=en&scope=european")
                .insert_header(("accept", "image/svg+xml")),
            None,
        )
        .await;
    svg.expect(200);
    assert_eq!(svg.header("content-language"), Some("en"));
    assert!(svg.header("change-position").is_some());
    let text = String::from_utf8(svg.body.to_vec()).unwrap();
    assert!(text.contains("<title id=\"heatmap-title\">Initiatives on AI in medical devices per topic and scope</title>"));
    assert!(
        text.contains("<title>Privacy, european: 1 initiative</title>"),
        "{text}"
    );
    // JSON stays the default.
    let json = app.get("/v1/overview").await;
    assert_eq!(json.header("content-type"), Some("application/json"));
}

#[actix_web::test]
async fn finished_initiatives_take_no_place_among_an_organisations_latest() {
    let app = spawn_with(single_editor()).await;
    let org = published(
        &app,
        "/v1/organisations",
        json!({"name": "Busy Org", "type": "university"}),
    )
    .await;
    let expert = published(
        &app,
        "/v1/experts",
        consenting("Ruth", "NL", &["en"], &["privacy"]),
    )
    .await;
    link(
        &app,
        format!("/v1/experts/{expert}/affiliations/{org}"),
        json!({"role": "Researcher"}),
    )
    .await;
    // The active initiative shares no topic with Ruth: only the
    // organisation leads to it, and a crowd of later, finished ones does.
    let active = published(
        &app,
        "/v1/initiatives",
        initiative("Active", "european", &[], "active", &["cybersecurity"]),
    )
    .await;
    link(
        &app,
        format!("/v1/initiatives/{active}/organisations/{org}"),
        json!({"role": "member"}),
    )
    .await;
    for n in 0..HOPS {
        let done = published(
            &app,
            "/v1/initiatives",
            initiative(
                &format!("Finished {n}"),
                "european",
                &[],
                "completed",
                &["cybersecurity"],
            ),
        )
        .await;
        link(
            &app,
            format!("/v1/initiatives/{done}/organisations/{org}"),
            json!({"role": "member"}),
        )
        .await;
    }

    let page = app
        .get(&format!("/v1/experts/{expert}/suggested-initiatives"))
        .await
        .json();
    let ranked = ranking(&page, "initiative", "title");
    assert_eq!(ranked.len(), 1, "{page}");
    assert_eq!(ranked[0].0, "Active");
    assert!(ranked[0].2.contains(&"shared-organisation".to_owned()));
}

#[actix_web::test]
async fn deleted_experts_take_no_place_among_an_organisations_latest() {
    let app = spawn_with(single_editor()).await;
    let org = published(
        &app,
        "/v1/organisations",
        json!({"name": "Busy Org", "type": "university"}),
    )
    .await;
    let target = published(
        &app,
        "/v1/initiatives",
        initiative("Target", "european", &[], "active", &["privacy"]),
    )
    .await;
    link(
        &app,
        format!("/v1/initiatives/{target}/organisations/{org}"),
        json!({"role": "member"}),
    )
    .await;
    // Kim shares no topic with the initiative: only the organisation
    // leads to her, and a crowd of later affiliates, since deleted, does.
    let kim = published(
        &app,
        "/v1/experts",
        consenting("Kim", "DE", &["de"], &["cybersecurity"]),
    )
    .await;
    link(
        &app,
        format!("/v1/experts/{kim}/affiliations/{org}"),
        json!({"role": "Researcher"}),
    )
    .await;
    for n in 0..HOPS {
        let gone = published(
            &app,
            "/v1/experts",
            consenting(&format!("Gone{n}"), "DE", &["de"], &["cybersecurity"]),
        )
        .await;
        link(
            &app,
            format!("/v1/experts/{gone}/affiliations/{org}"),
            json!({"role": "Researcher"}),
        )
        .await;
        app.delete(&format!("/v1/experts/{gone}")).await.expect(204);
    }

    let page = app
        .get(&format!("/v1/initiatives/{target}/suggested-experts"))
        .await
        .json();
    let ranked = ranking(&page, "expert", "name");
    assert_eq!(ranked.len(), 1, "{page}");
    assert_eq!(ranked[0].0, "Kim Fixture");
    assert!(ranked[0].2.contains(&"shared-organisation".to_owned()));
}
