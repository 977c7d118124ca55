//! Who is calling and what they may do: roles, the caller, the audience
//! whose view a read takes, and API tokens (their SQL is in
//! `store::api_keys`, reading them from a request in `api::caller`, the
//! access rule of every operation in `api::access`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use crate::domain::enums::Role;
use crate::error::ApiError;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; what they see depends on who they are. A deployment can make
    /// these need a reader key (`AIMD_READS_REQUIRE_KEY`).
    Public,
    /// A key with this role or a higher one.
    Role(Role),
    /// Anyone, always, also where reads need a key: health probes, which
    /// load balancers and orchestrators send without credentials.
    Probe,
}

/// The key a request was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// The caller of a request: anonymous, or the holder of a valid key. The
/// access middleware puts it in the request's extensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller(Option<KeyHolder>);

impl Caller {
    pub fn anonymous() -> Self {
        Self(None)
    }

    pub fn with_key(holder: KeyHolder) -> Self {
        Self(Some(holder))
    }

    /// Whoever runs the service's commands (imports, the demo data): they
    /// hold the database, so they may do what an admin may.
    pub fn operator() -> Self {
        Self::with_key(KeyHolder {
            id: uuid::Uuid::nil(),
            name: "command line".to_owned(),
            role: Role::Admin,
        })
    }

    pub fn key(&self) -> Option<&KeyHolder> {
        self.0.as_ref()
    }

    /// Whether the caller holds `role` or a higher one.
    pub fn has(&self, role: Role) -> bool {
        self.0.as_ref().is_some_and(|k| k.role.includes(role))
    }
}

/// Which records a caller may see. Curators and above see every live
/// record in any publication state; everyone else only public ones, which
/// the database enforces: the public's reads run on connections that can
/// read only the views of `aimd_public` (see `db::Pools`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Public,
    Staff,
}

impl Audience {
    pub fn of(caller: &Caller) -> Self {
        if caller.has(Role::Curator) {
            Self::Staff
        } else {
            Self::Public
        }
    }
}

/// Every token starts with this, so leaked keys are easy to recognise (and
/// to scan for).
pub const TOKEN_PREFIX: &str = "aimd_";
/// 32 random bytes, base64url without padding.
const TOKEN_RANDOM_CHARS: usize = 43;
/// How much of a token is kept in clear, to tell keys apart in lists.
const SHOWN_PREFIX_CHARS: usize = TOKEN_PREFIX.len() + 6;

/// A freshly made token: the secret (shown once) and what is stored.
pub struct NewToken {
    pub token: String,
    pub hash: Vec<u8>,
    pub shown_prefix: String,
}

impl NewToken {
    pub fn generate() -> Result<Self, ApiError> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(ApiError::internal)?;
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
        Ok(Self {
            hash: token_hash(&token),
            shown_prefix: token[..SHOWN_PREFIX_CHARS].to_owned(),
            token,
        })
    }
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `text` has the shape of a token this service makes.
pub fn is_well_formed(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX).is_some_and(|random| {
        random.len() == TOKEN_RANDOM_CHARS
            && random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_distinct_and_hashed() {
        let a = NewToken::generate().unwrap();
        let b = NewToken::generate().unwrap();
        assert!(is_well_formed(&a.token), "{}", a.token);
        assert_ne!(a.token, b.token);
        assert_eq!(a.hash, token_hash(&a.token));
        assert_eq!(a.hash.len(), 32);
        assert!(a.token.starts_with(&a.shown_prefix));
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        assert!(!is_well_formed("aimd_short"));
        assert!(!is_well_formed(&format!("other_{}", "a".repeat(43))));
        assert!(!is_well_formed(&format!("aimd_{}!", "a".repeat(42))));
        assert!(is_well_formed(&format!("aimd_{}", "a".repeat(43))));
    }
}
