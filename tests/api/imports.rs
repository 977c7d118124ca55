//! Bulk import: all or nothing, every error with its line, matching by id
//! or external key so that a second run changes nothing.

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use aimd_registry::api::access::Policy;

use crate::support::{Reply, fixture_source, spawn, spawn_with, step};

fn ndjson(lines: &[Value]) -> String {
    lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn import(query: &str, body: String) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/v1/imports{query}"))
        .insert_header(("content-type", "application/x-ndjson"))
        .set_payload(body)
}

fn registry() -> Vec<Value> {
    vec![
        json!({"kind": "organisation", "name": "Royal Netherlands Standardization Institute", "acronym": "NEN",
               "type": "standards-body", "country": "NL", "website": "https://www.nen.nl/", "topics": ["standardisation"]}),
        json!({"kind": "expert", "givenName": "Anna", "familyName": "de Vries", "orcid": "0000-0002-1825-0097",
               "bio": {"en": "Fictional expert."}, "affiliations": [{"ref": "https://www.nen.nl/", "role": "Advisor"}]}),
        json!({"kind": "initiative", "title": {"en": "Artificial Intelligence Act"}, "scope": "european", "type": "legislation",
               "status": "active", "topics": ["trust-in-ai"], "website": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
               "sources": [fixture_source()]}),
        json!({"kind": "initiative", "title": {"en": "NEN expert group AI and medical devices"}, "scope": "national",
               "countries": ["NL"], "type": "expert-network", "status": "active", "topics": ["clinical-validation"],
               "website": "https://www.nen.nl/ai-medical-devices", "sources": [fixture_source()],
               "organisations": [{"ref": "https://www.nen.nl/", "role": "secretariat"}],
               "experts": [{"ref": "0000-0002-1825-0097", "role": "chair"}],
               "related": [{"ref": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "relation": "related-to"}]}),
    ]
}

#[actix_web::test]
async fn an_import_links_records_by_key_and_a_second_run_changes_nothing() {
    let app = spawn().await;
    let first = app.send(import("", ndjson(&registry()))).await;
    first.expect(200);
    let report = first.json();
    assert_eq!(
        (
            report["created"].clone(),
            report["updated"].clone(),
            report["linksChanged"].clone()
        ),
        (json!(4), json!(0), json!(4))
    );
    let group_id = report["records"][3]["id"].as_str().unwrap().to_owned();
    let group = app.get(&format!("/v1/initiatives/{group_id}")).await.json();
    assert_eq!(group["publicationStatus"], "draft");
    assert_eq!(group["organisations"][0]["role"], "secretariat");
    assert_eq!(group["experts"][0]["role"], "chair");
    assert_eq!(group["related"][0]["relation"], "related-to");
    let history = app
        .get(&format!("/v1/initiatives/{group_id}/history"))
        .await
        .json();
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"]["name"] == "test admin")
    );
    assert_eq!(
        history["items"].as_array().unwrap().last().unwrap()["message"],
        "import"
    );

    let again = app.send(import("", ndjson(&registry()))).await.json();
    assert_eq!(
        (
            again["created"].clone(),
            again["unchanged"].clone(),
            again["linksChanged"].clone()
        ),
        (json!(0), json!(4), json!(0))
    );
    assert_eq!(
        app.get("/v1/organisations").await.json()["total"],
        1,
        "no duplicates"
    );
    assert_eq!(
        app.get(&format!("/v1/initiatives/{group_id}")).await.json()["version"],
        group["version"]
    );

    // A line changes the fields it gives and keeps the others.
    let nen = report["records"][0]["id"].as_str().unwrap().to_owned();
    app.patch(
        &format!("/v1/organisations/{nen}"),
        json!({"description": {"en": "Added by a curator"}}),
    )
    .await
    .expect(200);
    let kept = app.send(import("", ndjson(&registry()))).await.json();
    assert_eq!(kept["unchanged"], 4);
    let organisation = app.get(&format!("/v1/organisations/{nen}")).await.json();
    assert_eq!(organisation["description"]["en"], "Added by a curator");

    // A changed field updates the record it matches.
    let mut changed = registry();
    changed[0]["acronym"] = json!("NEN-NL");
    let third = app.send(import("", ndjson(&changed))).await.json();
    assert_eq!(
        (third["updated"].clone(), third["unchanged"].clone()),
        (json!(1), json!(3))
    );
}

