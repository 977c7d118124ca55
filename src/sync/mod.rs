//! Keeping copies of the registry in step: the change feed, and webhooks (subscriptions, the
//! outbox the database fills at commit, and the worker that delivers it).
//! Beside the registry layer: it reads the store, never the API.

pub mod archive;
pub mod changes;
pub mod exports;
pub mod index;
pub mod listener;
pub mod snapshot;
pub mod webhooks;
