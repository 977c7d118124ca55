//! Rendered records, per audience, so that a `GET` of a record needs no
//! database round trip. The follower that keeps the search index current
//! drops every record a change touches (the changed record and the records
//! it is linked to, which embed its summary) before it says it has applied
//! the change, so a client that reads its
//! write with `Min-Change-Position`, or through the instance that wrote,
//! never gets an older rendering.
//!
//! A rendering read from the database is kept only if nothing was dropped
//! meanwhile (a generation counter), so a slow read that raced a change
//! cannot put its older rendering back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use crate::auth::Audience;
use crate::store::records::Kind;

/// Renderings kept at most; the cache starts again empty when full
/// (about 2-3 kB each: well under 200 MB).
const MOST_ENTRIES: usize = 50_000;

/// A record as a `GET` answers it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub version: i64,
    pub json: Arc<str>,
}

type Key = (Kind, Uuid, Audience);

#[derive(Default)]
struct Entries {
    renderings: HashMap<Key, Rendered>,
    /// Bumped by every drop.
    generation: u64,
}

#[derive(Default)]
pub struct RecordCache {
    entries: Mutex<Entries>,
}

impl RecordCache {
    fn entries(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a map that is still whole.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, kind: Kind, id: Uuid, audience: Audience) -> Option<Rendered> {
        self.entries()
            .renderings
            .get(&(kind, id, audience))
            .cloned()
    }

    /// To be read before reading a record from the database, and handed to
    /// [`Self::keep`] with what was read.
    pub fn generation(&self) -> u64 {
        self.entries().generation
    }

    /// Keeps a rendering read from the database, unless something was
    /// dropped since `generation` was read.
    pub fn keep(&self, key: (Kind, Uuid, Audience), rendered: Rendered, generation: u64) {
        let mut entries = self.entries();
        if entries.generation != generation {
            return;
        }
        // Two reads racing a change: the newer rendering stays.
        if entries
            .renderings
            .get(&key)
            .is_some_and(|kept| kept.version >= rendered.version)
        {
            return;
        }
        if entries.renderings.len() >= MOST_ENTRIES {
            entries.renderings.clear();
        }
        entries.renderings.insert(key, rendered);
    }

    /// Drops every rendering of the records `ids` (of any kind, for every
    /// audience).
    pub fn drop_records(&self, ids: impl IntoIterator<Item = Uuid>) {
        let mut entries = self.entries();
        entries.generation += 1;
        for id in ids {
            for kind in [Kind::Organisation, Kind::Expert, Kind::Initiative] {
                for audience in [Audience::Public, Audience::Staff] {
                    entries.renderings.remove(&(kind, id, audience));
                }
            }
        }
    }

    /// Drops everything: when the follower could not apply the feed, no
    /// rendering can be trusted to be current.
    pub fn clear(&self) {
        let mut entries = self.entries();
        entries.generation += 1;
        entries.renderings.clear();
    }
}
