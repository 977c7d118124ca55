//! How good are the suggestions? Hides a fifth of the expert–initiative
//! links of a generated registry (bench/generate.sql, whose links follow
//! topics), asks for experts to invite to each initiative that lost some,
//! and measures how many of its hidden experts come back: recall@10 and
//! the mean reciprocal rank of the first one (MRR@10), beside a baseline
//! that suggests the most active experts on the initiative's topics.
//! Weights are tuned on one half of the initiatives and reported on the
//! other. It works on a copy of the database (`<name>_eval`, made from it
//! as a template and dropped at the end, so nothing may be connected to the
//! original): the links are hidden there for good before the search index
//! is built, so that neither stage knows them, as in a registry that never
//! had them.
//!
//!   cargo run --release --example suggest-eval -- [DATABASE_URL] [PER_HALF]
//!
//! (default postgres://postgres@127.0.0.1:5432/aimd_bench, 200 initiatives
//! per half).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use aimd_registry::auth::Audience;
use aimd_registry::domain::enums::Scope;
use aimd_registry::domain::suggestions::{EXPERT_WEIGHTS, TopicReach, Weights, working_languages};
use aimd_registry::store::suggestions::{Target, experts_for_initiative};
use aimd_registry::store::topics::load_vocabulary;
use aimd_registry::sync::index::SearchIndex;
use aimd_registry::sync::index::candidates;
use diesel::QueryableByName;
use diesel::sql_query;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(QueryableByName)]
struct Link {
    #[diesel(sql_type = SqlUuid)]
    initiative_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    expert_id: Uuid,
}

#[derive(QueryableByName)]
struct Facts {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(sql_type = Array<Text>)]
    countries: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    topics: Vec<String>,
}

#[derive(QueryableByName)]
struct Expert {
    #[diesel(sql_type = SqlUuid)]
    expert_id: Uuid,
}

/// Recall@10 and reciprocal rank of one ranking against the hidden experts.
fn measure(ranked: &[Uuid], hidden: &HashSet<Uuid>) -> (f64, f64) {
    let found = ranked
        .iter()
        .take(10)
        .filter(|id| hidden.contains(id))
        .count();
    let first = ranked.iter().take(10).position(|id| hidden.contains(id));
    (
        found as f64 / hidden.len() as f64,
        first.map_or(0.0, |rank| 1.0 / (rank + 1) as f64),
    )
}

#[derive(Default)]
struct Score {
    recall: f64,
    reciprocal: f64,
    count: usize,
    times: Vec<Duration>,
}

impl Score {
    fn add(&mut self, (recall, reciprocal): (f64, f64), took: Duration) {
        self.recall += recall;
        self.reciprocal += reciprocal;
        self.count += 1;
        self.times.push(took);
    }

    fn recall(&self) -> f64 {
        self.recall / self.count.max(1) as f64
    }

    fn mrr(&self) -> f64 {
        self.reciprocal / self.count.max(1) as f64
    }

