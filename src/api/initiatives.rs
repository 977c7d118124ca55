//! `/v1/initiatives` and the links hanging off an initiative: its
//! organisations, experts and related initiatives.

use crate::api::access::{Allowed, least};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde_json::Value;

use crate::api::crud::{self, Resource};
use crate::api::if_match::IfMatch;
use crate::api::links;
use crate::domain::initiatives::{
    ExpertRoleInput, Initiative, InitiativeDraft, InitiativeFilterQuery, InitiativeListQuery,
    OrganisationRoleInput, RelationInput,
};
use crate::domain::list::ListSpec;
use crate::domain::page::{Page, PageParams};
use crate::domain::query::QueryReader;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::registry::links::{InitiativeExperts, InitiativeOrganisations, RelatedInitiatives};

pub use crate::store::initiatives::Initiatives;

/// List initiatives
///
/// Live initiatives in creation order, each with its topics, the
/// organisations and experts taking part, and related initiatives.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "listInitiatives",
    params(InitiativeListQuery, InitiativeFilterQuery, PageParams),
    responses((status = 200, description = "A page of initiatives; `Link: <...>; rel=\"next\"` points at the next one", body = Page<Initiative>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/initiatives")]
pub async fn list_initiatives(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    crud::list::<Initiatives>(state, request).await
}

/// Create an initiative
///
/// Creates a draft, visible to curators and above until an editor publishes it. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "createInitiative",
    request_body(content = InitiativeDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` gives its URL and `ETag` its version", body = Initiative, headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The record's version, quoted"))))
)]
#[post("/initiatives")]
pub async fn create_initiative(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::create::<Initiatives>(state, request, body).await
}

/// Get an initiative
///
/// The initiative with its topics, the organisations and experts taking part, and related initiatives. The public and readers see published initiatives, and in them only published records and consenting experts; staff also see drafts and pending revisions.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "getInitiative",
    params(("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057")),
    responses((status = 200, description = "The initiative; `ETag` gives its version", body = Initiative, headers(("ETag" = String, description = "The record's version, quoted"))),
        (status = 308, description = "The initiative was merged into another; `Location` gives the survivor's URL", headers(("Location" = String, description = "The surviving record's URL"))))
)]
#[get("/initiatives/{id}")]
pub async fn get_initiative(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::get::<Initiatives>(state, request, &id).await
}

/// Update an initiative
///
/// A JSON Merge Patch (RFC 7396): fields present replace the stored ones,
/// `null` clears a field, absent fields stay. The result is validated as a
/// whole. Send `If-Match` with the ETag you read to refuse overwriting
/// someone else's change (412).
#[utoipa::path(
    tag = "initiatives",
    operation_id = "updateInitiative",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        IfMatch
    ),
    request_body(
        content(
            (InitiativeDraft = "application/merge-patch+json", example = json!({"status": "completed", "endDate": "2025-12-31", "summary": {"nl": null}})),
            (InitiativeDraft = "application/json", example = json!({"status": "active"}))
        ),
        description = "Any subset of the initiative's fields"
    ),
    responses(
        (status = 200, description = "The updated initiative", body = Initiative),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[patch("/initiatives/{id}")]
pub async fn update_initiative(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::update::<Initiatives>(state, request, &id, patch).await
}

/// Delete an initiative
///
/// The initiative becomes a tombstone: it answers 410 from then on, lists
/// leave it out, its links are removed and its id is never reused.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "deleteInitiative",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/initiatives/{id}")]
pub async fn delete_initiative(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Initiatives>(state, request, &id).await
}

/// Add an organisation or change its role
///
/// Idempotent: adds the organisation with the role (201) or sets its role (200). Answers with the initiative; the organisation shows the initiative too.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "putInitiativeOrganisation",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    request_body(content = OrganisationRoleInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The link was changed (or already read so); the initiative", body = Initiative),
        (status = 201, description = "The link was created; the initiative", body = Initiative),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The organisation does not exist or was deleted", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[put("/initiatives/{id}/organisations/{organisationId}")]
pub async fn put_organisation(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    links::put::<InitiativeOrganisations>(state, request, path, body).await
}

/// Remove an organisation
///
/// Ends the organisation's part in the initiative; both records stay. Needs the initiative's `If-Match`.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "deleteInitiativeOrganisation",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/initiatives/{id}/organisations/{organisationId}")]
pub async fn delete_organisation(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    links::delete::<InitiativeOrganisations>(state, request, path).await
}

/// Add an expert or change their role
///
/// Idempotent: adds the expert with the role (201) or sets their role (200). Answers with the initiative; the expert shows the initiative too.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "putInitiativeExpert",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("expertId" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch
    ),
    request_body(content = ExpertRoleInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The link was changed (or already read so); the initiative", body = Initiative),
        (status = 201, description = "The link was created; the initiative", body = Initiative),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The expert does not exist or was deleted", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[put("/initiatives/{id}/experts/{expertId}")]
pub async fn put_expert(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    links::put::<InitiativeExperts>(state, request, path, body).await
}

/// Remove an expert
///
/// Ends the expert's part in the initiative; both records stay. Needs the initiative's `If-Match`.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "deleteInitiativeExpert",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("expertId" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/initiatives/{id}/experts/{expertId}")]
pub async fn delete_expert(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    links::delete::<InitiativeExperts>(state, request, path).await
}

/// Relate another initiative
///
/// Idempotent. The relation reads from this initiative's side and is stored once: "A part-of B" shows on B as "has-part A", and setting it from either side replaces it. An initiative cannot relate to itself (400).
#[utoipa::path(
    tag = "initiatives",
    operation_id = "putRelatedInitiative",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("otherId" = Uuid, Path, description = "The other initiative's id", example = "01938000-0000-7000-8000-000000003034"),
        IfMatch
    ),
    request_body(content = RelationInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The link was changed (or already read so); the initiative", body = Initiative),
        (status = 201, description = "The link was created; the initiative", body = Initiative),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The other initiative does not exist or was deleted", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[put("/initiatives/{id}/related/{otherId}")]
pub async fn put_related(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    links::put::<RelatedInitiatives>(state, request, path, body).await
}

/// Remove a relation
///
/// Removes the relation between the two initiatives, in both directions; both records stay. Needs this initiative's `If-Match`.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "deleteRelatedInitiative",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        ("otherId" = Uuid, Path, description = "The other initiative's id", example = "01938000-0000-7000-8000-000000003034"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/initiatives/{id}/related/{otherId}")]
pub async fn delete_related(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    links::delete::<RelatedInitiatives>(state, request, path).await
}

/// Get an initiative's history
///
/// Every change of the initiative, newest first: who made it (the API key),
/// when, in which request, why (`X-Change-Message`), and each changed
/// field's value before and after. Deleted initiatives keep their history.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "getInitiativeHistory",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        crate::domain::page::PageParams
    ),
    responses((status = 200, description = "A page of history entries; `Link: <...>; rel=\"next\"` points at older ones", body = crate::domain::history::HistoryPage, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/initiatives/{id}/history")]
pub async fn get_initiative_history(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crate::api::history::list(state, request, crate::store::records::Kind::Initiative, &id).await
}

/// Move an initiative through the publication workflow
///
/// `submit` (curator) puts a draft up for review; `approve` publishes it,
/// `reject` sends it back to draft, `archive` withdraws a published one and
/// `restore` publishes it again (editor). An editor cannot approve an initiative
/// they changed since it was last approved, unless the deployment allows it.
/// Only published initiatives are visible to the public and to readers.
#[utoipa::path(
    tag = "initiatives",
    operation_id = "publishInitiative",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        IfMatch
    ),
    request_body(content = crate::domain::publication::PublicationStep, content_type = "application/json"),
    responses(
        (status = 200, description = "The initiative in its new state", body = Initiative, headers(("ETag" = String, description = "The record's new version, quoted"))),
        (status = 409, description = "The step does not apply to the initiative's current state (e.g. approving a draft)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/initiatives/{id}/publication")]
pub async fn publish_initiative(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::publication::act::<Initiatives>(state, request, &id, body).await
}

/// Merge a duplicate initiative into another
///
/// Every link of the duplicate moves to the surviving initiative; where both
/// were linked to the same record one link remains, with the stronger role.
/// The duplicate then answers `GET` with 308 and the survivor's URL, lists
/// leave it out, and both histories record the merge. The survivor must be
/// a live initiative that was not merged itself (422 otherwise).
#[utoipa::path(
    tag = "initiatives",
    operation_id = "mergeInitiative",
    params(
        ("id" = Uuid, Path, description = "The duplicate's id", example = "01938000-0000-7000-8000-000000003057"),
        IfMatch
    ),
    request_body(content = crate::domain::merge::MergeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The surviving initiative, with the links it took over", body = Initiative, headers(("ETag" = String, description = "The survivor's new version, quoted"))),
        (status = 412, description = "`If-Match` names an older version of the duplicate", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The survivor is missing, deleted, merged or of another kind", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The duplicate is public and the survivor is not: publish the survivor first", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/initiatives/{id}/merge")]
pub async fn merge_initiative(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::merge::merge::<Initiatives>(state, request, &id, body).await
}

impl Resource for Initiatives {
    const COLLECTION: &'static str = "/v1/initiatives";
    const FIELDS: &'static [&'static str] = crate::domain::initiatives::FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] =
        crate::domain::initiatives::NESTED_FIELDS;
    const FILTER_KEYS: &'static [&'static str] = crate::domain::initiatives::FILTER_KEYS;
    const LIST: ListSpec = crate::domain::initiatives::LIST;
    fn read_filter(
        query: &mut QueryReader,
        vocabulary: &Vocabulary,
    ) -> crate::domain::initiatives::InitiativeFilter {
        crate::domain::initiatives::InitiativeFilter::read(query, vocabulary)
    }
}
