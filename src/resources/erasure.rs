//! Erasure of an expert's personal data (GDPR art. 17):
//! `DELETE /v1/experts/{id}?erase=true` (admin). The person's data leaves
//! the live record, every link, the search indexes and word dictionary, and
//! every history entry about them (replaced by a redaction marker). What
//! remains is a tombstone id answering 410.

use crate::auth::Audience;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::sql_types::{Array, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::idempotency;
use crate::api::if_match;
use crate::api::state::AppState;
use crate::auth::{Caller, Role};
use crate::domain::enums::HistoryAction;
use crate::domain::history::ChangeContext;
use crate::error::{ApiError, ApiResult};
use crate::registry;
use crate::store::history;
use crate::store::records::{self, Kind};

/// What replaces personal data in erased history entries.
pub const REDACTED: &str = "[erased]";

pub async fn erase_expert(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: Uuid,
) -> ApiResult<HttpResponse> {
    if !Caller::of_request(&request).has(Role::Admin) {
        return Err(ApiError::Forbidden(
            "erasing an expert's personal data needs the role 'admin'".to_owned(),
        ));
    }
    let precondition = if_match::precondition(&request)?;
    let mut context = ChangeContext::read(&request)?;
    // The reason may name the person; it is not kept.
    context.message = None;
    let mut conn = state.conn(Audience::Staff).await?;
    conn.transaction(async |conn| {
        records::lock_for_erasure(conn, Kind::Expert, id, precondition).await?;
        let now = Utc::now();
        registry::records::detach_links(conn, &context, Kind::Expert, id, now).await?;
        let words = name_words(conn, id).await?;
        scrub(conn, id, now).await?;
        forget_words(conn, &words).await?;
        records::drop_revision(conn, id).await?;
        redact_history(conn, id).await?;
        idempotency::forget_answers(conn, &format!("/v1/experts/{id}")).await?;
        let erased = HistoryAction::Erased;
        history::record(conn, &context, Kind::Expert, id, erased, json!({})).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(QueryableByName)]
struct Words {
    #[diesel(sql_type = Array<Text>)]
    words: Vec<String>,
}

/// The words of the person's name as the typo dictionary holds them.
async fn name_words(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Vec<String>> {
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
async fn scrub(conn: &mut AsyncPgConnection, id: Uuid, at: chrono::DateTime<Utc>) -> ApiResult<()> {
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
async fn forget_words(conn: &mut AsyncPgConnection, words: &[String]) -> ApiResult<()> {
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
async fn redact_history(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
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
