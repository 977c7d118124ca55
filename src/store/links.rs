//! All SQL that writes links. Table and column names come from [`Table`], a
//! closed enum, never from input.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bool, Date, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::enums::{ExpertRole, OrganisationRole};
use crate::domain::links::{AffiliationTerms, LinkOutcome};
use crate::domain::values::Role;
use crate::error::ApiResult;
use crate::sql::{Fragment, sql};
use crate::store::records::{self, Kind};

/// A link row's terms as JSON (role, dates): the row without the ids it
/// joins, its creation time, and `expert_public`, which the database keeps
/// for the public views.
fn terms_of(alias: &'static str, left: &'static str, right: &'static str) -> Fragment {
    sql!(
        "to_jsonb(",
        alias,
        ") - '",
        left,
        "' - '",
        right,
        "' - 'created_at' - 'expert_public'"
    )
}

/// A link table: which kinds it joins (left, right) and its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    InitiativeOrganisations,
    InitiativeExperts,
    InitiativeRelations,
    Affiliations,
}

struct Layout {
    table: &'static str,
    left: (Kind, &'static str),
    right: (Kind, &'static str),
    /// The column holding the link's role or relation.
    value: &'static str,
}

impl Table {
    const ALL: [Table; 4] = [
        Table::InitiativeOrganisations,
        Table::InitiativeExperts,
        Table::InitiativeRelations,
        Table::Affiliations,
    ];

    fn layout(self) -> Layout {
        match self {
            Self::InitiativeOrganisations => Layout {
                table: "initiative_organisations",
                left: (Kind::Initiative, "initiative_id"),
                right: (Kind::Organisation, "organisation_id"),
                value: "role",
            },
            Self::InitiativeExperts => Layout {
                table: "initiative_experts",
                left: (Kind::Initiative, "initiative_id"),
                right: (Kind::Expert, "expert_id"),
                value: "role",
            },
            Self::InitiativeRelations => Layout {
                table: "initiative_relations",
                left: (Kind::Initiative, "subject_id"),
                right: (Kind::Initiative, "object_id"),
                value: "relation",
            },
            Self::Affiliations => Layout {
                table: "affiliations",
                left: (Kind::Expert, "expert_id"),
                right: (Kind::Organisation, "organisation_id"),
                value: "role",
            },
        }
    }
}

#[derive(QueryableByName)]
struct StoredTerms {
    #[diesel(sql_type = Jsonb)]
    terms: Value,
}

/// A link's terms as stored (`{"role": "lead"}`), for the history; `None`
/// when there is no such link.
pub async fn terms(
    conn: &mut AsyncPgConnection,
    table: Table,
    left: Uuid,
    right: Uuid,
) -> ApiResult<Option<Value>> {
    let Layout {
        table: name,
        left: (_, l),
        right: (_, r),
        ..
    } = table.layout();
    let found: Vec<StoredTerms> = sql!(
        "SELECT ",
        terms_of("t", l, r),
        " AS terms FROM ",
        name,
        " t WHERE ",
        l,
        " = $1 AND ",
        r,
        " = $2"
    )
    .query()
    .bind::<SqlUuid, _>(left)
    .bind::<SqlUuid, _>(right)
    .load(conn)
    .await?;
    Ok(found.into_iter().next().map(|f| f.terms))
}

#[derive(QueryableByName)]
struct Written {
    #[diesel(sql_type = Bool)]
    inserted: bool,
}

fn outcome(written: Vec<Written>) -> LinkOutcome {
    match written.into_iter().next() {
        None => LinkOutcome::Unchanged,
        Some(w) if w.inserted => LinkOutcome::Created,
        Some(_) => LinkOutcome::Updated,
    }
}

/// Creates the link or sets its value, in one statement. An update that would
/// change nothing is skipped, and `xmax = 0` tells an insert from an update.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    table: Table,
    left: Uuid,
    right: Uuid,
    value: &str,
) -> ApiResult<LinkOutcome> {
    let Layout {
        table: name,
        left: (_, l),
        right: (_, r),
        value: v,
    } = table.layout();
    let statement = sql!(
        "INSERT INTO ",
        name,
        " (",
        l,
        ", ",
        r,
        ", ",
        v,
        ", created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (",
        l,
        ", ",
        r,
        ") DO UPDATE SET ",
        v,
        " = EXCLUDED.",
        v,
        " WHERE ",
        name,
        ".",
        v,
        " IS DISTINCT FROM EXCLUDED.",
        v,
        " RETURNING (xmax = 0) AS inserted"
    );
    let written: Vec<Written> = statement
        .query()
        .bind::<SqlUuid, _>(left)
        .bind::<SqlUuid, _>(right)
        .bind::<Text, _>(value)
        .bind::<Timestamptz, _>(Utc::now())
        .load(conn)
        .await?;
    Ok(outcome(written))
}

/// [`upsert`] for affiliations, whose terms are a role and two dates.
pub async fn upsert_affiliation(
    conn: &mut AsyncPgConnection,
    expert: Uuid,
    organisation: Uuid,
    terms: &AffiliationTerms,
) -> ApiResult<LinkOutcome> {
    let written: Vec<Written> = sql_query(
        "INSERT INTO affiliations (expert_id, organisation_id, role, since, until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (expert_id, organisation_id) DO UPDATE \
         SET role = EXCLUDED.role, since = EXCLUDED.since, until = EXCLUDED.until \
         WHERE (affiliations.role, affiliations.since, affiliations.until) \
         IS DISTINCT FROM (EXCLUDED.role, EXCLUDED.since, EXCLUDED.until) \
         RETURNING (xmax = 0) AS inserted",
    )
    .bind::<SqlUuid, _>(expert)
    .bind::<SqlUuid, _>(organisation)
    .bind::<Nullable<Text>, _>(terms.role.as_ref().map(Role::as_str))
    .bind::<Nullable<Date>, _>(terms.since.map(|d| d.0))
    .bind::<Nullable<Date>, _>(terms.until.map(|d| d.0))
    .bind::<Timestamptz, _>(Utc::now())
    .load::<Written>(conn)
    .await?;
    Ok(outcome(written))
}

/// Removes one link; whether there was one.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    table: Table,
    left: Uuid,
    right: Uuid,
) -> ApiResult<bool> {
    let Layout {
        table: name,
        left: (_, l),
        right: (_, r),
        ..
    } = table.layout();
    let removed = sql!("DELETE FROM ", name, " WHERE ", l, " = $1 AND ", r, " = $2")
        .query()
        .bind::<SqlUuid, _>(left)
        .bind::<SqlUuid, _>(right)
        .execute(conn)
        .await?;
    Ok(removed > 0)
}

