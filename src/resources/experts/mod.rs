//! `/v1/experts` and `/v1/experts/{id}/affiliations/{organisationId}`

pub mod model;
pub mod repo;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use diesel_async::AsyncConnection;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use self::model::{
    AffiliationInput, Expert, ExpertDraft, ExpertFilter, FIELDS, NESTED_FIELDS, affiliation_terms,
};
use super::crud::{self, Resource};
use super::links::{self, LinkOutcome};
use super::records::{self, Kind, Precondition};
use super::{AppState, record_response};
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::http::page::{Page, PageParams, PageRequest};
use crate::http::query::path_id;

pub struct Experts;

impl Resource for Experts {
    const KIND: Kind = Kind::Expert;
    const COLLECTION: &'static str = "/v1/experts";
    const FIELDS: &'static [&'static str] = FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] = NESTED_FIELDS;
    type Draft = ExpertDraft;
    type Record = Expert;
    type Filter = ExpertFilter;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<ExpertDraft> {
        ExpertDraft::from_json(body, vocabulary)
    }

    fn parse_filter(
        query: &str,
        vocabulary: &Vocabulary,
    ) -> ApiResult<(ExpertFilter, PageRequest)> {
        ExpertFilter::from_query(query, vocabulary)
    }

    fn id(record: &Expert) -> Uuid {
        record.id
    }

    fn version(record: &Expert) -> i64 {
        record.version
    }

    async fn insert(conn: &mut AsyncPgConnection, draft: &ExpertDraft) -> ApiResult<Uuid> {
        repo::insert(conn, draft).await
    }

    async fn load_draft(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<ExpertDraft> {
        repo::load_draft(conn, id).await
    }

    async fn update(conn: &mut AsyncPgConnection, id: Uuid, draft: &ExpertDraft) -> ApiResult<()> {
        repo::update(conn, id, draft).await
    }

    async fn find(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        id: Uuid,
    ) -> ApiResult<Expert> {
        repo::find(conn, vocabulary, id).await
    }

    async fn check_filter(conn: &mut AsyncPgConnection, filter: &ExpertFilter) -> ApiResult<()> {
        records::check_filter_ids(
            conn,
            Kind::Organisation,
            "organisation",
            &filter.organisation,
        )
        .await
    }

    async fn list(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        filter: &ExpertFilter,
        page: PageRequest,
    ) -> ApiResult<Vec<Expert>> {
        repo::list(conn, vocabulary, filter, page).await
    }
}

/// List experts
///
/// Live experts in creation order, each with their topics, affiliations and
/// the initiatives they take part in.
#[utoipa::path(
    tag = "experts",
    operation_id = "listExperts",
    params(ExpertFilter, PageParams),
    responses((status = 200, description = "A page of experts; `Link: <...>; rel=\"next\"` points at the next one", body = Page<Expert>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/experts")]
pub async fn list_experts(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    crud::list::<Experts>(state, request).await
}

/// Create an expert
#[utoipa::path(
    tag = "experts",
    operation_id = "createExpert",
    request_body(content = ExpertDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` gives its URL and `ETag` its version", body = Expert, headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The record's version, quoted"))))
)]
#[post("/experts")]
pub async fn create_expert(
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::create::<Experts>(state, body).await
}

/// Get an expert
#[utoipa::path(
    tag = "experts",
    operation_id = "getExpert",
    params(("id" = Uuid, Path, description = "The expert's id", example = "01938b1e-7f00-7aaa-8000-000000000001")),
    responses((status = 200, description = "The expert; `ETag` gives its version", body = Expert, headers(("ETag" = String, description = "The record's version, quoted"))))
)]
#[get("/experts/{id}")]
pub async fn get_expert(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::get::<Experts>(state, &id).await
}

/// Update an expert
///
/// A JSON Merge Patch (RFC 7396): fields present replace the stored ones,
/// `null` clears a field, absent fields stay. The result is validated as a
/// whole. Send `If-Match` with the ETag you read to refuse overwriting
/// someone else's change (412).
#[utoipa::path(
    tag = "experts",
    operation_id = "updateExpert",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The ETag (version) the change is based on", example = "\"3\"")
    ),
    request_body(
        content(
            (ExpertDraft = "application/merge-patch+json", example = json!({"honorific": "Prof. dr.", "bio": {"nl": null}})),
            (ExpertDraft = "application/json", example = json!({"country": "BE"}))
        ),
        description = "Any subset of the expert's fields"
    ),
    responses(
        (status = 200, description = "The updated expert", body = Expert),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[patch("/experts/{id}")]
pub async fn update_expert(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::update::<Experts>(state, request, &id, patch).await
}

/// Delete an expert
///
/// The expert becomes a tombstone: it answers 410 from then on, lists leave
/// it out, their affiliations and initiative roles are removed and the id is
/// never reused.
#[utoipa::path(
    tag = "experts",
    operation_id = "deleteExpert",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The ETag (version) the deletion is based on", example = "\"3\"")
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/experts/{id}")]
pub async fn delete_expert(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Experts>(state, request, &id).await
}

/// Add or change an affiliation
///
/// Idempotent: creates the affiliation (201) or replaces its terms (200).
/// Answers with the expert.
#[utoipa::path(
    tag = "experts",
    operation_id = "putAffiliation",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The expert's ETag (version) the change is based on", example = "\"3\"")
    ),
    request_body(content = AffiliationInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The affiliation was changed (or already read so); the expert", body = Expert),
        (status = 201, description = "The affiliation was created; the expert", body = Expert),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The organisation does not exist or was deleted", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[put("/experts/{id}/affiliations/{organisationId}")]
pub async fn put_affiliation(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let (id, organisation) = (path_id("id", &path.0)?, path_id("organisationId", &path.1)?);
    let terms = affiliation_terms(&body)?;
    let precondition = Precondition::from_request(&request)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn().await?;
    let (outcome, record) = conn
        .transaction(async |conn| {
            let outcome =
                links::put_affiliation(conn, id, organisation, terms, precondition).await?;
            Ok::<_, ApiError>((outcome, repo::find(conn, vocabulary, id).await?))
        })
        .await?;
    let status = if outcome == LinkOutcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(record_response(status, record.version, &record))
}

/// Remove an affiliation
#[utoipa::path(
    tag = "experts",
    operation_id = "deleteAffiliation",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938b1e-7f00-7aaa-8000-000000000001"),
        ("If-Match" = Option<String>, Header, description = "The expert's ETag (version) the change is based on", example = "\"3\"")
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/experts/{id}/affiliations/{organisationId}")]
pub async fn delete_affiliation(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, organisation) = (path_id("id", &path.0)?, path_id("organisationId", &path.1)?);
    let precondition = Precondition::from_request(&request)?;
    let mut conn = state.conn().await?;
    conn.transaction(async |conn| {
        links::delete_affiliation(conn, id, organisation, precondition).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
