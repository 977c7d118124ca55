//! The SQL of webhooks: subscriptions, the delivery outbox (filled by a
//! trigger in the migration, in the transaction of each change), and the
//! worker's claims and outcomes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::dsl::{IntervalDsl, now};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{
    Array, BigInt, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Delivery, QueueReport, Subscription, SubscriptionDraft};
use crate::domain::enums::{ChangeEvent, DeliveryState, HitType, Scope, WebhookAudience};
use crate::domain::precondition::Precondition;
use crate::error::{ApiError, ApiResult};
use crate::schema::webhook_deliveries as deliveries;
use crate::schema::webhook_subscriptions as subscriptions;
use crate::sql::sql;

const SUBSCRIPTION_COLUMNS: &str = "id, url, description, events, kinds, topics, scopes, audience, enabled, \
     disabled_at, disabled_reason, consecutive_failures, \
     CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at, \
     created_at, updated_at, version";

#[derive(QueryableByName)]
struct SubscriptionRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Nullable<Text>)]
    description: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    events: Vec<ChangeEvent>,
    #[diesel(sql_type = Array<Text>)]
    kinds: Vec<HitType>,
    #[diesel(sql_type = Array<Text>)]
    topics: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    scopes: Vec<Scope>,
    #[diesel(sql_type = Text)]
    audience: WebhookAudience,
    #[diesel(sql_type = Bool)]
    enabled: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    disabled_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    disabled_reason: Option<String>,
    #[diesel(sql_type = Integer)]
    consecutive_failures: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Self {
        Self {
            id: row.id,
            url: row.url,
            description: row.description,
            events: row.events,
            kinds: row.kinds,
            topics: row.topics,
            scopes: row.scopes,
            audience: row.audience,
            enabled: row.enabled,
            disabled_at: row.disabled_at,
            disabled_reason: row.disabled_reason,
            consecutive_failures: row.consecutive_failures,
            previous_secret_expires_at: row.previous_secret_expires_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The draft's lists as the database stores them.
struct DraftColumns {
    events: Vec<&'static str>,
    kinds: Vec<&'static str>,
    topics: Vec<String>,
    scopes: Vec<&'static str>,
}

impl DraftColumns {
    fn of(draft: &SubscriptionDraft) -> Self {
        Self {
            events: draft.events.iter().map(|e| e.as_str()).collect(),
            kinds: draft.kinds.iter().map(|k| k.as_str()).collect(),
            topics: draft.topics.iter().map(|t| t.as_str().to_owned()).collect(),
            scopes: draft.scopes.iter().map(|s| s.as_str()).collect(),
        }
    }
}

/// Binds the draft as `$2` to `$8`, after the id, in the order both the
/// insert and the update name the columns.
fn bind_draft<'f>(
    query: BoxedSqlQuery<'f, Pg, SqlQuery>,
    draft: &'f SubscriptionDraft,
    columns: &'f DraftColumns,
) -> BoxedSqlQuery<'f, Pg, SqlQuery> {
    query
        .bind::<Text, _>(draft.url.as_str())
        .bind::<Nullable<Text>, _>(draft.description.as_ref().map(|d| d.as_str()))
        .bind::<Array<Text>, _>(&columns.events)
        .bind::<Array<Text>, _>(&columns.kinds)
        .bind::<Array<Text>, _>(&columns.topics)
        .bind::<Array<Text>, _>(&columns.scopes)
        .bind::<Text, _>(draft.audience.as_str())
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("there is no webhook subscription {id}"))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    draft: &SubscriptionDraft,
    secret: &str,
) -> ApiResult<Subscription> {
    let columns = DraftColumns::of(draft);
    let query = sql!("INSERT INTO webhook_subscriptions (id, url, description, events, kinds, topics, scopes, audience, \
           secret, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now()) RETURNING ", SUBSCRIPTION_COLUMNS)
    .query()
    .into_boxed()
    .bind::<SqlUuid, _>(Uuid::now_v7());
    let row: SubscriptionRow = bind_draft(query, draft, &columns)
        .bind::<Text, _>(secret)
        .get_result(conn)
        .await?;
    Ok(row.into())
}

