//! What every handler and middleware of the API can reach.

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::Object;

use super::access::Policy;
use super::limits::RateLimiter;
use crate::db::DbPool;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::resources::webhooks::worker::WorkerStatus;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub vocabulary: Arc<Vocabulary>,
    pub policy: Policy,
    pub limiter: RateLimiter,
    /// This instance's webhook worker, as it reports itself.
    pub worker: WorkerStatus,
}

impl AppState {
    pub async fn conn(&self) -> ApiResult<Object<AsyncPgConnection>> {
        Ok(self.pool.get().await?)
    }
}
