//! The summaries of linked records that every read embeds. Each loader takes
//! the ids of a whole page and answers with one query, so a page of records
//! costs a fixed number of queries however many links it has.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{ExpertRole, OrganisationRole, Relation};
use crate::error::ApiResult;
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