pub async fn list(conn: &mut AsyncPgConnection) -> ApiResult<Vec<Subscription>> {
    let rows: Vec<SubscriptionRow> = sql!(
        "SELECT ",
        SUBSCRIPTION_COLUMNS,
        " FROM webhook_subscriptions ORDER BY id"
    )
    .query()
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Subscription> {
    find(conn, id, "").await
}

async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: &'static str,
) -> ApiResult<Subscription> {
    let row: Option<SubscriptionRow> = sql!(
        "SELECT ",
        SUBSCRIPTION_COLUMNS,
        " FROM webhook_subscriptions WHERE id = $1 ",
        lock
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?;
    row.map(Into::into).ok_or_else(|| not_found(id))
}

/// Locks the subscription and checks `If-Match` against its version.
async fn lock(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<Subscription> {
    let current = find(conn, id, "FOR UPDATE").await?;
    precondition.check("webhook subscription", current.version)?;
    Ok(current)
}

/// Applies a patch: `build` turns the current subscription into the new
/// draft; `enabled` switches it on (clearing its failures) or off.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: Precondition,
    enabled: Option<bool>,
    build: impl FnOnce(&Subscription) -> ApiResult<SubscriptionDraft> + Send,
) -> ApiResult<Subscription> {
    conn.transaction(async |conn| {
        let current = lock(conn, id, precondition).await?;
        let draft = build(&current)?;
        let columns = DraftColumns::of(&draft);
        let query = sql!("UPDATE webhook_subscriptions SET url = $2, description = $3, events = $4, kinds = $5, \
               topics = $6, scopes = $7, audience = $8, \
               enabled = coalesce($9, enabled), \
               disabled_at = CASE WHEN $9 IS NULL THEN disabled_at WHEN $9 THEN NULL \
                                  WHEN enabled THEN now() ELSE disabled_at END, \
               disabled_reason = CASE WHEN $9 IS NULL THEN disabled_reason WHEN $9 THEN NULL \
                                      WHEN enabled THEN 'switched off by an admin' ELSE disabled_reason END, \
               consecutive_failures = CASE WHEN $9 THEN 0 ELSE consecutive_failures END, \
               failing_since = CASE WHEN $9 THEN NULL ELSE failing_since END, \
               version = version + 1, updated_at = now() \
             WHERE id = $1 RETURNING ", SUBSCRIPTION_COLUMNS)
    .query()
        .into_boxed()
        .bind::<SqlUuid, _>(id);
        let row: SubscriptionRow = bind_draft(query, &draft, &columns)
            .bind::<Nullable<Bool>, _>(enabled)
            .get_result(conn)
            .await?;
        if enabled == Some(true) && !current.enabled {
            // Back on after a fix: what waited goes out now, not at the end
            // of the back-off it had reached.
            let waiting = deliveries::subscription_id
                .eq(id)
                .and(deliveries::state.eq(DeliveryState::Pending.as_str()));
            diesel::update(deliveries::table.filter(waiting))
                .set(deliveries::next_attempt_at.eq(now))
                .execute(conn)
            .await?;
            wake_workers(conn).await?;
        }
        Ok(row.into())
    })
    .await
}

/// Replaces the signing secret; the old one keeps signing (as a second
/// signature) for `overlap`, so receivers can switch without a gap.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    secret: &str,
    overlap: Duration,
) -> ApiResult<Subscription> {
    let row: Option<SubscriptionRow> = sql!(
        "UPDATE webhook_subscriptions SET previous_secret = secret, \
           previous_secret_expires_at = now() + make_interval(secs => $3), secret = $2, \
           version = version + 1, updated_at = now() \
         WHERE id = $1 RETURNING ",
        SUBSCRIPTION_COLUMNS
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(secret)
    .bind::<diesel::sql_types::Double, _>(overlap.as_secs_f64())
    .get_result(conn)
    .await
    .optional()?;
    row.map(Into::into).ok_or_else(|| not_found(id))
}

/// Deletes the subscription and, with it, its deliveries.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    conn.transaction(async |conn| {
        lock(conn, id, precondition).await?;
        diesel::delete(subscriptions::table.find(id))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

const DELIVERY_COLUMNS: &str = "id, subscription_id, position, event_type, state, attempts, next_attempt_at, \
     last_attempt_at, last_status, last_error, delivered_at, created_at, payload";

#[derive(QueryableByName)]
struct DeliveryRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    subscription_id: Uuid,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    state: DeliveryState,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    next_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    last_status: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    payload: String,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            subscription_id: row.subscription_id,
            position: row.position,
            event_type: row.event_type,
            state: row.state,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_attempt_at: row.last_attempt_at,
            last_status: row.last_status,
            last_error: row.last_error,
            delivered_at: row.delivered_at,
            created_at: row.created_at,
            // The trigger wrote it from jsonb, so it parses.
            payload: serde_json::from_str(&row.payload).unwrap_or_default(),
        }
    }
}

