//! `/v1/organisations`

use crate::api::access::{Allowed, least};
use crate::auth::Audience;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde_json::Value;

use crate::api::crud::{self, Resource};
use crate::api::if_match::IfMatch;
use crate::domain::list::ListSpec;
use crate::domain::organisations::{
    Organisation, OrganisationDraft, OrganisationListQuery, OrganisationMatches, OrganisationProbe,
    OrganisationProbeQuery,
};
use crate::domain::page::{Page, PageParams};
use crate::domain::query::QueryReader;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;

pub use crate::store::organisations::Organisations;

/// List organisations
///
/// Live organisations in creation order, each with its topics, the
/// initiatives it takes part in and its affiliated experts.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(OrganisationListQuery, PageParams),
    responses((status = 200, description = "A page of organisations; `Link: <...>; rel=\"next\"` points at the next one", body = Page<Organisation>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/organisations")]
pub async fn list_organisations(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    crud::list::<Organisations>(state, request).await
}

/// Create an organisation
///
/// Creates a draft, visible to curators and above until an editor publishes it. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "organisations",
    operation_id = "createOrganisation",
    request_body(content = OrganisationDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` gives its URL and `ETag` its version", body = Organisation, headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The record's version, quoted"))))
)]
#[post("/organisations")]
pub async fn create_organisation(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::create::<Organisations>(state, request, body).await
}

/// Find possible duplicates
///
/// Before creating an organisation, a curator checks whether it is already
/// there. Candidates are ranked by a score in 0..1 with the reasons they
/// matched: the same ROR id, the same website domain, the name given being
/// their acronym, a similar name (typos allowed), the same country.
#[utoipa::path(
    tag = "organisations",
    operation_id = "findOrganisationMatches",
    params(OrganisationProbeQuery),
    responses((status = 200, description = "Candidates, best first (at most 10)", body = OrganisationMatches))
)]
#[get("/organisations/matches")]
pub async fn organisation_matches(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let probe = OrganisationProbe::from_query(request.query_string())?;
    let mut conn = state.conn(Audience::Staff).await?;
    let items = crate::store::organisations::candidates(&mut conn, &probe).await?;
    Ok(HttpResponse::Ok().json(OrganisationMatches { items }))
}

/// Get an organisation
///
/// The organisation with its topics, the initiatives it takes part in and its affiliated experts. The public and readers see published organisations, and in them only published records and consenting experts; staff also see drafts and pending revisions.
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001")),
    responses((status = 200, description = "The organisation; `ETag` gives its version", body = Organisation, headers(("ETag" = String, description = "The record's version, quoted"))),
        (status = 308, description = "The organisation was merged into another; `Location` gives the survivor's URL", headers(("Location" = String, description = "The surviving record's URL"))))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::get::<Organisations>(state, request, &id).await
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
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
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
    Allowed { state, .. }: Allowed<least::Curator>,
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
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/organisations/{id}")]
pub async fn delete_organisation(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Organisations>(state, request, &id).await
}

/// Get an organisation's history
///
/// Every change of the organisation, newest first: who made it (the API key),
/// when, in which request, why (`X-Change-Message`), and each changed
/// field's value before and after. Deleted organisations keep their history.
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisationHistory",
    params(
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        crate::domain::page::PageParams
    ),
    responses((status = 200, description = "A page of history entries; `Link: <...>; rel=\"next\"` points at older ones", body = crate::domain::history::HistoryPage, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/organisations/{id}/history")]
pub async fn get_organisation_history(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crate::api::history::list(
        state,
        request,
        crate::store::records::Kind::Organisation,
        &id,
    )
    .await
}

/// Move an organisation through the publication workflow
///
/// `submit` (curator) puts a draft up for review; `approve` publishes it,
/// `reject` sends it back to draft, `archive` withdraws a published one and
/// `restore` publishes it again (editor). An editor cannot approve an organisation
/// they changed since it was last approved, unless the deployment allows it.
/// Only published organisations are visible to the public and to readers.
#[utoipa::path(
    tag = "organisations",
    operation_id = "publishOrganisation",
    params(
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    request_body(content = crate::domain::publication::PublicationStep, content_type = "application/json"),
    responses(
        (status = 200, description = "The organisation in its new state", body = Organisation, headers(("ETag" = String, description = "The record's new version, quoted"))),
        (status = 409, description = "The step does not apply to the organisation's current state (e.g. approving a draft)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/publication")]
pub async fn publish_organisation(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::publication::act::<Organisations>(state, request, &id, body).await
}

/// Merge a duplicate organisation into another
///
/// Every link of the duplicate moves to the surviving organisation; where both
/// were linked to the same record one link remains, with the stronger role.
/// The duplicate then answers `GET` with 308 and the survivor's URL, lists
/// leave it out, and both histories record the merge. The survivor must be
/// a live organisation that was not merged itself (422 otherwise).
#[utoipa::path(
    tag = "organisations",
    operation_id = "mergeOrganisation",
    params(
        ("id" = Uuid, Path, description = "The duplicate's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    request_body(content = crate::domain::merge::MergeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The surviving organisation, with the links it took over", body = Organisation, headers(("ETag" = String, description = "The survivor's new version, quoted"))),
        (status = 412, description = "`If-Match` names an older version of the duplicate", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The survivor is missing, deleted, merged or of another kind", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The duplicate is public and the survivor is not: publish the survivor first", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{id}/merge")]
pub async fn merge_organisation(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::merge::merge::<Organisations>(state, request, &id, body).await
}

impl Resource for Organisations {
    const COLLECTION: &'static str = "/v1/organisations";
    const FIELDS: &'static [&'static str] = crate::domain::organisations::FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] =
        crate::domain::organisations::NESTED_FIELDS;
    const FILTER_KEYS: &'static [&'static str] = crate::domain::organisations::FILTER_KEYS;
    const LIST: ListSpec = crate::domain::organisations::LIST;
    fn read_filter(
        query: &mut QueryReader,
        vocabulary: &Vocabulary,
    ) -> crate::domain::organisations::OrganisationFilter {
        crate::domain::organisations::OrganisationFilter::read(query, vocabulary)
    }
}
