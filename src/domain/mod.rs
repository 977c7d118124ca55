//! Domain types: everything the API accepts is parsed into these before any
//! SQL runs, so a value of one of these types is valid by construction.

pub mod codes;
pub mod display_language;
pub mod enums;
pub mod experts;
pub mod graph;
pub mod health;
pub mod heatmap;
pub mod history;
pub mod initiatives;
pub mod input;
pub mod linked_data;
pub mod links;
pub mod list;
pub mod matches;
pub mod merge;
pub mod network;
pub mod organisations;
pub mod overview;
pub mod page;
pub mod participation;
pub mod precondition;
pub mod publication;
pub mod query;
pub mod reviews;
pub mod search;
pub mod search_hits;
pub mod similar;
pub mod sources;
pub mod suggestions;
pub mod summaries;
pub mod topic_filter;
pub mod topics;
pub mod values;
