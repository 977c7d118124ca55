//! Authorization for every operation, from one table. The `authenticate`
//! middleware only finds out who is calling. The decision comes after
//! routing: every handler takes an [`Allowed`] extractor naming its least
//! role, and that extractor looks up the rule of the operation the router
//! matched (its route pattern and method, never the raw path, which may be
//! percent-encoded). The application state is reachable only through it,
//! so a handler cannot skip the decision. The spec's `security` entries are
//! written from the same table, so documentation and enforcement cannot
//! drift apart.

use crate::auth::Audience;
use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use utoipa::openapi::OpenApi;

use super::cors::CorsPolicy;
use super::limits::FailureLimit;
use super::middleware::RoutedRequest;
use crate::api::state::AppState;
use crate::auth::{Access, Caller, Role, is_well_formed};
use crate::error::ApiError;
use crate::store::api_keys;

/// Who may call each operation, by operationId. An operation missing here
/// is refused to everyone but admins (and a test fails on it).
const RULES: &[(&str, Access)] = &[
    ("search", Access::Public),
    ("getOverview", Access::Public),
    ("getParticipation", Access::Public),
    ("listChanges", Access::Public),
    ("exportOrganisations", Access::Public),
    ("exportExperts", Access::Public),
    ("exportInitiatives", Access::Public),
    ("importRecords", Access::Role(Role::Curator)),
    ("listTopics", Access::Public),
    ("getTopic", Access::Public),
    ("getCatalog", Access::Public),
    ("getLiveness", Access::Probe),
    ("getReadiness", Access::Probe),
    ("listApiKeys", Access::Role(Role::Admin)),
    ("createApiKey", Access::Role(Role::Admin)),
    ("getApiKey", Access::Role(Role::Admin)),
    ("revokeApiKey", Access::Role(Role::Admin)),
    ("listWebhooks", Access::Role(Role::Admin)),
    ("createWebhook", Access::Role(Role::Admin)),
    ("getWebhook", Access::Role(Role::Admin)),
    ("getWebhookStatus", Access::Role(Role::Admin)),
    ("updateWebhook", Access::Role(Role::Admin)),
    ("rotateWebhookSecret", Access::Role(Role::Admin)),
    ("deleteWebhook", Access::Role(Role::Admin)),
    ("listWebhookDeliveries", Access::Role(Role::Admin)),
    ("replayWebhookDelivery", Access::Role(Role::Admin)),
    ("listOrganisations", Access::Public),
    ("createOrganisation", Access::Role(Role::Curator)),
    ("findOrganisationMatches", Access::Role(Role::Curator)),
    ("getOrganisation", Access::Public),
    ("updateOrganisation", Access::Role(Role::Curator)),
    ("deleteOrganisation", Access::Role(Role::Editor)),
    ("getOrganisationHistory", Access::Role(Role::Curator)),
    ("listExperts", Access::Public),
    ("createExpert", Access::Role(Role::Curator)),
    ("findExpertMatches", Access::Role(Role::Curator)),
    ("getExpert", Access::Public),
    ("updateExpert", Access::Role(Role::Curator)),
    ("deleteExpert", Access::Role(Role::Editor)),
    ("getExpertHistory", Access::Role(Role::Curator)),
    ("putAffiliation", Access::Role(Role::Curator)),
    ("deleteAffiliation", Access::Role(Role::Curator)),
    ("listInitiatives", Access::Public),
    ("createInitiative", Access::Role(Role::Curator)),
    ("getInitiative", Access::Public),
    ("updateInitiative", Access::Role(Role::Curator)),
    ("deleteInitiative", Access::Role(Role::Editor)),
    ("getInitiativeHistory", Access::Role(Role::Curator)),
    ("putInitiativeOrganisation", Access::Role(Role::Curator)),
    ("listSuggestedExperts", Access::Role(Role::Curator)),
    ("listDueReviews", Access::Role(Role::Curator)),
    ("listSuggestedInitiatives", Access::Public),
    ("listSimilarInitiatives", Access::Public),
    ("listSimilarOrganisations", Access::Public),
    ("getNetwork", Access::Public),
    ("deleteInitiativeOrganisation", Access::Role(Role::Curator)),
    ("putInitiativeExpert", Access::Role(Role::Curator)),
    ("deleteInitiativeExpert", Access::Role(Role::Curator)),
    ("putRelatedInitiative", Access::Role(Role::Curator)),
    ("deleteRelatedInitiative", Access::Role(Role::Curator)),
    // Submitting needs a curator; the other steps an editor (checked per step).
    ("publishOrganisation", Access::Role(Role::Curator)),
    ("publishExpert", Access::Role(Role::Curator)),
    ("publishInitiative", Access::Role(Role::Curator)),
    ("mergeOrganisation", Access::Role(Role::Editor)),
    ("mergeExpert", Access::Role(Role::Editor)),
    ("mergeInitiative", Access::Role(Role::Editor)),
];

