//! The delivery worker that runs inside the service: woken by the outbox's
//! notification when a change commits (and by a poll, for retries), it
//! takes due deliveries, POSTs them signed, and records each outcome,
//! retrying with exponential back-off and switching off subscriptions that
//! keep failing. Deliveries are at least once: a receiver deduplicates on
//! `webhook-id`, and orders by `data.position` if it cares.

use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awc::Client;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio::sync::watch;

use serde::Serialize;
use utoipa::ToSchema;

use super::repo::{self, DueDelivery, Failure};
use super::{signature, targets};
use crate::db::DbPool;
use crate::error::{ApiError, ApiResult};
use crate::sync::listener::{Channel, Listener};

/// How deliveries are attempted; every value can be set by configuration.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// The wait after the first failed attempt; it doubles with each further one.
    pub retry_base: Duration,
    /// The longest wait between attempts.
    pub retry_cap: Duration,
    /// Attempts per delivery before it is given up (state `failed`).
    pub max_attempts: i32,
    /// Failed attempts in a row (over all its deliveries) after which a
    /// subscription is switched off.
    pub disable_after: i32,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How often the outbox is checked without being woken: retries fall
    /// due, and a worker that cannot listen polls.
    pub poll_interval: Duration,
    /// Deliveries taken, and sent concurrently, per round.
    pub batch: i64,
    /// How long delivered and failed deliveries stay listed (and replayable).
    pub keep: Duration,
    /// Receivers on loopback, link-local, private or unspecified addresses
    /// may be sent to (`AIMD_WEBHOOK_ALLOW_PRIVATE`); off by default.
    pub allow_private: bool,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(6 * 3600),
            max_attempts: 10,
            disable_after: 20,
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            batch: 20,
            keep: Duration::from_secs(30 * 24 * 3600),
            allow_private: false,
        }
    }
}

impl DeliverySettings {
    /// The wait before the next attempt after `failed` failed attempts, or
    /// `None` when that was the last. Up to a quarter is added at random so
    /// that deliveries failing together do not all retry at once.
    pub fn retry_after(&self, failed: i32) -> Option<Duration> {
        if failed >= self.max_attempts {
            return None;
        }
        let doublings = u32::try_from(failed - 1).unwrap_or(0).min(30);
        let wait = self
            .retry_base
            .saturating_mul(1 << doublings)
            .min(self.retry_cap);
        let mut random = [0u8; 1];
        let jitter = if getrandom::fill(&mut random).is_ok() {
            f64::from(random[0]) / 255.0 / 4.0
        } else {
            0.0
        };
        Some(wait.mul_f64(1.0 + jitter))
    }
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Failed { status: Option<u16>, error: String },
}

pub struct Deliverer {
    pool: DbPool,
    client: Client,
    settings: DeliverySettings,
    status: WorkerStatus,
    /// Set when the service stops: the worker finishes its round and ends.
    stop: Option<watch::Receiver<bool>>,
}

impl Deliverer {
    /// The client follows no redirects (a receiver that moved must be
    /// re-registered) and verifies TLS against the Mozilla root store.
    pub fn new(pool: DbPool, settings: DeliverySettings) -> Self {
        let resolver = actix_tls::connect::Resolver::custom(targets::CheckingResolver {
            allow_private: settings.allow_private,
        });
        let tcp = actix_tls::connect::Connector::new(resolver).service();
        let client = Client::builder()
            .connector(awc::Connector::new().connector(tcp))
            .disable_redirects()
            .timeout(settings.timeout)
            .add_default_header((
                awc::http::header::USER_AGENT,
                concat!("aimd-registry-webhooks/", env!("CARGO_PKG_VERSION")),
            ))
            .finish();
        Self {
            pool,
            client,
            settings,
            status: WorkerStatus::default(),
            stop: None,
        }
    }

