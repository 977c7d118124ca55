//! Authorization for every operation, from one table. The middleware finds
//! the operation a request is for (through the OpenAPI spec's paths, the
//! same ones the router serves), authenticates the bearer key if there is
//! one, and refuses the request before any handler runs when the caller may
//! not make it. The spec's `security` entries are written from the same
//! table, so documentation and enforcement cannot drift apart.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use utoipa::openapi::OpenApi;

use super::cors::CorsPolicy;
use crate::auth::{Access, Caller, Role, keys};
use crate::error::ApiError;
use crate::resources::AppState;

/// Who may call each operation, by operationId. An operation missing here
/// is refused to everyone but admins (and a test fails on it).
const RULES: &[(&str, Access)] = &[
    ("search", Access::Public),
    ("getOverview", Access::Public),
    ("listChanges", Access::Public),
    ("exportOrganisations", Access::Public),
    ("exportExperts", Access::Public),
    ("exportInitiatives", Access::Public),
    ("importRecords", Access::Role(Role::Curator)),
    ("listTopics", Access::Public),
    ("getTopic", Access::Public),
    ("listApiKeys", Access::Role(Role::Admin)),
    ("createApiKey", Access::Role(Role::Admin)),
    ("getApiKey", Access::Role(Role::Admin)),
    ("revokeApiKey", Access::Role(Role::Admin)),
    ("listWebhooks", Access::Role(Role::Admin)),
    ("createWebhook", Access::Role(Role::Admin)),
    ("getWebhook", Access::Role(Role::Admin)),
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
    path: ResourceDef,
    /// Literal segments win over `{param}` ones (`/organisations/matches`).
    params: usize,
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
                operations.push(Operation {
                    path: ResourceDef::new(format!("/v1{path}")),
                    params: path.matches('{').count(),
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

    fn access(&self, method: &Method, path: &str) -> Option<Access> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.0
            .iter()
            .filter(|op| op.method == method && op.path.is_match(path))
            .min_by_key(|op| op.params)
            .map(|op| op.access)
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
    pub cors: CorsPolicy,
}

/// Authenticates and authorizes the request, and hands the caller to the
/// handler. Requests for paths that are no operation (docs, 404s) pass.
pub async fn authorize(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match caller_for(&request).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            Ok(next.call(request).await?.map_into_left_body())
        }
        Err(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
    }
}

async fn caller_for(request: &ServiceRequest) -> Result<Caller, ApiError> {
    let Some(access) = request
        .app_data::<web::Data<Operations>>()
        .and_then(|ops| ops.access(request.method(), request.path()))
    else {
        return Ok(Caller::anonymous());
    };
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let caller = match request.headers().get(header::AUTHORIZATION) {
        None => Caller::anonymous(),
        Some(value) => {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "send the API key as 'Authorization: Bearer <key>'".to_owned(),
                    )
                })?;
            let mut conn = state.conn().await?;
            Caller::with_key(keys::authenticate(&mut conn, token).await?)
        }
    };
    let needed = match access {
        Access::Public if state.policy.reads_require_key => Role::Reader,
        Access::Public => return Ok(caller),
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
        Some(_) => Ok(caller),
    }
}
