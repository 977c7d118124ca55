//! The links between records: the embedded summaries every read carries, and
//! the SQL that creates, changes and removes links. Each loader takes the ids
//! of a whole page and answers with one query, so a page of records costs a
//! fixed number of queries however many links it has.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::records::{self, Kind, Precondition};
use crate::domain::enums::{ExpertRole, OrganisationRole, Relation};
use crate::domain::values::{Date, Role};
use crate::error::{ApiError, ApiResult};
use crate::schema::{
    affiliations, experts, initiative_experts, initiative_organisations, initiative_relations,
    initiatives, organisations,
};

/// Text in English and/or Dutch; a language without text is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"en": "Artificial Intelligence Act", "nl": "AI-verordening"}))]
pub struct LocalizedText {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub nl: Option<String>,
}

impl LocalizedText {
    pub fn new(en: Option<String>, nl: Option<String>) -> Self {
        Self { en, nl }
    }

    /// `None` when neither language has text.
    pub fn optional(en: Option<String>, nl: Option<String>) -> Option<Self> {
        (en.is_some() || nl.is_some()).then_some(Self { en, nl })
    }
}

/// An organisation taking part in an initiative.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InitiativeOrganisation {
    pub id: Uuid,
    #[schema(example = "Royal Netherlands Standardization Institute")]
    pub name: String,
    #[schema(example = "NEN")]
    pub acronym: Option<String>,
    pub role: OrganisationRole,
}

/// An expert taking part in an initiative.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InitiativeExpert {
    pub id: Uuid,
    /// Given and family name.
    #[schema(example = "Anna de Vries")]
    pub name: String,
    pub role: ExpertRole,
}

/// An initiative related to this one; `relation` reads from this record's side.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub relation: Relation,
}

/// An initiative an organisation takes part in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub role: OrganisationRole,
}

/// An initiative an expert takes part in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpertInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub role: ExpertRole,
}

/// An expert affiliated with an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AffiliatedExpert {
    pub id: Uuid,
    #[schema(example = "Anna de Vries")]
    pub name: String,
    #[schema(example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// An organisation an expert is affiliated with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Affiliation {
    /// The organisation's id.
    pub id: Uuid,
    #[schema(example = "Royal Netherlands Standardization Institute")]
    pub name: String,
    #[schema(example = "NEN")]
    pub acronym: Option<String>,
    #[schema(example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

pub fn expert_name(given: &str, family: &str) -> String {
    format!("{given} {family}")
}

fn group<T>(rows: impl IntoIterator<Item = (Uuid, T)>) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for (owner, item) in rows {
        grouped.entry(owner).or_default().push(item);
    }
    grouped
}

// ---- reads -----------------------------------------------------------------

/// (owner id, initiative id, title en, title nl, acronym, role)
type InitiativeLinkRow = (
    Uuid,
    Uuid,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

pub async fn organisations_of_initiatives(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<InitiativeOrganisation>>> {
    let rows: Vec<(Uuid, Uuid, String, Option<String>, String)> = initiative_organisations::table
        .inner_join(organisations::table)
        .filter(initiative_organisations::initiative_id.eq_any(ids))
        .filter(organisations::deleted_at.is_null())
        .order((organisations::name, organisations::id))
        .select((
            initiative_organisations::initiative_id,
            organisations::id,
            organisations::name,
            organisations::acronym,
            initiative_organisations::role,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, name, acronym, role)| {
            let role = OrganisationRole::from_db(&role);
            (
                owner,
                InitiativeOrganisation {
                    id,
                    name,
                    acronym,
                    role,
                },
            )
        },
    )))
}

pub async fn experts_of_initiatives(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<InitiativeExpert>>> {
    let rows: Vec<(Uuid, Uuid, String, String, String)> = initiative_experts::table
        .inner_join(experts::table)
        .filter(initiative_experts::initiative_id.eq_any(ids))
        .filter(experts::deleted_at.is_null())
        .order((experts::family_name, experts::given_name, experts::id))
        .select((
            initiative_experts::initiative_id,
            experts::id,
            experts::given_name,
            experts::family_name,
            initiative_experts::role,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, given, family, role)| {
            let name = expert_name(&given, &family);
            (
                owner,
                InitiativeExpert {
                    id,
                    name,
                    role: ExpertRole::from_db(&role),
                },
            )
        },
    )))
}