#[actix_web::test]
async fn one_bad_line_among_a_thousand_writes_nothing_and_is_named() {
    let app = spawn().await;
    let mut lines: Vec<Value> = (0..1000)
        .map(|n| json!({"kind": "organisation", "name": format!("Organisation {n}"), "type": "university", "country": "NL"}))
        .collect();
    lines[536]["country"] = json!("XX");
    let reply = app.send(import("", ndjson(&lines))).await;
    assert_eq!(
        reply.problem(400),
        [("537/country".to_owned(), "unknown-country".to_owned())]
    );
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 0);

    let unknown = vec![
        json!({"kind": "initiative", "title": {"en": "X"}, "scope": "european", "type": "standard",
        "status": "active", "topics": ["ethics"], "organisations": [{"ref": "https://nowhere.example/", "role": "lead"}]}),
    ];
    let reply = app.send(import("", ndjson(&unknown))).await;
    assert_eq!(
        reply.problem(400),
        [(
            "1/organisations/0/ref".to_owned(),
            "unknown-reference".to_owned()
        )]
    );
    assert_eq!(
        app.get("/v1/initiatives").await.json()["total"],
        0,
        "the transaction was rolled back"
    );

    let garbage = app
        .send(import(
            "",
            "{\"kind\": \"organisation\"}\nnot json\n[1]".to_owned(),
        ))
        .await;
    let problems = garbage.problem(400);
    assert!(
        problems.contains(&("1/name".to_owned(), "required".to_owned())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("2".to_owned(), "invalid-json".to_owned())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("3".to_owned(), "not-an-object".to_owned())),
        "{problems:?}"
    );
    // JSON is taken as an array of records: one record on its own is not.
    let not_an_array = TestRequest::post()
        .uri("/v1/imports")
        .set_json(json!({"kind": "organisation"}));
    app.send(not_an_array).await.problem(400);
}

#[actix_web::test]
async fn dry_runs_write_nothing_and_only_editors_publish_on_import() {
    let app = spawn().await;
    let dry = app.send(import("?dryRun=true", ndjson(&registry()))).await;
    dry.expect(200);
    assert_eq!(dry.json()["dryRun"], true);
    assert_eq!(dry.json()["created"], 4);
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 0);

    let curator = app.key(Role::Curator).await;
    app.send_as(import("?publish=true", ndjson(&registry())), Some(&curator))
        .await
        .problem(403);
    // Four eyes: publishing on import approves, and nobody approves what
    // they created or changed themselves.
    let editor = app.key(Role::Editor).await;
    let refused = app
        .send_as(import("?publish=true", ndjson(&registry())), Some(&editor))
        .await;
    refused.problem(403);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("four eyes")
    );
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 0);
    let drafts = app
        .send_as(import("", ndjson(&registry())), Some(&editor))
        .await;
    drafts.expect(200);
    // Another editor approves the organisation through the workflow.
    let organisation = drafts.json()["records"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/organisations/{organisation}");
    let version = |reply: &Reply| reply.json()["version"].as_i64().unwrap();
    let read = app.get(&path).await;
    let submitted = app.send(step(&path, version(&read), "submit")).await;
    submitted.expect(200);
    app.send(step(&path, version(&submitted), "approve"))
        .await
        .expect(200);
    assert_eq!(
        app.send_as(TestRequest::get().uri("/v1/organisations"), None)
            .await
            .json()["total"],
        1
    );
    // A change to it cannot go live unreviewed through an import either.
    let mut changed = registry();
    changed[0]["acronym"] = json!("CHG");
    app.send_as(import("?publish=true", ndjson(&changed)), Some(&editor))
        .await
        .problem(403);
    let public = app
        .send_as(TestRequest::get().uri(&path), None)
        .await
        .json();
    assert_eq!(public["acronym"], "NEN");
}

#[actix_web::test]
async fn a_single_editor_deployment_may_publish_its_own_imports() {
    let app = spawn_with(crate::support::single_editor()).await;
    let editor = app.key(Role::Editor).await;
    // Not an initiative without a source, and then nothing at all.
    let mut unsourced = registry();
    unsourced[3].as_object_mut().unwrap().remove("sources");
    let refused = app
        .send_as(import("?publish=true", ndjson(&unsourced)), Some(&editor))
        .await;
    refused.expect(400);
    assert_eq!(
        refused.json()["invalidParams"][0]["reason"],
        "an initiative needs at least one source in `sources` before it can be published"
    );
    assert_eq!(app.get("/v1/initiatives").await.json()["total"], 0);
    app.send_as(import("?publish=true", ndjson(&registry())), Some(&editor))
        .await
        .expect(200);
    let public = app
        .send_as(TestRequest::get().uri("/v1/initiatives"), None)
        .await
        .json();
    assert_eq!(public["total"], 2);
}