/// A subscription's deliveries, newest first, from before `cursor`.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    state: Option<DeliveryState>,
    cursor: Option<Uuid>,
    limit: i64,
) -> ApiResult<(Vec<Delivery>, Option<Uuid>)> {
    get(conn, subscription).await?;
    let rows: Vec<DeliveryRow> = sql!("SELECT ", DELIVERY_COLUMNS, " FROM webhook_deliveries \
         WHERE subscription_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::uuid IS NULL OR id < $3) \
         ORDER BY id DESC LIMIT $4")
    .query()
    .bind::<SqlUuid, _>(subscription)
    .bind::<Nullable<Text>, _>(state.map(DeliveryState::as_str))
    .bind::<Nullable<SqlUuid>, _>(cursor)
    .bind::<BigInt, _>(limit + 1)
    .load(conn)
    .await?;
    let mut items: Vec<Delivery> = rows.into_iter().map(Into::into).collect();
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|d| d.id)
    } else {
        None
    };
    Ok((items, next))
}

/// Queues a delivery again, now, with a fresh count of attempts; the
/// receiver gets the same id and body.
pub async fn replay(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    delivery: Uuid,
) -> ApiResult<Delivery> {
    let owner = get(conn, subscription).await?;
    if !owner.enabled {
        return Err(ApiError::Conflict(
            "the subscription is switched off; enable it (PATCH {\"enabled\": true}) before replaying"
                .to_owned(),
        ));
    }
    let row: Option<DeliveryRow> = sql!(
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), \
           delivered_at = NULL \
         WHERE id = $1 AND subscription_id = $2 RETURNING ",
        DELIVERY_COLUMNS
    )
    .query()
    .bind::<SqlUuid, _>(delivery)
    .bind::<SqlUuid, _>(subscription)
    .get_result(conn)
    .await
    .optional()?;
    let replayed = row.map(Delivery::from).ok_or_else(|| {
        ApiError::NotFound(format!(
            "subscription {subscription} has no delivery {delivery}"
        ))
    })?;
    wake_workers(conn).await?;
    Ok(replayed)
}

/// Tells the workers that deliveries are due now (at the commit, inside a
/// transaction), as the outbox trigger does for new ones.
async fn wake_workers(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    sql_query("SELECT pg_notify('aimd_webhook_deliveries', '')")
        .execute(conn)
        .await?;
    Ok(())
}

/// A delivery a worker has taken, with what it needs to send it.
#[derive(QueryableByName)]
pub struct DueDelivery {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// The due time the claim set; an outcome is recorded only while it
    /// stands, so a replay made during the attempt is not overwritten.
    #[diesel(sql_type = Timestamptz)]
    pub leased_until: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
    /// The secret before the last rotation, while it is still valid.
    #[diesel(sql_type = Nullable<Text>)]
    pub previous_secret: Option<String>,
}

/// Takes up to `limit` due deliveries of enabled subscriptions, oldest due
/// first, and pushes their due time `lease` ahead so that no other worker
/// (in this or another instance) takes them meanwhile. A worker that dies
/// mid-attempt leaves the delivery to be retried when the lease runs out.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease: Duration,
) -> ApiResult<Vec<DueDelivery>> {
    Ok(sql_query(
        "UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2) \
         FROM webhook_subscriptions s \
         WHERE s.id = d.subscription_id AND d.id IN ( \
           SELECT due.id FROM webhook_deliveries due \
           JOIN webhook_subscriptions owner ON owner.id = due.subscription_id AND owner.enabled \
           WHERE due.state = 'pending' AND due.next_attempt_at <= now() \
           ORDER BY due.next_attempt_at LIMIT $1 FOR UPDATE OF due SKIP LOCKED) \
         RETURNING d.id, d.next_attempt_at AS leased_until, d.payload, d.attempts, s.url, s.secret, \
           CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS previous_secret",
    )
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
    .load(conn)
    .await?)
}

