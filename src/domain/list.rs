//! What a list request asks for besides its filters: search text, sort
//! order, facets and the page. The search index answers it
//! (`sync::index::find`); each list names the sorts and facets it offers
//! in a [`ListSpec`].

use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::input::FieldError;
use crate::domain::page::PageRequest;
use crate::domain::query::QueryReader;
use crate::domain::search::SearchText;
use crate::error::ApiResult;

/// The query keys every list accepts besides its own filters.
pub const LIST_KEYS: &[&str] = &["q", "sort", "facets", "limit", "cursor"];

/// A sort order a list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    /// As written in `sort=`, e.g. `-updatedAt`.
    pub name: &'static str,
    pub key: SortKey,
    pub descending: bool,
}

/// What a sort orders by, which decides the key its cursors carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Creation order (the time-ordered id alone).
    Id,
    /// The relevance of a text search.
    Relevance,
    /// The folded title or name.
    Name,
    /// When the record last changed (as the audience sees it).
    UpdatedAt,
    /// An initiative's start date; records without one come last.
    StartDate,
}

impl SortKey {
    /// Whether `key`, read from a cursor, is what this sort hands out.
    /// Checked before the key is used, so an edited cursor is a 400.
    fn accepts(self, key: &str) -> bool {
        if key.contains('\0') {
            return false;
        }
        match self {
            Self::Id => false,
            Self::Relevance => key.parse::<f32>().is_ok(),
            Self::Name => true,
            Self::UpdatedAt => {
                chrono::DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z").is_ok()
            }
            // Records without a date sort last, under an infinite one.
            Self::StartDate => {
                matches!(key, "infinity" | "-infinity")
                    || chrono::NaiveDate::parse_from_str(key, "%Y-%m-%d").is_ok()
            }
        }
    }
}

pub const BY_CREATION: SortSpec = SortSpec {
    name: "createdAt",
    key: SortKey::Id,
    descending: false,
};
pub const BY_RELEVANCE: SortSpec = SortSpec {
    name: "relevance",
    key: SortKey::Relevance,
    descending: true,
};
pub const BY_UPDATE: SortSpec = SortSpec {
    name: "-updatedAt",
    key: SortKey::UpdatedAt,
    descending: true,
};
/// The sorts of a list of named records (organisations, experts); the
/// spec documents them as `NameSort`.
pub const NAME_SORTS: &[SortSpec] = &[
    BY_RELEVANCE,
    SortSpec {
        name: "name",
        key: SortKey::Name,
        descending: false,
    },
    BY_UPDATE,
    BY_CREATION,
];

/// A facet a list counts: named after the filter it mirrors, which is
/// also the name of the index field it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetSpec {
    pub name: &'static str,
    /// Topic facets count a record for every broader topic too, and carry
    /// the topics' labels.
    pub topics: bool,
}

impl FacetSpec {
    pub const fn of(name: &'static str) -> Self {
        Self {
            name,
            topics: false,
        }
    }

    pub const TOPIC: Self = Self {
        name: "topic",
        topics: true,
    };
}

/// The sorts and facets a list offers.
#[derive(Debug)]
pub struct ListSpec {
    pub sorts: &'static [SortSpec],
    pub facets: &'static [FacetSpec],
}

/// A list request: its filter, and what else it asks for.
#[derive(Debug, Clone)]
pub struct ListRequest<F> {
    pub filter: F,
    /// Who is asking, which decides the records they may see.
    pub audience: Audience,
    pub search: Option<SearchText>,
    pub sort: SortSpec,
    pub facets: Vec<FacetSpec>,
    pub page: PageRequest,
}

