//! API keys this instance verified in the last second, so that a busy
//! client's requests do not each look their key up in the database. A
//! check is reused for at most [`REUSE`] on any instance, so a revoked or
//! expired key is refused everywhere within a second; the instance that
//! revokes a key forgets its checks at once. Only successful checks are
//! kept: an unknown or refused token always goes to the database (and
//! counts against the address's failed-authentication limit).
//!
//! The database check marks the key used at most once a minute, as
//! before, so `lastUsedAt` stays within a minute of the truth.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::{KeyHolder, token_hash};

/// How long a successful check stands.
pub const REUSE: Duration = Duration::from_secs(1);
/// Checks kept at most; more are not kept (keys are few).
const MOST_KEYS: usize = 10_000;

#[derive(Default)]
struct Checked {
    keys: HashMap<Vec<u8>, (KeyHolder, Instant)>,
    /// Bumped by every revocation here, so that a check that began before
    /// it is not kept.
    generation: u64,
}

#[derive(Default)]
pub struct KeyRing {
    checked: Mutex<Checked>,
}

impl KeyRing {
    fn checked(&self) -> MutexGuard<'_, Checked> {
        self.checked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// To be read before a check, and handed to [`Self::verified`].
    pub fn generation(&self) -> u64 {
        self.checked().generation
    }

    /// The holder of `token`, if it was verified less than [`REUSE`] ago.
    pub fn holder(&self, token: &str) -> Option<KeyHolder> {
        let checked = self.checked();
        let (holder, at) = checked.keys.get(&token_hash(token))?;
        (at.elapsed() < REUSE).then(|| holder.clone())
    }

    /// Remembers that `token` was just verified as `holder`'s, unless a
    /// key was revoked here since `generation` was read.
    pub fn verified(&self, token: &str, holder: &KeyHolder, generation: u64) {
        let mut checked = self.checked();
        if checked.generation != generation {
            return;
        }
        checked.keys.retain(|_, (_, at)| at.elapsed() < REUSE);
        if checked.keys.len() < MOST_KEYS {
            checked
                .keys
                .insert(token_hash(token), (holder.clone(), Instant::now()));
        }
    }

    /// Forgets every check: a key was revoked here.
    pub fn forget_all(&self) {
        let mut checked = self.checked();
        checked.generation += 1;
        checked.keys.clear();
    }
}