/// The access rule of an operation, if it has one.
pub fn rule(operation_id: &str) -> Option<Access> {
    RULES
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, access)| *access)
}

struct Operation {
    id: String,
    /// The route pattern as the router knows it (`/v1/organisations/{id}`).
    pattern: String,
    path: ResourceDef,
    method: Method,
    access: Access,
}

/// Every documented operation: what the router serves, with its rule.
pub struct Operations(Vec<Operation>);

impl Operations {
    pub fn from_spec(spec: &OpenApi) -> Self {
        let mut operations = Vec::new();
        for (path, item) in &spec.paths.paths {
            let methods = [
                (Method::GET, &item.get),
                (Method::PUT, &item.put),
                (Method::POST, &item.post),
                (Method::DELETE, &item.delete),
                (Method::PATCH, &item.patch),
            ];
            for (method, operation) in methods {
                let Some(operation) = operation else { continue };
                let id = operation.operation_id.as_deref().unwrap_or_default();
                let pattern = format!("/v1{path}");
                operations.push(Operation {
                    id: id.to_owned(),
                    path: ResourceDef::new(pattern.as_str()),
                    pattern,
                    method,
                    access: rule(id).unwrap_or(Access::Role(Role::Admin)),
                });
            }
        }
        Self(operations)
    }

    /// The methods a path allows, or `None` when no operation has the path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let methods: Vec<String> = self
            .0
            .iter()
            .filter(|op| op.path.is_match(path))
            .map(|op| op.method.to_string())
            .collect();
        (!methods.is_empty()).then_some(methods)
    }

    /// The operationId of the operation the router matched, for metrics.
    pub fn operation_id(&self, method: &Method, pattern: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|op| op.method == method && op.pattern == pattern)
            .map(|op| op.id.as_str())
    }

    /// Whether the operation the router matched is a health probe, which
    /// no rate limit holds back.
    pub fn is_probe(&self, method: &Method, pattern: &str) -> bool {
        self.access(method, pattern) == Some(Access::Probe)
    }

    /// The rule of the operation the router matched: its route pattern and
    /// method. Nothing here looks at the request's path, which the router
    /// has percent-decoded and the raw path has not.
    fn access(&self, method: &Method, pattern: &str) -> Option<Access> {
        self.0
            .iter()
            .find(|op| op.method == method && op.pattern == pattern)
            .map(|op| op.access)
    }
}

/// The least role a handler states in its signature, as the type parameter
/// of [`Allowed`].
pub trait Least {
    const ACCESS: Access;
}

/// The markers for [`Least`]: `Allowed<least::Curator>`.
pub mod least {
    use super::{Access, Least, Role};

    pub struct Probe;
    pub struct Public;
    pub struct Curator;
    pub struct Editor;
    pub struct Admin;

    impl Least for Probe {
        const ACCESS: Access = Access::Probe;
    }
    impl Least for Public {
        const ACCESS: Access = Access::Public;
    }
    impl Least for Curator {
        const ACCESS: Access = Access::Role(Role::Curator);
    }
    impl Least for Editor {
        const ACCESS: Access = Access::Role(Role::Editor);
    }
    impl Least for Admin {
        const ACCESS: Access = Access::Role(Role::Admin);
    }
}

/// The application state, kept where handlers cannot extract it directly:
/// the only way to it is [`Allowed`], so a handler that does not state its
/// least role has no database to work with.
pub struct Guarded(web::Data<AppState>);

impl Guarded {
    pub fn new(state: web::Data<AppState>) -> Self {
        Self(state)
    }

    /// For the middleware of this layer (CORS, limits, authentication).
    pub(super) fn state(&self) -> &web::Data<AppState> {
        &self.0
    }
}

/// Proof that the caller may make the request the router matched: the
/// decision takes the stricter of the operation's rule (by its route
/// pattern and method) and the least role `R` the handler states. A request
/// for which no rule is found is refused.
pub struct Allowed<R> {
    pub state: web::Data<AppState>,
    least: PhantomData<R>,
}

impl<R: Least> FromRequest for Allowed<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        RoutedRequest::keep(request);
        ready(decide(request, R::ACCESS).map(|state| Self {
            state,
            least: PhantomData,
        }))
    }
}

