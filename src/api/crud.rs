//! The create / read / list / merge-patch / delete handlers the three record
//! kinds share. Each kind is a [`Resource`] (what HTTP needs) over its
//! `StoredKind` (its types and SQL, in the store); the handlers are one-line
//! calls into the generic functions here,
//! which read the request and write through `registry::records` (the same
//! flow the importer uses), each write in one transaction, so a failed
//! request changes nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::api::consistency::{self, with_position};
use crate::api::idempotency::claim_of;
use crate::api::if_match;
use crate::api::linked_data;
use crate::api::respond::{created, next_link, page_response, record_response, rendered_response};
use crate::api::state::AppState;
use crate::auth::Audience;
use crate::domain::history::ChangeContext;
use crate::domain::input::check_patch_fields;
use crate::domain::list::{LIST_KEYS, ListRequest, ListSpec, in_found_order};
use crate::domain::page::Page;
use crate::domain::query::{QueryReader, path_id};
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::idempotency::Remembered;
use crate::store::records::{self, StoredKind};
use crate::sync::index::cache::{RecordCache, Rendered};
use crate::sync::index::filters::IndexFilter;
use crate::sync::index::find;
use crate::{domain, registry};

/// A kind of record as the API serves it: where it lives, what a client may
/// write and filter; how it is stored and read is its [`StoredKind`].
pub trait Resource: StoredKind<Filter: IndexFilter> {
    /// Where the collection lives, e.g. `/v1/organisations`.
    const COLLECTION: &'static str;
    /// The fields a client may write, and the object-valued ones' own keys.
    const FIELDS: &'static [&'static str];
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])];
    /// The list's own filter keys (besides `q`, `sort`, `facets`, paging).
    const FILTER_KEYS: &'static [&'static str];
    /// The sorts and facets the list offers.
    const LIST: ListSpec;

    fn read_filter(query: &mut QueryReader, vocabulary: &Vocabulary) -> Self::Filter;
}

/// A list: filters, search, sort, keyset page, total and facets, answered
/// by the search index; the page's records are then read from the store.
pub async fn list<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let vocabulary = &state.vocabulary;
    let keys: Vec<&str> = R::FILTER_KEYS.iter().chain(LIST_KEYS).copied().collect();
    let query = QueryReader::new(request.query_string(), &keys);
    let as_linked_data = linked_data::wanted(&request);
    let audience = linked_data::audience(&request, as_linked_data);
    let list = ListRequest::read(query, &R::LIST, audience, |q| R::read_filter(q, vocabulary))?;
    // Before taking a connection: the wait for a position holds none.
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    R::check_filter(&mut conn, &list.filter).await?;
    let mut listed = find::list(&index, R::KIND, &list, vocabulary)?;
    let (ids, next) = listed.page(list.sort.name, list.page.limit);
    let records = R::load(&mut conn, vocabulary, &ids, audience).await?;
    let items = in_found_order(&ids, records, R::id);
    if as_linked_data {
        let site = &state.policy.site;
        let nodes = items
            .iter()
            .map(|item| {
                let value = serde_json::to_value(item).map_err(ApiError::internal)?;
                Ok(domain::linked_data::record(R::KIND.hit(), &value, site))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let mut response = linked_data::respond(&domain::linked_data::graph(nodes));
        if let Some(cursor) = &next {
            response.headers_mut().insert(
                header::LINK,
                HeaderValue::from_str(&next_link(&request, cursor)).map_err(ApiError::internal)?,
            );
        }
        return Ok(with_position(response, position));
    }
    let page = Page {
        items,
        next,
        total: listed.total,
        facets: listed.facets,
    };
    Ok(with_position(
        linked_data::varies(page_response(&request, page)),
        position,
    ))
}

pub async fn create<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let context = ChangeContext::read(&request)?;
    let claim = claim_of(&request, context.actor_id(), &body)?;
    let draft = R::parse_draft(&body, &state.vocabulary)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let (answer, replayed) = conn
        .transaction(async |conn| {
            if let Some(claim) = &claim
                && let Some(earlier) = claim.claim(conn).await?
            {
                return Ok::<_, ApiError>((earlier, true));
            }
            let id = registry::records::create::<R>(conn, &context, Uuid::now_v7(), &draft).await?;
            let record = records::find::<R>(conn, vocabulary, id, Audience::Staff).await?;
            let answer = Remembered {
                location: format!("{}/{id}", R::COLLECTION),
                version: R::version(&record),
                body: serde_json::to_string(&record).map_err(ApiError::internal)?,
            };
            if let Some(claim) = &claim {
                claim.remember(conn, &answer).await?;
            }
            Ok((answer, false))
        })
        .await?;
    let mut response = created(answer.location, answer.version, answer.body);
    if replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

pub async fn get<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", raw_id)?;
    let as_linked_data = linked_data::wanted(&request);
    let audience = linked_data::audience(&request, as_linked_data);
    if request
        .headers()
        .contains_key(consistency::MIN_CHANGE_POSITION)
    {
        // Waits until this instance has dropped what the write changed.
        consistency::index_for(&state, &request).await?;
    }
    let cache = state.index.cache();
    if let Some(hit) = cache.and_then(|c| c.get(R::KIND, id, audience)) {
        return representation::<R>(&state, &hit, as_linked_data);
    }
    let generation = cache.map(RecordCache::generation);
    let mut conn = state.read_conn(audience).await?;
    let record = records::find::<R>(&mut conn, &state.vocabulary, id, audience).await?;
    let rendered = Rendered {
        version: R::version(&record),
        json: serde_json::to_string(&record)
            .map_err(ApiError::internal)?
            .into(),
    };
    let response = representation::<R>(&state, &rendered, as_linked_data);
    if let (Some(cache), Some(generation)) = (cache, generation) {
        cache.keep((R::KIND, id, audience), rendered, generation);
    }
    response
}

/// A record as JSON, or as JSON-LD when the client prefers it; both carry
/// the version in the ETag (the ETag middleware adds the body's hash).
fn representation<R: Resource>(
    state: &AppState,
    rendered: &Rendered,
    as_linked_data: bool,
) -> ApiResult<HttpResponse> {
    if !as_linked_data {
        return Ok(linked_data::varies(rendered_response(rendered)));
    }
    let record: Value = serde_json::from_str(&rendered.json).map_err(ApiError::internal)?;
    let node = domain::linked_data::record(R::KIND.hit(), &record, &state.policy.site);
    let mut response = linked_data::respond(&domain::linked_data::document(node));
    response.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{}\"", rendered.version)).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// `PATCH`: a JSON Merge Patch (see [`registry::records::merge_patch_record`]).
pub async fn update<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
    patch: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", raw_id)?;
    check_patch_fields(&patch, R::FIELDS, R::NESTED_FIELDS)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let record = conn
        .transaction(async |conn| {
            let edit = registry::records::merge_patch_record::<R>;
            edit(conn, vocabulary, &context, id, precondition, &patch, false).await?;
            records::find::<R>(conn, vocabulary, id, Audience::Staff).await
        })
        .await?;
    Ok(record_response(
        StatusCode::OK,
        R::version(&record),
        &record,
    ))
}

/// Turns a live record into a tombstone and removes its links.
pub async fn delete<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", raw_id)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let mut conn = state.conn(Audience::Staff).await?;
    conn.transaction(async |conn| {
        registry::records::delete::<R>(conn, &context, id, precondition).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
