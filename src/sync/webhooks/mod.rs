//! Webhooks: subscriptions and deliveries (`model`), their SQL (`repo`),
//! Standard Webhooks signing (`signature`), which receivers are allowed
//! (`targets`) and the supervised delivery loop (`worker`). Their HTTP
//! operations are in `api::webhooks`.

pub mod model;
pub mod repo;
pub mod signature;
pub mod targets;
pub mod worker;