impl<F> ListRequest<F> {
    /// Reads `q`, `sort`, `facets`, `limit` and `cursor`, the filter having
    /// been read by `read_filter`. Unknown keys were refused by the reader.
    pub fn read(
        mut query: QueryReader,
        spec: &ListSpec,
        audience: Audience,
        read_filter: impl FnOnce(&mut QueryReader) -> F,
    ) -> ApiResult<Self> {
        let filter = read_filter(&mut query);
        let search = query.one("q", SearchText::parse);
        let sort = query.one("sort", |raw| parse_sort(raw, spec.sorts));
        // `facets=scope&facets=topic` and `facets=scope,topic` alike.
        let mut facets: Vec<FacetSpec> = Vec::new();
        for chosen in query.many("facets", |raw| parse_facets(raw, spec.facets)) {
            for facet in chosen {
                if !facets.contains(&facet) {
                    facets.push(facet);
                }
            }
        }
        let page = PageRequest::read(&mut query);
        let sort = sort.unwrap_or(if search.is_some() {
            BY_RELEVANCE
        } else {
            BY_CREATION
        });
        if sort.key == SortKey::Relevance && search.is_none() {
            query.error(
                "sort",
                "needs-query",
                "sorting by relevance needs a search query (q)",
            );
        }
        if let Some(cursor) = &page.cursor
            && cursor.sort != sort.name
        {
            query.error(
                "cursor",
                "invalid-cursor",
                "belongs to a walk in another sort order",
            );
        } else if let Some(key) = page.cursor.as_ref().and_then(|c| c.key.as_deref())
            && !sort.key.accepts(key)
        {
            query.error(
                "cursor",
                "invalid-cursor",
                "is not a cursor this API handed out",
            );
        }
        query.finish()?;
        Ok(Self {
            filter,
            audience,
            search,
            sort,
            facets,
            page,
        })
    }
}

fn parse_sort(raw: &str, sorts: &[SortSpec]) -> Result<SortSpec, FieldError> {
    sorts
        .iter()
        .find(|s| s.name == raw.trim())
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = sorts.iter().map(|s| s.name).collect();
            FieldError::new(
                "unknown-value",
                format!("'{raw}' is not one of: {}", names.join(", ")),
            )
        })
}

fn parse_facets(raw: &str, facets: &[FacetSpec]) -> Result<Vec<FacetSpec>, FieldError> {
    let mut chosen = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let facet = facets.iter().find(|f| f.name == name).ok_or_else(|| {
            let names: Vec<&str> = facets.iter().map(|f| f.name).collect();
            FieldError::new(
                "unknown-value",
                format!("'{name}' is not one of: {}", names.join(", ")),
            )
        })?;
        if !chosen.contains(facet) {
            chosen.push(*facet);
        }
    }
    Ok(chosen)
}

/// One record of a page: its id, and its sort key as the next page's
/// cursor carries it.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: Uuid,
    pub sort_key: Option<String>,
}

/// Puts records in the order their ids were found.
pub fn in_found_order<T>(ids: &[Uuid], records: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Vec<T> {
    let mut by_id: std::collections::HashMap<Uuid, T> =
        records.into_iter().map(|r| (id_of(&r), r)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

// The lists read `sort` through their `ListSpec`; these enums only document
// the values, and `tests/api/fields.rs` keeps the two equal.

/// How the initiative list can be ordered.
#[derive(utoipa::ToSchema)]
pub enum InitiativeSort {
    #[schema(rename = "relevance")]
    Relevance,
    #[schema(rename = "title")]
    Title,
    #[schema(rename = "-updatedAt")]
    LastUpdatedFirst,
    #[schema(rename = "startDate")]
    StartDate,
    #[schema(rename = "-startDate")]
    LatestStartFirst,
    #[schema(rename = "createdAt")]
    CreatedAt,
}

/// How the organisation and expert lists can be ordered.
#[derive(utoipa::ToSchema)]
pub enum NameSort {
    #[schema(rename = "relevance")]
    Relevance,
    #[schema(rename = "name")]
    Name,
    #[schema(rename = "-updatedAt")]
    LastUpdatedFirst,
    #[schema(rename = "createdAt")]
    CreatedAt,
}

/// What the initiative list can count (`facets`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "camelCase")]
pub enum InitiativeFacet {
    Scope,
    Topic,
    Country,
    Type,
    Status,
    Regulation,
}

/// What the organisation list can count (`facets`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "camelCase")]
pub enum OrganisationFacet {
    Type,
    Country,
    Topic,
}

/// What the expert list can count (`facets`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "camelCase")]
pub enum ExpertFacet {
    Country,
    Topic,
    Language,
}
