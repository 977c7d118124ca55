//! A record's topic tags and its topic closure.

use std::collections::HashMap;

use diesel::QueryableByName;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::values::Slug;
use crate::error::ApiResult;
use crate::sql::sql;

use super::Kind;

#[derive(QueryableByName)]
struct TopicTag {
    #[diesel(sql_type = SqlUuid)]
    owner: Uuid,
    #[diesel(sql_type = Text)]
    topic_slug: String,
}

/// The topic slugs of each record, in slug order: one query for any number of records.
pub async fn topics_of(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<String>>> {
    let (table, column) = kind.topic_table();
    let statement = sql!(
        "SELECT ",
        column,
        " AS owner, topic_slug FROM ",
        table,
        " WHERE ",
        column,
        " = ANY($1) ORDER BY topic_slug"
    );
    let tags: Vec<TopicTag> = statement
        .query()
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    let mut topics: HashMap<Uuid, Vec<String>> = HashMap::new();
    for tag in tags {
        topics.entry(tag.owner).or_default().push(tag.topic_slug);
    }
    Ok(topics)
}

/// Sets a record's topics to exactly `slugs`, and its topic closure (the
/// topics with their ancestors) that filters and counts use.
pub async fn replace_topics(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    slugs: &[Slug],
) -> ApiResult<()> {
    let (table, column) = kind.topic_table();
    sql!("DELETE FROM ", table, " WHERE ", column, " = $1")
        .query()
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    let slugs: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
    sql!(
        "INSERT INTO ",
        table,
        " (",
        column,
        ", topic_slug) SELECT $1, unnest($2::text[])"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(&slugs)
    .execute(conn)
    .await?;
    sql!(
        "UPDATE ",
        kind.table(),
        " SET topic_closure = aimd_topic_closure($2) WHERE id = $1"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(&slugs)
    .execute(conn)
    .await?;
    Ok(())
}
