//! Request rate limits: per API key, and per client address for callers
//! without a key, over a sliding one-minute window. Every limited response
//! carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
//! a request over the limit is answered 429 with `Retry-After`.
//!
//! The limits hold for all instances on one database together. Each
//! instance counts locally and, every [`SYNC_EVERY`], adds its counts to
//! PostgreSQL and reads back everyone's (`store::rate_limits`). Between two
//! syncs an instance admits a caller at most its share of what the caller
//! had left at the last sync: half of that remainder divided by the
//! instances seen lately (a caller new to an instance gets a full split).
//! Once the total an instance knows reaches the limit, it refuses; what
//! can go over is only what the others admitted since their last sync,
//! each at most its share. The documented tolerance is 10 %; measured with
//! three instances (tests/api/instances.rs), a burst of 180 requests
//! against a limit of 60 admits 60, and spread over a second 60 to 62.
//!
//! The window slides: a request counts what the caller used in the current
//! minute plus the previous minute's count weighted by how much of it is
//! still inside the last 60 s, so there is no double burst at a minute's
//! edge. Without a database (no sync for [`LOCAL_AFTER`]), each instance
//! limits on its own counts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use uuid::Uuid;

use crate::api::state::AppState;
use crate::auth::Caller;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::store::rate_limits::{self, Counted};

/// How often an instance shares its counts.
pub const SYNC_EVERY: Duration = Duration::from_millis(100);
/// With no sync for this long, an instance limits on its own counts.
const LOCAL_AFTER: Duration = Duration::from_secs(2);
/// Past this many tracked callers, those idle for two windows are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Where a caller stands in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset: u64,
    pub allowed: bool,
}

/// One caller's counts, as this instance knows them.
#[derive(Debug, Default, Clone)]
struct Count {
    /// The window (its index: seconds / window length) `current` is for.
    window: u64,
    /// Every instance's count in this window and the previous one, as of
    /// the last sync, plus what this instance counted since.
    current: u64,
    previous: u64,
    /// Counted here and not yet shared, per window.
    unshared: Vec<(u64, u64)>,
    /// Admitted here since the last sync, and this instance's share.
    since_sync: u64,
    share: Option<u64>,
    limit: u32,
    /// The window this instance last counted a request of the caller in:
    /// callers idle for two windows are forgotten.
    last_active: u64,
}

#[derive(Debug, Default)]
struct Counters {
    callers: HashMap<String, Count>,
    /// Instances seen at the last sync (this one included).
    instances: u64,
    synced_at: Option<Instant>,
}

pub struct RateLimiter {
    counters: Mutex<Counters>,
    window: u64,
    /// This instance, among those sharing the limits.
    pub instance: Uuid,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::with_window(60)
    }
}