pub async fn related_initiatives(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<RelatedInitiative>>> {
    type Row = (
        Uuid,
        Uuid,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let from_subject: Vec<Row> = initiative_relations::table
        .inner_join(initiatives::table.on(initiatives::id.eq(initiative_relations::object_id)))
        .filter(initiative_relations::subject_id.eq_any(ids))
        .filter(initiatives::deleted_at.is_null())
        .select((
            initiative_relations::subject_id,
            initiatives::id,
            initiative_relations::relation,
            initiatives::title_en,
            initiatives::title_nl,
            initiatives::acronym,
        ))
        .load(conn)
        .await?;
    let from_object: Vec<Row> = initiative_relations::table
        .inner_join(initiatives::table.on(initiatives::id.eq(initiative_relations::subject_id)))
        .filter(initiative_relations::object_id.eq_any(ids))
        .filter(initiatives::deleted_at.is_null())
        .select((
            initiative_relations::object_id,
            initiatives::id,
            initiative_relations::relation,
            initiatives::title_en,
            initiatives::title_nl,
            initiatives::acronym,
        ))
        .load(conn)
        .await?;
    let summary = |invert: bool| {
        move |(owner, id, relation, en, nl, acronym): Row| {
            let stored = Relation::from_db(&relation);
            let relation = if invert { stored.inverse() } else { stored };
            (
                owner,
                RelatedInitiative {
                    id,
                    title: LocalizedText::new(en, nl),
                    acronym,
                    relation,
                },
            )
        }
    };
    let mut grouped = group(
        from_subject
            .into_iter()
            .map(summary(false))
            .chain(from_object.into_iter().map(summary(true))),
    );
    for related in grouped.values_mut() {
        related.sort_by_key(|r| r.id);
    }
    Ok(grouped)
}

pub async fn initiatives_of_organisations(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<OrganisationInitiative>>> {
    let rows: Vec<InitiativeLinkRow> = initiative_organisations::table
        .inner_join(initiatives::table)
        .filter(initiative_organisations::organisation_id.eq_any(ids))
        .filter(initiatives::deleted_at.is_null())
        .order(initiatives::id)
        .select((
            initiative_organisations::organisation_id,
            initiatives::id,
            initiatives::title_en,
            initiatives::title_nl,
            initiatives::acronym,
            initiative_organisations::role,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, en, nl, acronym, role)| {
            let title = LocalizedText::new(en, nl);
            let role = OrganisationRole::from_db(&role);
            (
                owner,
                OrganisationInitiative {
                    id,
                    title,
                    acronym,
                    role,
                },
            )
        },
    )))
}

pub async fn initiatives_of_experts(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<ExpertInitiative>>> {
    let rows: Vec<InitiativeLinkRow> = initiative_experts::table
        .inner_join(initiatives::table)
        .filter(initiative_experts::expert_id.eq_any(ids))
        .filter(initiatives::deleted_at.is_null())
        .order(initiatives::id)
        .select((
            initiative_experts::expert_id,
            initiatives::id,
            initiatives::title_en,
            initiatives::title_nl,
            initiatives::acronym,
            initiative_experts::role,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, en, nl, acronym, role)| {
            let title = LocalizedText::new(en, nl);
            (
                owner,
                ExpertInitiative {
                    id,
                    title,
                    acronym,
                    role: ExpertRole::from_db(&role),
                },
            )
        },
    )))
}

pub async fn affiliations_of_experts(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Affiliation>>> {
    type Row = (
        Uuid,
        Uuid,
        String,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = affiliations::table
        .inner_join(organisations::table)
        .filter(affiliations::expert_id.eq_any(ids))
        .filter(organisations::deleted_at.is_null())
        .order((organisations::name, organisations::id))
        .select((
            affiliations::expert_id,
            organisations::id,
            organisations::name,
            organisations::acronym,
            affiliations::role,
            affiliations::since,
            affiliations::until,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, name, acronym, role, since, until)| {
            (
                owner,
                Affiliation {
                    id,
                    name,
                    acronym,
                    role,
                    since,
                    until,
                },
            )
        },
    )))
}

