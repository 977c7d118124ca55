//! The statements of an expert's erasure (`registry::erasure`): the person's
//! data leaves the row, the typo dictionary and the history.

use chrono::Utc;
use diesel::sql_types::{Array, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiResult;

/// What replaces personal data in erased history entries.
pub const REDACTED: &str = "[erased]";

#[derive(QueryableByName)]
struct Words {
    #[diesel(sql_type = Array<Text>)]
    words: Vec<String>,
}

/// The words of the person's name as the typo dictionary holds them.
pub async fn name_words(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Vec<String>> {
    let found: Words = sql_query(
        "SELECT coalesce(array_agg(DISTINCT w), '{}') AS words FROM experts e, \
         regexp_split_to_table(e.search_name, '[^[:alnum:]]+') AS w WHERE e.id = $1 AND length(w) >= 3",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await?;
    Ok(found.words)
}

/// Empties every personal field; the generated search columns follow.
pub async fn scrub(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    at: chrono::DateTime<Utc>,
) -> ApiResult<()> {
    sql_query(
        "UPDATE experts SET given_name = $2, family_name = $2, honorific = NULL, orcid = NULL, \
         email = NULL, country = NULL, languages = '{}', bio_en = NULL, bio_nl = NULL, \
         consent_public_profile = false, consent_given_at = NULL, consent_note = NULL, \
         topic_closure = '{}', editors = '{}', deleted_at = coalesce(deleted_at, $3), \
         erased_at = $3, updated_at = $3, version = version + 1 WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(REDACTED)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    sql_query("DELETE FROM expert_topics WHERE expert_id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops the name's words from the typo dictionary unless another record
/// still uses them.
pub async fn forget_words(conn: &mut AsyncPgConnection, words: &[String]) -> ApiResult<()> {
    sql_query(
        "DELETE FROM search_words w WHERE w.word = ANY($1) \
         AND NOT EXISTS (SELECT 1 FROM experts e WHERE e.search_name LIKE '%' || w.word || '%') \
         AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.search_name LIKE '%' || w.word || '%') \
         AND NOT EXISTS (SELECT 1 FROM initiatives i WHERE i.search_name LIKE '%' || w.word || '%')",
    )
    .bind::<Array<Text>, _>(words)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps that each change happened, and when and by whom, but not what:
/// the person's own entries lose their content and reason, and other
/// records' entries lose the terms of their links to the person (an
/// affiliation's role may describe them). Erasure is rare, so scanning the
/// history for those links is acceptable.
pub async fn redact_history(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    sql_query(
        "UPDATE history SET changes = jsonb_build_object('redacted', true), message = NULL \
         WHERE record_id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    sql_query(
        "UPDATE history SET changes = jsonb_set(changes, ARRAY[$1], to_jsonb($2::text)) \
         WHERE changes ? $1",
    )
    .bind::<Text, _>(format!("experts/{id}"))
    .bind::<Text, _>(REDACTED)
    .execute(conn)
    .await?;
    Ok(())
}
