//! What the three record kinds share: existence checks with tombstones,
//! version bumps, topic tags, and the version a change is based on. The
//! statements name tables through [`Kind`], a closed enum, never from input.

mod publication;
mod review;
mod state;
mod topics;

use std::future::Future;

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::HitType;
use crate::domain::matches::PossibleDuplicate;
use crate::domain::sources::Source;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};

pub use self::publication::{
    drop_revision, is_published, note_editor, pending_revision, pending_revision_sql,
    propose_revision, publication, set_publication,
};
pub use self::review::{ReviewRow, confirm_reviewed, reviewer_sql};
pub use self::state::{
    absence, bury, bury_merged, check_filter_ids, ever_existed, is_public, lock_for_erasure,
    lock_link_target, lock_live, touch,
};
pub use self::topics::{replace_topics, topics_of};
pub use crate::domain::precondition::Precondition;

/// How one kind of record is kept and read: what the registry's write flow
/// needs of it, whoever calls that flow (the API or the importer), and what
/// lists, exports and imports need to find and load it.
pub trait StoredKind {
    const KIND: Kind;
    /// The record as a client writes it: what a merge patch edits.
    type Draft: PartialEq + Serialize + Send + Sync;

    /// The draft from its JSON form (a body, or a patched draft).
    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self::Draft>;
    /// Stores a new record under `id` (a new UUID v7, or one an import carries).
    fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &Self::Draft,
    ) -> impl Future<Output = ApiResult<Uuid>> + Send;
    fn load_draft(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> impl Future<Output = ApiResult<Self::Draft>> + Send;
    fn update(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &Self::Draft,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// The columns of the CSV export: paths into the record as `GET` shows
    /// it (`title.en`); see `sync::exports::cell` for how lists flatten.
    const CSV_COLUMNS: &'static [&'static str];
    /// The columns an import matches existing records on, besides the id.
    const EXTERNAL_KEY_COLUMNS: &'static [&'static str];

    /// The record as the API shows it.
    type Record: Serialize + Send;
    type Filter: Send + Sync;

    fn id(record: &Self::Record) -> Uuid;
    fn version(record: &Self::Record) -> i64;
    /// Whether the kind needs a source before it is published.
    const NEEDS_SOURCE: bool = false;
    fn sources(draft: &Self::Draft) -> &[Source];
    /// The draft's values of [`Self::EXTERNAL_KEY_COLUMNS`] that it has.
    fn external_keys(draft: &Self::Draft) -> Vec<String>;
    /// The forms in which a link reference may equal one of those keys:
    /// as written, unless a key is stored normalised.
    fn reference_keys(reference: &str) -> Vec<String> {
        vec![reference.to_owned()]
    }
    /// Existing records the draft likely duplicates ([`crate::domain::matches::LIKELY_DUPLICATE`]
    /// and up), by the kind's duplicate finder; none for a kind without one.
    fn likely_duplicates(
        conn: &mut AsyncPgConnection,
        draft: &Self::Draft,
    ) -> impl Future<Output = ApiResult<Vec<PossibleDuplicate>>> + Send {
        let _ = (conn, draft);
        async { Ok(Vec::new()) }
    }
    /// Refuses filter values that name records that do not exist.
    fn check_filter(
        conn: &mut AsyncPgConnection,
        filter: &Self::Filter,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// The live records among `ids` that `audience` may see, in any order.
    fn load(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        ids: &[Uuid],
        audience: Audience,
    ) -> impl Future<Output = ApiResult<Vec<Self::Record>>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Organisation,
    Expert,
    Initiative,
}

impl Kind {
    /// The kind a feed event or a search hit names.
    pub fn of_hit(hit: HitType) -> Self {
        match hit {
            HitType::Organisation => Self::Organisation,
            HitType::Expert => Self::Expert,
            HitType::Initiative => Self::Initiative,
        }
    }

    /// The kind as feed events and search hits name it.
    pub fn hit(self) -> HitType {
        match self {
            Self::Organisation => HitType::Organisation,
            Self::Expert => HitType::Expert,
            Self::Initiative => HitType::Initiative,
        }
    }

    /// The kind's table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Organisation => "organisations",
            Self::Expert => "experts",
            Self::Initiative => "initiatives",
        }
    }

    /// The table tagging this kind with topics, and its record-id column.
    fn topic_table(self) -> (&'static str, &'static str) {
        match self {
            Self::Organisation => ("organisation_topics", "organisation_id"),
            Self::Expert => ("expert_topics", "expert_id"),
            Self::Initiative => ("initiative_topics", "initiative_id"),
        }
    }

    /// The collection's path, e.g. `/v1/organisations`.
    pub fn collection(self) -> String {
        format!("/v1/{}", self.table())
    }

    pub fn noun(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Expert => "expert",
            Self::Initiative => "initiative",
        }
    }
}

pub fn not_found(kind: Kind, id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no {} has id {id}", kind.noun()))
}

pub fn gone(kind: Kind, id: Uuid) -> ApiError {
    ApiError::Gone(format!(
        "the {} {id} was deleted; its id will not be reused",
        kind.noun()
    ))
}

/// One live record, as the API shows it to `audience`; 404 or 410 when it
/// is not there for them.
pub async fn find<K: StoredKind>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    audience: Audience,
) -> ApiResult<K::Record> {
    match K::load(conn, vocabulary, &[id], audience).await?.pop() {
        Some(record) => Ok(record),
        None => Err(absence(conn, K::KIND, id).await?),
    }
}
