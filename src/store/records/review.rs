//! When a record was last reviewed and by whom: moved by approval and by
//! confirming that a record is still accurate. Who is the actor of that
//! history entry, which only staff may read.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Json, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::sources::Review;
use crate::error::{ApiError, ApiResult};
use crate::sql::sql;

use super::Kind;

/// The review columns of a record load: `r.last_reviewed_at` and
/// [`reviewer_sql`] as `reviewed_by`.
#[derive(QueryableByName)]
pub struct ReviewRow {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_reviewed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Json>)]
    reviewed_by: Option<serde_json::Value>,
}

impl ReviewRow {
    pub fn into_review(self) -> ApiResult<Review> {
        Ok(Review {
            last_reviewed_at: self.last_reviewed_at,
            reviewed_by: self
                .reviewed_by
                .map(serde_json::from_value)
                .transpose()
                .map_err(ApiError::internal)?,
        })
    }
}

/// The key that last reviewed the record `r`, as a column; only staff see it.
pub fn reviewer_sql(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => {
            "(SELECT json_build_object('keyId', h.actor_key_id, 'name', h.actor_name) \
             FROM history h WHERE h.record_id = r.id AND h.action IN ('approved', 'confirmed') \
             AND h.actor_key_id IS NOT NULL ORDER BY h.seq DESC LIMIT 1)"
        }
        Audience::Public => "NULL::json",
    }
}

/// A review that changes nothing else (`confirm`): the record was found
/// accurate at `at` (its history entry names by whom), which every reader
/// sees, so it gets a new version. Publishing records its review through
/// `set_publication`.
pub async fn confirm_reviewed(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sql!(
        "UPDATE ",
        kind.table(),
        " SET last_reviewed_at = $2, version = version + 1, updated_at = $2 WHERE id = $1"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}
