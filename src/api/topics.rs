//! `/v1/topics`: the controlled vocabulary, read-only. Served from the
//! vocabulary loaded at start-up; as a SKOS concept scheme in JSON-LD on
//! request (`Accept: application/ld+json`).

use crate::api::access::{Allowed, least};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::linked_data;
use crate::domain;
use crate::domain::query::QueryReader;
use crate::domain::topics::Topic;
use crate::error::{ApiError, ApiResult};

/// All topics.
#[derive(Serialize, ToSchema)]
pub struct TopicList {
    /// Every topic, broader ones before their children, in display order.
    pub items: Vec<Topic>,
}

/// List topics
///
/// The whole vocabulary in one response; it is small and changes only with a
/// new release.
#[utoipa::path(
    tag = "topics",
    operation_id = "listTopics",
    responses((status = 200, description = "Every topic", body = TopicList))
)]
#[get("/topics")]
pub async fn list_topics(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    if linked_data::wanted(&request) {
        let scheme = domain::linked_data::concept_scheme(&state.vocabulary, &state.policy.site);
        return Ok(linked_data::respond(&scheme));
    }
    Ok(linked_data::varies(HttpResponse::Ok().json(TopicList {
        items: state.vocabulary.all().to_vec(),
    })))
}

/// Get a topic
///
/// One topic of the vocabulary: its English and Dutch labels and description, its broader topic (`parent`) and its narrower topics (`children`).
#[utoipa::path(
    tag = "topics",
    operation_id = "getTopic",
    params(("slug" = String, Path, description = "The topic's slug", example = "algorithmic-bias")),
    responses((status = 200, description = "The topic", body = Topic))
)]
#[get("/topics/{slug}")]
pub async fn get_topic(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let topic = state.vocabulary.get(&slug).ok_or_else(|| {
        ApiError::NotFound(format!("there is no topic '{slug}'; see GET /v1/topics"))
    })?;
    if linked_data::wanted(&request) {
        let topic = serde_json::to_value(topic).map_err(ApiError::internal)?;
        let concept = domain::linked_data::concept(&topic, &state.policy.site);
        return Ok(linked_data::respond(&concept));
    }
    Ok(linked_data::varies(HttpResponse::Ok().json(topic)))
}
