//! Request rate limits: per API key, and per client address for callers
//! without a key, in fixed one-minute windows. Every limited response
//! carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
//! a request over the limit is answered 429 with `Retry-After`. Counters
//! live in this process: with several instances, each allows the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use crate::api::state::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

const WINDOW_SECONDS: u64 = 60;
/// Past this many tracked callers, counters of past windows are dropped.
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

#[derive(Default)]
pub struct RateLimiter {
    counters: Mutex<HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// Counts a request of `caller` at `now` (seconds since the epoch).
    pub fn count(&self, caller: &str, limit: u32, now: u64) -> Standing {
        let window = now / WINDOW_SECONDS;
        let reset = WINDOW_SECONDS - now % WINDOW_SECONDS;
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counters.len() > PRUNE_ABOVE {
            counters.retain(|_, (w, _)| *w == window);
        }
        let entry = counters.entry(caller.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        Standing {
            limit,
            remaining: limit - entry.1,
            reset,
            allowed,
        }
    }

    /// Where `caller` stands, without counting a request (nor remembering
    /// a caller that has none counted).
    pub fn peek(&self, caller: &str, limit: u32, now: u64) -> Standing {
        let window = now / WINDOW_SECONDS;
        let used = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(caller)
            .filter(|(w, _)| *w == window)
            .map_or(0, |(_, used)| *used);
        Standing {
            limit,
            remaining: limit.saturating_sub(used),
            reset: WINDOW_SECONDS - now % WINDOW_SECONDS,
            allowed: used < limit,
        }
    }
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
            self.limiter.count(&self.who, self.limit, now());
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

    #[test]
    fn a_window_allows_the_limit_and_then_refuses_until_it_ends() {
        let limiter = RateLimiter::default();
        let start = 1_800_000_000 / WINDOW_SECONDS * WINDOW_SECONDS;
        let first = limiter.count("a", 2, start + 10);
        assert_eq!((first.allowed, first.remaining, first.reset), (true, 1, 50));
        assert!(limiter.count("a", 2, start + 11).allowed);
        let refused = limiter.count("a", 2, start + 12);
        assert_eq!((refused.allowed, refused.remaining), (false, 0));
        assert!(
            limiter.count("b", 2, start + 12).allowed,
            "callers are counted apart"
        );
        assert!(
            limiter.count("a", 2, start + 60).allowed,
            "a new window starts afresh"
        );
    }

    #[test]
    fn peeking_counts_nothing_and_remembers_no_one() {
        let limiter = RateLimiter::default();
        let now = 1_800_000_000;
        for n in 0..100 {
            assert!(limiter.peek(&format!("address {n}"), 1, now).allowed);
        }
        assert!(limiter.counters.lock().unwrap().is_empty());
        limiter.count("a", 1, now);
        assert!(!limiter.peek("a", 1, now).allowed);
    }
}
