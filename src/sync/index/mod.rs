//! The in-process search index (issue 13): initiatives, organisations and
//! experts in one tantivy index held in memory, built from one snapshot of
//! the registry with the change-feed position it includes. Text is indexed
//! per language (English and Dutch stemming, accents and case folded);
//! what lists filter and facet on is kept as fast fields; every document
//! says whether the public may see it, so one index serves every audience.
//!
//! Built so far: the build and its report (`aimd-registry reindex`) and
//! catching up with the feed; following the feed in the server and serving
//! discovery from the index come next.

pub mod cache;
pub mod candidates;
mod document;
pub mod filters;
pub mod find;
pub mod live;
pub mod network;
pub mod overview;
pub mod participation;
mod query;
pub mod search;
pub mod similar;
mod snippet;
mod synonyms;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::store::index_rows::{self, IndexRow};
use crate::store::records::Kind;
use crate::sync::changes;
use crate::sync::snapshot;

/// The index's fields. Text fields come in an English and a Dutch form;
/// `name` holds titles, names and acronyms (ranked above the rest),
/// `summary` initiatives' summaries, `body` descriptions and biographies.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The id as text, to replace a record's document by.
    pub id: Field,
    /// What a search hit shows: the title or name, and the text its
    /// snippet is cut from, in English and in Dutch (stored, not indexed;
    /// each title falls back to the other language).
    pub title_en: Field,
    pub title_nl: Field,
    pub text_en: Field,
    pub text_nl: Field,
    /// The id's two halves, as fast fields (pages are ordered by id).
    pub id_high: Field,
    pub id_low: Field,
    pub kind: Field,
    pub public: Field,
    pub name_en: Field,
    pub name_nl: Field,
    /// Names, titles and acronyms folded but not stemmed, for typos.
    pub name_plain: Field,
    pub summary_en: Field,
    pub summary_nl: Field,
    pub body_en: Field,
    pub body_nl: Field,
    pub scope: Field,
    pub status: Field,
    pub record_type: Field,
    pub country: Field,
    pub regulation: Field,
    pub language: Field,
    /// The record's topics with their broader topics.
    pub topic: Field,
    /// The record's own topics only: suggestions weigh the topics one step
    /// away themselves, as the store scores them.
    pub own_topic: Field,
    /// An initiative's scope with each of its topics, `<scope>/<topic>`:
    /// the overview's topic × scope matrix.
    pub scope_topic: Field,
    /// Ids of the records it links to: an initiative's organisations and
    /// experts, an organisation's initiatives and experts, an expert's
    /// initiatives and organisations.
    pub linked: Field,
    /// An expert's initiatives' scopes and topics (see
    /// `store::index_rows::IndexRow::context`), for staff and for the public.
    pub context: Field,
    pub public_context: Field,
    /// An initiative's participants' countries, and how many participants
    /// it has (an expert: how many initiatives it takes part in), for staff
    /// and for the public (the participation view, suggestions).
    pub participant_country: Field,
    pub public_participant_country: Field,
    pub participants: Field,
    pub public_participants: Field,
    /// The folded title or name lists sort by.
    pub sort_key: Field,
    /// Days from the common era (`Datelike::num_days_from_ce`); a missing start is `i64::MIN`, a missing end
    /// `i64::MAX` (open-ended both ways).
    pub start_date: Field,
    pub end_date: Field,
    /// Microseconds since 1970, as staff and as the public see them.
    pub updated_at: Field,
    pub public_updated_at: Field,
}

const ENGLISH: &str = "aimd_en";
const DUTCH: &str = "aimd_nl";
const PLAIN: &str = "aimd_plain";
/// Words longer than this are not words a search would name.
const LONGEST_WORD: usize = 40;
const WRITER_MEMORY: usize = 100_000_000;
/// Records read per statement.
const BATCH: i64 = 2_000;

