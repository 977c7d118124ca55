//! What the three record kinds share: existence checks with tombstones,
//! version bumps, topic tags, and the version a change is based on. The
//! statements name tables through [`Kind`], a closed enum, never from input.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use diesel::sql_types::{Array, Bool, Int8, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::PublicationStatus;
use crate::domain::values::Slug;
use crate::error::{ApiError, ApiResult, InvalidParam};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Organisation,
    Expert,
    Initiative,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Self::Organisation => "organisations",
            Self::Expert => "experts",
            Self::Initiative => "initiatives",
        }
    }

    /// The table tagging this kind with topics, and its record-id column.
    fn topic_table(self) -> (&'static str, &'static str) {
        match self {
            Self::Organisation => ("organisation_topics", "organisation_id"),
            Self::Expert => ("expert_topics", "expert_id"),
            Self::Initiative => ("initiative_topics", "initiative_id"),
        }
    }

    /// The collection's path, e.g. `/v1/organisations`.
    pub fn collection(self) -> String {
        format!("/v1/{}", self.table())
    }

    pub fn noun(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Expert => "expert",
            Self::Initiative => "initiative",
        }
    }
}

#[derive(QueryableByName)]
struct RecordState {
    #[diesel(sql_type = Bool)]
    deleted: bool,
    #[diesel(sql_type = Int8)]
    version: i64,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    merged_into: Option<Uuid>,
}

/// The version a client expects the record to have (`If-Match: "3"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Precondition(Option<i64>);

impl Precondition {
    /// 412 when the client based its change on another version than `current`.
    pub fn check(self, noun: &str, current: i64) -> ApiResult<()> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::PreconditionFailed(format!(
                "the {noun} is at version {current}, not {expected}; read it again and reapply your change"
            ))),
            _ => Ok(()),
        }
    }

    /// Any live version will do (`If-Match: *`): for changes that carry no
    /// version, such as an import naming records by id or key.
    pub fn any() -> Self {
        Self(None)
    }

    /// The client based its change on `version`.
    pub fn at(version: i64) -> Self {
        Self(Some(version))
    }
}

/// The record's state; `lock` holds its row for the rest of the transaction.
async fn state(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    lock: bool,
) -> ApiResult<Option<RecordState>> {
    // The table name comes from a closed enum, never from input.
    let statement = format!(
        "SELECT deleted_at IS NOT NULL AS deleted, version, merged_into FROM {} WHERE id = $1{}",
        kind.table(),
        if lock { " FOR UPDATE" } else { "" }
    );
    let rows: Vec<RecordState> = sql_query(statement)
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().next())
}

/// Locks a record for the rest of the transaction, answering 404 when it
/// never existed, 410 when it was deleted and 412 when `If-Match` is stale.
pub async fn lock_live(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    match state(conn, kind, id, true).await? {
        None => Err(not_found(kind, id)),
        Some(s) if s.deleted => Err(gone(kind, id)),
        Some(s) => precondition.check(kind.noun(), s.version),
    }
}

/// Locks a record whose personal data is to be erased: live or deleted,
/// but not erased already (410) or never created (404).
pub async fn lock_for_erasure(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    let statement = format!(
        "SELECT erased_at IS NOT NULL AS deleted, version, merged_into FROM {} WHERE id = $1 FOR UPDATE",
        kind.table()
    );
    let found: Vec<RecordState> = sql_query(statement)
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?;
    match found.into_iter().next() {
        None => Err(not_found(kind, id)),
        Some(s) if s.deleted => Err(ApiError::Gone(format!(
            "the personal data of {} {id} was erased already",
            kind.noun()
        ))),
        Some(s) => precondition.check(kind.noun(), s.version),
    }
}

