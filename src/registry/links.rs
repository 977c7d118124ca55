//! Links between records: an initiative's organisations, experts and related
//! initiatives, and an expert's affiliations. Each is a [`LinkKind`]; linking
//! and unlinking are shared by all four. A link change is a change of both
//! records it joins, so both get a new version and a history entry.

use std::future::Future;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::{self, Caller};
use crate::domain::enums::{ExpertRole, HistoryAction, OrganisationRole, Relation};
use crate::domain::experts::affiliation_terms;
use crate::domain::history::ChangeContext;
use crate::domain::input::single_field;
use crate::domain::links::{AffiliationTerms, LinkOutcome};
use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::store::experts::Experts;
use crate::store::history;
use crate::store::initiatives::Initiatives;
use crate::store::links::{self as store, Table};
use crate::store::records::{self, Kind, Precondition, StoredKind};

/// One kind of link, from the record whose URL it hangs off (the owner) to
/// the record named last in that URL (the target).
pub trait LinkKind {
    type Owner: StoredKind;
    const TARGET: Kind;
    /// The target's path parameter, e.g. `organisationId`.
    const TARGET_PARAM: &'static str;
    /// What the link is called in messages.
    const NOUN: &'static str;
    /// What the PUT body says about the link (a role, a relation, terms).
    type Terms: Send + Sync;

    fn parse(body: &Value) -> ApiResult<Self::Terms>;
    fn store(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
        terms: &Self::Terms,
    ) -> impl Future<Output = ApiResult<LinkOutcome>> + Send;
    fn remove(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
    ) -> impl Future<Output = ApiResult<bool>> + Send;
    /// The link's terms as the owner reads them, for the history.
    fn current(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
    ) -> impl Future<Output = ApiResult<Option<Value>>> + Send;
    /// The same terms as the target reads them.
    fn from_target_side(terms: Value) -> Value {
        terms
    }
}

/// Records a link change in the history of both ends.
async fn record_link_change<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    (owner, target): (Uuid, Uuid),
    before: Option<Value>,
    after: Option<Value>,
) -> ApiResult<()> {
    let action = if after.is_some() {
        HistoryAction::Linked
    } else {
        HistoryAction::Unlinked
    };
    let (before, after) = (before.unwrap_or(Value::Null), after.unwrap_or(Value::Null));
    let change = history::link_change(L::TARGET, target, &before, &after);
    history::record(conn, context, L::Owner::KIND, owner, action, change).await?;
    let flip = |terms: Value| {
        if terms.is_null() {
            terms
        } else {
            L::from_target_side(terms)
        }
    };
    let change = history::link_change(L::Owner::KIND, owner, &flip(before), &flip(after));
    history::record(conn, context, L::TARGET, target, action, change).await
}

/// Locks both ends. When both are of one kind they are locked in id order, so
/// two clients linking the same pair from opposite sides cannot deadlock.
async fn lock_ends<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    owner: Uuid,
    target: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    let owner_kind = L::Owner::KIND;
    if owner_kind == L::TARGET && owner == target {
        let reason = format!("a {} cannot be linked to itself", owner_kind.noun());
        return Err(ApiError::InvalidInput(vec![InvalidParam::new(
            L::TARGET_PARAM,
            "self-link",
            reason,
        )]));
    }
    if owner_kind == L::TARGET && target < owner {
        records::lock_link_target(conn, L::TARGET, target, L::TARGET_PARAM).await?;
        records::lock_live(conn, owner_kind, owner, precondition).await
    } else {
        records::lock_live(conn, owner_kind, owner, precondition).await?;
        records::lock_link_target(conn, L::TARGET, target, L::TARGET_PARAM).await
    }
}