pub async fn experts_of_organisations(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<AffiliatedExpert>>> {
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        Option<String>,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = affiliations::table
        .inner_join(experts::table)
        .filter(affiliations::organisation_id.eq_any(ids))
        .filter(experts::deleted_at.is_null())
        .order((experts::family_name, experts::given_name, experts::id))
        .select((
            affiliations::organisation_id,
            experts::id,
            experts::given_name,
            experts::family_name,
            affiliations::role,
            affiliations::since,
            affiliations::until,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(
        |(owner, id, given, family, role, since, until)| {
            let name = expert_name(&given, &family);
            (
                owner,
                AffiliatedExpert {
                    id,
                    name,
                    role,
                    since,
                    until,
                },
            )
        },
    )))
}

// ---- writes ----------------------------------------------------------------

/// Whether a link PUT made a new link, changed one, or found it as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Locks both ends of a link for the transaction.
async fn lock_ends(
    conn: &mut AsyncPgConnection,
    owner: (Kind, Uuid),
    target: (Kind, Uuid, &str),
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, owner.0, owner.1, precondition).await?;
    records::lock_link_target(conn, target.0, target.1, target.2).await
}

/// Marks both ends as changed when the link did change.
async fn touch_ends(
    conn: &mut AsyncPgConnection,
    outcome: LinkOutcome,
    a: (Kind, Uuid),
    b: (Kind, Uuid),
) -> ApiResult<LinkOutcome> {
    if outcome != LinkOutcome::Unchanged {
        let now = Utc::now();
        records::touch(conn, a.0, &[a.1], now).await?;
        records::touch(conn, b.0, &[b.1], now).await?;
    }
    Ok(outcome)
}

fn link_not_found(what: &str) -> ApiError {
    ApiError::NotFound(format!("there is no such {what}"))
}

