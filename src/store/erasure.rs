//! The statements of an expert's erasure (`registry::erasure`): the person's
//! data leaves the row and the history (the search index drops the
//! expert's document when it applies the erasure's change).

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::schema::{expert_topics, experts};
use crate::sql::coalesce;

/// What replaces personal data in erased history entries.
pub const REDACTED: &str = "[erased]";

/// Empties every personal field; the generated name and sort columns follow.
pub async fn scrub(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    at: chrono::DateTime<Utc>,
) -> ApiResult<()> {
    let redacted = REDACTED.to_owned();
    diesel::update(experts::table.find(id))
        .set((
            experts::given_name.eq(&redacted),
            experts::family_name.eq(&redacted),
            experts::honorific.eq(None::<String>),
            experts::orcid.eq(None::<String>),
            experts::email.eq(None::<String>),
            experts::country.eq(None::<String>),
            experts::languages.eq(Vec::<String>::new()),
            experts::bio_en.eq(None::<String>),
            experts::bio_nl.eq(None::<String>),
            experts::consent_public_profile.eq(false),
            experts::consent_given_at.eq(None::<NaiveDate>),
            experts::consent_note.eq(None::<String>),
            experts::topic_closure.eq(Vec::<String>::new()),
            experts::editors.eq(Vec::<Uuid>::new()),
            experts::deleted_at.eq(coalesce(experts::deleted_at, Some(at))),
            experts::erased_at.eq(at),
            experts::updated_at.eq(at),
            experts::version.eq(experts::version + 1),
        ))
        .execute(conn)
        .await?;
    diesel::delete(expert_topics::table.filter(expert_topics::expert_id.eq(id)))
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
