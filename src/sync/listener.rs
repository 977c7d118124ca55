//! A connection that `LISTEN`s on one of the database's channels, for a
//! loop that would otherwise poll: the webhook worker (woken when
//! deliveries are queued) and the search index's follower (woken when the
//! change feed grows). A listener whose connection closed (the database
//! restarted) is dropped, and made again at most every [`RETRY`].

use std::future::Future;
use std::time::{Duration, Instant};

use diesel::sql_query;
use diesel_async::RunQueryDsl;
use futures_util::{FutureExt, StreamExt};

use crate::db::{DbPool, PooledConnection};

/// How often a lost listener is made again.
const RETRY: Duration = Duration::from_secs(5);

/// The channels the service listens on.
#[derive(Debug, Clone, Copy)]
pub enum Channel {
    /// Deliveries were queued in the webhook outbox.
    WebhookDeliveries,
    /// The change feed grew.
    Changes,
}

impl Channel {
    fn listener_name(self) -> &'static str {
        match self {
            Self::WebhookDeliveries => "the webhook listener",
            Self::Changes => "the search index's listener",
        }
    }
}

pub struct Listener {
    channel: Channel,
    /// `None` while polling: not yet made again, or never (see `polling`).
    conn: Option<PooledConnection>,
    /// Whether it may listen at all.
    enabled: bool,
    last_attempt: Instant,
}

impl Listener {
    /// A listener on `channel`, over a connection of `pool` it keeps.
    pub async fn open(pool: &DbPool, channel: Channel) -> Self {
        Self {
            channel,
            conn: connect(pool, channel).await,
            enabled: true,
            last_attempt: Instant::now(),
        }
    }

    /// One that never listens: its loop polls.
    pub fn polling(channel: Channel) -> Self {
        Self {
            channel,
            conn: None,
            enabled: false,
            last_attempt: Instant::now(),
        }
    }

    pub fn is_listening(&self) -> bool {
        self.conn.is_some()
    }

    /// Makes the connection again if it was lost, at most every [`RETRY`].
    pub async fn keep_up(&mut self, pool: &DbPool) {
        if self.enabled && self.conn.is_none() && self.last_attempt.elapsed() >= RETRY {
            self.last_attempt = Instant::now();
            self.conn = connect(pool, self.channel).await;
        }
    }

    /// Waits for a notification, for `other`, or for `poll`, whichever comes
    /// first. Notifications that piled up meanwhile are taken with the
    /// first, so one round covers them. A connection that closed is
    /// dropped: its stream must not be polled once it has ended.
    pub async fn wait(&mut self, poll: Duration, other: impl Future<Output = ()>) {
        let poll = tokio::time::sleep(poll);
        let Some(conn) = &mut self.conn else {
            tokio::select! {
                _ = other => {}
                _ = poll => {}
            }
            return;
        };
        let mut ended = false;
        {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::select! {
                notification = notifications.next() => {
                    ended = notification.is_none();
                    while !ended {
                        match notifications.next().now_or_never() {
                            Some(Some(_)) => {}
                            Some(None) => ended = true,
                            None => break,
                        }
                    }
                }
                _ = other => {}
                _ = poll => {}
            }
        }
        if ended {
            let name = self.channel.listener_name();
            tracing::warn!("{name}'s connection closed; polling until it is back");
            self.conn = None;
        }
    }
}

async fn connect(pool: &DbPool, channel: Channel) -> Option<PooledConnection> {
    let mut conn = pool.get().await.ok()?;
    let listen = match channel {
        Channel::WebhookDeliveries => sql_query("LISTEN aimd_webhook_deliveries"),
        Channel::Changes => sql_query("LISTEN aimd_changes"),
    };
    listen.execute(&mut conn).await.ok()?;
    Some(conn)
}
