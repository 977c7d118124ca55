//! What every handler and middleware of the API can reach.

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::Object;

use super::access::Policy;
use super::key_ring::KeyRing;
use super::limits::RateLimiter;
use crate::auth::Audience;
use crate::db::Pools;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::sync::index::live::LiveIndex;
use crate::sync::webhooks::worker::WorkerStatus;

/// What every handler can reach.
pub struct AppState {
    /// Private: a handler names the audience it reads for to get a
    /// connection ([`AppState::conn`]).
    pools: Pools,
    pub vocabulary: Arc<Vocabulary>,
    pub policy: Policy,
    pub limiter: RateLimiter,
    /// This instance's webhook worker, as it reports itself.
    pub worker: WorkerStatus,
    /// This instance's search index, which serves discovery once built
    /// (`sync::index::live::follow` builds it and keeps it current).
    pub index: Arc<LiveIndex>,
    /// API keys verified in the last second.
    pub keys: KeyRing,
    /// When this instance started, for liveness.
    pub started: std::time::Instant,
}

impl AppState {
    pub fn new(pools: Pools, vocabulary: Vocabulary, policy: Policy) -> Self {
        Self {
            pools,
            vocabulary: Arc::new(vocabulary),
            policy,
            limiter: RateLimiter::default(),
            worker: WorkerStatus::default(),
            index: Arc::default(),
            keys: KeyRing::default(),
            started: std::time::Instant::now(),
        }
    }

    /// A connection that reads what `audience` may see: the public's are
    /// narrowed by the database itself, whatever the statement says.
    ///
    /// There is no other way to a connection, so a handler cannot read
    /// without saying for whom:
    ///
    /// ```compile_fail
    /// # async fn forgot(state: &aimd_registry::api::state::AppState) {
    /// let conn = state.pools.staff.get().await;
    /// # }
    /// ```
    pub async fn conn(&self, audience: Audience) -> ApiResult<Object<AsyncPgConnection>> {
        let (name, pool) = match audience {
            Audience::Public => ("public", &self.pools.public),
            Audience::Staff => ("staff", &self.pools.staff),
        };
        pool.get().await.map_err(|error| {
            if matches!(error, deadpool::managed::PoolError::Timeout(_)) {
                metrics::counter!("aimd_db_pool_timeouts_total", "pool" => name).increment(1);
            }
            error.into()
        })
    }

    /// A connection for a read that may lag by a few milliseconds (a
    /// replica's, when there is one): rendering records for reading, the
    /// records of a page, exports. What a write or a check must see exactly
    /// reads through [`AppState::conn`].
    pub async fn read_conn(&self, audience: Audience) -> ApiResult<Object<AsyncPgConnection>> {
        let pool = match audience {
            Audience::Public => &self.pools.reads.public,
            Audience::Staff => &self.pools.reads.staff,
        };
        Ok(pool.get().await?)
    }

    /// Whether lagging reads go to a replica.
    pub fn replicated(&self) -> bool {
        self.pools.replicated
    }

    /// How full each pool is (for readiness): staff, public, index.
    pub fn pool_status(&self) -> [(&'static str, deadpool::managed::Status); 3] {
        [
            ("staff", self.pools.staff.status()),
            ("public", self.pools.public.status()),
            ("index", self.pools.index.status()),
        ]
    }
}
