//! The search index answers lists exactly as the SQL discovery path did:
//! on a generated registry (`bench/generate.sql`, scaled down, with some
//! records deleted, unpublished or without consent), random combinations
//! of filters, sorts, facets and page sizes, for both audiences, give the
//! same ids in the same order, the same totals and the same facet counts,
//! on the first page and on the pages their own cursors lead to.
//!
//! The SQL side is called through the library (`store::discovery`), the
//! index side through HTTP.

use actix_web::test::TestRequest;
use aimd_registry::api::crud::Resource;
use aimd_registry::api::experts::Experts;
use aimd_registry::api::initiatives::Initiatives;
use aimd_registry::api::organisations::Organisations;
use aimd_registry::auth::Audience;
use aimd_registry::domain::page::{Cursor, encode_cursor};
use aimd_registry::domain::query::QueryReader;
use aimd_registry::domain::topics::Vocabulary;
use aimd_registry::store::discovery::{self, LIST_KEYS, ListRequest};
use aimd_registry::store::records::StoredKind;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

use crate::support::{TestDb, spawn_on};

/// Requests per kind and audience.
const ROUNDS: usize = 40;

/// `bench/generate.sql` at a size a test can afford, without its psql
/// commands and its closing VACUUM (which cannot run in the one implicit
/// transaction a multi-statement batch is).
fn generator() -> String {
    let script = include_str!("../../bench/generate.sql");
    let body = script.split("VACUUM ANALYZE;").next().expect("script");
    body.lines()
        .filter(|line| !line.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(":initiatives", "1500")
        .replace(":experts", "500")
        .replace(":organisations", "300")
}

/// Changes that make the audiences differ: deleted records, drafts,
/// experts without consent, records changed since they were published.
const DIVERSIFY: &str = "
    UPDATE initiatives SET deleted_at = now() WHERE id IN (SELECT id FROM initiatives ORDER BY md5(id::text) LIMIT 30);
    UPDATE organisations SET deleted_at = now() WHERE id IN (SELECT id FROM organisations ORDER BY md5(id::text) LIMIT 8);
    UPDATE experts SET deleted_at = now() WHERE id IN (SELECT id FROM experts ORDER BY md5(id::text) LIMIT 10);
    UPDATE initiatives SET updated_at = updated_at + interval '3 days'
     WHERE id IN (SELECT id FROM initiatives ORDER BY md5(id::text || 'x') LIMIT 200);
";

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, values: &'a [String]) -> &'a str {
        &values[self.below(values.len())]
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    value: String,
}

async fn values(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn).await.expect(sql);
    rows.into_iter().map(|r| r.value).collect()
}

/// What the queries draw from.
struct Pool {
    topics: Vec<String>,
    countries: Vec<String>,
    languages: Vec<String>,
    organisation_types: Vec<String>,
    initiative_types: Vec<String>,
    public_organisations: Vec<String>,
    public_experts: Vec<String>,
    public_initiatives: Vec<String>,
    days: Vec<String>,
    times: Vec<String>,
}

fn words(list: &str) -> Vec<String> {
    list.split(' ').map(str::to_owned).collect()
}

/// Adds `key=value` for one to three values drawn from `values`.
fn add(query: &mut Vec<(String, String)>, dice: &mut Dice, key: &str, values: &[String]) {
    for _ in 0..=dice.below(3) {
        query.push((key.to_owned(), dice.pick(values).to_owned()));
    }
}

fn encode(query: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        out.append_pair(k, v);
    }
    out.finish()
}

fn initiative_query(dice: &mut Dice, pool: &Pool) -> Vec<(String, String)> {
    let mut q = Vec::new();
    let scopes = words("national european international");
    if dice.chance(30) {
        add(&mut q, dice, "scope", &scopes);
    }
    if dice.chance(35) {
        add(&mut q, dice, "topic", &pool.topics);
        if dice.chance(40) {
            q.push(("topicMatch".into(), "all".into()));
        }
    }
    if dice.chance(25) {
        add(&mut q, dice, "country", &pool.countries);
    }
    if dice.chance(20) {
        add(&mut q, dice, "type", &pool.initiative_types);
    }
    if dice.chance(25) {
        add(
            &mut q,
            dice,
            "status",
            &words("active completed planned discontinued"),
        );
    }
    if dice.chance(20) {
        add(
            &mut q,
            dice,
            "regulation",
            &words("mdr ivdr ai-act gdpr ehds other"),
        );
    }
    if dice.chance(10) {
        add(&mut q, dice, "organisation", &pool.public_organisations);
    }
    if dice.chance(10) {
        add(&mut q, dice, "expert", &pool.public_experts);
    }
    if dice.chance(20) {
        q.push(("activeOn".into(), dice.pick(&pool.days).to_owned()));
    }
    if dice.chance(15) {
        q.push(("updatedSince".into(), dice.pick(&pool.times).to_owned()));
    }
    let sorts = words("title -updatedAt startDate -startDate createdAt");
    let facets = words("scope topic country type status regulation");
    finish(q, dice, &sorts, &facets)
}

