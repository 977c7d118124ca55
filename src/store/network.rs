//! What the network reads beyond its initiatives' records (which carry
//! their organisations and experts): the affiliations among the experts and
//! organisations it shows. On the public's connections the views keep
//! affiliations of experts without a public profile out.

use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiResult;

#[derive(Debug, QueryableByName)]
pub struct Affiliation {
    #[diesel(sql_type = SqlUuid)]
    pub expert_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub organisation_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub role: Option<String>,
}

/// The affiliations of `experts` with `organisations`, of live records.
pub async fn affiliations_among(
    conn: &mut AsyncPgConnection,
    experts: &[Uuid],
    organisations: &[Uuid],
) -> ApiResult<Vec<Affiliation>> {
    if experts.is_empty() || organisations.is_empty() {
        return Ok(Vec::new());
    }
    let found = sql_query(
        "SELECT a.expert_id, a.organisation_id, a.role FROM affiliations a \
         JOIN experts e ON e.id = a.expert_id AND e.deleted_at IS NULL \
         JOIN organisations o ON o.id = a.organisation_id AND o.deleted_at IS NULL \
         WHERE a.expert_id = ANY($1) AND a.organisation_id = ANY($2) \
         ORDER BY a.expert_id, a.organisation_id",
    )
    .bind::<Array<SqlUuid>, _>(experts)
    .bind::<Array<SqlUuid>, _>(organisations)
    .load(conn)
    .await?;
    Ok(found)
}
