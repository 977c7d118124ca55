//! The public's reads are narrowed by the database, not by the statements:
//! on a public connection a statement that says nothing about visibility
//! reads only public rows, and a table without a public view is refused.

use std::collections::BTreeSet;

use diesel::sql_query;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::support::{expert, initiative, organisation, single_editor, spawn_with};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct Email {
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
}

#[actix_web::test]
async fn a_read_that_forgets_the_audience_sees_only_what_the_public_may() {
    let app = spawn_with(single_editor()).await;
    let published = app.create("/v1/initiatives", initiative("Published")).await;
    app.approve(&format!("/v1/initiatives/{published}")).await;
    app.create("/v1/initiatives", initiative("Draft")).await;
    let deleted = app.create("/v1/initiatives", initiative("Deleted")).await;
    app.approve(&format!("/v1/initiatives/{deleted}")).await;
    app.delete(&format!("/v1/initiatives/{deleted}"))
        .await
        .expect(204);
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    app.put(
        &format!("/v1/initiatives/{published}/organisations/{nen}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    let consenting = app
        .create(
            "/v1/experts",
            json!({"givenName": "Ada", "familyName": "Open", "email": "ada@example.org",
                   "consent": {"publicProfile": true, "givenAt": "2026-11-20"}}),
        )
        .await;
    app.approve(&format!("/v1/experts/{consenting}")).await;
    let shy = app.create("/v1/experts", expert("Shy", "Person")).await;
    app.approve(&format!("/v1/experts/{shy}")).await;
    app.put(
        &format!("/v1/initiatives/{published}/experts/{shy}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    // An edit of the published initiative, waiting for review.
    app.patch(
        &format!("/v1/initiatives/{published}"),
        json!({"acronym": "PUB"}),
    )
    .await
    .expect(200);

    let mut public = app.public_connection().await;
    let count = async |conn: &mut _, statement: &str| {
        let found: Count = sql_query(statement).get_result(conn).await.unwrap();
        found.n
    };
    // No liveness test, no publication test: still only the public rows.
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM initiatives").await,
        1
    );
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM experts").await,
        1
    );
    // The organisation is a draft.
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM organisations").await,
        0
    );
    // The expert did not consent: their participation is not there either.
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM initiative_experts").await,
        0
    );
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM pending_revisions").await,
        0
    );
    let emails: Vec<Email> = sql_query("SELECT email FROM experts")
        .load(&mut public)
        .await
        .unwrap();
    assert!(
        emails.iter().all(|e| e.email.is_none()),
        "contact data is staff-only"
    );
    // The change feed holds only the events the public saw: two
    // publications, and a publication and deletion.
    assert_eq!(
        count(&mut public, "SELECT count(*) AS n FROM changes").await,
        4
    );

    // What has no public view is refused, however it is named.
    for statement in [
        "SELECT count(*) AS n FROM api_keys",
        "SELECT count(*) AS n FROM history",
        "SELECT count(*) AS n FROM webhook_subscriptions",
        "SELECT count(*) AS n FROM webhook_deliveries",
        "SELECT count(*) AS n FROM idempotency_keys",
        "SELECT count(*) AS n FROM public.initiatives",
        "SELECT count(*) AS n FROM public.experts",
    ] {
        let refused = sql_query(statement).get_result::<Count>(&mut public).await;
        let error = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("permission denied"), "{statement}: {error}");
    }
    // (The role guards against statements of ours that forget the
    // audience. The login could `RESET ROLE`, but no client text is ever
    // executed: every value is a bind parameter.)

    // The same statements on the staff's connection see everything.
    let mut staff = app.connection().await;
    assert_eq!(
        count(&mut staff, "SELECT count(*) AS n FROM initiatives").await,
        3
    );
    assert_eq!(
        count(&mut staff, "SELECT count(*) AS n FROM pending_revisions").await,
        1
    );
    assert_eq!(
        count(&mut staff, "SELECT count(*) AS n FROM initiative_experts").await,
        1
    );
}