    fn median_ms(&mut self) -> f64 {
        self.times.sort();
        self.times
            .get(self.times.len() / 2)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

struct Case {
    facts: Facts,
    hidden: HashSet<Uuid>,
}

/// Suggests as the API does for staff: candidates by topic from the
/// index, scored by the store with `weights`.
async fn suggest(
    conn: &mut AsyncPgConnection,
    index: &SearchIndex,
    vocabulary: &aimd_registry::domain::topics::Vocabulary,
    case: &Case,
    weights: Weights,
) -> Result<Vec<Uuid>, BoxError> {
    let scope = Scope::parse(&case.facts.scope).map_err(|e| e.reason)?;
    let topics = TopicReach::of(vocabulary, case.facts.topics.iter().cloned());
    let languages = working_languages(scope, &case.facts.countries);
    let pool = candidates::experts(
        index.reading(),
        Audience::Staff,
        case.facts.id,
        &topics,
        &case.facts.countries,
        &languages,
    )
    .map_err(|e| e.to_string())?;
    let target = Target {
        id: case.facts.id,
        topics: &topics,
        countries: &case.facts.countries,
        languages: &languages,
        weights,
        pool: &pool,
    };
    let found = experts_for_initiative(conn, &target, None, 10)
        .await
        .map_err(|e| e.to_string())?;
    Ok(found.into_iter().map(|c| c.id).collect())
}

/// The baseline: experts on one of the initiative's topics, most links first.
async fn most_active(conn: &mut AsyncPgConnection, case: &Case) -> Result<Vec<Uuid>, BoxError> {
    let found: Vec<Expert> = sql_query(
        "SELECT t.expert_id FROM expert_topics t \
         WHERE t.topic_slug = ANY($1) AND NOT EXISTS (SELECT 1 FROM initiative_experts x \
           WHERE x.initiative_id = $2 AND x.expert_id = t.expert_id) \
         GROUP BY t.expert_id \
         ORDER BY (SELECT count(*) FROM initiative_experts a WHERE a.expert_id = t.expert_id) DESC, t.expert_id \
         LIMIT 10",
    )
    .bind::<Array<Text>, _>(&case.facts.topics)
    .bind::<SqlUuid, _>(case.facts.id)
    .load(conn)
    .await?;
    Ok(found.into_iter().map(|e| e.expert_id).collect())
}

/// Weights with these shares for topics, activity and links (organisations
/// and colleagues alike), country and language as shipped, adding up to 1.
fn normalised(topic: f64, activity: f64, links: f64) -> Weights {
    let rest = EXPERT_WEIGHTS.country + EXPERT_WEIGHTS.language;
    let scale = (1.0 - rest) / (topic + activity + 2.0 * links);
    Weights {
        topic: topic * scale,
        activity: activity * scale,
        organisation: links * scale,
        colleagues: links * scale,
        ..EXPERT_WEIGHTS
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/aimd_bench".to_owned());
    let per_half: usize = args.next().map_or(Ok(200), |n| n.parse())?;
    let (maintenance, source) = aimd_registry::db::maintenance_url(&url)?;
    let copy = format!("{source}_eval");
    let mut admin = AsyncPgConnection::establish(&maintenance).await?;
    let drop_copy = format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        aimd_registry::db::quote_identifier(&copy)
    );
    admin.batch_execute(&drop_copy).await?;
    let started = Instant::now();
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {}",
            aimd_registry::db::quote_identifier(&copy),
            aimd_registry::db::quote_identifier(&source)
        ))
        .await?;
    println!(
        "copied {source} to {copy} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let copy_url = url.replacen(&format!("/{source}"), &format!("/{copy}"), 1);
    let outcome = evaluate(&copy_url, per_half).await;
    admin.batch_execute(&drop_copy).await?;
    outcome
}

async fn evaluate(url: &str, per_half: usize) -> Result<(), BoxError> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    let vocabulary = load_vocabulary(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let links: i64 = {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            count: i64,
        }
        sql_query("SELECT count(*) AS count FROM initiative_experts")
            .get_result::<Count>(&mut conn)
            .await?
            .count
    };
    // A fixed fifth, chosen by a hash of the pair: the same on every run.
    let hidden: Vec<Link> = sql_query(
        "DELETE FROM initiative_experts \
         WHERE ('x' || substr(md5(initiative_id::text || expert_id::text), 1, 8))::bit(32)::bigint % 5 = 0 \
         RETURNING initiative_id, expert_id",
    )
    .load(&mut conn)
    .await?;
    conn.batch_execute("ANALYZE initiative_experts").await?;
    // Candidates by topic come from the index, as in the API, built now:
    // the hidden links are not among the links it excludes.
    let (index, report) = SearchIndex::build(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    println!("index built: {} documents", report.documents());
    let mut by_initiative: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for link in &hidden {
        by_initiative
            .entry(link.initiative_id)
            .or_default()
            .insert(link.expert_id);
    }
    // Halves by a hash of the id, and a sample of each.
    let mut ids: Vec<Uuid> = by_initiative.keys().copied().collect();
    ids.sort_by_key(|id| {
        id.as_u128()
            .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    });
    let (tune_ids, test_ids): (Vec<Uuid>, Vec<Uuid>) =
        ids.iter().partition(|id| id.as_u128() % 2 == 0);
    let sample = |ids: Vec<Uuid>| ids.into_iter().take(per_half).collect::<Vec<_>>();
    let load = async |conn: &mut AsyncPgConnection,
                      ids: Vec<Uuid>|
           -> Result<Vec<Case>, BoxError> {
        let facts: Vec<Facts> = sql_query(
            "SELECT i.id, i.scope, i.countries, \
               ARRAY(SELECT t.topic_slug FROM initiative_topics t WHERE t.initiative_id = i.id) AS topics \
             FROM initiatives i WHERE i.id = ANY($1) ORDER BY i.id",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .load(conn)
        .await?;
        Ok(facts
            .into_iter()
            .map(|facts| Case {
                hidden: by_initiative[&facts.id].clone(),
                facts,
            })
            .collect())
    };
    let tune = load(&mut conn, sample(tune_ids)).await?;
    let test = load(&mut conn, sample(test_ids)).await?;
    println!(
        "hidden {} of {links} expert-initiative links, from {} initiatives; {} to tune on, {} to test on",
        hidden.len(),
        by_initiative.len(),
        tune.len(),
        test.len()
    );

    let mut best: Option<(f64, Weights)> = None;
    for topic in [0.25, 0.35] {
        for activity in [0.2, 0.4] {
            for links in [0.1, 0.3, 0.5] {
                let weights = normalised(topic, activity, links);
                let mut score = Score::default();
                for case in &tune {
                    let started = Instant::now();
                    let ranked = suggest(&mut conn, &index, &vocabulary, case, weights).await?;
                    score.add(measure(&ranked, &case.hidden), started.elapsed());
                }
                println!(
                    "tune  topic {:.3} activity {:.3} organisation/colleagues {:.3}: recall@10 {:.3}, MRR@10 {:.3}",
                    weights.topic,
                    weights.activity,
                    weights.organisation,
                    score.recall(),
                    score.mrr()
                );
                if best.is_none_or(|(mrr, _)| score.mrr() > mrr) {
                    best = Some((score.mrr(), weights));
                }
            }
        }
    }
    let (_, tuned) = best.ok_or("nothing to tune on")?;

    let mut report = Vec::new();
    for (name, weights) in [
        ("shipped", Some(EXPERT_WEIGHTS)),
        ("tuned", Some(tuned)),
        ("baseline", None),
    ] {
        let mut score = Score::default();
        for case in &test {
            let started = Instant::now();
            let ranked = match weights {
                Some(weights) => suggest(&mut conn, &index, &vocabulary, case, weights).await?,
                None => most_active(&mut conn, case).await?,
            };
            score.add(measure(&ranked, &case.hidden), started.elapsed());
        }
        report.push(format!(
            "test  {name:<8} recall@10 {:.3}  MRR@10 {:.3}  median {:.1} ms{}",
            score.recall(),
            score.mrr(),
            score.median_ms(),
            weights.map_or_else(String::new, |w| format!(
                "  (topic {:.3}, activity {:.3}, organisation {:.3}, colleagues {:.3}, country {:.2}, language {:.2})",
                w.topic, w.activity, w.organisation, w.colleagues, w.country, w.language
            ))
        ));
    }
    for line in report {
        println!("{line}");
    }
    Ok(())
}