fn expert_query(dice: &mut Dice, pool: &Pool) -> Vec<(String, String)> {
    let mut q = Vec::new();
    if dice.chance(30) {
        add(&mut q, dice, "country", &pool.countries);
    }
    if dice.chance(35) {
        add(&mut q, dice, "topic", &pool.topics);
        if dice.chance(40) {
            q.push(("topicMatch".into(), "all".into()));
        }
    }
    if dice.chance(10) {
        add(&mut q, dice, "organisation", &pool.public_organisations);
    }
    if dice.chance(10) {
        add(&mut q, dice, "initiative", &pool.public_initiatives);
    }
    if dice.chance(30) {
        add(
            &mut q,
            dice,
            "initiativeScope",
            &words("national european international"),
        );
    }
    if dice.chance(30) {
        add(&mut q, dice, "initiativeTopic", &pool.topics);
    }
    if dice.chance(25) {
        add(&mut q, dice, "language", &pool.languages);
    }
    let sorts = words("name -updatedAt createdAt");
    let facets = words("country topic language");
    finish(q, dice, &sorts, &facets)
}

fn organisation_query(dice: &mut Dice, pool: &Pool) -> Vec<(String, String)> {
    let mut q = Vec::new();
    if dice.chance(35) {
        add(&mut q, dice, "type", &pool.organisation_types);
    }
    if dice.chance(35) {
        add(&mut q, dice, "country", &pool.countries);
    }
    if dice.chance(35) {
        add(&mut q, dice, "topic", &pool.topics);
        if dice.chance(40) {
            q.push(("topicMatch".into(), "all".into()));
        }
    }
    if dice.chance(15) {
        add(&mut q, dice, "initiative", &pool.public_initiatives);
    }
    let sorts = words("name -updatedAt createdAt");
    let facets = words("type country topic");
    finish(q, dice, &sorts, &facets)
}

/// A sort, some facets and a page size.
fn finish(
    mut q: Vec<(String, String)>,
    dice: &mut Dice,
    sorts: &[String],
    facets: &[String],
) -> Vec<(String, String)> {
    q.push(("sort".into(), dice.pick(sorts).to_owned()));
    let chosen: Vec<&str> = facets
        .iter()
        .filter(|_| dice.chance(40))
        .map(String::as_str)
        .collect();
    if !chosen.is_empty() {
        q.push(("facets".into(), chosen.join(",")));
    }
    let limits = [1, 3, 10, 25, 100];
    q.push(("limit".into(), limits[dice.below(limits.len())].to_string()));
    q
}

/// What the SQL path answers: ids, the next cursor, total and facets (as
/// the API writes them); `None` when it refuses the filter.
async fn by_sql<R: Resource>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    audience: Audience,
    query: &str,
) -> Option<(Vec<String>, Option<String>, i64, Value)> {
    let keys: Vec<&str> = R::FILTER_KEYS.iter().chain(LIST_KEYS).copied().collect();
    let reader = QueryReader::new(query, &keys);
    let list = ListRequest::read(reader, &R::TABLE, audience, |q| {
        R::read_filter(q, vocabulary)
    })
    .expect("a well-formed query");
    R::check_filter(conn, &list.filter).await.ok()?;
    let mut found = discovery::find_page(conn, &R::TABLE, &list, None)
        .await
        .expect("SQL page");
    let limit = list.page.limit as usize;
    let more = found.len() > limit;
    found.truncate(limit);
    let next = more.then(|| found.last()).flatten().map(|last| {
        encode_cursor(&Cursor {
            sort: list.sort.name.to_owned(),
            key: last.sort_key.clone(),
            id: last.id,
        })
    });
    let total = discovery::count(conn, &R::TABLE, &list, None)
        .await
        .expect("SQL count");
    let facets = discovery::facets(conn, &R::TABLE, &list, None, vocabulary)
        .await
        .expect("SQL facets");
    let ids = found.iter().map(|f| f.id.to_string()).collect();
    Some((ids, next, total, json!(facets)))
}

