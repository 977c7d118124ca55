//! Candidates for "similar records", from the index: records whose text is
//! like a record's (a more-like-this query: the record's own most telling
//! words, weighted by how rare they are), and records that share its topics,
//! regulations or linked records; then their records, as the caller may
//! see them, compared with the record by `domain::similar`.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};
use uuid::Uuid;

use super::{Reading, index_error};
use crate::auth::Audience;
use crate::domain::initiatives::Initiative;
use crate::domain::page::{Page, PageRequest, cut};
use crate::domain::similar::{
    Comparison, INITIATIVE_WORDS, ORGANISATION_WORDS, OrganisationBrief, Profile,
    SimilarInitiative, SimilarOrganisation, Words, compare,
};
use crate::domain::suggestions::InitiativeBrief;
use crate::domain::summaries::LocalizedText;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::initiatives::Initiatives;
use crate::store::organisations::Organisations;
use crate::store::records::{self, Kind, StoredKind};
use crate::store::similar::OrganisationProfile;

/// Candidates read per way of finding them.
pub const CANDIDATES: usize = 50;

/// The record's text, by language: its title or name (with acronym), and
/// its summary or description.
#[derive(Debug, Default)]
pub struct RecordText {
    pub name_en: Vec<String>,
    pub name_nl: Vec<String>,
    pub text_en: Vec<String>,
    pub text_nl: Vec<String>,
}

/// What the record links to and is tagged with, as the index holds them.
#[derive(Debug, Default)]
pub struct RecordTerms {
    /// With their broader topics, as the index holds a record's topics.
    pub topics: Vec<String>,
    pub regulations: Vec<String>,
    pub linked: Vec<Uuid>,
}

/// Must: a record of `kind`, not `except`, visible to `audience`.
fn scope(
    reading: &Reading,
    kind: Kind,
    except: Uuid,
    audience: Audience,
) -> Vec<(Occur, Box<dyn Query>)> {
    let fields = reading.fields();
    let exact = |term: Term| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        ))
    };
    let mut clauses = vec![
        (
            Occur::Must,
            exact(Term::from_field_text(fields.kind, kind.noun())),
        ),
        (
            Occur::MustNot,
            exact(Term::from_field_text(fields.id, &except.to_string())),
        ),
    ];
    if audience == Audience::Public {
        clauses.push((
            Occur::Must,
            exact(Term::from_field_bool(fields.public, true)),
        ));
    }
    clauses
}

/// Runs `query` and returns the ids of the best `CANDIDATES` with their
/// scores.
fn best(reading: &Reading, query: &dyn Query) -> ApiResult<Vec<(Uuid, f32)>> {
    let searcher = reading.searcher();
    let top = searcher
        .search(query, &TopDocs::with_limit(CANDIDATES).order_by_score())
        .map_err(index_error)?;
    let mut found = Vec::with_capacity(top.len());
    for (score, address) in top {
        let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
        let id = doc
            .get_first(reading.fields().id)
            .and_then(|v| v.as_str())
            .and_then(|id| Uuid::try_parse(id).ok())
            .ok_or_else(|| ApiError::internal("an index document without its id"))?;
        found.push((id, score));
    }
    Ok(found)
}

/// Records of `kind` whose text is most like `text`, with the
/// more-like-this score.
pub fn like_text(
    reading: &Reading,
    kind: Kind,
    except: Uuid,
    audience: Audience,
    text: &RecordText,
) -> ApiResult<Vec<(Uuid, f32)>> {
    let f = reading.fields();
    let values = |texts: &[String]| -> Vec<OwnedValue> {
        texts.iter().map(|t| OwnedValue::Str(t.clone())).collect()
    };
    let text_fields: [(Field, &[String]); 6] = [
        (f.name_en, &text.name_en),
        (f.name_nl, &text.name_nl),
        (f.summary_en, &text.text_en),
        (f.summary_nl, &text.text_nl),
        (f.body_en, &text.text_en),
        (f.body_nl, &text.text_nl),
    ];
    let fields: Vec<(Field, Vec<OwnedValue>)> = text_fields
        .into_iter()
        .filter(|(_, texts)| !texts.is_empty())
        .map(|(field, texts)| (field, values(texts)))
        .collect();
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    // A record's text is short: a word that occurs once counts, and words
    // found in more than a fifth of the records tell little (in a small
    // registry, every word found in twenty or fewer still counts).
    let like = MoreLikeThisQuery::builder()
        .with_min_term_frequency(1)
        .with_min_doc_frequency(1)
        .with_max_doc_frequency((reading.searcher().num_docs() / 5).max(20))
        .with_min_word_length(3)
        .with_max_query_terms(30)
        .with_document_fields(fields);
    let mut clauses = scope(reading, kind, except, audience);
    clauses.push((Occur::Must, Box::new(like)));
    best(reading, &BooleanQuery::new(clauses))
}