impl Fields {
    fn schema() -> (Schema, Self) {
        let mut schema = Schema::builder();
        let text = |language: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(language)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let fields = Self {
            id: schema.add_text_field("id", STRING | STORED),
            title_en: schema.add_text_field("title_en", STORED),
            title_nl: schema.add_text_field("title_nl", STORED),
            text_en: schema.add_text_field("text_en", STORED),
            text_nl: schema.add_text_field("text_nl", STORED),
            id_high: schema.add_u64_field("id_high", FAST),
            id_low: schema.add_u64_field("id_low", FAST),
            kind: schema.add_text_field("kind", STRING | FAST | STORED),
            public: schema.add_bool_field("public", INDEXED | FAST),
            name_en: schema.add_text_field("name_en", text(ENGLISH)),
            name_nl: schema.add_text_field("name_nl", text(DUTCH)),
            name_plain: schema.add_text_field("name_plain", text(PLAIN)),
            summary_en: schema.add_text_field("summary_en", text(ENGLISH)),
            summary_nl: schema.add_text_field("summary_nl", text(DUTCH)),
            body_en: schema.add_text_field("body_en", text(ENGLISH)),
            body_nl: schema.add_text_field("body_nl", text(DUTCH)),
            scope: schema.add_text_field("scope", STRING | FAST),
            status: schema.add_text_field("status", STRING | FAST),
            record_type: schema.add_text_field("type", STRING | FAST),
            country: schema.add_text_field("country", STRING | FAST),
            regulation: schema.add_text_field("regulation", STRING | FAST),
            language: schema.add_text_field("language", STRING | FAST),
            topic: schema.add_text_field("topic", STRING | FAST),
            own_topic: schema.add_text_field("own_topic", STRING),
            scope_topic: schema.add_text_field("scope_topic", FAST),
            linked: schema.add_text_field("linked", STRING),
            context: schema.add_text_field("context", STRING),
            public_context: schema.add_text_field("public_context", STRING),
            participant_country: schema.add_text_field("participant_country", STRING),
            public_participant_country: schema.add_text_field("public_participant_country", STRING),
            participants: schema.add_u64_field("participants", FAST),
            public_participants: schema.add_u64_field("public_participants", FAST),
            sort_key: schema.add_text_field("sort_key", FAST),
            start_date: schema.add_i64_field("start_date", FAST),
            end_date: schema.add_i64_field("end_date", FAST),
            updated_at: schema.add_i64_field("updated_at", FAST),
            public_updated_at: schema.add_i64_field("public_updated_at", FAST),
        };
        (schema.build(), fields)
    }
}

fn analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(language))
        .build()
}

/// Words folded but not stemmed: the form typos are measured against.
fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn index_error(error: tantivy::TantivyError) -> ApiError {
    ApiError::internal(format!("search index: {error}"))
}

/// What a search needs: the index, its fields and a reader. Shared by
/// every worker thread; the follower reloads the reader after each commit.
pub struct Reading {
    fields: Fields,
    index: Index,
    reader: IndexReader,
}

impl Reading {
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// A consistent view of the index to search.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Parses search text with tantivy's own syntax over the text fields of
    /// both languages (tests compare it with [`Self::text_query`]).
    pub fn query_parser(&self) -> tantivy::query::QueryParser {
        let f = &self.fields;
        tantivy::query::QueryParser::for_index(
            &self.index,
            vec![
                f.name_en,
                f.name_nl,
                f.summary_en,
                f.summary_nl,
                f.body_en,
                f.body_nl,
            ],
        )
    }
}

/// The index, its writer and the feed position it reflects.
pub struct SearchIndex {
    reading: Arc<Reading>,
    writer: IndexWriter<TantivyDocument>,
    position: i64,
}

/// What catching up did.
#[derive(Debug, Default)]
pub struct CaughtUp {
    /// Feed events applied.
    pub events: usize,
    /// The records whose rendering may have changed.
    pub touched: BTreeSet<Uuid>,
}

/// Events read from the feed per round of catching up.
const FEED_PAGE: i64 = 1_000;

/// What a build read and how long it took.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildReport {
    pub organisations: u64,
    pub experts: u64,
    pub initiatives: u64,
    /// Of all of them, those the public may see.
    pub public: u64,
    pub position: i64,
    pub took: Duration,
}

impl BuildReport {
    fn count(&mut self, kind: Kind, public: bool) {
        match kind {
            Kind::Organisation => self.organisations += 1,
            Kind::Expert => self.experts += 1,
            Kind::Initiative => self.initiatives += 1,
        }
        self.public += u64::from(public);
    }

    pub fn documents(&self) -> u64 {
        self.organisations + self.experts + self.initiatives
    }
}

