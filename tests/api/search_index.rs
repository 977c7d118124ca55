//! The search index built from one snapshot: every live record once, with
//! whether the public may see it, text folded and stemmed per language,
//! contact data left out, and the feed position it includes.

use diesel::sql_query;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use serde_json::json;
use tantivy::Term;
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};

use aimd_registry::sync::index::SearchIndex;

use crate::support::{initiative, organisation, single_editor, spawn_with};

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    position: i64,
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

#[actix_web::test]
async fn the_index_holds_every_live_record_once_with_its_visibility() {
    let app = spawn_with(single_editor()).await;
    let mut published_body = initiative("Validating imaging algorithms");
    published_body["title"]["nl"] = json!("Artificiële intelligentie in ziekenhuizen");
    let published = app.create("/v1/initiatives", published_body).await;
    app.approve(&format!("/v1/initiatives/{published}")).await;
    let draft = app
        .create("/v1/initiatives", initiative("Draft validation study"))
        .await;
    let gone = app.create("/v1/initiatives", initiative("Withdrawn")).await;
    app.delete(&format!("/v1/initiatives/{gone}"))
        .await
        .expect(204);
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    app.approve(&format!("/v1/organisations/{nen}")).await;
    app.put(
        &format!("/v1/initiatives/{published}/organisations/{nen}"),
        json!({"role": "secretariat"}),
    )
    .await
    .expect(201);
    let shy = app
        .create(
            "/v1/experts",
            json!({"givenName": "Quentin", "familyName": "Hidden",
                   "email": "quentin.private@example.org", "topics": ["privacy"]}),
        )
        .await;
    app.approve(&format!("/v1/experts/{shy}")).await;

    let state = app.state().await;
    let mut conn = app.connection().await;
    let (index, report) = SearchIndex::build(&mut conn).await.expect("built");
    let counter: Position = sql_query("SELECT position FROM change_counter")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(index.position(), counter.position);
    assert_eq!(report.position, counter.position);
    assert_eq!(
        (report.organisations, report.experts, report.initiatives),
        (1, 1, 2),
        "live records only: the deleted initiative is not indexed"
    );
    // The published initiative and the organisation; not the draft, and not
    // the expert, who gave no consent to a public profile.
    assert_eq!(report.public, 2);

    let fields = *index.fields();
    let searcher = index.searcher();
    let count = |query: &dyn Query| searcher.search(query, &Count).unwrap();
    let text = |words: &str| index.query_parser().parse_query(words).unwrap();
    let public_only = |query: Box<dyn Query>| {
        BooleanQuery::new(vec![
            (Occur::Must, query),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_bool(fields.public, true),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
        ])
    };
    // English stemming: "validation" finds "Validating" and "validation".
    assert_eq!(count(&text("validation")), 2);
    assert_eq!(count(&public_only(text("validation"))), 1);
    let the_published = BooleanQuery::new(vec![
        (Occur::Must, text("validation")),
        (Occur::Must, term(fields.id, &published)),
    ]);
    assert_eq!(count(&the_published), 1);
    let the_draft = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(public_only(text("validation"))) as Box<dyn Query>,
        ),
        (Occur::Must, term(fields.id, &draft)),
    ]);
    assert_eq!(count(&the_draft), 0, "a draft is not public");
    // Accents and case folded, Dutch stemmed.
    assert_eq!(count(&text("artificiele")), 1);
    assert_eq!(count(&text("INTELLIGENTIE")), 1);
    // The expert's name is indexed; contact data never is.
    assert_eq!(count(&text("hidden")), 1);
    assert_eq!(count(&text("quentin.private")), 0);
    assert_eq!(count(&text("example")), 0);
    // Filters: link ids, topics with their broader topics, scope.
    assert_eq!(count(&*term(fields.linked, &nen)), 1);
    assert_eq!(count(&*term(fields.linked, &published)), 1);
    assert_eq!(count(&*term(fields.scope, "european")), 2);
    let privacy = state.vocabulary.get("privacy").expect("a seeded topic");
    assert_eq!(count(&*term(fields.topic, "privacy")), 1);
    if let Some(broader) = &privacy.parent {
        assert_eq!(count(&*term(fields.topic, broader)), 1, "{broader}");
    }
}