pub async fn put_initiative_organisation(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    organisation: Uuid,
    role: OrganisationRole,
    precondition: Precondition,
) -> ApiResult<LinkOutcome> {
    use initiative_organisations::dsl as io;
    lock_ends(
        conn,
        (Kind::Initiative, initiative),
        (Kind::Organisation, organisation, "organisationId"),
        precondition,
    )
    .await?;
    let existing: Option<String> = io::initiative_organisations
        .filter(
            io::initiative_id
                .eq(initiative)
                .and(io::organisation_id.eq(organisation)),
        )
        .select(io::role)
        .first(conn)
        .await
        .optional()?;
    let outcome = match existing {
        Some(current) if current == role.as_str() => LinkOutcome::Unchanged,
        Some(_) => {
            diesel::update(io::initiative_organisations.find((initiative, organisation)))
                .set(io::role.eq(role.as_str()))
                .execute(conn)
                .await?;
            LinkOutcome::Updated
        }
        None => {
            diesel::insert_into(io::initiative_organisations)
                .values((
                    io::initiative_id.eq(initiative),
                    io::organisation_id.eq(organisation),
                    io::role.eq(role.as_str()),
                    io::created_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            LinkOutcome::Created
        }
    };
    touch_ends(
        conn,
        outcome,
        (Kind::Initiative, initiative),
        (Kind::Organisation, organisation),
    )
    .await
}

pub async fn delete_initiative_organisation(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    organisation: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, Kind::Initiative, initiative, precondition).await?;
    let removed = diesel::delete(initiative_organisations::table.find((initiative, organisation)))
        .execute(conn)
        .await?;
    if removed == 0 {
        return Err(link_not_found("organisation on this initiative"));
    }
    touch_ends(
        conn,
        LinkOutcome::Updated,
        (Kind::Initiative, initiative),
        (Kind::Organisation, organisation),
    )
    .await?;
    Ok(())
}

pub async fn put_initiative_expert(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    expert: Uuid,
    role: ExpertRole,
    precondition: Precondition,
) -> ApiResult<LinkOutcome> {
    use initiative_experts::dsl as ie;
    lock_ends(
        conn,
        (Kind::Initiative, initiative),
        (Kind::Expert, expert, "expertId"),
        precondition,
    )
    .await?;
    let existing: Option<String> = ie::initiative_experts
        .filter(
            ie::initiative_id
                .eq(initiative)
                .and(ie::expert_id.eq(expert)),
        )
        .select(ie::role)
        .first(conn)
        .await
        .optional()?;
    let outcome = match existing {
        Some(current) if current == role.as_str() => LinkOutcome::Unchanged,
        Some(_) => {
            diesel::update(ie::initiative_experts.find((initiative, expert)))
                .set(ie::role.eq(role.as_str()))
                .execute(conn)
                .await?;
            LinkOutcome::Updated
        }
        None => {
            diesel::insert_into(ie::initiative_experts)
                .values((
                    ie::initiative_id.eq(initiative),
                    ie::expert_id.eq(expert),
                    ie::role.eq(role.as_str()),
                    ie::created_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            LinkOutcome::Created
        }
    };
    touch_ends(
        conn,
        outcome,
        (Kind::Initiative, initiative),
        (Kind::Expert, expert),
    )
    .await
}

pub async fn delete_initiative_expert(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    expert: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, Kind::Initiative, initiative, precondition).await?;
    let removed = diesel::delete(initiative_experts::table.find((initiative, expert)))
        .execute(conn)
        .await?;
    if removed == 0 {
        return Err(link_not_found("expert on this initiative"));
    }
    touch_ends(
        conn,
        LinkOutcome::Updated,
        (Kind::Initiative, initiative),
        (Kind::Expert, expert),
    )
    .await?;
    Ok(())
}

/// The stored form of a relation: smaller id first, relation read from its side.
fn canonical(a: Uuid, b: Uuid, relation: Relation) -> (Uuid, Uuid, Relation) {
    if a < b {
        (a, b, relation)
    } else {
        (b, a, relation.inverse())
    }
}

pub async fn put_relation(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    other: Uuid,
    relation: Relation,
    precondition: Precondition,
) -> ApiResult<LinkOutcome> {
    use initiative_relations::dsl as ir;
    if initiative == other {
        return Err(ApiError::invalid(
            "otherId",
            "self-relation",
            "an initiative cannot be related to itself",
        ));
    }
    // Both ends are initiatives: lock them in id order, so two clients
    // relating the same pair from opposite sides cannot deadlock.
    if other < initiative {
        records::lock_link_target(conn, Kind::Initiative, other, "otherId").await?;
        records::lock_live(conn, Kind::Initiative, initiative, precondition).await?;
    } else {
        lock_ends(
            conn,
            (Kind::Initiative, initiative),
            (Kind::Initiative, other, "otherId"),
            precondition,
        )
        .await?;
    }
    let (subject, object, stored) = canonical(initiative, other, relation);
    let existing: Option<String> = ir::initiative_relations
        .find((subject, object))
        .select(ir::relation)
        .first(conn)
        .await
        .optional()?;
    let outcome = match existing {
        Some(current) if current == stored.as_str() => LinkOutcome::Unchanged,
        Some(_) => {
            diesel::update(ir::initiative_relations.find((subject, object)))
                .set(ir::relation.eq(stored.as_str()))
                .execute(conn)
                .await?;
            LinkOutcome::Updated
        }
        None => {
            diesel::insert_into(ir::initiative_relations)
                .values((
                    ir::subject_id.eq(subject),
                    ir::object_id.eq(object),
                    ir::relation.eq(stored.as_str()),
                    ir::created_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            LinkOutcome::Created
        }
    };
    touch_ends(
        conn,
        outcome,
        (Kind::Initiative, initiative),
        (Kind::Initiative, other),
    )
    .await
}

pub async fn delete_relation(
    conn: &mut AsyncPgConnection,
    initiative: Uuid,
    other: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, Kind::Initiative, initiative, precondition).await?;
    let (subject, object) = if initiative < other {
        (initiative, other)
    } else {
        (other, initiative)
    };
    let removed = diesel::delete(initiative_relations::table.find((subject, object)))
        .execute(conn)
        .await?;
    if removed == 0 {
        return Err(link_not_found("relation between these initiatives"));
    }
    touch_ends(
        conn,
        LinkOutcome::Updated,
        (Kind::Initiative, initiative),
        (Kind::Initiative, other),
    )
    .await?;
    Ok(())
}

/// An expert's affiliation as a client writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffiliationTerms {
    pub role: Option<Role>,
    pub since: Option<Date>,
    pub until: Option<Date>,
}

pub async fn put_affiliation(
    conn: &mut AsyncPgConnection,
    expert: Uuid,
    organisation: Uuid,
    terms: AffiliationTerms,
    precondition: Precondition,
) -> ApiResult<LinkOutcome> {
    use affiliations::dsl as af;
    lock_ends(
        conn,
        (Kind::Expert, expert),
        (Kind::Organisation, organisation, "organisationId"),
        precondition,
    )
    .await?;
    let role = terms.role.map(Role::into_string);
    let since = terms.since.map(|d| d.0);
    let until = terms.until.map(|d| d.0);
    let existing: Option<(Option<String>, Option<NaiveDate>, Option<NaiveDate>)> = af::affiliations
        .find((expert, organisation))
        .select((af::role, af::since, af::until))
        .first(conn)
        .await
        .optional()?;
    let outcome = match existing {
        Some(current) if current == (role.clone(), since, until) => LinkOutcome::Unchanged,
        Some(_) => {
            diesel::update(af::affiliations.find((expert, organisation)))
                .set((af::role.eq(role), af::since.eq(since), af::until.eq(until)))
                .execute(conn)
                .await?;
            LinkOutcome::Updated
        }
        None => {
            diesel::insert_into(af::affiliations)
                .values((
                    af::expert_id.eq(expert),
                    af::organisation_id.eq(organisation),
                    af::role.eq(role),
                    af::since.eq(since),
                    af::until.eq(until),
                    af::created_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            LinkOutcome::Created
        }
    };
    touch_ends(
        conn,
        outcome,
        (Kind::Expert, expert),
        (Kind::Organisation, organisation),
    )
    .await
}

pub async fn delete_affiliation(
    conn: &mut AsyncPgConnection,
    expert: Uuid,
    organisation: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, Kind::Expert, expert, precondition).await?;
    let removed = diesel::delete(affiliations::table.find((expert, organisation)))
        .execute(conn)
        .await?;
    if removed == 0 {
        return Err(link_not_found("affiliation of this expert"));
    }
    touch_ends(
        conn,
        LinkOutcome::Updated,
        (Kind::Expert, expert),
        (Kind::Organisation, organisation),
    )
    .await?;
    Ok(())
}

/// Removes every link of a record that is being deleted and marks the records
/// on the other ends as changed, since they no longer show it.
pub async fn detach_all(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<()> {
    let now = Utc::now();
    match kind {
        Kind::Organisation => {
            let initiatives: Vec<Uuid> = diesel::delete(
                initiative_organisations::table
                    .filter(initiative_organisations::organisation_id.eq(id)),
            )
            .returning(initiative_organisations::initiative_id)
            .get_results(conn)
            .await?;
            let experts: Vec<Uuid> =
                diesel::delete(affiliations::table.filter(affiliations::organisation_id.eq(id)))
                    .returning(affiliations::expert_id)
                    .get_results(conn)
                    .await?;
            records::touch(conn, Kind::Initiative, &initiatives, now).await?;
            records::touch(conn, Kind::Expert, &experts, now).await?;
        }
        Kind::Expert => {
            let initiatives: Vec<Uuid> = diesel::delete(
                initiative_experts::table.filter(initiative_experts::expert_id.eq(id)),
            )
            .returning(initiative_experts::initiative_id)
            .get_results(conn)
            .await?;
            let organisations: Vec<Uuid> =
                diesel::delete(affiliations::table.filter(affiliations::expert_id.eq(id)))
                    .returning(affiliations::organisation_id)
                    .get_results(conn)
                    .await?;
            records::touch(conn, Kind::Initiative, &initiatives, now).await?;
            records::touch(conn, Kind::Organisation, &organisations, now).await?;
        }
        Kind::Initiative => {
            let organisations: Vec<Uuid> = diesel::delete(
                initiative_organisations::table
                    .filter(initiative_organisations::initiative_id.eq(id)),
            )
            .returning(initiative_organisations::organisation_id)
            .get_results(conn)
            .await?;
            let experts: Vec<Uuid> = diesel::delete(
                initiative_experts::table.filter(initiative_experts::initiative_id.eq(id)),
            )
            .returning(initiative_experts::expert_id)
            .get_results(conn)
            .await?;
            let related: Vec<(Uuid, Uuid)> = diesel::delete(
                initiative_relations::table.filter(
                    initiative_relations::subject_id
                        .eq(id)
                        .or(initiative_relations::object_id.eq(id)),
                ),
            )
            .returning((
                initiative_relations::subject_id,
                initiative_relations::object_id,
            ))
            .get_results(conn)
            .await?;
            let others: Vec<Uuid> = related
                .into_iter()
                .map(|(s, o)| if s == id { o } else { s })
                .collect();
            records::touch(conn, Kind::Organisation, &organisations, now).await?;
            records::touch(conn, Kind::Expert, &experts, now).await?;
            records::touch(conn, Kind::Initiative, &others, now).await?;
        }
    }
    Ok(())
}
