//! Every operation the API serves, in the order the spec lists them: what
//! the app mounts and what utoipa collects the spec's paths from.

use actix_web::App;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::api_keys;
use crate::api::changes;
use crate::api::connecting;
use crate::api::experts;
use crate::api::exports;
use crate::api::health;
use crate::api::imports;
use crate::api::initiatives;
use crate::api::linked_data;
use crate::api::organisations;
use crate::api::overview;
use crate::api::reviews;
use crate::api::search;
use crate::api::topics;
use crate::api::webhooks;

/// Every documented operation, in the order the spec lists them.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(search::search)
        .service(changes::list_changes)
        .service(exports::export_organisations)
        .service(exports::export_experts)
        .service(exports::export_initiatives)
        .service(linked_data::catalog)
        .service(health::live)
        .service(health::ready)
        .service(imports::import_records)
        .service(overview::overview)
        .service(overview::participation)
        .service(connecting::get_network)
        .service(reviews::due_reviews)
        .service(topics::list_topics)
        .service(topics::get_topic)
        .service(api_keys::list_api_keys)
        .service(api_keys::create_api_key)
        .service(api_keys::get_api_key)
        .service(api_keys::revoke_api_key)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        // Before `/webhooks/{id}`, which would take "status" for an id.
        .service(webhooks::webhook_status)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::delete_webhook)
        .service(webhooks::list_webhook_deliveries)
        .service(webhooks::replay_webhook_delivery)
        .service(organisations::list_organisations)
        .service(organisations::create_organisation)
        // Before `/organisations/{id}`, which would take "matches" for an id.
        .service(organisations::organisation_matches)
        .service(organisations::get_organisation)
        .service(organisations::update_organisation)
        .service(organisations::delete_organisation)
        .service(organisations::get_organisation_history)
        .service(organisations::publish_organisation)
        .service(organisations::merge_organisation)
        .service(connecting::similar_organisations)
        .service(experts::list_experts)
        .service(experts::create_expert)
        .service(experts::expert_matches)
        .service(experts::get_expert)
        .service(experts::update_expert)
        .service(experts::delete_expert)
        .service(experts::get_expert_history)
        .service(experts::publish_expert)
        .service(experts::merge_expert)
        .service(experts::put_affiliation)
        .service(connecting::suggested_initiatives)
        .service(experts::delete_affiliation)
        .service(initiatives::list_initiatives)
        .service(initiatives::create_initiative)
        .service(initiatives::get_initiative)
        .service(initiatives::update_initiative)
        .service(initiatives::delete_initiative)
        .service(initiatives::get_initiative_history)
        .service(initiatives::publish_initiative)
        .service(initiatives::merge_initiative)
        .service(connecting::suggested_experts)
        .service(connecting::similar_initiatives)
        .service(initiatives::put_organisation)
        .service(initiatives::delete_organisation)
        .service(initiatives::put_expert)
        .service(initiatives::delete_expert)
        .service(initiatives::put_related)
        .service(initiatives::delete_related);
}

/// The paths and operations as utoipa collects them from the handlers.
pub fn collected_spec(base: OpenApi) -> OpenApi {
    App::new()
        .into_utoipa_app()
        .openapi(base)
        .service(utoipa_actix_web::scope("/v1").configure(routes))
        .split_for_parts()
        .1
}