#[actix_web::test]
async fn new_records_take_the_ids_lines_give_and_experts_match_by_email() {
    let app = spawn().await;
    let organisation = "01938000-0000-7000-8000-00000000aa01";
    let lines = vec![
        json!({"kind": "organisation", "id": organisation, "name": "Fixed id", "type": "other",
               "topics": ["standardisation", "ethics"]}),
        json!({"kind": "expert", "givenName": "Ada", "familyName": "Mailed", "email": "Ada.Mailed@Example.org",
               "affiliations": [{"ref": organisation}]}),
    ];
    let first = app.send(import("", ndjson(&lines))).await;
    first.expect(200);
    assert_eq!(first.json()["records"][0]["id"], organisation);
    app.get(&format!("/v1/organisations/{organisation}"))
        .await
        .expect(200);

    // The same file again, with the topics in another order and the e-mail
    // in another case: the same records; the organisation is unchanged, the
    // expert is found by e-mail and takes the new spelling.
    let again = vec![
        json!({"kind": "organisation", "id": organisation, "name": "Fixed id", "type": "other",
               "topics": ["ethics", "standardisation"]}),
        json!({"kind": "expert", "givenName": "Ada", "familyName": "Mailed", "email": "ada.mailed@example.org",
               "affiliations": [{"ref": organisation}]}),
    ];
    let second = app.send(import("", ndjson(&again))).await.json();
    assert_eq!(
        (
            second["created"].clone(),
            second["unchanged"].clone(),
            second["updated"].clone()
        ),
        (json!(0), json!(1), json!(1)),
        "{second}"
    );
    assert_eq!(second["records"][0]["outcome"], "unchanged");
    assert_eq!(
        app.get("/v1/experts").await.json()["total"],
        1,
        "no duplicate expert"
    );

    // A link names the expert by e-mail address in any case.
    let linking = json!({"kind": "initiative", "title": {"en": "Mailed group"}, "scope": "european",
                         "type": "expert-network", "status": "active", "topics": ["ethics"],
                         "experts": [{"ref": "ADA.Mailed@example.ORG", "role": "member"}]});
    let linked = app.send(import("", ndjson(&[linking]))).await;
    linked.expect(200);
    assert_eq!(linked.json()["linksChanged"], 1);

    // An id another kind of record has is refused, as is the nil UUID.
    let taken = json!({"kind": "initiative", "id": organisation, "title": {"en": "Clash"}, "scope": "european",
                       "type": "other", "status": "active", "topics": ["ethics"]});
    let nil = json!({"kind": "organisation", "id": "00000000-0000-0000-0000-000000000000", "name": "Nil", "type": "other"});
    assert_eq!(
        app.send(import("", ndjson(&[taken]))).await.problem(400),
        [("1/id".to_owned(), "taken".to_owned())]
    );
    assert_eq!(
        app.send(import("", ndjson(&[nil]))).await.problem(400),
        [("1/id".to_owned(), "invalid-id".to_owned())]
    );
}

/// Eight identical imports at once used to create six copies of one
/// organisation: each looked the keys up before any had written.
#[actix_web::test]
async fn concurrent_imports_of_the_same_lines_leave_one_record_each() {
    let app = spawn().await;
    let body = ndjson(&registry());
    let replies =
        futures_util::future::join_all((0..8).map(|_| app.send(import("", body.clone())))).await;
    for reply in &replies {
        reply.expect(200);
    }
    let created: i64 = replies
        .iter()
        .map(|r| r.json()["created"].as_i64().unwrap())
        .sum();
    assert_eq!(created, 4, "one import created, the others found them");
    for (collection, total) in [("organisations", 1), ("experts", 1), ("initiatives", 2)] {
        let page = app.get(&format!("/v1/{collection}")).await.json();
        assert_eq!(page["total"], total, "{collection}");
    }
    let initiatives = app.get("/v1/initiatives").await.json();
    for initiative in initiatives["items"].as_array().unwrap() {
        let organisations = initiative["organisations"].as_array().unwrap();
        assert!(organisations.len() <= 1, "{initiative}");
    }
}