fn decide(request: &HttpRequest, stated: Access) -> Result<web::Data<AppState>, ApiError> {
    let guarded = request
        .app_data::<web::Data<Guarded>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let state = guarded.state().clone();
    let rule = request
        .app_data::<web::Data<Operations>>()
        .zip(request.match_pattern())
        .and_then(|(operations, pattern)| operations.access(request.method(), &pattern))
        .ok_or_else(|| {
            ApiError::Forbidden("no access rule covers this operation; it is refused".to_owned())
        })?;
    let caller = Caller::of_request(request);
    let needed = match stricter(rule, stated) {
        Access::Probe => return Ok(state),
        Access::Public if state.policy.reads_require_key => Role::Reader,
        Access::Public => return Ok(state),
        Access::Role(role) => role,
    };
    match caller.key() {
        None => Err(ApiError::Unauthorized(format!(
            "this operation needs an API key with the role '{}' or higher",
            needed.as_str()
        ))),
        Some(key) if !key.role.includes(needed) => Err(ApiError::Forbidden(format!(
            "this operation needs the role '{}' or higher; the key '{}' has '{}'",
            needed.as_str(),
            key.name,
            key.role.as_str()
        ))),
        Some(_) => Ok(state),
    }
}

fn stricter(a: Access, b: Access) -> Access {
    match (a, b) {
        (Access::Probe, other) | (other, Access::Probe) => other,
        (Access::Public, other) | (other, Access::Public) => other,
        (Access::Role(x), Access::Role(y)) => Access::Role(if x.includes(y) { x } else { y }),
    }
}

/// Settings of who may do what, and how much.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Reads need a key too (at least `reader`).
    pub reads_require_key: bool,
    /// An editor may approve changes they made themselves (for deployments
    /// with a single editor); off by default: four eyes.
    pub allow_self_approval: bool,
    /// Requests a minute per API key; 0: unlimited.
    pub rate_limit: u32,
    /// Requests a minute per client address without a key; 0: unlimited.
    pub anonymous_rate_limit: u32,
    /// Answers 401 or 403 a minute per client address before it is refused
    /// with 429; 0: unlimited.
    pub failed_auth_limit: u32,
    /// How long a request may take before it is answered 503; zero: no
    /// limit. Imports get at least [`super::middleware::IMPORT_DEADLINE`].
    pub request_timeout: std::time::Duration,
    /// Webhook subscriptions may name loopback, link-local, private and
    /// unspecified addresses.
    pub webhook_allow_private: bool,
    pub cors: CorsPolicy,
    /// Where the registry is published, for linked data.
    pub site: crate::domain::linked_data::Site,
    /// Proxies whose `Forwarded`/`X-Forwarded-For` names the client.
    pub trusted_proxies: super::client_address::TrustedProxies,
    /// How long a record may go without a review before it is due.
    pub review_period: crate::domain::reviews::ReviewPeriod,
}

/// Authenticates the bearer key, if one is sent, and hands the caller on.
/// Whether the caller may make the request is decided after routing, by
/// [`Allowed`]. A token that cannot be one of ours (prefix, length,
/// alphabet) is refused without a database round trip.
pub async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = request
        .app_data::<web::Data<Guarded>>()
        .map(|guarded| guarded.state().clone())
    else {
        let missing = ApiError::internal("application state missing");
        return Ok(request.error_response(missing).map_into_right_body());
    };
    let failures = FailureLimit::of(&state, &request);
    if let Some(refusal) = failures.as_ref().and_then(FailureLimit::refusal) {
        return Ok(request.error_response(refusal).map_into_right_body());
    }
    let response = match caller_for(&request, &state).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.call(request).await?.map_into_left_body()
        }
        Err(refusal) => request.error_response(refusal).map_into_right_body(),
    };
    if let Some(failures) = &failures {
        failures.record(response.status());
    }
    Ok(response)
}

async fn caller_for(request: &ServiceRequest, state: &AppState) -> Result<Caller, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(Caller::anonymous());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("send the API key as 'Authorization: Bearer <key>'".to_owned())
        })?;
    if !is_well_formed(token) {
        return Err(ApiError::Unauthorized(
            "the bearer token is not an API key of this registry".to_owned(),
        ));
    }
    if let Some(holder) = state.keys.holder(token) {
        return Ok(Caller::with_key(holder));
    }
    let generation = state.keys.generation();
    let lookup = async {
        let mut conn = state.conn(Audience::Staff).await?;
        let holder = api_keys::authenticate(&mut conn, token).await?;
        state.keys.verified(token, &holder, generation);
        Ok::<_, ApiError>(holder)
    };
    let limit = state.policy.request_timeout;
    let holder = if limit.is_zero() {
        lookup.await?
    } else {
        tokio::time::timeout(limit, lookup).await.map_err(|_| {
            ApiError::Unavailable(format!(
                "looking up the API key took longer than {} s (database not answering?)",
                limit.as_secs()
            ))
        })??
    };
    Ok(Caller::with_key(holder))
}