/// A link between two published records is part of what readers see, so
/// only editors change it directly; a curator's change of a published
/// record goes through review (see `registry::records::merge_patch_record`), and links have no
/// pending form.
async fn guard_published<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    owner: Uuid,
    target: Uuid,
) -> ApiResult<()> {
    if caller.has(auth::Role::Editor)
        || !records::is_published(conn, L::Owner::KIND, owner).await?
        || !records::is_published(conn, L::TARGET, target).await?
    {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "both records are published, so readers would see this change at once; links between published records are changed by editors (role 'editor'), not by a {}",
        caller
            .key()
            .map_or("caller without a key", |k| k.role.as_str())
    )))
}

async fn touch_ends<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    owner: Uuid,
    target: Uuid,
) -> ApiResult<()> {
    let now = Utc::now();
    records::touch(conn, L::Owner::KIND, &[owner], now).await?;
    records::touch(conn, L::TARGET, &[target], now).await
}

/// Creates a link or sets its terms, inside the caller's transaction: both
/// ends locked, the published-records rule checked, both ends given a new
/// version and a history entry when anything changed.
pub async fn apply<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    caller: &Caller,
    (owner, target): (Uuid, Uuid),
    precondition: Precondition,
    terms: &L::Terms,
) -> ApiResult<LinkOutcome> {
    lock_ends::<L>(conn, owner, target, precondition).await?;
    guard_published::<L>(conn, caller, owner, target).await?;
    let before = L::current(conn, owner, target).await?;
    let outcome = L::store(conn, owner, target, terms).await?;
    if outcome != LinkOutcome::Unchanged {
        touch_ends::<L>(conn, owner, target).await?;
        records::note_editor(conn, L::Owner::KIND, owner, context.actor_id()).await?;
        let after = L::current(conn, owner, target).await?;
        record_link_change::<L>(conn, context, (owner, target), before, after).await?;
    }
    Ok(outcome)
}

/// Removes a link, inside the caller's transaction; 404 when there is none.
pub async fn unlink<L: LinkKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    caller: &Caller,
    (owner, target): (Uuid, Uuid),
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, L::Owner::KIND, owner, precondition).await?;
    guard_published::<L>(conn, caller, owner, target).await?;
    let before = L::current(conn, owner, target).await?;
    if !L::remove(conn, owner, target).await? {
        return Err(ApiError::NotFound(format!("there is no such {}", L::NOUN)));
    }
    touch_ends::<L>(conn, owner, target).await?;
    records::note_editor(conn, L::Owner::KIND, owner, context.actor_id()).await?;
    record_link_change::<L>(conn, context, (owner, target), before, None).await
}

/// `/v1/initiatives/{id}/organisations/{organisationId}`
pub struct InitiativeOrganisations;

impl LinkKind for InitiativeOrganisations {
    type Owner = Initiatives;
    const TARGET: Kind = Kind::Organisation;
    const TARGET_PARAM: &'static str = "organisationId";
    const NOUN: &'static str = "organisation on this initiative";
    type Terms = OrganisationRole;

    fn parse(body: &Value) -> ApiResult<OrganisationRole> {
        single_field(body, "role")
    }

    async fn store(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
        role: &OrganisationRole,
    ) -> ApiResult<LinkOutcome> {
        store::upsert(
            conn,
            Table::InitiativeOrganisations,
            owner,
            target,
            role.as_str(),
        )
        .await
    }

    async fn remove(conn: &mut AsyncPgConnection, owner: Uuid, target: Uuid) -> ApiResult<bool> {
        store::remove(conn, Table::InitiativeOrganisations, owner, target).await
    }

    async fn current(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
    ) -> ApiResult<Option<Value>> {
        store::terms(conn, Table::InitiativeOrganisations, owner, target).await
    }
}

/// `/v1/initiatives/{id}/experts/{expertId}`
pub struct InitiativeExperts;

impl LinkKind for InitiativeExperts {
    type Owner = Initiatives;
    const TARGET: Kind = Kind::Expert;
    const TARGET_PARAM: &'static str = "expertId";
    const NOUN: &'static str = "expert on this initiative";
    type Terms = ExpertRole;

