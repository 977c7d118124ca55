//! The use cases, without HTTP: each runs on a connection inside the
//! caller's transaction, with the change's context (who, which request,
//! why), and returns domain results or an `ApiError`. The API's handlers and
//! the importer both write through here, so a record is created, edited and
//! deleted one way only.

pub mod connecting;
pub mod erasure;
pub mod imports;
pub mod links;
pub mod merge;
pub mod publication;
pub mod records;
