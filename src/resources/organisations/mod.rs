//! `/v1/organisations`

pub mod model;
pub mod repo;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use self::model::{FIELDS, NESTED_FIELDS, Organisation, OrganisationDraft, OrganisationFilter};
use super::AppState;
use super::crud::{self, Resource};
use super::records::Kind;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::http::page::{Page, PageParams, PageRequest};

pub struct Organisations;

impl Resource for Organisations {
    const KIND: Kind = Kind::Organisation;
    const COLLECTION: &'static str = "/v1/organisations";
    const FIELDS: &'static [&'static str] = FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] = NESTED_FIELDS;
    type Draft = OrganisationDraft;
    type Record = Organisation;
    type Filter = OrganisationFilter;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<OrganisationDraft> {
        OrganisationDraft::from_json(body, vocabulary)
    }

    fn parse_filter(
        query: &str,
        vocabulary: &Vocabulary,
    ) -> ApiResult<(OrganisationFilter, PageRequest)> {
        OrganisationFilter::from_query(query, vocabulary)
    }

    fn id(record: &Organisation) -> Uuid {
        record.id
    }

    fn version(record: &Organisation) -> i64 {
        record.version
    }

    async fn insert(conn: &mut AsyncPgConnection, draft: &OrganisationDraft) -> ApiResult<Uuid> {
        repo::insert(conn, draft).await
    }

    async fn load_draft(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<OrganisationDraft> {
        repo::load_draft(conn, id).await
    }

    async fn update(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &OrganisationDraft,
    ) -> ApiResult<()> {
        repo::update(conn, id, draft).await
    }

    async fn find(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        id: Uuid,
    ) -> ApiResult<Organisation> {
        repo::find(conn, vocabulary, id).await
    }

    async fn check_filter(_: &mut AsyncPgConnection, _: &OrganisationFilter) -> ApiResult<()> {
        Ok(())
    }

    async fn list(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        filter: &OrganisationFilter,
        page: PageRequest,
    ) -> ApiResult<Vec<Organisation>> {
        repo::list(conn, vocabulary, filter, page).await
    }
}

/// List organisations
///
/// Live organisations in creation order, each with its topics, the
/// initiatives it takes part in and its affiliated experts.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(OrganisationFilter, PageParams),
    responses((status = 200, description = "A page of organisations; `Link: <...>; rel=\"next\"` points at the next one", body = Page<Organisation>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    crud::list::<Organisations>(state, request).await
}

/// Create an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "createOrganisation",
    request_body(content = OrganisationDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` gives its URL and `ETag` its version", body = Organisation, headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The record's version, quoted"))))
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::create::<Organisations>(state, body).await
}

/// Get an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = Uuid, Path, description = "The organisation's id", example = "01938b1e-7f00-7aaa-8000-000000000001")),
    responses((status = 200, description = "The organisation; `ETag` gives its version", body = Organisation, headers(("ETag" = String, description = "The record's version, quoted"))))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::get::<Organisations>(state, &id).await
}

/// Update an organisation
///
/// A JSON Merge Patch (RFC 7396): fields present replace the stored ones,
/// `null` clears a field, absent fields stay. The result is validated as a
/// whole. Send `If-Match` with the ETag you read to refuse overwriting
/// someone else's change (412).
#[utoipa::path(
    tag = "organisations",
    operation_id = "updateOrganisation",
    params(
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The ETag (version) the change is based on", example = "\"3\"")
    ),
    request_body(
        content(
            (OrganisationDraft = "application/merge-patch+json", example = json!({"acronym": "NEN", "description": {"nl": null}})),
            (OrganisationDraft = "application/json", example = json!({"acronym": "NEN"}))
        ),
        description = "Any subset of the organisation's fields"
    ),
    responses(
        (status = 200, description = "The updated organisation", body = Organisation),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::update::<Organisations>(state, request, &id, patch).await
}

/// Delete an organisation
///
/// The organisation becomes a tombstone: it answers 410 from then on, lists
/// leave it out, its links are removed and its id is never reused.
#[utoipa::path(
    tag = "organisations",
    operation_id = "deleteOrganisation",
    params(
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The ETag (version) the deletion is based on", example = "\"3\"")
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/organisations/{id}")]
pub async fn delete_organisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Organisations>(state, request, &id).await
}
