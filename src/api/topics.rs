//! `/v1/topics`: the controlled vocabulary, read-only. Served from the
//! vocabulary loaded at start-up.

use crate::api::access::{Allowed, least};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

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
    Ok(HttpResponse::Ok().json(TopicList {
        items: state.vocabulary.all().to_vec(),
    }))
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
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let topic = state.vocabulary.get(&slug).ok_or_else(|| {
        ApiError::NotFound(format!("there is no topic '{slug}'; see GET /v1/topics"))
    })?;
    Ok(HttpResponse::Ok().json(topic))
}
