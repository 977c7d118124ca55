//! `/v1/experts` and `/v1/experts/{id}/affiliations/{organisationId}`

use crate::api::access::{Allowed, least};
use crate::api::if_match;
use crate::api::state::AppState;
use crate::auth::{Audience, Caller};
use crate::domain::history::ChangeContext;
use crate::registry;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use diesel_async::AsyncConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::api::crud::{self, Resource};
use crate::api::if_match::IfMatch;
use crate::api::links;
use crate::domain::experts::{
    AffiliationInput, Expert, ExpertDraft, ExpertListQuery, ExpertMatches, ExpertProbe,
    ExpertProbeQuery,
};
use crate::domain::list::ListSpec;
use crate::domain::page::{Page, PageParams};
use crate::domain::query::{QueryReader, parse_flag, path_id};
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::registry::links::Affiliations;

pub use crate::store::experts::Experts;

/// List experts
///
/// Live experts in creation order, each with their topics, affiliations and
/// the initiatives they take part in.
#[utoipa::path(
    tag = "experts",
    operation_id = "listExperts",
    params(ExpertListQuery, PageParams),
    responses((status = 200, description = "A page of experts; `Link: <...>; rel=\"next\"` points at the next one", body = Page<Expert>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/experts")]
pub async fn list_experts(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    crud::list::<Experts>(state, request).await
}

/// Create an expert
///
/// Creates a draft, visible to curators and above until an editor publishes it (and to the public only with consent to a public profile). Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "experts",
    operation_id = "createExpert",
    request_body(content = ExpertDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` gives its URL and `ETag` its version", body = Expert, headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The record's version, quoted"))))
)]
#[post("/experts")]
pub async fn create_expert(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::create::<Experts>(state, request, body).await
}

/// Find possible duplicates
///
/// Before creating an expert, a curator checks whether they are already
/// there. Candidates are ranked by a score in 0..1 with the reasons they
/// matched: the same ORCID iD, the same e-mail address, a similar name.
#[utoipa::path(
    tag = "experts",
    operation_id = "findExpertMatches",
    params(ExpertProbeQuery),
    responses((status = 200, description = "Candidates, best first (at most 10)", body = ExpertMatches))
)]
#[get("/experts/matches")]
pub async fn expert_matches(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let probe = ExpertProbe::from_query(request.query_string())?;
    let mut conn = state.conn(Audience::Staff).await?;
    let items = crate::store::experts::candidates(&mut conn, &probe).await?;
    Ok(HttpResponse::Ok().json(ExpertMatches { items }))
}

/// Get an expert
///
/// The expert with affiliations and initiatives. The public and readers see published experts who consented to a public profile, without contact data; staff see every expert, its contact data and any pending revision.
#[utoipa::path(
    tag = "experts",
    operation_id = "getExpert",
    params(("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002")),
    responses((status = 200, description = "The expert; `ETag` gives its version", body = Expert, headers(("ETag" = String, description = "The record's version, quoted"))),
        (status = 308, description = "The expert was merged into another; `Location` gives the survivor's URL", headers(("Location" = String, description = "The surviving record's URL"))))
)]
#[get("/experts/{id}")]
pub async fn get_expert(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::get::<Experts>(state, request, &id).await
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
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch
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
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crud::update::<Experts>(state, request, &id, patch).await
}

/// Delete an expert, or erase their personal data
///
/// The expert becomes a tombstone: it answers 410 from then on, lists leave
/// it out, their affiliations and initiative roles are removed and the id is
/// never reused. With `erase=true` (admin only) the person's personal data
/// is erased as the GDPR requires: from the record, every link, the search
/// indexes and every history entry about them; this also works on an
/// expert deleted before (send `If-Match: *`).
#[utoipa::path(
    tag = "experts",
    operation_id = "deleteExpert",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch,
        ("erase" = Option<bool>, Query, description = "Erase the person's personal data too (admin only)", example = true)
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/experts/{id}")]
pub async fn delete_expert(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), &["erase"]);
    let erase = query.one("erase", parse_flag).unwrap_or(false);
    query.finish()?;
    if erase {
        let id = path_id("id", &id)?;
        erase_expert(state, request, id).await
    } else {
        crud::delete::<Experts>(state, request, &id).await
    }
}

/// Erases the expert's personal data (`registry::erasure`).
async fn erase_expert(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: Uuid,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of_request(&request);
    registry::erasure::refuse_unless_admin(&caller)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let mut conn = state.conn(Audience::Staff).await?;
    conn.transaction(async |conn| {
        registry::erasure::erase_expert(conn, &context, &caller, id, precondition).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add or change an affiliation
///
/// Idempotent: creates the affiliation (201) or replaces its terms (200).
/// Answers with the expert.
#[utoipa::path(
    tag = "experts",
    operation_id = "putAffiliation",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
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
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    links::put::<Affiliations>(state, request, path, body).await
}

/// Remove an affiliation
///
/// Ends the link between the expert and the organisation; both records stay. Needs the expert's `If-Match`.
#[utoipa::path(
    tag = "experts",
    operation_id = "deleteAffiliation",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        ("organisationId" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        IfMatch
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/experts/{id}/affiliations/{organisationId}")]
pub async fn delete_affiliation(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    links::delete::<Affiliations>(state, request, path).await
}

/// Get an expert's history
///
/// Every change of the expert, newest first: who made it (the API key),
/// when, in which request, why (`X-Change-Message`), and each changed
/// field's value before and after. Deleted experts keep their history.
#[utoipa::path(
    tag = "experts",
    operation_id = "getExpertHistory",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        crate::domain::page::PageParams
    ),
    responses((status = 200, description = "A page of history entries; `Link: <...>; rel=\"next\"` points at older ones", body = crate::domain::history::HistoryPage, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/experts/{id}/history")]
pub async fn get_expert_history(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crate::api::history::list(state, request, crate::store::records::Kind::Expert, &id).await
}

/// Move an expert through the publication workflow
///
/// `submit` (curator) puts a draft up for review; `approve` publishes it,
/// `reject` sends it back to draft, `archive` withdraws a published one and
/// `restore` publishes it again (editor). An editor cannot approve an expert
/// they changed since it was last approved, unless the deployment allows it.
/// Only published experts are visible to the public and to readers.
#[utoipa::path(
    tag = "experts",
    operation_id = "publishExpert",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch
    ),
    request_body(content = crate::domain::publication::PublicationStep, content_type = "application/json"),
    responses(
        (status = 200, description = "The expert in its new state", body = Expert, headers(("ETag" = String, description = "The record's new version, quoted"))),
        (status = 409, description = "The step does not apply to the expert's current state (e.g. approving a draft)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/experts/{id}/publication")]
pub async fn publish_expert(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::publication::act::<Experts>(state, request, &id, body).await
}

/// Merge a duplicate expert into another
///
/// Every link of the duplicate moves to the surviving expert; where both
/// were linked to the same record one link remains, with the stronger role.
/// The duplicate then answers `GET` with 308 and the survivor's URL, lists
/// leave it out, and both histories record the merge. The survivor must be
/// a live expert that was not merged itself (422 otherwise).
#[utoipa::path(
    tag = "experts",
    operation_id = "mergeExpert",
    params(
        ("id" = Uuid, Path, description = "The duplicate's id", example = "01938000-0000-7000-8000-000000002002"),
        IfMatch
    ),
    request_body(content = crate::domain::merge::MergeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The surviving expert, with the links it took over", body = Expert, headers(("ETag" = String, description = "The survivor's new version, quoted"))),
        (status = 412, description = "`If-Match` names an older version of the duplicate", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The survivor is missing, deleted, merged or of another kind", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The duplicate is public and the survivor is not: publish the survivor first", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/experts/{id}/merge")]
pub async fn merge_expert(
    Allowed { state, .. }: Allowed<least::Editor>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    crate::api::merge::merge::<Experts>(state, request, &id, body).await
}

impl Resource for Experts {
    const COLLECTION: &'static str = "/v1/experts";
    const FIELDS: &'static [&'static str] = crate::domain::experts::FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] =
        crate::domain::experts::NESTED_FIELDS;
    const FILTER_KEYS: &'static [&'static str] = crate::domain::experts::FILTER_KEYS;
    const LIST: ListSpec = crate::domain::experts::LIST;
    fn read_filter(
        query: &mut QueryReader,
        vocabulary: &Vocabulary,
    ) -> crate::domain::experts::ExpertFilter {
        crate::domain::experts::ExpertFilter::read(query, vocabulary)
    }
}