#[actix_web::test]
async fn the_index_follows_the_change_feed() {
    let app = spawn_with(single_editor()).await;
    let draft = app
        .create("/v1/initiatives", initiative("Federated learning pilot"))
        .await;
    let kept = app
        .create("/v1/initiatives", initiative("Registry of audits"))
        .await;
    app.approve(&format!("/v1/initiatives/{kept}")).await;
    let leaving = app
        .create("/v1/organisations", organisation("Leaving"))
        .await;

    let mut conn = app.connection().await;
    let (mut index, _) = SearchIndex::build(&mut conn).await.expect("built");
    let built_at = index.position();
    assert_eq!(
        index.catch_up(&mut conn).await.unwrap().events,
        0,
        "nothing new"
    );

    // A publication, a new title, a link, a deletion.
    app.approve(&format!("/v1/initiatives/{draft}")).await;
    app.patch(
        &format!("/v1/initiatives/{kept}"),
        json!({"title": {"en": "Register of algorithm audits"}}),
    )
    .await
    .expect(200);
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    app.put(
        &format!("/v1/initiatives/{draft}/organisations/{nen}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    app.delete(&format!("/v1/organisations/{leaving}"))
        .await
        .expect(204);

    let applied = index.catch_up(&mut conn).await.unwrap();
    assert!(applied.events >= 5, "{applied:?}");
    // What renders differently now: the changed records, and the ends of
    // the new link (NEN and the initiative embed each other's summary).
    for id in [&draft, &kept, &nen, &leaving] {
        let id: uuid::Uuid = id.parse().unwrap();
        assert!(applied.touched.contains(&id), "{id} touched");
    }
    let counter: Position = sql_query("SELECT position FROM change_counter")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(index.position() > built_at);
    assert_eq!(index.position(), counter.position);

    let fields = *index.fields();
    let searcher = index.searcher();
    let count = |query: &dyn Query| searcher.search(query, &Count).unwrap();
    let text = |words: &str| index.query_parser().parse_query(words).unwrap();
    let is_public = |id: &str| {
        count(&BooleanQuery::new(vec![
            (Occur::Must, term(fields.id, id)),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_bool(fields.public, true),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
        ]))
    };
    assert_eq!(is_public(&draft), 1, "published since the build");
    // The patch of a published record waits for review: the live title stays.
    assert_eq!(count(&text("registry")), 1);
    assert_eq!(count(&text("register")), 0);
    assert_eq!(
        count(&*term(fields.linked, &nen)),
        1,
        "the link, from the initiative"
    );
    assert_eq!(count(&*term(fields.linked, &draft)), 1, "and from NEN");
    assert_eq!(count(&*term(fields.id, &leaving)), 0, "deleted");
    assert_eq!(count(&*term(fields.id, &nen)), 1, "created");
    // Each record once, however many of its events were applied.
    assert_eq!(searcher.num_docs(), 3);
    assert_eq!(index.catch_up(&mut conn).await.unwrap().events, 0);
}

#[actix_web::test]
async fn search_text_becomes_an_index_query() {
    let app = spawn_with(single_editor()).await;
    let mut imaging = initiative("Radiology imaging validation");
    imaging["summary"] = json!({"en": "Benchmarks for federated learning in hospitals"});
    let imaging = app.create("/v1/initiatives", imaging).await;
    let mut oncology = initiative("Trustworthy oncology models");
    oncology["title"]["nl"] = json!("Betrouwbare oncologische modellen");
    let oncology = app.create("/v1/initiatives", oncology).await;
    let pathology = app
        .create("/v1/initiatives", initiative("Pathology benchmark"))
        .await;
    let mut conn = app.connection().await;
    let (index, _) = SearchIndex::build(&mut conn).await.expect("built");
    let searcher = index.searcher();
    let found = |raw: &str| -> Vec<String> {
        let text = aimd_registry::domain::search::SearchText::parse(raw).unwrap();
        let hits = searcher
            .search(
                &*index.reading().text_query(&text),
                &tantivy::collector::TopDocs::with_limit(10).order_by_score(),
            )
            .unwrap();
        let mut ids: Vec<String> = hits
            .into_iter()
            .map(|(_, address)| {
                let doc: tantivy::TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(index.fields().id)
                    .and_then(|id| id.as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut ids: Vec<&String>| {
        ids.sort();
        ids.into_iter().cloned().collect::<Vec<String>>()
    };
    let cases: [(&str, Vec<&String>, &str); 8] = [
        ("radiol", vec![&imaging], "a prefix"),
        ("validaton", vec![&imaging], "a typo in a title"),
        ("\"federated learning\"", vec![&imaging], "a phrase"),
        ("\"learning federated\"", vec![], "words in order"),
        ("betrouwbaar", vec![&oncology], "Dutch stemming"),
        ("benchmark -pathology", vec![&imaging], "an exclusion"),
        (
            "oncology or pathology",
            vec![&oncology, &pathology],
            "either",
        ),
        ("radiology oncology", vec![], "both"),
    ];
    for (raw, expected, why) in cases {
        assert_eq!(found(raw), sorted(expected), "{why}: {raw}");
    }
}

fn position(reply: &crate::support::Reply) -> i64 {
    reply
        .header("change-position")
        .unwrap_or_else(|| panic!("no Change-Position; status {}", reply.status))
        .parse()
        .expect("a whole number")
}

#[actix_web::test]
async fn a_write_answers_with_its_position_once_the_lists_include_it() {
    let app = spawn_with(single_editor()).await;
    let before = app.get("/v1/organisations").await;
    let start = position(before.expect(200));

    let created = app.post("/v1/organisations", organisation("NEN")).await;
    let written = position(created.expect(201));
    assert!(written > start, "{written} after {start}");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    // No waiting, no header: the write answered only once the index had it.
    let listed = app.get("/v1/organisations?q=nen").await;
    assert!(position(listed.expect(200)) >= written);
    assert_eq!(listed.json()["items"][0]["id"], id.as_str());

    // A failed write changes nothing and says no position.
    let refused = app.post("/v1/organisations", json!({"name": ""})).await;
    refused.problem(400);
    assert_eq!(refused.header("change-position"), None);
}

#[actix_web::test]
async fn lists_answer_503_until_the_index_is_built() {
    let app = crate::support::spawn_unindexed().await;
    let reply = app.get("/v1/initiatives").await;
    reply.problem(503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    // Records are read from the database all the same.
    app.post("/v1/organisations", organisation("NEN"))
        .await
        .expect(201);
}

#[actix_web::test]
async fn a_second_instance_shows_a_write_once_asked_for_its_position() {
    let first = spawn_with(single_editor()).await;
    let url = first.database_url().to_owned();
    let second = crate::support::spawn_on(
        url,
        aimd_registry::db::DbSettings::sized(4),
        single_editor(),
        None,
    )
    .await;
    let created = first.post("/v1/organisations", organisation("NEN")).await;
    let written = position(created.expect(201));
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let read = second
        .send(
            actix_web::test::TestRequest::get()
                .uri("/v1/organisations?q=nen")
                .insert_header(("Min-Change-Position", written.to_string())),
        )
        .await;
    assert!(position(read.expect(200)) >= written);
    assert_eq!(read.json()["items"][0]["id"], id.as_str());

    // A record the second instance rendered before the write is read anew
    // when asked with the write's position.
    let path = format!("/v1/organisations/{id}");
    second.get(&path).await.expect(200);
    let patched = first
        .patch(
            &path,
            json!({"name": "Royal Netherlands Standardization Institute"}),
        )
        .await;
    let written = position(patched.expect(200));
    let read = second
        .send(
            actix_web::test::TestRequest::get()
                .uri(&path)
                .insert_header(("Min-Change-Position", written.to_string())),
        )
        .await;
    assert_eq!(
        read.expect(200).json()["name"],
        "Royal Netherlands Standardization Institute"
    );

    // A position this registry has not reached: a bounded wait, then 503.
    let started = std::time::Instant::now();
    let ahead = second
        .send(
            actix_web::test::TestRequest::get()
                .uri("/v1/organisations")
                .insert_header(("Min-Change-Position", (written + 1000).to_string())),
        )
        .await;
    ahead.problem(503);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    let malformed = second
        .send(
            actix_web::test::TestRequest::get()
                .uri("/v1/organisations")
                .insert_header(("Min-Change-Position", "soon")),
        )
        .await;
    assert_eq!(
        malformed.problem(400),
        [(
            "Min-Change-Position".to_owned(),
            "invalid-position".to_owned()
        )]
    );
}

#[actix_web::test]
async fn snippets_mark_the_matches_and_escape_everything_else() {
    let app = spawn_with(single_editor()).await;
    let mut body = initiative("Markup in summaries");
    body["summary"] = json!({
        "en": "Checks <b>biased</b> models & reports \"fairness\" gaps",
        "nl": "Controleert vooringenomen modellen"
    });
    app.create("/v1/initiatives", body).await;
    let hit = app.get("/v1/search?q=bias").await.json()["items"][0].clone();
    assert_eq!(
        hit["snippet"],
        "Checks &lt;b&gt;<mark>biased</mark>&lt;/b&gt; models &amp; reports &quot;fairness&quot; gaps",
        "{hit}"
    );
    // Only the Dutch text matches: the Dutch snippet is shown.
    let dutch = app.get("/v1/search?q=vooringenomen").await.json()["items"][0].clone();
    assert_eq!(
        dutch["snippet"],
        "Controleert <mark>vooringenomen</mark> modellen"
    );
}

#[actix_web::test]
async fn synonyms_find_each_other_across_languages() {
    let app = spawn_with(single_editor()).await;
    let mut ai = initiative("Kunstmatige intelligentie in de zorg");
    ai["summary"] = json!({"nl": "Een netwerk over medische hulpmiddelen en gegevens."});
    let ai = app.create("/v1/initiatives", ai).await;
    let other = app
        .create(
            "/v1/initiatives",
            initiative("Cybersecurity of hospital networks"),
        )
        .await;
    let ids = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for q in [
        "AI",
        "artificial intelligence",
        "\"artificiële intelligentie\"",
        "artificiele intelligentie",
        "medical device",
        "data",
        "AI data",
    ] {
        let found = ids(app
            .get(&format!("/v1/search?q={}", urlencode(q)))
            .await
            .json());
        assert_eq!(found, std::slice::from_ref(&ai), "q={q}");
    }
    // A synonym leaves other words alone, and an exclusion covers all
    // variants.
    let found = ids(app.get("/v1/search?q=ziekenhuis").await.json());
    assert_eq!(found, [other]);
    let found = ids(app.get("/v1/search?q=zorg%20-AI").await.json());
    assert!(found.is_empty(), "{found:?}");
    // Snippets mark the synonyms that matched.
    let hit = app.get("/v1/search?q=medical%20device").await.json()["items"][0].clone();
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>medische</mark> <mark>hulpmiddelen</mark>"),
        "{hit}"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn a_record_is_read_from_memory_until_a_change_touches_it() {
    let app = spawn_with(single_editor()).await;
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    let group = app
        .create("/v1/initiatives", initiative("Cached working group"))
        .await;
    let path = format!("/v1/initiatives/{group}");
    app.put(
        &format!("{path}/organisations/{nen}"),
        json!({"role": "secretariat"}),
    )
    .await
    .expect(201);
    app.approve(&path).await;
    let anonymous = || app.send_as(actix_web::test::TestRequest::get().uri(&path), None);
    let (first, _) = crate::support::count_queries(anonymous()).await;
    first.expect(200);
    let (again, queries) = crate::support::count_queries(anonymous()).await;
    assert_eq!(queries, 0, "the second read is served from memory");
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), first.header("etag"));

    // A change of a linked record changes what the initiative shows (to
    // staff: NEN is a draft, so the public sees no link).
    let staff_view = app.get(&path).await.json();
    assert_eq!(staff_view["organisations"][0]["name"], "NEN");
    app.patch(
        &format!("/v1/organisations/{nen}"),
        json!({"name": "Royal Netherlands Standardization Institute"}),
    )
    .await
    .expect(200);
    let staff_view = app.get(&path).await.json();
    assert_eq!(
        staff_view["organisations"][0]["name"],
        "Royal Netherlands Standardization Institute"
    );

    // Archived: the public's cached copy goes with the change.
    let version = staff_view["version"].as_i64().unwrap();
    app.send(crate::support::step(&path, version, "archive"))
        .await
        .expect(200);
    anonymous().await.problem(404);
}

/// What can be found equals what can be read: the public's search never
/// matches a draft, an edit waiting for review, an expert without consent
/// or anyone's contact data; an erased expert is found by no one.
#[actix_web::test]
async fn a_public_search_finds_only_what_the_public_may_read() {
    let app = spawn_with(single_editor()).await;
    app.create("/v1/initiatives", initiative("Zanzibarian draft"))
        .await;
    let published = app
        .create("/v1/initiatives", initiative("Published register"))
        .await;
    app.approve(&format!("/v1/initiatives/{published}")).await;
    app.patch(
        &format!("/v1/initiatives/{published}"),
        json!({"title": {"en": "Quokkaesque revision"}}),
    )
    .await
    .expect(200);
    let shy = app
        .create(
            "/v1/experts",
            json!({"givenName": "Xanthippe", "familyName": "Shy",
                   "email": "walrusmail@example.org"}),
        )
        .await;
    app.approve(&format!("/v1/experts/{shy}")).await;
    let anonymous = |q: &str| {
        let uri = format!("/v1/search?q={q}");
        app.send_as(actix_web::test::TestRequest::get().uri(&uri), None)
    };
    for q in ["zanzibarian", "quokkaesque", "xanthippe", "walrusmail"] {
        let found = anonymous(q).await.json();
        assert_eq!(found["total"], 0, "public q={q}: {found}");
    }
    let total = |body: serde_json::Value| body["total"].as_i64().unwrap();
    assert_eq!(total(app.get("/v1/search?q=zanzibarian").await.json()), 1);
    assert_eq!(total(app.get("/v1/search?q=xanthippe").await.json()), 1);
    // Contact data and pending edits are not searchable by anyone.
    assert_eq!(total(app.get("/v1/search?q=walrusmail").await.json()), 0);
    assert_eq!(total(app.get("/v1/search?q=quokkaesque").await.json()), 0);

    let path = format!("/v1/experts/{shy}");
    let etag = app.get(&path).await.header("etag").unwrap().to_owned();
    app.send(
        actix_web::test::TestRequest::delete()
            .uri(&format!("{path}?erase=true"))
            .insert_header(("if-match", etag)),
    )
    .await
    .expect(204);
    assert_eq!(total(app.get("/v1/search?q=xanthippe").await.json()), 0);
    assert_eq!(total(app.get("/v1/experts").await.json()), 0);
}

/// A record's public time of change moves when a linked record becomes
/// public (its public view now shows that record), without an event of its
/// own: the index re-reads the records linked to a changed one.
#[actix_web::test]
async fn a_linked_record_going_public_moves_the_public_time_of_change() {
    let app = spawn_with(single_editor()).await;
    let group = app
        .create("/v1/initiatives", initiative("Expert group"))
        .await;
    let path = format!("/v1/initiatives/{group}");
    app.approve(&path).await;
    let anna = app
        .create(
            "/v1/experts",
            json!({"givenName": "Anna", "familyName": "de Vries",
                   "consent": {"publicProfile": true, "givenAt": "2026-11-20"}}),
        )
        .await;
    app.put(&format!("{path}/experts/{anna}"), json!({"role": "chair"}))
        .await
        .expect(201);
    let public = |uri: String| {
        let request = actix_web::test::TestRequest::get().uri(&uri);
        app.send_as(request, None)
    };
    let before = public(path.clone()).await.json()["updatedAt"]
        .as_str()
        .unwrap()
        .to_owned();
    app.approve(&format!("/v1/experts/{anna}")).await;
    let record = public(path.clone()).await.json();
    assert_eq!(record["experts"][0]["name"], "Anna de Vries", "{record}");
    let after = record["updatedAt"].as_str().unwrap().to_owned();
    assert!(after > before, "{after} after {before}");
    let since = url::form_urlencoded::byte_serialize(after.as_bytes()).collect::<String>();
    let listed = public(format!("/v1/initiatives?updatedSince={since}"))
        .await
        .json();
    assert_eq!(listed["total"], 1, "{listed}");
    let sorted = public("/v1/initiatives?sort=-updatedAt".to_owned())
        .await
        .json();
    assert_eq!(sorted["items"][0]["id"], group.as_str());
}
