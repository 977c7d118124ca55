//! Connecting people and work: who to invite to an initiative, what an
//! expert could join. Each reads the record it starts from as the caller
//! may see it (so a record the caller cannot see is a 404, a merged one a
//! redirect), asks `pool` for the candidates that share its topics (the API
//! asks the search index), then a page of ranked candidates from the store.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::experts::Expert;
use crate::domain::initiatives::Initiative;
use crate::domain::page::{Page, PageRequest, cut};
use crate::domain::suggestions::{
    EXPERT_WEIGHTS, ExpertBrief, INITIATIVE_WEIGHTS, InitiativeBrief, SuggestedExpert,
    SuggestedInitiative, TopicReach, working_languages,
};
use crate::domain::summaries::LocalizedText;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::experts::Experts;
use crate::store::initiatives::Initiatives;
use crate::store::records;
use crate::store::suggestions::{self, Candidate, Pooled, Target};

/// The order suggestions are paged in; a cursor of another list is refused.
pub const SORT: &str = "score";

fn page_of<T>(
    mut found: Vec<Candidate>,
    page: &PageRequest,
    item: impl Fn(Candidate) -> ApiResult<T>,
) -> ApiResult<Page<T>> {
    let total = found.first().map_or(0, |c| c.total);
    let next = cut(&mut found, page.limit, SORT, |last| {
        (Some(format!("{:.4}", last.score)), last.id)
    });
    let items = found.into_iter().map(item).collect::<ApiResult<_>>()?;
    Ok(Page {
        items,
        next,
        total,
        facets: None,
    })
}

/// Experts to invite to the initiative `id`, best first. `pool` finds the
/// experts on its topics (or neighbouring ones), given the initiative, its
/// topics' reach and its working languages.
pub async fn experts_for_initiative(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    audience: Audience,
    page: &PageRequest,
    pool: impl FnOnce(&Initiative, &TopicReach, &[String]) -> ApiResult<Vec<Pooled>>,
) -> ApiResult<Page<SuggestedExpert>> {
    let initiative = records::find::<Initiatives>(conn, vocabulary, id, audience).await?;
    let topics = TopicReach::of(vocabulary, initiative.topics.iter().map(|t| t.slug.clone()));
    let languages = working_languages(initiative.scope, &initiative.countries);
    let pool = pool(&initiative, &topics, &languages)?;
    let target = Target {
        id,
        topics: &topics,
        countries: &initiative.countries,
        languages: &languages,
        weights: EXPERT_WEIGHTS,
        pool: &pool,
    };
    let found =
        suggestions::experts_for_initiative(conn, &target, page.cursor.as_ref(), page.limit + 1)
            .await?;
    page_of(found, page, |c| {
        Ok(SuggestedExpert {
            reasons: c.signals().reasons(vocabulary, "the initiative", None),
            score: c.score,
            expert: ExpertBrief {
                id: c.id,
                name: c.name.unwrap_or_default(),
                country: c.place,
                public_profile: c.public_profile,
            },
        })
    })
}

/// Initiatives the expert `id` could join, best first. `pool` finds the
/// active and planned initiatives on the expert's topics (or neighbouring
/// ones), given the expert and its topics' reach.
pub async fn initiatives_for_expert(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    audience: Audience,
    page: &PageRequest,
    pool: impl FnOnce(&Expert, &TopicReach) -> ApiResult<Vec<Pooled>>,
) -> ApiResult<Page<SuggestedInitiative>> {
    let expert = records::find::<Experts>(conn, vocabulary, id, audience).await?;
    let topics = TopicReach::of(vocabulary, expert.topics.iter().map(|t| t.slug.clone()));
    let pool = pool(&expert, &topics)?;
    let target = Target {
        id,
        topics: &topics,
        countries: &[],
        languages: &expert.languages,
        weights: INITIATIVE_WEIGHTS,
        pool: &pool,
    };
    let country = expert.country.as_deref();
    let found = suggestions::initiatives_for_expert(
        conn,
        &target,
        country,
        page.cursor.as_ref(),
        page.limit + 1,
    )
    .await?;
    page_of(found, page, |c| {
        let reasons = c.signals().reasons(vocabulary, "the expert", country);
        let scope = c
            .place
            .as_deref()
            .map(crate::domain::enums::Scope::parse)
            .transpose()
            .map_err(|e| ApiError::internal(e.reason))?
            .ok_or_else(|| ApiError::internal("an initiative without a scope"))?;
        Ok(SuggestedInitiative {
            reasons,
            score: c.score,
            initiative: InitiativeBrief {
                id: c.id,
                title: LocalizedText::new(c.name, c.name_nl),
                acronym: c.acronym,
                scope,
            },
        })
    })
}