/// Records of `kind` that share a topic, regulation or linked record with
/// the record, those that share most first.
pub fn sharing(
    reading: &Reading,
    kind: Kind,
    except: Uuid,
    audience: Audience,
    terms: &RecordTerms,
) -> ApiResult<Vec<(Uuid, f32)>> {
    let f = reading.fields();
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let one = |term: Term| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            1.0,
        ))
    };
    for topic in &terms.topics {
        any.push((Occur::Should, one(Term::from_field_text(f.topic, topic))));
    }
    for regulation in &terms.regulations {
        any.push((
            Occur::Should,
            one(Term::from_field_text(f.regulation, regulation)),
        ));
    }
    if !terms.linked.is_empty() {
        let linked = terms
            .linked
            .iter()
            .map(|id| Term::from_field_text(f.linked, &id.to_string()));
        any.push((Occur::Should, Box::new(TermSetQuery::new(linked))));
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    let mut clauses = scope(reading, kind, except, audience);
    clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    best(reading, &BooleanQuery::new(clauses))
}

/// A candidate's text score as a share of the best one's.
fn text_shares(found: &[(Uuid, f32)]) -> HashMap<Uuid, f64> {
    let best = found.iter().map(|(_, s)| *s).fold(0.0f32, f32::max);
    found
        .iter()
        .map(|(id, score)| {
            let share = if best > 0.0 {
                f64::from(*score / best)
            } else {
                0.0
            };
            (*id, share)
        })
        .collect()
}

/// Ranks the records `load`ed for the candidates' ids against `record`,
/// and cuts the page after `page.cursor`.
fn rank<T>(
    record: &Profile,
    candidates: Vec<(Uuid, Profile, T)>,
    texts: &HashMap<Uuid, f64>,
    vocabulary: &Vocabulary,
    words: &Words,
    page: &PageRequest,
) -> Page<(T, Comparison)> {
    let mut ranked: Vec<(Uuid, T, Comparison)> = candidates
        .into_iter()
        .map(|(id, profile, item)| {
            let text = texts.get(&id).copied().unwrap_or(0.0);
            let comparison = compare(vocabulary, record, &profile, text, words);
            (id, item, comparison)
        })
        .filter(|(_, _, c)| c.score > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.2.score.total_cmp(&a.2.score).then(a.0.cmp(&b.0)));
    let total = ranked.len() as i64;
    if let Some(cursor) = &page.cursor {
        let after: f64 = cursor
            .key
            .as_deref()
            .and_then(|k| k.parse().ok())
            .unwrap_or(f64::MAX);
        ranked.retain(|(id, _, c)| c.score < after || (c.score == after && *id > cursor.id));
    }
    let next = cut(&mut ranked, page.limit, SORT, |(id, _, c)| {
        (Some(format!("{:.4}", c.score)), *id)
    });
    Page {
        items: ranked.into_iter().map(|(_, item, c)| (item, c)).collect(),
        next,
        total,
        facets: None,
    }
}

/// The order similar records are paged in.
pub const SORT: &str = "similarity";

/// The candidates' ids, text matches first, each once.
fn candidate_ids(text: &[(Uuid, f32)], sharing: &[(Uuid, f32)]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = text.iter().chain(sharing).map(|(id, _)| *id).collect();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    ids
}

fn texts(localized: Option<&LocalizedText>) -> (Vec<String>, Vec<String>) {
    let en = localized.and_then(|t| t.en.clone()).into_iter().collect();
    let nl = localized.and_then(|t| t.nl.clone()).into_iter().collect();
    (en, nl)
}