/// Locks the other end of a link, answering 422 (naming `param`) when that
/// record is missing or deleted: the request is well-formed, but it asks to
/// link to something that cannot be linked.
pub async fn lock_link_target(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    param: &str,
) -> ApiResult<()> {
    let (code, reason) = match state(conn, kind, id, true).await? {
        None => ("not-found", format!("no {} has id {id}", kind.noun())),
        Some(s) if s.deleted => ("deleted", format!("the {} {id} was deleted", kind.noun())),
        Some(_) => return Ok(()),
    };
    Err(ApiError::Unprocessable(
        vec![InvalidParam::new(param, code, reason.clone())],
        reason,
    ))
}

#[derive(QueryableByName)]
struct LiveId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Checks that ids given as a filter name live records, so a filter on a
/// record that does not exist is a 400 rather than an empty list.
pub async fn check_filter_ids(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    param: &str,
    ids: &[Uuid],
    audience: Audience,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = format!(
        "SELECT id FROM {} WHERE id = ANY($1) AND deleted_at IS NULL",
        kind.table()
    );
    let live: Vec<LiveId> = sql_query(audience.restrict(&statement).into_owned())
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    let missing: Vec<InvalidParam> = ids
        .iter()
        .filter(|id| !live.iter().any(|l| l.id == **id))
        .map(|id| {
            InvalidParam::new(
                param,
                "unknown-record",
                format!("no live {} has id {id}", kind.noun()),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(missing))
    }
}

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
    let statement = format!(
        "SELECT {column} AS owner, topic_slug FROM {table} WHERE {column} = ANY($1) ORDER BY topic_slug"
    );
    let tags: Vec<TopicTag> = sql_query(statement)
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
    sql_query(format!("DELETE FROM {table} WHERE {column} = $1"))
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    let slugs: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
    sql_query(format!(
        "INSERT INTO {table} ({column}, topic_slug) SELECT $1, unnest($2::text[])"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(&slugs)
    .execute(conn)
    .await?;
    sql_query(format!(
        "UPDATE {} SET topic_closure = aimd_topic_closure($2) WHERE id = $1",
        kind.table()
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(&slugs)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Publication {
    #[diesel(sql_type = Text)]
    publication_status: PublicationStatus,
    #[diesel(sql_type = Array<SqlUuid>)]
    editors: Vec<Uuid>,
}

/// A record's publication status and the keys that changed it since it was
/// last approved; `None` when there is no such record.
async fn find_publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
) -> ApiResult<Option<(PublicationStatus, Vec<Uuid>)>> {
    let found: Vec<Publication> = sql_query(format!(
        "SELECT publication_status, editors FROM {} WHERE id = $1",
        kind.table()
    ))
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(found
        .into_iter()
        .next()
        .map(|row| (row.publication_status, row.editors)))
}

/// The publication status and editors of a record the caller has locked.
pub async fn publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
) -> ApiResult<(PublicationStatus, Vec<Uuid>)> {
    find_publication(conn, kind, id)
        .await?
        .ok_or_else(|| not_found(kind, id))
}

/// Whether a record exists and is published.
pub async fn is_published(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<bool> {
    let found = find_publication(conn, kind, id).await?;
    Ok(found.is_some_and(|(status, _)| status == PublicationStatus::Published))
}

/// Moves a record to `status` and gives it a new version (unless the
/// request gave it one already); approval starts a new round of editors.
pub async fn set_publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    status: PublicationStatus,
    at: DateTime<Utc>,
    new_version: bool,
) -> ApiResult<()> {
    let editors = if status == PublicationStatus::Published {
        "'{}'"
    } else {
        "editors"
    };
    let version = if new_version {
        "version + 1"
    } else {
        "version"
    };
    sql_query(format!(
        "UPDATE {} SET publication_status = $2, editors = {editors}, version = {version}, \
         updated_at = $3 WHERE id = $1",
        kind.table()
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status.as_str())
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The pending revision as a column of a record load; only staff see it.
pub fn pending_revision_sql(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => "(SELECT p.draft FROM pending_revisions p WHERE p.record_id = r.id)",
        Audience::Public => "NULL::jsonb",
    }
}

#[derive(QueryableByName)]
struct Pending {
    #[diesel(sql_type = Jsonb)]
    draft: serde_json::Value,
}

/// The pending revision of a published record, if there is one.
pub async fn pending_revision(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> ApiResult<Option<serde_json::Value>> {
    let found: Vec<Pending> = sql_query("SELECT draft FROM pending_revisions WHERE record_id = $1")
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?;
    Ok(found.into_iter().next().map(|p| p.draft))
}

/// Stores (or replaces) a published record's pending revision.
pub async fn propose_revision(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    draft: serde_json::Value,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sql_query(
        "INSERT INTO pending_revisions (record_id, kind, draft, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (record_id) DO UPDATE SET draft = EXCLUDED.draft, updated_at = EXCLUDED.updated_at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(kind.noun())
    .bind::<Jsonb, _>(draft)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    // The new version is news for curators only: the change feed tells the
    // public nothing until the revision is approved.
    sql_query("SELECT set_config('aimd.staff_only_change', 'on', true)")
        .execute(conn)
        .await?;
    touch(conn, kind, &[id], at).await?;
    sql_query("SELECT set_config('aimd.staff_only_change', '', true)")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn drop_revision(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    sql_query("DELETE FROM pending_revisions WHERE record_id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes that `editor` changed the record, so that they cannot approve it.
pub async fn note_editor(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    editor: Option<Uuid>,
) -> ApiResult<()> {
    let Some(editor) = editor else {
        return Ok(());
    };
    sql_query(format!(
        "UPDATE {} SET editors = array_append(editors, $2) WHERE id = $1 AND NOT ($2 = ANY(editors))",
        kind.table()
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(editor)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a record was ever created (deleted ones included).
pub async fn ever_existed(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<bool> {
    Ok(state(conn, kind, id, false).await?.is_some())
}

/// Why a record is not there to read: merged into another (308 to it),
/// deleted (410), or never was or not published (404: the public does not
/// learn of unpublished records).
pub async fn absence(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<ApiError> {
    Ok(match state(conn, kind, id, false).await? {
        Some(RecordState {
            merged_into: Some(survivor),
            ..
        }) => ApiError::Merged {
            location: format!("{}/{survivor}", kind.collection()),
        },
        Some(state) if state.deleted => gone(kind, id),
        _ => not_found(kind, id),
    })
}

/// Turns `duplicate` into a tombstone that redirects to `survivor`, and
/// points earlier merges into it there too, so a redirect is one hop.
pub async fn bury_merged(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    duplicate: Uuid,
    survivor: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let table = kind.table();
    sql_query(format!(
        "UPDATE {table} SET merged_into = $2, deleted_at = coalesce(deleted_at, $3), updated_at = $3, \
         version = version + (id = $1)::int WHERE id = $1 OR merged_into = $1"
    ))
    .bind::<SqlUuid, _>(duplicate)
    .bind::<SqlUuid, _>(survivor)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub fn not_found(kind: Kind, id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no {} has id {id}", kind.noun()))
}

pub fn gone(kind: Kind, id: Uuid) -> ApiError {
    ApiError::Gone(format!(
        "the {} {id} was deleted; its id will not be reused",
        kind.noun()
    ))
}

/// Marks records as changed: a link to or from them was added, changed or
/// removed, which changes how they read.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = format!(
        "UPDATE {} SET version = version + 1, updated_at = $2 WHERE id = ANY($1) AND deleted_at IS NULL",
        kind.table()
    );
    sql_query(statement)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Timestamptz, _>(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns a record into a tombstone.
pub async fn bury(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let statement = format!(
        "UPDATE {} SET deleted_at = $2, updated_at = $2, version = version + 1 WHERE id = $1",
        kind.table()
    );
    sql_query(statement)
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Timestamptz>, _>(Some(at))
        .execute(conn)
        .await?;
    Ok(())
}