/// Each public view shows every column of its table, so a column added by
/// a migration that did not call `aimd_build_public_views()` again is
/// caught here rather than by a public read that fails; and the reader
/// role may read exactly these views.
#[actix_web::test]
async fn the_public_views_match_their_tables_and_are_all_the_reader_may_read() {
    let app = spawn_with(single_editor()).await;
    let mut conn = app.connection().await;
    let mismatched: Vec<Name> = sql_query(
        "SELECT v.table_name || ': ' || coalesce(v.column_name, '-') || ' / ' \
                || coalesce(t.column_name, '-') AS name \
           FROM (SELECT table_name, column_name FROM information_schema.columns \
                  WHERE table_schema = 'aimd_public') v \
           FULL JOIN (SELECT table_name, column_name FROM information_schema.columns \
                       WHERE table_schema = 'public' AND table_name IN \
                         (SELECT table_name FROM information_schema.views \
                           WHERE table_schema = 'aimd_public')) t \
             ON t.table_name = v.table_name AND t.column_name = v.column_name \
          WHERE v.column_name IS NULL OR t.column_name IS NULL",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mismatched: Vec<String> = mismatched.into_iter().map(|m| m.name).collect();
    assert!(
        mismatched.is_empty(),
        "views and tables differ: {mismatched:?}"
    );

    let readable: Vec<Name> = sql_query(
        "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c \
           JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'v', 'm', 'p') \
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
            AND has_table_privilege('aimd_public_reader', c.oid, 'SELECT')",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let readable: BTreeSet<String> = readable.into_iter().map(|r| r.name).collect();
    let expected: BTreeSet<String> = [
        "affiliations",
        "change_counter",
        "changes",
        "expert_topics",
        "experts",
        "initiative_experts",
        "initiative_organisations",
        "initiative_relations",
        "initiative_topics",
        "initiatives",
        "organisation_topics",
        "organisations",
        "pending_revisions",
        "topics",
    ]
    .iter()
    .map(|t| format!("aimd_public.{t}"))
    .collect();
    assert_eq!(readable, expected);
}

/// An expert's links and topics follow the expert out of the public's view
/// and back in: archived, then restored.
#[actix_web::test]
async fn an_experts_links_follow_the_expert_in_the_public_views() {
    let app = spawn_with(single_editor()).await;
    let initiative = app.create("/v1/initiatives", initiative("Group")).await;
    app.approve(&format!("/v1/initiatives/{initiative}")).await;
    let public_expert = json!({"givenName": "Ada", "familyName": "Open",
                               "consent": {"publicProfile": true, "givenAt": "2026-11-20"},
                               "topics": ["privacy"]});
    let ada = app.create("/v1/experts", public_expert).await;
    let path = format!("/v1/experts/{ada}");
    app.approve(&path).await;
    app.put(
        &format!("/v1/initiatives/{initiative}/experts/{ada}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    let nen = app.create("/v1/organisations", organisation("NEN")).await;
    app.put(
        &format!("/v1/experts/{ada}/affiliations/{nen}"),
        json!({"role": "advisor"}),
    )
    .await
    .expect(201);

    let counts = async || {
        let mut public = app.public_connection().await;
        let mut found = Vec::new();
        for table in ["initiative_experts", "affiliations", "expert_topics"] {
            let row: Count = sql_query(format!("SELECT count(*) AS n FROM {table}"))
                .get_result(&mut public)
                .await
                .unwrap();
            found.push(row.n);
        }
        found
    };
    assert_eq!(counts().await, vec![1, 1, 1]);

    let version = app.get(&path).await.json()["version"].as_i64().unwrap();
    app.send(crate::support::step(&path, version, "archive"))
        .await
        .expect(200);
    assert_eq!(counts().await, vec![0, 0, 0], "archived: out of view");

    let version = app.get(&path).await.json()["version"].as_i64().unwrap();
    app.send(crate::support::step(&path, version, "restore"))
        .await
        .expect(200);
    assert_eq!(counts().await, vec![1, 1, 1], "restored: in view");
}