/// Initiatives like the initiative `id`, as `audience` may see them.
pub async fn initiatives(
    reading: &Reading,
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    audience: Audience,
    page: &PageRequest,
) -> ApiResult<Page<SimilarInitiative>> {
    let record = records::find::<Initiatives>(conn, vocabulary, id, audience).await?;
    let (title_en, title_nl) = texts(Some(&record.title));
    let (summary_en, summary_nl) = texts(record.summary.as_ref());
    let acronym: Vec<String> = record.acronym.iter().cloned().collect();
    let text = RecordText {
        name_en: [title_en, acronym.clone()].concat(),
        name_nl: [title_nl, acronym].concat(),
        text_en: summary_en,
        text_nl: summary_nl,
    };
    let profile = |i: &Initiative| Profile {
        topics: i.topics.iter().map(|t| t.slug.clone()).collect(),
        kinds: i
            .regulations
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        links: i
            .organisations
            .iter()
            .map(|o| (o.id, o.name.clone()))
            .collect(),
    };
    let own = profile(&record);
    let terms = RecordTerms {
        topics: own.topics.clone(),
        regulations: own.kinds.clone(),
        linked: own.links.iter().map(|(id, _)| *id).collect(),
    };
    let by_text = like_text(reading, Kind::Initiative, id, audience, &text)?;
    let by_terms = sharing(reading, Kind::Initiative, id, audience, &terms)?;
    let ids = candidate_ids(&by_text, &by_terms);
    let loaded = Initiatives::load(conn, vocabulary, &ids, audience).await?;
    let candidates = loaded.into_iter().map(|i| (i.id, profile(&i), i)).collect();
    let texts = text_shares(&by_text);
    let ranked = rank(
        &own,
        candidates,
        &texts,
        vocabulary,
        &INITIATIVE_WORDS,
        page,
    );
    Ok(Page {
        items: ranked
            .items
            .into_iter()
            .map(|(i, c)| SimilarInitiative {
                initiative: InitiativeBrief {
                    id: i.id,
                    title: i.title,
                    acronym: i.acronym,
                    scope: i.scope,
                },
                score: c.score,
                reasons: c.reasons,
            })
            .collect(),
        next: ranked.next,
        total: ranked.total,
        facets: None,
    })
}

/// Organisations like the organisation `id`, as `audience` may see them.
pub async fn organisations(
    reading: &Reading,
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    audience: Audience,
    page: &PageRequest,
) -> ApiResult<Page<SimilarOrganisation>> {
    // The record's profile, or why it cannot be read (404, 308).
    let record = match crate::store::similar::organisation(conn, id).await? {
        Some(record) => record,
        None => {
            records::find::<Organisations>(conn, vocabulary, id, audience).await?;
            return Err(ApiError::internal("an organisation found, then not"));
        }
    };
    let names: Vec<String> = std::iter::once(record.name.clone())
        .chain(record.acronym.iter().cloned())
        .collect();
    let text = RecordText {
        name_en: names.clone(),
        name_nl: names,
        text_en: record.description_en.iter().cloned().collect(),
        text_nl: record.description_nl.iter().cloned().collect(),
    };
    let profile = |o: &OrganisationProfile| -> ApiResult<Profile> {
        Ok(Profile {
            topics: o.topics.clone(),
            kinds: vec![o.organisation_type.clone()],
            links: o
                .initiatives()?
                .into_iter()
                .map(|i| (i.id, i.name))
                .collect(),
        })
    };
    let own = profile(&record)?;
    let initiatives: Vec<Uuid> = own.links.iter().map(|(id, _)| *id).collect();
    let terms = RecordTerms {
        topics: own.topics.clone(),
        regulations: Vec::new(),
        linked: initiatives.clone(),
    };
    let by_text = like_text(reading, Kind::Organisation, id, audience, &text)?;
    let by_terms = sharing(reading, Kind::Organisation, id, audience, &terms)?;
    let ids = candidate_ids(&by_text, &by_terms);
    let loaded = crate::store::similar::organisations(conn, &ids, &initiatives).await?;
    let candidates = loaded
        .into_iter()
        .map(|o| Ok((o.id, profile(&o)?, o)))
        .collect::<ApiResult<Vec<_>>>()?;
    let texts = text_shares(&by_text);
    let ranked = rank(
        &own,
        candidates,
        &texts,
        vocabulary,
        &ORGANISATION_WORDS,
        page,
    );
    Ok(Page {
        items: ranked
            .items
            .into_iter()
            .map(|(o, c)| SimilarOrganisation {
                organisation: OrganisationBrief {
                    id: o.id,
                    name: o.name,
                    acronym: o.acronym,
                },
                score: c.score,
                reasons: c.reasons,
            })
            .collect(),
        next: ranked.next,
        total: ranked.total,
        facets: None,
    })
}
