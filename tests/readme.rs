//! The README's examples are tests. Every ```sh block runs, in order, in one
//! bash process in a temporary folder, against two fresh servers started
//! from the built binary: the tour's empty registry (the README's port
//! 8080) and a demo registry (8081), each on a new database. A ```text block
//! right after an example lists lines its output must contain, in order
//! (`…` stands for any text). A variable an example sets from a command
//! (`NEN=$(…)`) must not be empty or `null`. ```bash blocks (installing,
//! building, starting the servers) are shown, not run: this harness does
//! what they say.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::sql_query;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// What the README says, and what the harness puts in its place.
const TOUR_PORT: &str = "127.0.0.1:8080";
const DEMO_PORT: &str = "127.0.0.1:8081";
const TOUR_DATABASE: &str = "postgres://postgres@127.0.0.1:5432/aimd_tour";
const DEMO_DATABASE: &str = "postgres://postgres@127.0.0.1:5432/aimd_demo";

/// The servers' addresses and databases.
struct Places {
    tour: String,
    demo: String,
    tour_database: String,
    demo_database: String,
}

impl Places {
    /// `text` with the README's addresses and databases replaced by these.
    fn localise(&self, text: &str) -> String {
        text.replace(TOUR_PORT, &self.tour)
            .replace(DEMO_PORT, &self.demo)
            .replace(TOUR_DATABASE, &self.tour_database)
            .replace(DEMO_DATABASE, &self.demo_database)
    }
}

/// One runnable example and the output lines it promises.
struct Example {
    line: usize,
    code: String,
    expected: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut lines = readme.lines().enumerate().peekable();
    while let Some((number, line)) = lines.next() {
        let fence = line.trim_end();
        if fence != "```sh" && fence != "```text" {
            continue;
        }
        let mut body = Vec::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_end() == "```" {
                break;
            }
            body.push(inner.to_owned());
        }
        if fence == "```sh" {
            found.push(Example {
                line: number + 1,
                code: body.join("\n"),
                expected: Vec::new(),
            });
        } else if let Some(example) = found.last_mut().filter(|e| e.expected.is_empty()) {
            example.expected = body.into_iter().filter(|l| !l.trim().is_empty()).collect();
        }
    }
    found
}

/// Whether `actual` matches `pattern`, where `…` stands for any text.
fn glob(pattern: &str, actual: &str) -> bool {
    let pieces: Vec<&str> = pattern.trim().split('…').collect();
    let mut rest = actual.trim();
    let last = pieces.len() - 1;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(piece) else {
                return false;
            };
            rest = after;
        } else if i == last {
            return rest.ends_with(piece);
        } else {
            let Some(at) = rest.find(piece) else {
                return false;
            };
            rest = &rest[at + piece.len()..];
        }
    }
    rest.is_empty()
}

/// The expected lines not found, in order, in `output`.
fn missing<'a>(expected: &'a [String], output: &str) -> Option<&'a str> {
    let mut actual = output.lines();
    expected
        .iter()
        .find(|line| !actual.by_ref().any(|a| glob(line, a)))
        .map(String::as_str)
}

/// Variables an example sets from a command's output (`NAME=$(…)` alone on
/// its line, not `NAME=$(…) command`, which sets it for the command only).
fn captured_variables(code: &str) -> Vec<&str> {
    code.lines()
        .filter_map(|line| line.trim_start().split_once("=$("))
        .filter(|(name, _)| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .filter(|(_, rest)| {
            let mut depth = 1;
            for (at, c) in rest.char_indices() {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                if depth == 0 {
                    return rest[at + 1..].trim().is_empty();
                }
            }
            true
        })
        .map(|(name, _)| name)
        .collect()
}

fn script(examples: &[Example], places: &Places) -> String {
    let mut script = String::from("set -eo pipefail\n");
    for (index, example) in examples.iter().enumerate() {
        script.push_str(&format!("printf '\\n@@example {index}@@\\n'\n"));
        let code = places.localise(&example.code);
        script.push_str(&code);
        script.push('\n');
        for name in captured_variables(&example.code) {
            script.push_str(&format!(
                "if [ -z \"${name}\" ] || [ \"${name}\" = null ]; then \
                 echo \"README line {}: {name} is empty\" >&2; exit 97; fi\n",
                example.line
            ));
        }
    }
    script.push_str("printf '\\n@@example end@@\\n'\n");
    script
}

mod common;

use common::database_url;

fn free_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").to_string()
}

/// A running `aimd-registry serve`, stopped when dropped.
struct Server(Child);