#[actix_web::test]
async fn keys_that_identify_a_record_are_unique_among_live_records() {
    let app = spawn().await;
    let nen = json!({"name": "NEN", "type": "standards-body", "website": "https://www.nen.nl/"});
    let first = app.create("/v1/organisations", nen.clone()).await;
    let twin = app.post("/v1/organisations", nen.clone()).await;
    twin.problem(409);
    assert!(twin.json()["detail"].as_str().unwrap().contains("website"));
    let anna = json!({"givenName": "Anna", "familyName": "de Vries", "email": "anna@example.org"});
    app.create("/v1/experts", anna).await;
    let shouting = json!({"givenName": "Anne", "familyName": "Vries", "email": "ANNA@example.org"});
    app.post("/v1/experts", shouting).await.problem(409);
    // A deleted record's keys are free again.
    let etag = app.get(&format!("/v1/organisations/{first}")).await;
    let etag = etag.header("etag").unwrap().to_owned();
    app.send(
        TestRequest::delete()
            .uri(&format!("/v1/organisations/{first}"))
            .insert_header(("if-match", etag)),
    )
    .await
    .expect(204);
    app.post("/v1/organisations", nen).await.expect(201);
}

/// A registry that already holds duplicates is told which, instead of the
/// migration failing on the first unique index with a bare constraint error.
#[actix_web::test]
async fn the_unique_keys_migration_names_existing_duplicates() {
    use diesel::{Connection, RunQueryDsl};
    use diesel_async::AsyncPgConnection;
    use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
    use diesel_migrations::MigrationHarness;

    let database = crate::support::TestDb::new().await;
    let url = database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
        // Back to before the unique keys (and whatever came after them).
        loop {
            let reverted = conn
                .revert_last_migration(aimd_registry::db::MIGRATIONS)
                .unwrap();
            if reverted.to_string() == "20261201000006" {
                break;
            }
        }
        diesel::sql_query(
            "INSERT INTO organisations (id, name, organisation_type, website, created_at, updated_at) VALUES \
             ('01938000-0000-7000-8000-0000000000d1', 'A', 'other', 'https://twin.example/', now(), now()), \
             ('01938000-0000-7000-8000-0000000000d2', 'B', 'other', 'https://twin.example/', now(), now())",
        )
        .execute(&mut conn)
        .unwrap();
    })
    .await
    .unwrap();
    let error = aimd_registry::db::run_migrations(&database.url)
        .await
        .expect_err("the duplicates stop the migration")
        .to_string();
    assert!(
        error.contains("organisations website = https://twin.example/")
            && error.contains(
                "01938000-0000-7000-8000-0000000000d1, 01938000-0000-7000-8000-0000000000d2"
            )
            && error.contains("merge"),
        "{error}"
    );
}

/// Found in review: a dry run cut short (a deadline, a client gone) left
/// its connection in an open transaction that the pool handed to the next
/// request, whose commit then wrote the dry run's records.
#[actix_web::test]
async fn a_dry_run_cut_short_leaves_nothing_for_the_next_request_to_commit() {
    use aimd_registry::auth::Caller;
    use aimd_registry::domain::history::ChangeContext;
    use aimd_registry::registry::imports::{ImportOptions, run};
    use diesel_async::{AsyncConnection, RunQueryDsl};

    let database = crate::support::TestDb::new().await;
    let pools = aimd_registry::db::pools(&database.url, 1).unwrap();
    let pool = pools.staff.clone();
    let state = aimd_registry::app_state(pools, Policy::default())
        .await
        .unwrap();
    let lines: Vec<Value> = (0..400)
        .map(|i| json!({"kind": "organisation", "name": format!("Dry {i}"), "type": "other"}))
        .collect();
    let text = ndjson(&lines);
    let context = ChangeContext {
        actor: None,
        request_id: None,
        message: None,
    };
    let options = ImportOptions {
        dry_run: true,
        publish: false,
        self_approval: true,
        create_duplicates: false,
    };
    let operator = Caller::operator();
    {
        let mut conn = pool.get().await.unwrap();
        let dry_run = run(
            &mut conn,
            &state.vocabulary,
            &text,
            &context,
            &operator,
            options,
        );
        let cut = tokio::time::timeout(std::time::Duration::from_millis(40), dry_run).await;
        assert!(cut.is_err(), "the dry run was cut short");
    }
    // The next request on the pool commits a write of its own.
    let mut conn = pool.get().await.unwrap();
    conn.transaction(async |conn| {
        diesel::sql_query("SELECT 1").execute(conn).await?;
        Ok::<_, diesel::result::Error>(())
    })
    .await
    .unwrap();
    drop(conn);
    let listed: Value = {
        let mut conn = pool.get().await.unwrap();
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query("SELECT count(*) AS n FROM organisations")
            .get_result(&mut conn)
            .await
            .unwrap();
        json!(count.n)
    };
    assert_eq!(listed, json!(0), "the dry run's records were committed");
}

