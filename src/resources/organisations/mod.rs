//! `/v1/organisations`

pub mod model;
pub mod repo;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::Value;
use uuid::Uuid;

use self::model::{FIELDS, NESTED_FIELDS, Organisation, OrganisationDraft, OrganisationFilter};
use super::editing::{self, Draft};
use super::records::{Kind, Precondition};
use super::{AppState, created, page_response, record_response};
use crate::domain::input::check_patch_fields;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::http::page::{Page, PageParams, paginate};
use crate::http::query::path_id;

impl Draft for OrganisationDraft {
    const KIND: Kind = Kind::Organisation;

    fn from_json(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self> {
        OrganisationDraft::from_json(body, vocabulary)
    }

    async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Self> {
        repo::load_draft(conn, id).await
    }

    async fn store(&self, conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
        repo::update(conn, id, self).await
    }
}

/// List organisations
///
/// Live organisations in creation order, with their topics, initiatives and
/// affiliated experts. Filters: a repeated key means OR, different keys AND.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(OrganisationFilter, PageParams),
    responses((status = 200, description = "A page of organisations", body = Page<Organisation>))
)]
#[get("/organisations")]
pub async fn list_organisations(state: web::Data<AppState>, request: HttpRequest) -> ApiResult<HttpResponse> {
    let (filter, page) = OrganisationFilter::from_query(request.query_string(), &state.vocabulary)?;
    let mut conn = state.conn().await?;
    let rows = repo::list(&mut conn, &state.vocabulary, &filter, page).await?;
    Ok(page_response(&request, paginate(rows, page, |o| o.id)))
}

/// Create an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "createOrganisation",
    request_body(content = OrganisationDraft, content_type = "application/json"),
    responses((status = 201, description = "Created", body = Organisation))
)]
#[post("/organisations")]
pub async fn create_organisation(state: web::Data<AppState>, body: web::Json<Value>) -> ApiResult<HttpResponse> {
    let draft = OrganisationDraft::from_json(&body, &state.vocabulary)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn().await?;
    let record = conn
        .transaction(async |conn| {
            let id = repo::insert(conn, &draft).await?;
            repo::find(conn, vocabulary, id).await
        })
        .await?;
    Ok(created(format!("/v1/organisations/{}", record.id), record.version, &record))
}

/// Get an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation", body = Organisation))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let mut conn = state.conn().await?;
    let record = repo::find(&mut conn, &state.vocabulary, id).await?;
    Ok(record_response(StatusCode::OK, record.version, &record))
}

/// Update an organisation
///
/// A JSON Merge Patch (RFC 7396): fields present replace the stored ones,
/// `null` clears a field, absent fields stay. The result is validated as a
/// whole. Send `If-Match` with the ETag you read to refuse overwriting
/// someone else's change.
#[utoipa::path(
    tag = "organisations",
    operation_id = "updateOrganisation",
    params(("id" = Uuid, Path, description = "The organisation's id")),
    request_body(
        content(
            (OrganisationDraft = "application/merge-patch+json", example = json!({"acronym": "NEN", "description": {"nl": null}})),
            (OrganisationDraft = "application/json", example = json!({"acronym": "NEN"}))
        ),
        description = "Any subset of the organisation's fields"
    ),
    responses((status = 200, description = "The updated organisation", body = Organisation))
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    check_patch_fields(&patch, FIELDS, NESTED_FIELDS)?;
    let precondition = Precondition::from_request(&request)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn().await?;
    let record = conn
        .transaction(async |conn| {
            editing::apply_merge_patch::<OrganisationDraft>(conn, vocabulary, id, &patch, precondition).await?;
            repo::find(conn, vocabulary, id).await
        })
        .await?;
    Ok(record_response(StatusCode::OK, record.version, &record))
}

/// Delete an organisation
///
/// The organisation becomes a tombstone: it answers 410 from then on, lists
/// leave it out, its links are removed and its id is never reused.
#[utoipa::path(
    tag = "organisations",
    operation_id = "deleteOrganisation",
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/organisations/{id}")]
pub async fn delete_organisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let precondition = Precondition::from_request(&request)?;
    let mut conn = state.conn().await?;
    conn.transaction(async |conn| editing::delete(conn, Kind::Organisation, id, precondition).await)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
