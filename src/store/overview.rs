//! The statement behind `/v1/overview`: every figure in one statement over
//! the filtered initiatives.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::enums::OrganisationType;
use crate::domain::initiatives::InitiativeFilter;
use crate::domain::overview::{
    CountryCount, ExpertOverview, InitiativeOverview, OrganisationOverview, Overview, ScopeCounts,
    TopicCount, TopicRow, TypeCount, stored,
};
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::error::ApiResult;
use crate::sql::{Sql, sql};
use crate::store::discovery::{ListRequest, push_set, text};
use crate::store::initiatives::Initiatives;
use crate::store::records::StoredKind;

/// One count of the overview: which figure, and for which values.
#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Text)]
    figure: String,
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Every figure in one statement: the filtered initiatives are read once
/// (`base`), and narrower topics count in broader ones through the topic
/// closure.
const FIGURES: &str = "\
    SELECT 'matrix' AS figure, t.topic AS a, base.scope AS b, count(*) AS count \
        FROM base CROSS JOIN LATERAL unnest(base.topic_closure) AS t(topic) GROUP BY 2, 3 \
    UNION ALL SELECT 'scope', base.scope, '', count(*) FROM base GROUP BY 2 \
    UNION ALL SELECT 'country', c.country, '', count(*) \
        FROM base CROSS JOIN LATERAL unnest(base.countries) AS c(country) GROUP BY 2 \
    UNION ALL SELECT 'expert-topic', t.topic, '', count(*) \
        FROM experts e CROSS JOIN LATERAL unnest(e.topic_closure) AS t(topic) WHERE e.deleted_at IS NULL GROUP BY 2 \
    UNION ALL SELECT 'expert-total', '', '', count(*) FROM experts e WHERE e.deleted_at IS NULL \
    UNION ALL SELECT 'organisation-type', o.organisation_type, '', count(*) \
        FROM organisations o WHERE o.deleted_at IS NULL GROUP BY 2";

/// The overview of the initiatives `list` selects (its filters and search),
/// with the experts' and organisations' figures.
pub async fn overview(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    list: &ListRequest<InitiativeFilter>,
) -> ApiResult<Overview> {
    let spec = &Initiatives::TABLE;
    let search = text::for_table(conn, list.search.as_ref(), spec.table).await?;

    let mut set = Sql::default();
    push_set(&mut set, &spec.from(), &list.filter, search.as_ref(), None);
    let sql = set
        .prefixed("WITH base AS MATERIALIZED (SELECT r.scope, r.countries, r.topic_closure")
        .suffixed(sql!(") ", FIGURES));
    let cells: Vec<Cell> = sql.into_query().load(conn).await?;
    let figure = |name: &'static str| cells.iter().filter(move |c| c.figure == name);
    let matrix = figure("matrix");
    let scopes = figure("scope");
    let countries = figure("country");
    let expert_topics: Vec<&Cell> = figure("expert-topic").collect();
    let expert_total = figure("expert-total");
    let organisation_types = figure("organisation-type");

    let mut rows: BTreeMap<&str, ScopeCounts> = BTreeMap::new();
    for cell in matrix {
        rows.entry(cell.a.as_str())
            .or_default()
            .add(&cell.b, cell.count)?;
    }
    let mut by_scope = ScopeCounts::default();
    for cell in scopes {
        by_scope.add(&cell.a, cell.count)?;
    }
    let by_topic_and_scope = vocabulary
        .all()
        .iter()
        .map(|topic| {
            let scopes = rows.get(topic.slug.as_str()).cloned().unwrap_or_default();
            TopicRow {
                topic: TopicRef {
                    slug: topic.slug.clone(),
                    label: topic.label.clone(),
                },
                parent: topic.parent.clone(),
                total: scopes.national + scopes.european + scopes.international,
                scopes,
            }
        })
        .collect();
    let mut by_country: Vec<CountryCount> = countries
        .map(|c| CountryCount {
            country: c.a.clone(),
            count: c.count,
        })
        .collect();
    by_country.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.country.cmp(&y.country))
    });
    let expert_counts: BTreeMap<&str, i64> = expert_topics
        .iter()
        .map(|c| (c.a.as_str(), c.count))
        .collect();
    let mut by_type = organisation_types
        .map(|c| {
            Ok(TypeCount {
                organisation_type: stored(&c.a, OrganisationType::parse)?,
                count: c.count,
            })
        })
        .collect::<ApiResult<Vec<TypeCount>>>()?;
    by_type.sort_by(|x, y| {
        y.count.cmp(&x.count).then_with(|| {
            x.organisation_type
                .as_str()
                .cmp(y.organisation_type.as_str())
        })
    });

    let overview = Overview {
        initiatives: InitiativeOverview {
            total: by_scope.national + by_scope.european + by_scope.international,
            by_topic_and_scope,
            by_scope,
            by_country,
        },
        experts: ExpertOverview {
            total: expert_total.map(|c| c.count).sum(),
            by_topic: vocabulary
                .all()
                .iter()
                .map(|t| TopicCount {
                    topic: TopicRef {
                        slug: t.slug.clone(),
                        label: t.label.clone(),
                    },
                    count: expert_counts.get(t.slug.as_str()).copied().unwrap_or(0),
                })
                .collect(),
        },
        organisations: OrganisationOverview {
            total: by_type.iter().map(|t| t.count).sum(),
            by_type,
        },
    };
    Ok(overview)
}
