//! aimd-registry: a registry of experts, organisations and initiatives on AI
//! in medical devices. See `docs/architecture.md` for a map of the code.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod logging;
pub mod registry;
pub mod schema;
pub mod sql;
pub mod store;
pub mod sync;

use actix_web::web;

use crate::api::access::Policy;
use crate::api::state::AppState;
use crate::db::{BoxError, Pools};

/// Builds this instance's search index and keeps it current, on the
/// runtime it is called on, until the service stops. It reads as staff
/// (the index holds what every audience may find) over `pools.index`.
pub fn follow_search_index(state: &AppState, pools: &Pools) -> actix_web::rt::task::JoinHandle<()> {
    let follower = sync::index::live::follow(
        state.index.clone(),
        pools.index.clone(),
        pools.reads.index.clone(),
    );
    actix_web::rt::spawn(follower)
}

/// Shares this instance's rate-limit counts with the other instances on
/// its database until the state is dropped (`api::limits`).
pub fn share_rate_limits(
    state: &web::Data<AppState>,
    pools: &Pools,
) -> impl std::future::Future<Output = ()> + use<> {
    let state = std::sync::Arc::downgrade(&state.clone().into_inner());
    api::limits::RateLimiter::share(state, pools.staff.clone())
}

/// Loads what the handlers share (the vocabulary) through the pools.
pub async fn app_state(pools: Pools, policy: Policy) -> Result<web::Data<AppState>, BoxError> {
    let mut conn = pools.staff.get().await?;
    let vocabulary = store::topics::load_vocabulary(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    drop(conn);
    Ok(web::Data::new(AppState::new(pools, vocabulary, policy)))
}
