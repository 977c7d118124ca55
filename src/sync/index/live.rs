//! The search index of a running instance: built once at start, then kept
//! current by a follower that applies the change feed whenever PostgreSQL
//! says it grew (`NOTIFY aimd_changes`, sent by every transaction that adds
//! events), when a write of this instance asks it to, and at least once a
//! second should a notification be lost.
//!
//! Requests read the index through [`LiveIndex`]: the position it includes
//! is published after the reader that shows it, so a request that saw
//! position N searches an index that includes N.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use super::cache::RecordCache;
use super::{CaughtUp, Reading, SearchIndex};
use crate::db::DbPool;
use crate::error::ApiResult;
use crate::sync::listener::{Channel, Listener};

/// The position before the first build.
const NOT_BUILT: i64 = -1;
/// How often the follower looks at the feed without being woken.
const POLL: Duration = Duration::from_secs(1);
/// How soon it looks again while a request waits for a position its
/// source has not reached (a replica replaying).
const BEHIND_WANTED: Duration = Duration::from_millis(10);
/// The longest any request waits for a position (a write's answer).
const WANTED_FOR: Duration = Duration::from_secs(6);
/// Discovery is refused (503) once the follower has not caught up for this
/// long (a database that stopped answering, say): past this, what the
/// index shows may include records the public may no longer see.
pub const STALE_AFTER: Duration = Duration::from_secs(10);
/// The longest wait between two attempts at the first build.
const MOST_BACKOFF: Duration = Duration::from_secs(30);

/// The index as requests see it, shared by every worker thread.
pub struct LiveIndex {
    reading: OnceLock<Arc<Reading>>,
    applied: watch::Sender<i64>,
    wake: Notify,
    cache: RecordCache,
    /// When the follower last found the index current.
    caught_up_at: Mutex<Instant>,
    /// Set when the service stops; the follower ends.
    stopping: AtomicBool,
    /// The highest position a request waits for.
    wanted: AtomicI64,
}

impl Default for LiveIndex {
    fn default() -> Self {
        Self {
            reading: OnceLock::new(),
            applied: watch::Sender::new(NOT_BUILT),
            wake: Notify::new(),
            cache: RecordCache::default(),
            caught_up_at: Mutex::new(Instant::now()),
            stopping: AtomicBool::new(false),
            wanted: AtomicI64::new(NOT_BUILT),
        }
    }
}

impl LiveIndex {
    /// The index and the feed position it includes (at least); `None`
    /// until the first build has finished, and while the follower has not
    /// caught up for [`STALE_AFTER`].
    pub fn current(&self) -> Option<(Arc<Reading>, i64)> {
        // Position first: the reader published with it may only be newer.
        let position = *self.applied.borrow();
        let reading = self.reading.get()?;
        let fresh = self.caught_up_at().elapsed() < STALE_AFTER;
        (position > NOT_BUILT && fresh).then(|| (Arc::clone(reading), position))
    }

    /// For readiness: the position the index includes (`None` before the
    /// first build) and how long ago the follower last found it current.
    pub fn status(&self) -> (Option<i64>, Duration) {
        let position = *self.applied.borrow();
        let since = self.caught_up_at().elapsed();
        ((position > NOT_BUILT).then_some(position), since)
    }

    fn caught_up_at(&self) -> MutexGuard<'_, Instant> {
        self.caught_up_at.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rendered records, kept current by the follower; `None` until the
    /// first build (nothing would drop a stale rendering before).
    pub fn cache(&self) -> Option<&RecordCache> {
        self.current().map(|_| &self.cache)
    }

    /// Waits until the index includes `position`, for at most `within`;
    /// says whether it does. Wakes the follower, so that a write of this
    /// instance is applied at once rather than at the next notification.
    pub async fn reach(&self, position: i64, within: Duration) -> bool {
        let mut applied = self.applied.subscribe();
        if *applied.borrow() >= position {
            return true;
        }
        self.wanted.fetch_max(position, Ordering::AcqRel);
        self.wake.notify_one();
        tokio::time::timeout(within, applied.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Asks the follower to end (when the service stops); it does so at
    /// once, or after the round it is in.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Publishes what `index` includes; `current` says whether it was found
    /// current (not after a failed round).
    fn publish(&self, index: &SearchIndex, current: bool) {
        if current {
            *self.caught_up_at() = Instant::now();
        }
        if self.reading.get().is_none() {
            let _ = self.reading.set(Arc::clone(index.reading()));
        }
        self.applied.send_replace(index.position());
    }
}

/// Builds the index (retrying until the database answers), then follows
/// the feed until the service stops, or until nothing but the follower
/// holds `live` (the application state it served was dropped). It listens
/// for changes on `listen` (the primary) and reads them from `pool` (the
/// primary, or a streaming replica, which does not pass notifications on).
pub async fn follow(live: Arc<LiveIndex>, listen: DbPool, pool: DbPool) {
    let mut index = build(&pool).await;
    live.publish(&index, true);
    let mut listener = Listener::open(&listen, Channel::Changes).await;
    let mut behind_since: Option<Instant> = None;
    while Arc::strong_count(&live) > 1 && !live.stopping() {
        let caught_up = catch_up(&mut index, &pool).await;
        let current = caught_up.is_ok();
        match caught_up {
            // Renderings go before the position that changed them is published.
            Ok(caught_up) => {
                if caught_up.events > 0 {
                    live.cache.drop_records(caught_up.touched);
                    tracing::debug!(
                        count = caught_up.events,
                        position = index.position(),
                        "search index caught up"
                    );
                }
            }
            Err(error) => {
                // What was applied before the failure is not known here.
                live.cache.clear();
                tracing::warn!(%error, "search index could not catch up; retrying");
            }
        }
        live.publish(&index, current);
        listener.keep_up(&listen).await;
        // A request waits for a position a replica has not replayed yet:
        // look again soon rather than at the next poll, for as long as any
        // request could wait (a position that never comes is forgotten).
        let poll = if live.wanted.load(Ordering::Acquire) > index.position() {
            let since = *behind_since.get_or_insert_with(Instant::now);
            if since.elapsed() > WANTED_FOR {
                live.wanted.store(index.position(), Ordering::Release);
                behind_since = None;
                POLL
            } else {
                BEHIND_WANTED
            }
        } else {
            behind_since = None;
            POLL
        };
        listener.wait(poll, live.wake.notified()).await;
    }
    tracing::info!(position = index.position(), "search index follower stopped");
}

async fn build(pool: &DbPool) -> SearchIndex {
    let mut backoff = Duration::from_secs(1);
    loop {
        let built = async {
            let mut conn = pool.get().await?;
            SearchIndex::build(&mut conn).await
        };
        match built.await {
            Ok((index, report)) => {
                tracing::info!(
                    documents = report.documents(),
                    public = report.public,
                    position = report.position,
                    took_ms = report.took.as_millis() as u64,
                    "search index built"
                );
                return index;
            }
            Err(error) => {
                tracing::warn!(%error, retry_in_s = backoff.as_secs(), "search index build failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MOST_BACKOFF);
            }
        }
    }
}

async fn catch_up(index: &mut SearchIndex, pool: &DbPool) -> ApiResult<CaughtUp> {
    let mut conn = pool.get().await?;
    index.catch_up(&mut conn).await
}