/// The same records as a JSON array: the same checks, the same report,
/// a record named by its position as a line is by its number.
#[actix_web::test]
async fn a_json_array_imports_like_ndjson() {
    let app = spawn().await;
    let as_json = |records: Value| {
        TestRequest::post()
            .uri("/v1/imports")
            .insert_header(("content-type", "application/json"))
            .set_payload(records.to_string())
    };
    let records = registry();
    let mut broken = records.clone();
    broken[1]["orcid"] = json!("not an orcid");
    let problems = app.send(as_json(json!(broken))).await.problem(400);
    assert!(
        problems.iter().any(|(name, _)| name == "2/orcid"),
        "{problems:?}"
    );
    let report = app.send(as_json(json!(records))).await;
    assert_eq!(
        report.expect(200).json()["created"],
        records.len(),
        "{}",
        report.json()
    );
    let again = app.send(import("", ndjson(&records))).await;
    assert_eq!(again.expect(200).json()["unchanged"], records.len());

    app.send(as_json(json!({"kind": "organisation"})))
        .await
        .problem(400);
    let text = app
        .send(
            TestRequest::post()
                .uri("/v1/imports")
                .insert_header(("content-type", "text/plain"))
                .set_payload("x"),
        )
        .await;
    text.problem(415);
}

#[actix_web::test]
async fn a_line_that_looks_like_an_existing_record_is_reported_and_refused() {
    let app = spawn().await;
    let nen = app
        .create(
            "/v1/organisations",
            json!({"name": "Royal Netherlands Standardization Institute", "acronym": "NEN",
                   "type": "standards-body", "country": "NL", "website": "https://www.nen.nl/"}),
        )
        .await;
    // No id, no ROR id, no website: only the finder can tell.
    let again = vec![
        json!({"kind": "organisation", "name": "Stichting Koninklijk Nederlands Normalisatie Instituut",
               "acronym": "NEN", "type": "standards-body", "country": "NL"}),
        json!({"kind": "organisation", "name": "Health-RI", "type": "research-institute"}),
    ];
    let dry = app.send(import("?dryRun=true", ndjson(&again))).await;
    dry.expect(200);
    let dry = dry.json();
    assert_eq!(
        dry["records"][0]["possibleDuplicates"][0]["id"],
        nen.as_str(),
        "{dry}"
    );
    assert_eq!(
        dry["records"][0]["possibleDuplicates"][0]["reasons"],
        json!(["acronym", "similar-name", "same-country"])
    );
    assert!(
        dry["records"][1].get("possibleDuplicates").is_none(),
        "{dry}"
    );

    // A real import refuses the line, and so writes nothing.
    let refused = app.send(import("", ndjson(&again))).await;
    let problems = refused.problem(400);
    assert_eq!(
        problems,
        vec![("1".to_owned(), "possible-duplicate".to_owned())]
    );
    let reason = refused.json()["invalidParams"][0]["reason"].clone();
    assert!(reason.as_str().unwrap().contains(&nen), "{reason}");
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 1);

    // Unless the line or the request says to create it anyway.
    let mut told = again.clone();
    told[0]["createAnyway"] = json!(true);
    app.send(import("", ndjson(&told))).await.expect(200);
    assert_eq!(app.get("/v1/organisations").await.json()["total"], 3);
    let experts = vec![json!({"kind": "expert", "givenName": "Anna", "familyName": "de Vries"})];
    app.send(import("", ndjson(&experts))).await.expect(200);
    app.send(import("", ndjson(&experts))).await.problem(400);
    let created = app
        .send(import("?createDuplicates=true", ndjson(&experts)))
        .await;
    created.expect(200);
    assert_eq!(created.json()["created"], 1);
    app.send(import(
        "",
        "{\"kind\": \"expert\", \"givenName\": \"B\", \"familyName\": \"C\", \"createAnyway\": 1}"
            .to_owned(),
    ))
    .await
    .problem(400);
}