    /// Ends the worker, after the round it is in, once `stop` turns true:
    /// deliveries it claimed are then recorded, none is left claimed.
    pub fn stopping_on(mut self, stop: watch::Receiver<bool>) -> Self {
        self.stop = Some(stop);
        self
    }

    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }

    /// Reports to `status` (the one the status endpoint reads).
    pub fn reporting_to(mut self, status: WorkerStatus) -> Self {
        status.update(|s| s.enabled = true);
        self.status = status;
        self
    }

    /// Sends every delivery that is due now, one batch at a time; returns
    /// how many were attempted.
    pub async fn deliver_due(&self) -> ApiResult<usize> {
        let mut attempted = 0;
        loop {
            let due = {
                let mut conn = self.pool.get().await?;
                // The lease outlasts the attempt, so no one else takes it meanwhile.
                repo::claim_due(&mut conn, self.settings.batch, self.settings.timeout * 3).await?
            };
            if due.is_empty() {
                return Ok(attempted);
            }
            attempted += due.len();
            let outcomes = join_all(due.iter().map(|delivery| self.attempt(delivery))).await;
            let mut conn = self.pool.get().await?;
            for (delivery, outcome) in due.iter().zip(outcomes) {
                match outcome {
                    Outcome::Delivered(status) => {
                        metrics::counter!("aimd_webhook_attempts_total", "outcome" => "delivered")
                            .increment(1);
                        repo::record_success(&mut conn, delivery, status).await?;
                    }
                    Outcome::Failed { status, error } => {
                        metrics::counter!("aimd_webhook_attempts_total", "outcome" => "failed")
                            .increment(1);
                        let failure = Failure {
                            status,
                            error: &error,
                            retry_in: self.settings.retry_after(delivery.attempts + 1),
                            disable_after: self.settings.disable_after,
                        };
                        repo::record_failure(&mut conn, delivery, failure).await?;
                    }
                }
            }
        }
    }

    async fn attempt(&self, delivery: &DueDelivery) -> Outcome {
        if !self.settings.allow_private
            && let Err(refused) = targets::check_literal(&delivery.url)
        {
            return Outcome::Failed {
                status: None,
                error: format!("not sent: {refused}"),
            };
        }
        let id = delivery.id.to_string();
        let timestamp = Utc::now().timestamp();
        let secrets = std::iter::once(&delivery.secret).chain(&delivery.previous_secret);
        let signature = match signature::sign_with_each(secrets, &id, timestamp, &delivery.payload)
        {
            Ok(signature) => signature,
            Err(error) => {
                return Outcome::Failed {
                    status: None,
                    error: error.to_string(),
                };
            }
        };
        let sent = self
            .client
            .post(&delivery.url)
            .insert_header((awc::http::header::CONTENT_TYPE, "application/json"))
            .insert_header(("webhook-id", id))
            .insert_header(("webhook-timestamp", timestamp.to_string()))
            .insert_header(("webhook-signature", signature))
            .send_body(delivery.payload.clone())
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                Outcome::Delivered(response.status().as_u16())
            }
            Ok(response) => Outcome::Failed {
                status: Some(response.status().as_u16()),
                error: format!("the receiver answered {}", response.status()),
            },
            Err(error) => Outcome::Failed {
                status: None,
                error: format!("no answer: {error}"),
            },
        }
    }

    /// Deletes finished deliveries older than the retention period.
    pub async fn prune(&self) -> ApiResult<usize> {
        let mut conn = self.pool.get().await?;
        repo::prune(&mut conn, self.settings.keep).await
    }

    /// A listener for the outbox's notifications, if the pool can spare
    /// the connection it keeps (a small pool is left to requests);
    /// otherwise the worker polls.
    async fn listener(&self) -> Listener {
        let channel = Channel::WebhookDeliveries;
        if self.pool.status().max_size < 4 {
            return Listener::polling(channel);
        }
        Listener::open(&self.pool, channel).await
    }

    /// One round: due deliveries, expired secrets, and pruning once an
    /// hour. A round that takes far longer than its deliveries can (a
    /// database that stopped answering) is given up; what it had claimed
    /// is retried when its lease ends.
    async fn round(&self, last_pruned: &mut Option<Instant>) -> ApiResult<usize> {
        let limit = self.settings.timeout * 3 + Duration::from_secs(30);
        let work = async {
            let count = self.deliver_due().await?;
            let mut conn = self.pool.get().await?;
            repo::clear_expired_secrets(&mut conn).await?;
            drop(conn);
            if last_pruned.is_none_or(|at| at.elapsed() >= Duration::from_secs(3600)) {
                let pruned = self.prune().await?;
                *last_pruned = Some(Instant::now());
                tracing::debug!(count = pruned, "old webhook deliveries pruned");
            }
            Ok(count)
        };
        tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(ApiError::Unavailable(format!(
                "a delivery round took longer than {} s",
                limit.as_secs()
            )))
        })
    }

    /// Delivers until the service stops. A database outage is logged and
    /// waited out (nothing is lost: the outbox is in the database), and the
    /// listener is made again once the database is back.
    async fn work(&self) {
        let mut listener = self.listener().await;
        self.status
            .update(|s| s.listening = listener.is_listening());
        let mut last_pruned = None;
        let mut stop = self.stop.clone();
        loop {
            let outcome = self.round(&mut last_pruned).await;
            self.status.round(&outcome);
            match outcome {
                Ok(0) => {}
                Ok(count) => tracing::debug!(count, "webhook deliveries attempted"),
                Err(error) => tracing::warn!(%error, "webhook delivery round failed"),
            }
            listener.keep_up(&self.pool).await;
            self.status
                .update(|s| s.listening = listener.is_listening());
            if self.stopping() {
                return;
            }
            // Retries fall due without a notification: the poll finds them.
            let poll = self.settings.poll_interval;
            let stopped = async {
                match &mut stop {
                    Some(stop) => {
                        let _ = stop.wait_for(|stopping| *stopping).await;
                    }
                    None => std::future::pending().await,
                }
            };
            listener.wait(poll, stopped).await;
            if self.stopping() {
                return;
            }
        }
    }

    /// Runs the delivery loop and restarts it, with back-off, should it
    /// ever stop (a panic in a dependency, say): requests would go on being
    /// served while deliveries waited unseen. Each restart is logged and
    /// counted in the worker's status.
    pub async fn run(self) {
        let worker = Rc::new(self);
        let mut backoff = Duration::from_secs(1);
        loop {
            worker.status.update(|s| s.running = true);
            let started = Instant::now();
            let running = Rc::clone(&worker);
            let stopped = tokio::task::spawn_local(async move { running.work().await }).await;
            if worker.stopping() {
                worker.status.update(|s| {
                    s.running = false;
                    s.listening = false;
                });
                tracing::info!("webhook worker stopped with the service");
                return;
            }
            let cause = match stopped {
                Ok(()) => "the delivery loop returned".to_owned(),
                Err(error) if error.is_panic() => panic_message(error.into_panic()),
                Err(error) => error.to_string(),
            };
            if started.elapsed() > Duration::from_secs(60) {
                backoff = Duration::from_secs(1);
            }
            tracing::error!(%cause, retry_in_s = backoff.as_secs(), "webhook worker stopped; restarting");
            worker.status.update(|s| {
                s.running = false;
                s.listening = false;
                s.restarts += 1;
                s.last_error = Some(format!("the worker stopped: {cause}"));
                s.last_error_at = Some(Utc::now());
            });
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// The delivery worker of the instance that answered.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkerHealth {
    /// The instance runs a worker at all (not with `AIMD_WEBHOOKS_OFF`).
    pub enabled: bool,
    /// The delivery loop is running; it is restarted should it stop.
    pub running: bool,
    /// Woken when a change commits; otherwise it polls every second.
    pub listening: bool,
    pub last_round_at: Option<DateTime<Utc>>,
    /// The last round that finished without an error.
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// How often the delivery loop stopped and was started again.
    pub restarts: u32,
}

/// Shared between the worker, which writes it, and the status endpoint.
#[derive(Debug, Clone, Default)]
pub struct WorkerStatus(Arc<Mutex<WorkerHealth>>);

impl WorkerStatus {
    pub fn snapshot(&self) -> WorkerHealth {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WorkerHealth> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut WorkerHealth)) {
        change(&mut self.lock());
    }

    fn round(&self, outcome: &ApiResult<usize>) {
        let now = Utc::now();
        self.update(|s| {
            s.last_round_at = Some(now);
            match outcome {
                Ok(_) => s.last_success_at = Some(now),
                Err(error) => {
                    s.last_error = Some(error.to_string());
                    s.last_error_at = Some(now);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_base_up_to_the_cap_and_stop_at_the_last_attempt() {
        let settings = DeliverySettings {
            retry_base: Duration::from_secs(10),
            retry_cap: Duration::from_secs(60),
            max_attempts: 5,
            ..DeliverySettings::default()
        };
        let wait = |failed| settings.retry_after(failed).map(|d| d.as_secs_f64());
        for (failed, base) in [(1, 10.0), (2, 20.0), (3, 40.0), (4, 60.0)] {
            let got = wait(failed).unwrap();
            assert!((base..=base * 1.25).contains(&got), "after {failed}: {got}");
        }
        assert_eq!(wait(5), None);
    }
}