/// The outbox's depth and age (through the partial index on pending rows).
pub async fn queue(conn: &mut AsyncPgConnection) -> ApiResult<QueueReport> {
    Ok(sql_query(
        "SELECT count(*) AS pending, count(*) FILTER (WHERE next_attempt_at <= now()) AS due, \
         min(created_at) AS oldest_pending_at FROM webhook_deliveries WHERE state = 'pending'",
    )
    .get_result(conn)
    .await?)
}

/// Forgets rotated-out secrets once their overlap has ended.
pub async fn clear_expired_secrets(conn: &mut AsyncPgConnection) -> ApiResult<usize> {
    let expired = subscriptions::previous_secret_expires_at.le(now);
    Ok(diesel::update(subscriptions::table.filter(expired))
        .set((
            subscriptions::previous_secret.eq(None::<String>),
            subscriptions::previous_secret_expires_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await?)
}

/// The receiver took the delivery: done, and the subscription's failure
/// streak ends.
pub async fn record_success(
    conn: &mut AsyncPgConnection,
    delivery: &DueDelivery,
    status: u16,
) -> ApiResult<()> {
    sql_query(
        "WITH done AS ( \
           UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, \
             last_attempt_at = now(), last_status = $2, last_error = NULL, delivered_at = now(), \
             next_attempt_at = NULL \
           WHERE id = $1 AND next_attempt_at = $3 RETURNING subscription_id) \
         UPDATE webhook_subscriptions s SET consecutive_failures = 0, failing_since = NULL \
         FROM done WHERE s.id = done.subscription_id",
    )
    .bind::<SqlUuid, _>(delivery.id)
    .bind::<Integer, _>(i32::from(status))
    .bind::<Timestamptz, _>(delivery.leased_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// How a failed attempt is recorded.
pub struct Failure<'a> {
    pub status: Option<u16>,
    pub error: &'a str,
    /// `None`: that was the last attempt; the delivery has failed.
    pub retry_in: Option<Duration>,
    /// Failed attempts in a row after which the subscription is switched off.
    pub disable_after: i32,
}

/// The attempt failed: retry later or give up, and switch the subscription
/// off once its failures in a row reach the limit, saying why.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    delivery: &DueDelivery,
    failure: Failure<'_>,
) -> ApiResult<()> {
    sql_query(
        "WITH failed AS ( \
           UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), \
             last_status = $2, last_error = $3, \
             state = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END, \
             next_attempt_at = now() + make_interval(secs => $4) \
           WHERE id = $1 AND next_attempt_at = $6 RETURNING subscription_id) \
         UPDATE webhook_subscriptions s SET \
           consecutive_failures = s.consecutive_failures + 1, \
           failing_since = coalesce(s.failing_since, now()), \
           enabled = s.enabled AND s.consecutive_failures + 1 < $5, \
           disabled_at = CASE WHEN s.enabled AND s.consecutive_failures + 1 >= $5 THEN now() ELSE s.disabled_at END, \
           disabled_reason = CASE WHEN s.enabled AND s.consecutive_failures + 1 >= $5 \
             THEN format('%s deliveries in a row failed since %s; the last: %s', s.consecutive_failures + 1, \
                         to_char(coalesce(s.failing_since, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $3) \
             ELSE s.disabled_reason END, \
           version = s.version + CASE WHEN s.enabled AND s.consecutive_failures + 1 >= $5 THEN 1 ELSE 0 END \
         FROM failed WHERE s.id = failed.subscription_id",
    )
    .bind::<SqlUuid, _>(delivery.id)
    .bind::<Nullable<Integer>, _>(failure.status.map(i32::from))
    .bind::<Text, _>(failure.error)
    .bind::<Nullable<diesel::sql_types::Double>, _>(failure.retry_in.map(|d| d.as_secs_f64()))
    .bind::<Integer, _>(failure.disable_after)
    .bind::<Timestamptz, _>(delivery.leased_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes delivered and failed deliveries older than `keep`; returns how many.
pub async fn prune(conn: &mut AsyncPgConnection, keep: Duration) -> ApiResult<usize> {
    let finished = deliveries::state.ne(DeliveryState::Pending.as_str());
    let old =
        deliveries::created_at.lt(now.into_sql::<Timestamptz>() - keep.as_secs_f64().seconds());
    Ok(diesel::delete(deliveries::table.filter(finished.and(old)))
        .execute(conn)
        .await?)
}
