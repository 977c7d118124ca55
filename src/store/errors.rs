//! Database failures as the registry's errors: transient ones are 503s a
//! client may retry, a duplicate identifying key is a 409, the rest 500.

use crate::error::ApiError;

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            // Two writes locking the same records in different orders, or a
            // serialisation conflict: PostgreSQL rolled one back, so a retry
            // is safe and will succeed.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable(format!("database conflict: {e}"))
            }
            Error::DatabaseError(_, info) if info.message().starts_with("deadlock detected") => {
                Self::Unavailable(format!("database deadlock: {e}"))
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | Error::BrokenTransactionManager => {
                Self::Unavailable(format!("database connection lost: {e}"))
            }
            Error::DatabaseError(_, info) if is_unavailable(info.message()) => {
                Self::Unavailable(format!("database unavailable: {e}"))
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                match identifying_key(info.constraint_name()) {
                    Some((collection, key)) => Self::Conflict(format!(
                        "another live record in {collection} already has this {key}; find it \
                         with GET /v1/{collection}/matches, then change or merge that record"
                    )),
                    None => Self::internal(format!("database: {e}")),
                }
            }
            _ => Self::internal(format!("database: {e}")),
        }
    }
}

/// Whether a server error means the database cannot serve now rather than
/// that the statement was wrong. diesel does not pass the SQLSTATE on, so
/// these are the server's messages for the classes that matter: 57P01-57P03
/// (shut down, crashed, starting up or shutting down), 57014 (the
/// statement timeout) and 25P03 (idle in transaction too long). They are
/// PostgreSQL's English texts (lc_messages other than English would need
/// them translated).
fn is_unavailable(message: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "terminating connection",
        "canceling statement due to statement timeout",
        "canceling statement due to user request",
        "the database system is",
        "connection closed",
    ];
    PREFIXES.iter().any(|p| message.starts_with(p))
}

/// The collection and field of a unique index on a key that identifies a
/// record (the `*_unique` indexes of the migrations).
fn identifying_key(constraint: Option<&str>) -> Option<(&'static str, &'static str)> {
    Some(match constraint? {
        "organisations_ror_id_unique" => ("organisations", "rorId"),
        "organisations_website_unique" => ("organisations", "website"),
        "experts_orcid_unique" => ("experts", "orcid"),
        "experts_email_unique" => ("experts", "email"),
        "initiatives_website_unique" => ("initiatives", "website"),
        _ => return None,
    })
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {e}"))
    }
}