#[derive(QueryableByName)]
struct Other {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Jsonb)]
    terms: Value,
}

/// Removes every link of a record that is being deleted and marks the records
/// on the other ends as changed, since they no longer show it.
pub async fn detach_all(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Vec<Detached>> {
    let mut detached = Vec::new();
    for table in Table::ALL {
        let Layout {
            table: name,
            left,
            right,
            ..
        } = table.layout();
        let (l, r) = (left.1, right.1);
        for ((own_kind, own), (other_kind, other)) in [(left, right), (right, left)] {
            if own_kind != kind {
                continue;
            }
            let others: Vec<Other> = sql!(
                "DELETE FROM ",
                name,
                " t WHERE ",
                own,
                " = $1 RETURNING ",
                other,
                " AS id, ",
                terms_of("t", l, r),
                " AS terms"
            )
            .query()
            .bind::<SqlUuid, _>(id)
            .load(conn)
            .await?;
            let ids: Vec<Uuid> = others.iter().map(|o| o.id).collect();
            records::touch(conn, other_kind, &ids, at).await?;
            detached.extend(others.into_iter().map(|o| Detached {
                kind: other_kind,
                id: o.id,
                terms: o.terms,
            }));
        }
    }
    Ok(detached)
}

/// Moves every link of `duplicate` to `survivor`, which is merged into:
/// where both were linked to the same record, one link remains, with the
/// stronger role (the survivor's affiliation terms win). Links between the
/// two are dropped. Returns the records on the other ends, which now show
/// the survivor.
pub async fn move_all(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    duplicate: Uuid,
    survivor: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Vec<(Kind, Uuid)>> {
    let mut moved = Vec::new();
    for table in Table::ALL {
        let Layout {
            table: name,
            left,
            right,
            value,
        } = table.layout();
        let strength = match table {
            Table::InitiativeOrganisations => Some(OrganisationRole::STRONGEST_FIRST),
            Table::InitiativeExperts => Some(ExpertRole::STRONGEST_FIRST),
            Table::InitiativeRelations | Table::Affiliations => None,
        };
        for ((own_kind, own), (other_kind, other)) in [(left, right), (right, left)] {
            if own_kind != kind {
                continue;
            }
            // A relation is stored smaller id first, read from that side.
            let (subject, object, relation) = if table == Table::InitiativeRelations {
                (
                    sql!("least($2, d.", other, ")"),
                    sql!("greatest($2, d.", other, ")"),
                    sql!(
                        "CASE WHEN ($2 < d.",
                        other,
                        ") = (d.",
                        own,
                        " < d.",
                        other,
                        ") THEN d.",
                        value,
                        " ELSE aimd_inverse_relation(d.",
                        value,
                        ") END"
                    ),
                )
            } else if own == left.1 {
                (sql!("$2"), sql!("d.", other), sql!("d.", value))
            } else {
                (sql!("d.", other), sql!("$2"), sql!("d.", value))
            };
            let on_conflict = match strength {
                Some(order) => {
                    let ranks = Fragment::join(order.iter().map(|r| sql!("'", *r, "'")), ", ");
                    sql!(
                        "DO UPDATE SET ",
                        value,
                        " = EXCLUDED.",
                        value,
                        " WHERE array_position(ARRAY[",
                        &ranks,
                        "], EXCLUDED.",
                        value,
                        ") < array_position(ARRAY[",
                        &ranks,
                        "], ",
                        name,
                        ".",
                        value,
                        ")"
                    )
                }
                None => sql!("DO NOTHING"),
            };
            let (l, r) = (left.1, right.1);
            let extra = if table == Table::Affiliations {
                ", since, until"
            } else {
                ""
            };
            let extra_values = if table == Table::Affiliations {
                ", d.since, d.until"
            } else {
                ""
            };
            let terms = terms_of("d", l, r);
            let others: Vec<Other> = sql!(
                "WITH gone AS (DELETE FROM ",
                name,
                " d WHERE d.",
                own,
                " = $1 RETURNING d.*, ",
                terms,
                " AS terms), moved AS (INSERT INTO ",
                name,
                " (",
                l,
                ", ",
                r,
                ", ",
                value,
                extra,
                ", created_at) SELECT ",
                subject,
                ", ",
                object,
                ", ",
                relation,
                extra_values,
                ", d.created_at FROM gone d WHERE d.",
                other,
                " <> $2 ON CONFLICT (",
                l,
                ", ",
                r,
                ") ",
                on_conflict,
                ") SELECT ",
                other,
                " AS id, terms FROM gone"
            )
            .query()
            .bind::<SqlUuid, _>(duplicate)
            .bind::<SqlUuid, _>(survivor)
            .load(conn)
            .await?;
            let ids: Vec<Uuid> = others
                .iter()
                .map(|o| o.id)
                .filter(|o| *o != survivor)
                .collect();
            records::touch(conn, other_kind, &ids, at).await?;
            moved.extend(ids.into_iter().map(|o| (other_kind, o)));
        }
    }
    Ok(moved)
}

/// A record that lost its link to a deleted one, and the link's terms.
pub struct Detached {
    pub kind: Kind,
    pub id: Uuid,
    pub terms: Value,
}