    fn parse(body: &Value) -> ApiResult<ExpertRole> {
        single_field(body, "role")
    }

    async fn store(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
        role: &ExpertRole,
    ) -> ApiResult<LinkOutcome> {
        store::upsert(conn, Table::InitiativeExperts, owner, target, role.as_str()).await
    }

    async fn remove(conn: &mut AsyncPgConnection, owner: Uuid, target: Uuid) -> ApiResult<bool> {
        store::remove(conn, Table::InitiativeExperts, owner, target).await
    }

    async fn current(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
    ) -> ApiResult<Option<Value>> {
        store::terms(conn, Table::InitiativeExperts, owner, target).await
    }
}

/// `/v1/initiatives/{id}/related/{otherId}`. A pair is stored once, smaller
/// id first with the relation read from its side; the other side reads it
/// inverted. Setting it from either side therefore replaces it.
pub struct RelatedInitiatives;

impl LinkKind for RelatedInitiatives {
    type Owner = Initiatives;
    const TARGET: Kind = Kind::Initiative;
    const TARGET_PARAM: &'static str = "otherId";
    const NOUN: &'static str = "relation between these initiatives";
    type Terms = Relation;

    fn parse(body: &Value) -> ApiResult<Relation> {
        single_field(body, "relation")
    }

    async fn store(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        other: Uuid,
        relation: &Relation,
    ) -> ApiResult<LinkOutcome> {
        let (subject, object, stored) = if owner < other {
            (owner, other, *relation)
        } else {
            (other, owner, relation.inverse())
        };
        store::upsert(
            conn,
            Table::InitiativeRelations,
            subject,
            object,
            stored.as_str(),
        )
        .await
    }

    async fn remove(conn: &mut AsyncPgConnection, owner: Uuid, other: Uuid) -> ApiResult<bool> {
        let (subject, object) = if owner < other {
            (owner, other)
        } else {
            (other, owner)
        };
        store::remove(conn, Table::InitiativeRelations, subject, object).await
    }

    async fn current(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        other: Uuid,
    ) -> ApiResult<Option<Value>> {
        if owner < other {
            store::terms(conn, Table::InitiativeRelations, owner, other).await
        } else {
            let stored = store::terms(conn, Table::InitiativeRelations, other, owner).await?;
            Ok(stored.map(Self::from_target_side))
        }
    }

    /// The stored relation is read from the subject's side; the other side
    /// reads it inverted.
    fn from_target_side(terms: Value) -> Value {
        let inverted = terms["relation"]
            .as_str()
            .and_then(|r| Relation::parse(r).ok())
            .map(|r| r.inverse().as_str());
        serde_json::json!({ "relation": inverted })
    }
}

/// `/v1/experts/{id}/affiliations/{organisationId}`
pub struct Affiliations;

impl LinkKind for Affiliations {
    type Owner = Experts;
    const TARGET: Kind = Kind::Organisation;
    const TARGET_PARAM: &'static str = "organisationId";
    const NOUN: &'static str = "affiliation of this expert";
    type Terms = AffiliationTerms;

    fn parse(body: &Value) -> ApiResult<AffiliationTerms> {
        affiliation_terms(body)
    }

    async fn store(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
        terms: &AffiliationTerms,
    ) -> ApiResult<LinkOutcome> {
        store::upsert_affiliation(conn, owner, target, terms).await
    }

    async fn remove(conn: &mut AsyncPgConnection, owner: Uuid, target: Uuid) -> ApiResult<bool> {
        store::remove(conn, Table::Affiliations, owner, target).await
    }

    async fn current(
        conn: &mut AsyncPgConnection,
        owner: Uuid,
        target: Uuid,
    ) -> ApiResult<Option<Value>> {
        store::terms(conn, Table::Affiliations, owner, target).await
    }
}
