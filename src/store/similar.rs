//! What "similar organisations" compares, read narrowly: an organisation
//! can take part in thousands of initiatives, so its full record (every
//! initiative and expert embedded) is too much to load for a hundred
//! candidates. Runs on the audience's connection: the public's sees public
//! records only.

use diesel::QueryableByName;
use diesel::sql_types::{Array, Json, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::sql::sql;

/// An organisation as similarity sees it.
#[derive(Debug, QueryableByName)]
pub struct OrganisationProfile {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub acronym: Option<String>,
    #[diesel(sql_type = Text)]
    pub organisation_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub description_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub description_nl: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub topics: Vec<String>,
    /// The live initiatives it takes part in among those asked about (for
    /// the record itself: all of them), each with a short name.
    #[diesel(sql_type = Json)]
    initiatives: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

impl OrganisationProfile {
    pub fn initiatives(&self) -> ApiResult<Vec<Named>> {
        serde_json::from_value(self.initiatives.clone())
            .map_err(|e| ApiError::internal(format!("an organisation's initiatives: {e}")))
    }
}

const PROFILE: &str = "SELECT o.id, o.name, o.acronym, o.organisation_type, o.description_en, \
    o.description_nl, \
    ARRAY(SELECT t.topic_slug FROM organisation_topics t WHERE t.organisation_id = o.id \
      ORDER BY t.topic_slug) AS topics, \
    coalesce((SELECT json_agg(json_build_object('id', i.id, \
        'name', coalesce(i.acronym, i.title_en, i.title_nl)) ORDER BY i.id) \
      FROM initiative_organisations io \
      JOIN initiatives i ON i.id = io.initiative_id AND i.deleted_at IS NULL \
      WHERE io.organisation_id = o.id AND ($2::uuid[] IS NULL OR io.initiative_id = ANY($2))), \
      '[]') AS initiatives \
    FROM organisations o WHERE o.id = ANY($1) AND o.deleted_at IS NULL";

/// The organisation `id` with all its initiatives, if the connection may
/// see it.
pub async fn organisation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> ApiResult<Option<OrganisationProfile>> {
    let mut found: Vec<OrganisationProfile> = sql!(PROFILE)
        .query()
        .bind::<Array<SqlUuid>, _>(vec![id])
        .bind::<Nullable<Array<SqlUuid>>, _>(None::<Vec<Uuid>>)
        .load(conn)
        .await?;
    Ok(found.pop())
}

/// The organisations among `ids` the connection may see, each with those
/// of its initiatives that are among `initiatives`.
pub async fn organisations(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    initiatives: &[Uuid],
) -> ApiResult<Vec<OrganisationProfile>> {
    Ok(sql!(PROFILE)
        .query()
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Nullable<Array<SqlUuid>>, _>(Some(initiatives))
        .load(conn)
        .await?)
}