impl Server {
    fn start(database: &str, bind: &str, demo: bool, logs: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aimd-registry"));
        command
            .arg("serve")
            .env("DATABASE_URL", database)
            .env("AIMD_BIND", bind)
            .env("AIMD_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("AIMD_DEMO", if demo { "true" } else { "false" })
            .env("AIMD_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(logs).expect("log file"));
        let server = Self(command.spawn().expect("aimd-registry starts"));
        let started = Instant::now();
        while std::net::TcpStream::connect(bind).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server on {bind} did not start; see {}",
                logs.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn drop_database(name: &str) {
    let (maintenance, _) = aimd_registry::db::maintenance_url(&database_url(name)).unwrap();
    if let Ok(mut conn) = AsyncPgConnection::establish(&maintenance).await {
        let quoted = aimd_registry::db::quote_identifier(name);
        let _ = sql_query(format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_runs_as_written() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let examples = examples(&readme);
    assert!(examples.len() > 20, "{} examples found", examples.len());

    let folder =
        std::env::temp_dir().join(format!("aimd-readme-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir(&folder).unwrap();
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let (tour_db, demo_db) = (
        format!("aimd_readme_{suffix}"),
        format!("aimd_readme_demo_{suffix}"),
    );
    let places = Places {
        tour: free_address(),
        demo: free_address(),
        tour_database: database_url(&tour_db),
        demo_database: database_url(&demo_db),
    };
    let outcome = {
        let _tour = Server::start(
            &places.tour_database,
            &places.tour,
            false,
            &folder.join("tour.log"),
        );
        let _demo = Server::start(
            &places.demo_database,
            &places.demo,
            true,
            &folder.join("demo.log"),
        );
        let script_path = folder.join("readme.sh");
        std::fs::write(&script_path, script(&examples, &places)).unwrap();
        let work = folder.join("work");
        std::fs::create_dir(&work).unwrap();
        Command::new("bash")
            .arg(&script_path)
            .current_dir(&work)
            .env("REGISTRY", env!("CARGO_BIN_EXE_aimd-registry"))
            .env("DATABASE_URL", &places.tour_database)
            .env_remove("AIMD_LOG_FORMAT")
            .output()
            .expect("bash runs")
    };
    drop_database(&tour_db).await;
    drop_database(&demo_db).await;

    let stdout = String::from_utf8_lossy(&outcome.stdout);
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    let outputs: Vec<&str> = stdout.split("\n@@example ").skip(1).collect();
    if std::env::var_os("README_SHOW").is_some() {
        println!("{stdout}");
    }
    // Every example that finished printed what the README promises.
    for (example, output) in examples
        .iter()
        .zip(&outputs[..outputs.len().saturating_sub(1)])
    {
        let output = output.split_once("@@\n").map_or("", |(_, body)| body);
        let expected: Vec<String> = example
            .expected
            .iter()
            .map(|l| places.localise(l))
            .collect();
        if let Some(line) = missing(&expected, output) {
            panic!(
                "README line {}: the output has no line like\n  {line}\nafter the lines before it.\n--- example ---\n{}\n--- output ---\n{output}",
                example.line, example.code
            );
        }
    }
    if !outcome.status.success() {
        let failed = outputs.len().saturating_sub(1);
        let (line, code) = examples
            .get(failed)
            .map_or((0, ""), |e| (e.line, e.code.as_str()));
        panic!(
            "README line {line}: the example failed (exit {:?}):\n{code}\n--- its output ---\n{}\n--- stderr ---\n{stderr}",
            outcome.status.code(),
            outputs.last().unwrap_or(&"")
        );
    }
    assert!(
        outcome.status.success(),
        "the README's examples failed:\n{stderr}"
    );
    assert_eq!(outputs.len(), examples.len() + 1, "every example ran");
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn expected_lines_match_with_ellipses() {
    assert!(glob("{\"total\": …}", "  {\"total\": 3}"));
    assert!(glob("a…c…e", "abcde"));
    assert!(!glob("a…c", "abcd"));
    assert!(glob("exact", "exact"));
    assert!(!glob("exact", "exactly"));
    let expected = vec!["one".to_owned(), "thr…".to_owned()];
    assert_eq!(missing(&expected, "one\ntwo\nthree"), None);
    assert_eq!(missing(&expected, "three\none"), Some("thr…"));
    assert_eq!(
        captured_variables("NEN=$(curl …)\nx=$(y)\n  ANNA=$(z)"),
        ["NEN", "ANNA"]
    );
}