#[actix_web::test]
async fn the_index_lists_what_the_sql_path_listed() {
    let db = TestDb::new().await;
    let mut conn = AsyncPgConnection::establish(&db.url)
        .await
        .expect("connect");
    conn.batch_execute(&generator()).await.expect("generate");
    conn.batch_execute(DIVERSIFY).await.expect("diversify");
    let pool = Pool {
        topics: values(&mut conn, "SELECT slug AS value FROM topics").await,
        countries: words("NL DE BE FR GB US SE JP"),
        languages: values(&mut conn, "SELECT DISTINCT unnest(languages) AS value FROM experts").await,
        organisation_types: values(&mut conn, "SELECT DISTINCT organisation_type AS value FROM organisations").await,
        initiative_types: values(&mut conn, "SELECT DISTINCT initiative_type AS value FROM initiatives").await,
        public_organisations: values(&mut conn, "SELECT id::text AS value FROM organisations WHERE deleted_at IS NULL AND is_public ORDER BY id LIMIT 40").await,
        public_experts: values(&mut conn, "SELECT id::text AS value FROM experts WHERE deleted_at IS NULL AND is_public ORDER BY id LIMIT 40").await,
        public_initiatives: values(&mut conn, "SELECT id::text AS value FROM initiatives WHERE deleted_at IS NULL AND is_public ORDER BY id LIMIT 40").await,
        days: values(&mut conn, "SELECT (date '2016-01-01' + 97 * g)::text AS value FROM generate_series(0, 40) g").await,
        times: values(&mut conn, "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS value FROM initiatives ORDER BY id LIMIT 30").await,
    };
    let url = db.url.clone();
    let app = spawn_on(
        url,
        aimd_registry::db::DbSettings::sized(4),
        Default::default(),
        Some(db),
    )
    .await;
    let state = app.state().await;
    let vocabulary = state.vocabulary.clone();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut compared = 0;
    for audience in [Audience::Public, Audience::Staff] {
        let mut sql = state.conn(audience).await.expect("connection");
        for round in 0..ROUNDS * 3 {
            let (collection, query) = match round % 3 {
                0 => ("initiatives", initiative_query(&mut dice, &pool)),
                1 => ("experts", expert_query(&mut dice, &pool)),
                _ => ("organisations", organisation_query(&mut dice, &pool)),
            };
            if collection == "initiatives" {
                let filters: Vec<(String, String)> = query
                    .iter()
                    .filter(|(key, _)| !["sort", "facets", "limit"].contains(&key.as_str()))
                    .cloned()
                    .collect();
                compare_overview(&app, &mut sql, &vocabulary, audience, &encode(&filters)).await;
            }
            let mut query = encode(&query);
            let mut index_query = query.clone();
            // The first page, and the next two by each path's own cursor.
            for page in 0..3 {
                let expected = match collection {
                    "initiatives" => {
                        by_sql::<Initiatives>(&mut sql, &vocabulary, audience, &query).await
                    }
                    "experts" => by_sql::<Experts>(&mut sql, &vocabulary, audience, &query).await,
                    _ => by_sql::<Organisations>(&mut sql, &vocabulary, audience, &query).await,
                };
                let request = TestRequest::get().uri(&format!("/v1/{collection}?{index_query}"));
                let reply = match audience {
                    Audience::Public => app.send_as(request, None).await,
                    Audience::Staff => app.send(request).await,
                };
                let Some((ids, next, total, facets)) = expected else {
                    assert_eq!(reply.status, 400, "SQL refused {collection}?{query}");
                    break;
                };
                let body = reply.expect(200).json();
                let context = format!("{audience:?} {collection}?{index_query} (page {page})");
                let got: Vec<String> = body["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|item| item["id"].as_str().expect("id").to_owned())
                    .collect();
                assert_eq!(got, ids, "ids of {context}");
                assert_eq!(body["total"], total, "total of {context}");
                if !facets.is_null() {
                    assert_eq!(body["facets"], facets, "facets of {context}");
                }
                compared += 1;
                let (Some(next), Some(index_next)) = (next, body["next"].as_str()) else {
                    assert!(body["next"].is_null(), "no next page for {context}");
                    break;
                };
                query = format!("{}&cursor={next}", strip_cursor(&query));
                index_query = format!("{}&cursor={index_next}", strip_cursor(&index_query));
            }
        }
    }
    println!("{compared} pages compared");
    assert!(
        compared >= ROUNDS * 6,
        "most requests are compared ({compared})"
    );
}

/// The overview over the same initiatives, by both paths.
async fn compare_overview<S, B>(
    app: &crate::support::TestApp<S>,
    sql: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    audience: Audience,
    query: &str,
) where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let keys: Vec<&str> = Initiatives::FILTER_KEYS
        .iter()
        .chain(&["q"])
        .copied()
        .collect();
    let reader = QueryReader::new(query, &keys);
    let list = ListRequest::read(reader, &Initiatives::TABLE, audience, |q| {
        Initiatives::read_filter(q, vocabulary)
    })
    .expect("a well-formed query");
    let request = TestRequest::get().uri(&format!("/v1/overview?{query}"));
    let reply = match audience {
        Audience::Public => app.send_as(request, None).await,
        Audience::Staff => app.send(request).await,
    };
    if Initiatives::check_filter(sql, &list.filter).await.is_err() {
        assert_eq!(reply.status, 400, "SQL refused the overview for {query}");
        return;
    }
    let expected = aimd_registry::store::overview::overview(sql, vocabulary, &list)
        .await
        .expect("SQL overview");
    assert_eq!(
        reply.expect(200).json(),
        json!(expected),
        "{audience:?} overview?{query}"
    );
}

fn strip_cursor(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.starts_with("cursor="))
        .collect::<Vec<_>>()
        .join("&")
}
