//! HTTP-level tests against a real PostgreSQL. One binary, so the app is
//! linked once; each test gets a database of its own (see `support`).

mod support;

mod access;
mod changes;
mod connecting;
mod crud;
mod curation;
mod demo;
mod discovery;
mod errors;
mod exports;
mod faults;
mod fields;
mod health;
mod imports;
mod instances;
mod linked_data;
mod links;
mod lists;
mod merges;
mod metrics;
mod openapi;
mod privacy;
mod proxies;
mod public_schema;
mod public_view;
mod publication;
mod replica;
mod reviews;
mod schema;
mod search_index;
mod try_it_out;
mod validation;
mod webhooks;