impl RateLimiter {
    /// A limiter whose window is `seconds` long (a minute in service).
    pub fn with_window(seconds: u64) -> Self {
        Self {
            counters: Mutex::default(),
            window: seconds.max(1),
            instance: Uuid::now_v7(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The caller's estimate at `now` (milliseconds): the current window's
    /// count and the part of the previous one still inside the window.
    fn estimate(&self, count: &Count, now_ms: u64) -> f64 {
        let window_ms = self.window * 1000;
        let into = (now_ms % window_ms) as f64 / window_ms as f64;
        count.current as f64 + count.previous as f64 * (1.0 - into)
    }

    /// Moves a caller's counts on to `window` (never back: a sync that
    /// read the clock before a minute ended must not undo the new one).
    fn roll(&self, count: &mut Count, window: u64) {
        if count.window >= window {
            return;
        }
        count.previous = if count.window + 1 == window {
            count.current
        } else {
            0
        };
        count.current = 0;
        count.window = window;
        count.since_sync = 0;
        count.share = None;
    }

    /// Counts a request of `caller` at `now` (seconds since the epoch).
    pub fn count(&self, caller: &str, limit: u32, now: u64) -> Standing {
        self.count_at(caller, limit, now * 1000, true, false)
    }

    /// Counts something that already happened (a failed authentication),
    /// whatever the caller's standing.
    pub fn record(&self, caller: &str, limit: u32, now: u64) {
        self.count_at(caller, limit, now * 1000, true, true);
    }

    /// Where `caller` stands, without counting a request (nor remembering
    /// a caller that has none counted).
    pub fn peek(&self, caller: &str, limit: u32, now: u64) -> Standing {
        self.count_at(caller, limit, now * 1000, false, false)
    }

    fn count_at(
        &self,
        caller: &str,
        limit: u32,
        now_ms: u64,
        counting: bool,
        force: bool,
    ) -> Standing {
        let window = now_ms / 1000 / self.window;
        let reset = self.window - (now_ms / 1000) % self.window;
        let mut counters = self.lock();
        let shared = counters
            .synced_at
            .is_some_and(|at| at.elapsed() < LOCAL_AFTER);
        if counters.callers.len() > PRUNE_ABOVE {
            counters
                .callers
                .retain(|_, c| c.last_active + 1 >= window || !c.unshared.is_empty());
        }
        let fresh = Count {
            window,
            limit,
            ..Count::default()
        };
        let mut count = counters.callers.get(caller).cloned().unwrap_or(fresh);
        self.roll(&mut count, window);
        count.limit = limit;
        let used = self.estimate(&count, now_ms);
        // A caller new since the last sync gets its share of what it has.
        let instances = counters.instances.max(1);
        let share = *count.share.get_or_insert_with(|| {
            ((f64::from(limit) - used).max(0.0) / instances as f64)
                .floor()
                .max(1.0) as u64
        });
        let within_share = !shared || count.since_sync < share;
        let allowed = used + 1.0 <= f64::from(limit) + f64::EPSILON && within_share;
        if counting && (allowed || force) {
            count.last_active = window;
            count.current += 1;
            count.since_sync += 1;
            match count.unshared.iter_mut().find(|(w, _)| *w == window) {
                Some((_, n)) => *n += 1,
                None => count.unshared.push((window, 1)),
            }
        }
        let remaining = (f64::from(limit) - self.estimate(&count, now_ms))
            .max(0.0)
            .floor() as u32;
        if counting {
            counters.callers.insert(caller.to_owned(), count);
        }
        Standing {
            limit,
            remaining,
            reset,
            allowed,
        }
    }

    /// What this instance counted and has not shared yet, taken out of
    /// the counters (given back by [`Self::unshare`] if the sync fails).
    fn take_unshared(&self) -> (Vec<Counted>, Vec<String>) {
        let mut counters = self.lock();
        let mut counted = Vec::new();
        let callers: Vec<String> = counters.callers.keys().cloned().collect();
        for (caller, count) in &mut counters.callers {
            for (window, n) in count.unshared.drain(..) {
                counted.push(Counted {
                    caller: caller.clone(),
                    window_start: i64::try_from(window * self.window).unwrap_or(i64::MAX),
                    count: i64::try_from(n).unwrap_or(i64::MAX),
                });
            }
        }
        // In one order on every instance, so that two syncs lock the same
        // rows in the same order and never deadlock.
        counted.sort_by(|a, b| (&a.caller, a.window_start).cmp(&(&b.caller, b.window_start)));
        (counted, callers)
    }

    /// Gives back counts a failed sync did not store, merged with what was
    /// counted meanwhile (one entry per window, as the upsert needs).
    fn unshare(&self, counted: Vec<Counted>) {
        let mut counters = self.lock();
        for c in counted {
            if let Some(count) = counters.callers.get_mut(&c.caller) {
                let window = u64::try_from(c.window_start).unwrap_or(0) / self.window;
                let n = u64::try_from(c.count).unwrap_or(0);
                match count.unshared.iter_mut().find(|(w, _)| *w == window) {
                    Some((_, pending)) => *pending += n,
                    None => count.unshared.push((window, n)),
                }
            }
        }
    }

    /// Takes in every instance's counts (`totals`, by caller and window
    /// start) and the number of instances, and gives each caller this
    /// instance's share of what it has left.
    fn shared(&self, totals: &[Counted], instances: u64, now_ms: u64) {
        let window = now_ms / 1000 / self.window;
        let mut counters = self.lock();
        counters.instances = instances.max(1);
        counters.synced_at = Some(Instant::now());
        let instances = counters.instances;
        // Callers idle for two windows are forgotten (not sent again).
        counters
            .callers
            .retain(|_, c| c.last_active + 1 >= window || !c.unshared.is_empty());
        for count in counters.callers.values_mut() {
            self.roll(count, window);
        }
        for total in totals {
            let Some(count) = counters.callers.get_mut(&total.caller) else {
                continue;
            };
            let total_window = u64::try_from(total.window_start).unwrap_or(0) / self.window;
            // What was counted here during the sync is not in the total yet.
            let unshared = |w: u64| {
                count
                    .unshared
                    .iter()
                    .filter(|(uw, _)| *uw == w)
                    .map(|(_, n)| *n)
                    .sum::<u64>()
            };
            let total_count = u64::try_from(total.count).unwrap_or(0);
            if total_window == window {
                count.current = count.current.max(total_count + unshared(window));
            } else if total_window + 1 == window {
                count.previous = count.previous.max(total_count + unshared(total_window));
            }
        }
        // Half of an even split: instances sync at different moments, so
        // what one admits after its sync is not yet in the total another
        // reads; halving keeps that overlap from adding up past the limit.
        for count in counters.callers.values_mut() {
            let left = (f64::from(count.limit) - self.estimate(count, now_ms)).max(0.0);
            let split = if instances > 1 {
                2.0 * instances as f64
            } else {
                1.0
            };
            count.share = Some(((left / split).floor() as u64).max(1));
            count.since_sync = 0;
        }
    }

    /// Shares this instance's counts with the others on `pool`'s database,
    /// every [`SYNC_EVERY`], until the state it serves is dropped.
    pub async fn share(state: std::sync::Weak<AppState>, pool: DbPool) {
        let mut last_pruned = Instant::now();
        loop {
            tokio::time::sleep(SYNC_EVERY).await;
            let Some(state) = state.upgrade() else { return };
            let limiter = &state.limiter;
            let (counted, callers) = limiter.take_unshared();
            let now = now_ms();
            let oldest =
                i64::try_from((now / 1000 / limiter.window).saturating_sub(1) * limiter.window)
                    .unwrap_or(0);
            let prune = last_pruned.elapsed() > Duration::from_secs(10);
            let synced = async {
                let mut conn = pool.get().await?;
                rate_limits::sync(
                    &mut conn,
                    limiter.instance,
                    &counted,
                    &callers,
                    oldest,
                    prune,
                )
                .await
            };
            match synced.await {
                Ok((totals, instances)) => {
                    if prune {
                        last_pruned = Instant::now();
                    }
                    limiter.shared(&totals, instances, now);
                }
                Err(error) => {
                    limiter.unshare(counted);
                    tracing::debug!(%error, "rate-limit counts not shared; retrying");
                }
            }
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn client_address(state: &AppState, request: &ServiceRequest) -> String {
    super::client_address::of(request, &state.policy.trusted_proxies)
}

/// Failed authentications and refused operations (401, 403) a client
/// address may have a minute before it is answered 429 without looking
/// further: guessing keys or probing roles is slowed down, at no cost to
/// the database.
pub struct FailureLimit<'a> {
    limiter: &'a RateLimiter,
    who: String,
    limit: u32,
}

impl<'a> FailureLimit<'a> {
    pub fn of(state: &'a AppState, request: &ServiceRequest) -> Option<Self> {
        let limit = state.policy.failed_auth_limit;
        (limit > 0).then(|| Self {
            limiter: &state.limiter,
            who: format!("failures:{}", client_address(state, request)),
            limit,
        })
    }

    /// The 429 to answer when the address has used up its failures.
    pub fn refusal(&self) -> Option<ApiError> {
        let standing = self.limiter.peek(&self.who, self.limit, now());
        if !standing.allowed {
            metrics::counter!("aimd_rate_limit_rejections_total", "limit" => "failed_auth")
                .increment(1);
        }
        (!standing.allowed).then(|| ApiError::TooManyRequests {
            retry_after: standing.reset,
            detail: format!(
                "more than {} failed authentications or refused operations a minute from this \
                 address; retry in {} s",
                self.limit, standing.reset
            ),
        })
    }

    pub fn record(&self, status: StatusCode) {
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            self.limiter.record(&self.who, self.limit, now());
        }
    }
}

pub async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = request
        .app_data::<web::Data<super::access::Guarded>>()
        .map(|guarded| guarded.state())
        .cloned()
    else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    // Health probes come from load balancers, often many from one
    // address: a 429 would take healthy instances out of rotation.
    let probe = request
        .app_data::<web::Data<super::access::Operations>>()
        .zip(request.match_pattern())
        .is_some_and(|(operations, pattern)| operations.is_probe(request.method(), &pattern));
    if probe {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let caller = request
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let (who, limit) = match caller.key() {
        Some(key) => (format!("key:{}", key.id), state.policy.rate_limit),
        None => {
            let address = client_address(&state, &request);
            (
                format!("address:{address}"),
                state.policy.anonymous_rate_limit,
            )
        }
    };
    if limit == 0 {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let standing = state.limiter.count(&who, limit, now());
    let mut response = if standing.allowed {
        next.call(request).await?.map_into_left_body()
    } else {
        let limited = if caller.key().is_some() {
            "key"
        } else {
            "address"
        };
        metrics::counter!("aimd_rate_limit_rejections_total", "limit" => limited).increment(1);
        let refusal = ApiError::TooManyRequests {
            retry_after: standing.reset,
            detail: format!(
                "at most {limit} requests a minute are allowed {}; retry in {} s",
                if caller.key().is_some() {
                    "per API key"
                } else {
                    "without an API key"
                },
                standing.reset
            ),
        };
        request.error_response(refusal).map_into_right_body()
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", standing.limit.into()),
        ("ratelimit-remaining", standing.remaining.into()),
        ("ratelimit-reset", standing.reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(caller: &str, window_start: u64, count: i64) -> Counted {
        Counted {
            caller: caller.to_owned(),
            window_start: window_start as i64,
            count,
        }
    }

    #[test]
    fn alone_a_window_allows_the_limit_and_then_refuses() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_000 / 60 * 60;
        let first = limiter.count("a", 2, start + 10);
        assert_eq!((first.allowed, first.remaining, first.reset), (true, 1, 50));
        assert!(limiter.count("a", 2, start + 11).allowed);
        let refused = limiter.count("a", 2, start + 12);
        assert_eq!((refused.allowed, refused.remaining), (false, 0));
        assert!(
            limiter.count("b", 2, start + 12).allowed,
            "callers are counted apart"
        );
    }

    #[test]
    fn the_window_slides_so_a_minutes_edge_allows_no_double_burst() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_000 / 60 * 60;
        for _ in 0..10 {
            assert!(limiter.count("a", 10, start + 59).allowed);
        }
        // One second into the next minute, 59/60 of the last one still counts.
        assert!(!limiter.count("a", 10, start + 61).allowed);
        // Half-way, half of it: five more.
        let admitted = (0..10)
            .filter(|_| limiter.count("a", 10, start + 90).allowed)
            .count();
        assert_eq!(admitted, 5);
        assert!(
            limiter.count("a", 10, start + 180).allowed,
            "two minutes on, afresh"
        );
    }

    #[test]
    fn with_others_an_instance_admits_its_share_until_the_next_sync() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_000 / 60 * 60;
        let now_ms = (start + 1) * 1000;
        assert!(limiter.count_at("a", 30, now_ms, true, false).allowed);
        let (mine, callers) = limiter.take_unshared();
        assert_eq!(mine, vec![counted("a", start, 1)]);
        assert_eq!(callers, vec!["a".to_owned()]);
        // The others counted 8: 21 left; half of a third each.
        limiter.shared(&[counted("a", start, 9)], 3, now_ms);
        let admitted = (0..20)
            .filter(|_| limiter.count_at("a", 30, now_ms, true, false).allowed)
            .count();
        assert_eq!(admitted, 3);
        // Next sync: everyone used theirs; nothing is left.
        let (mine, _) = limiter.take_unshared();
        assert_eq!(mine, vec![counted("a", start, 3)]);
        limiter.shared(&[counted("a", start, 30)], 3, now_ms);
        assert!(!limiter.count_at("a", 30, now_ms, true, false).allowed);
        // A failed sync gives the counts back, to be shared next time.
        assert!(limiter.count_at("b", 30, now_ms, true, false).allowed);
        let (mine, _) = limiter.take_unshared();
        assert_eq!(mine, vec![counted("b", start, 1)]);
        limiter.unshare(mine);
        assert_eq!(limiter.take_unshared().0, vec![counted("b", start, 1)]);
    }

    #[test]
    fn idle_callers_are_forgotten_and_given_back_counts_merge() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_000 / 60 * 60;
        limiter.count("idle", 30, start + 1);
        let (mine, _) = limiter.take_unshared();
        limiter.shared(&mine, 1, (start + 1) * 1000);
        // Two windows on, with nothing counted: gone, and not sent again.
        limiter.shared(&[], 1, (start + 121) * 1000);
        assert!(limiter.lock().callers.is_empty());
        // A failed sync's counts and those counted meanwhile: one entry.
        limiter.count("busy", 30, start + 130);
        let (failed, _) = limiter.take_unshared();
        limiter.count("busy", 30, start + 131);
        limiter.unshare(failed);
        assert_eq!(
            limiter.take_unshared().0,
            vec![counted("busy", start + 120, 2)]
        );
    }

    #[test]
    fn peeking_counts_nothing_and_remembers_no_one() {
        let limiter = RateLimiter::default();
        let now = 1_800_000_000;
        for n in 0..100 {
            assert!(limiter.peek(&format!("address {n}"), 1, now).allowed);
        }
        assert!(limiter.lock().callers.is_empty());
        limiter.count("a", 1, now);
        assert!(!limiter.peek("a", 1, now).allowed);
    }
}
