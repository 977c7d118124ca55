//! `/v1/overview`: the sector's overview in one response: initiatives per
//! topic and scope, per scope and per country; experts per topic;
//! organisations per type.

use crate::api::access::{Allowed, least};
use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::crud::Resource;
use crate::auth::Audience;
use crate::domain::enums::{OrganisationType, Scope};
use crate::domain::initiatives::InitiativeListQuery;
use crate::domain::input::FieldError;
use crate::domain::query::QueryReader;
use crate::domain::topics::TopicRef;
use crate::error::{ApiError, ApiResult};
use crate::sql::Sql;
use crate::store::discovery::{ListRequest, TableSpec, push_set, text};
use crate::store::initiatives::Initiatives;
use crate::store::records::StoredKind;

/// Initiative counts by scope.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ScopeCounts {
    pub national: i64,
    pub european: i64,
    pub international: i64,
}

/// A vocabulary value the overview's counts name; one the type does not
/// know is an error, not a guess.
fn stored<T>(text: &str, parse: fn(&str) -> Result<T, FieldError>) -> ApiResult<T> {
    parse(text).map_err(|_| ApiError::internal(format!("the database holds '{text}'")))
}

impl ScopeCounts {
    fn add(&mut self, scope: &str, count: i64) -> ApiResult<()> {
        match stored(scope, Scope::parse)? {
            Scope::National => self.national += count,
            Scope::European => self.european += count,
            Scope::International => self.international += count,
        }
        Ok(())
    }
}

/// One row of the topic × scope matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicRow {
    pub topic: TopicRef,
    /// The broader topic, if any; a row counts its narrower topics too.
    pub parent: Option<String>,
    pub scopes: ScopeCounts,
    /// Initiatives on this topic (each has one scope, so this is the row's sum).
    pub total: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryCount {
    #[schema(example = "NL")]
    pub country: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicCount {
    pub topic: TopicRef,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub organisation_type: OrganisationType,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiativeOverview {
    /// Initiatives matching the filters.
    pub total: i64,
    /// The topic × scope matrix: one row per topic, in vocabulary order.
    pub by_topic_and_scope: Vec<TopicRow>,
    /// Column totals: initiatives per scope.
    pub by_scope: ScopeCounts,
    /// Initiatives per country they name, most first.
    pub by_country: Vec<CountryCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpertOverview {
    pub total: i64,
    /// Experts per topic of expertise (narrower topics counted in broader ones).
    pub by_topic: Vec<TopicCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationOverview {
    pub total: i64,
    pub by_type: Vec<TypeCount>,
}

/// The overview. Initiative figures follow the filters; expert and
/// organisation figures cover the whole registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "initiatives": {
        "total": 3,
        "byTopicAndScope": [{
            "topic": {"slug": "algorithmic-bias", "label": {"en": "Algorithmic bias", "nl": "Bias van algoritmes"}},
            "parent": null,
            "scopes": {"national": 1, "european": 1, "international": 0},
            "total": 2
        }],
        "byScope": {"national": 1, "european": 1, "international": 1},
        "byCountry": [{"country": "NL", "count": 2}]
    },
    "experts": {"total": 12, "byTopic": [{"topic": {"slug": "privacy", "label": {"en": "Privacy", "nl": "Privacy"}}, "count": 4}]},
    "organisations": {"total": 8, "byType": [{"type": "standards-body", "count": 3}]}
}))]
pub struct Overview {
    pub initiatives: InitiativeOverview,
    pub experts: ExpertOverview,
    pub organisations: OrganisationOverview,
}

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

/// Overview of the registry
///
/// The matrix the sector asked for: initiatives per topic × scope (national,
/// European, international) with row and column totals, initiatives per
/// country, experts per topic and organisations per type. Accepts the
/// initiative list's filters and `q`, which narrow the initiative figures.
#[utoipa::path(
    tag = "overview",
    operation_id = "getOverview",
    params(InitiativeListQuery),
    responses((status = 200, description = "The overview", body = Overview))
)]
#[get("/overview")]
pub async fn overview(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let vocabulary = &state.vocabulary;
    let spec: &TableSpec = &Initiatives::TABLE;
    let keys: Vec<&str> = Initiatives::FILTER_KEYS
        .iter()
        .chain(&["q"])
        .copied()
        .collect();
    let query = QueryReader::new(request.query_string(), &keys);
    let audience = Audience::of_request(&request);
    let list = ListRequest::read(query, spec, audience, |q| {
        Initiatives::read_filter(q, vocabulary)
    })?;
    let mut conn = state.conn(audience).await?;
    Initiatives::check_filter(&mut conn, &list.filter).await?;
    let search = text::for_table(&mut conn, list.search.as_ref(), spec.table).await?;

    let mut set = Sql::default();
    push_set(&mut set, &spec.from(), &list.filter, search.as_ref(), None);
    let sql = set
        .prefixed("WITH base AS MATERIALIZED (SELECT r.scope, r.countries, r.topic_closure")
        .suffixed(&format!(") {FIGURES}"));
    let cells: Vec<Cell> = sql.into_query().load(&mut conn).await?;
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
    Ok(HttpResponse::Ok().json(overview))
}