impl SearchIndex {
    /// Builds the index from one snapshot of every live record (the
    /// documents say which the public may see).
    pub async fn build(conn: &mut AsyncPgConnection) -> ApiResult<(Self, BuildReport)> {
        let started = Instant::now();
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        index
            .tokenizers()
            .register(ENGLISH, analyzer(Language::English));
        index
            .tokenizers()
            .register(DUTCH, analyzer(Language::Dutch));
        index.tokenizers().register(PLAIN, plain_analyzer());
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer(WRITER_MEMORY).map_err(index_error)?;
        let mut report = BuildReport::default();
        let position = snapshot::begin(conn).await;
        let read = match position {
            Ok(position) => {
                report.position = position;
                let mut add = Adder {
                    writer: &writer,
                    fields: &fields,
                    report: &mut report,
                };
                add.kind(conn, Kind::Organisation).await?;
                add.kind(conn, Kind::Expert).await?;
                add.kind(conn, Kind::Initiative).await
            }
            Err(error) => Err(error),
        };
        snapshot::end(conn).await;
        read?;
        writer.commit().map_err(index_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        report.took = started.elapsed();
        let built = Self {
            reading: Arc::new(Reading {
                fields,
                index,
                reader,
            }),
            writer,
            position: report.position,
        };
        Ok((built, report))
    }

    /// Applies the change feed after the index's position: each changed
    /// record is read again and replaces its document, or leaves the index
    /// when it is no longer live, and so are the records linked to it.
    /// Reading current state makes this idempotent: applying an event twice
    /// changes nothing. A link change is an event of both records it
    /// joins. Says how many events were applied and which records'
    /// renderings they touched.
    pub async fn catch_up(&mut self, conn: &mut AsyncPgConnection) -> ApiResult<CaughtUp> {
        let mut caught_up = CaughtUp::default();
        loop {
            let page = changes::after(conn, self.position, None, FEED_PAGE, true).await?;
            if page.items.is_empty() {
                return Ok(caught_up);
            }
            let mut changed: BTreeMap<Kind, BTreeSet<Uuid>> = BTreeMap::new();
            for change in &page.items {
                changed
                    .entry(Kind::of_hit(change.kind))
                    .or_default()
                    .insert(change.id);
            }
            let mut linked = BTreeSet::new();
            for (kind, ids) in &changed {
                let ids: Vec<Uuid> = ids.iter().copied().collect();
                let rows = index_rows::among(conn, *kind, &ids).await?;
                linked.extend(rows.iter().flat_map(|row| row.linked.iter().copied()));
                self.replace(*kind, &ids, &rows)?;
                caught_up.touched.extend(ids);
            }
            // The records linked to a changed one depend on it: they embed
            // its summary (renderings), an expert carries its initiatives'
            // scopes and topics, and the public's time of change of a record
            // moves when a linked record's public view does, without an
            // event of its own.
            let changed: BTreeSet<Uuid> = changed.into_values().flatten().collect();
            let dependents: Vec<Uuid> = linked.difference(&changed).copied().collect();
            if !dependents.is_empty() {
                for kind in [Kind::Organisation, Kind::Expert, Kind::Initiative] {
                    let rows = index_rows::among(conn, kind, &dependents).await?;
                    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
                    self.replace(kind, &ids, &rows)?;
                }
                caught_up.touched.extend(dependents);
            }
            self.writer.commit().map_err(index_error)?;
            self.reading.reader.reload().map_err(index_error)?;
            caught_up.events += page.items.len();
            self.position = page.next;
        }
    }

    /// Replaces the documents of `ids` with those of `rows` (the ids
    /// without a row are no longer live and leave).
    fn replace(&mut self, kind: Kind, ids: &[Uuid], rows: &[IndexRow]) -> ApiResult<()> {
        let fields = self.reading.fields;
        for id in ids {
            self.writer
                .delete_term(Term::from_field_text(fields.id, &id.to_string()));
        }
        for row in rows {
            let doc = document::of(kind, row, &fields);
            self.writer.add_document(doc).map_err(index_error)?;
        }
        Ok(())
    }

    /// What searches read; its reader follows this index's commits.
    pub fn reading(&self) -> &Arc<Reading> {
        &self.reading
    }

    pub fn fields(&self) -> &Fields {
        &self.reading.fields
    }

    pub fn searcher(&self) -> Searcher {
        self.reading.searcher()
    }

    /// The change-feed position the index includes.
    pub fn position(&self) -> i64 {
        self.position
    }

    pub fn query_parser(&self) -> tantivy::query::QueryParser {
        self.reading.query_parser()
    }
}

/// Adds the records of one snapshot to the writer.
struct Adder<'a> {
    writer: &'a IndexWriter<TantivyDocument>,
    fields: &'a Fields,
    report: &'a mut BuildReport,
}

impl Adder<'_> {
    async fn kind(&mut self, conn: &mut AsyncPgConnection, kind: Kind) -> ApiResult<()> {
        let mut after = Uuid::nil();
        loop {
            let rows = index_rows::after(conn, kind, after, BATCH).await?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.id;
            for row in &rows {
                let doc = document::of(kind, row, self.fields);
                self.writer.add_document(doc).map_err(index_error)?;
                self.report.count(kind, row.public);
            }
        }
    }
}
