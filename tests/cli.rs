//! The command line as a newcomer meets it: the built binary, run with
//! wrong settings, a missing or unmigrated database and a taken port, must
//! say what is wrong and where to change it, and change nothing.

use std::process::{Command, Output};

use diesel::sql_query;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

mod common;

use common::{database_url, server_url};

/// The load test and the tests that load the demo into a server of their
/// own take turns: on two cores, a demo loading beside the load test made
/// its requests wait past their deadline (a 503 in CI).
static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// The binary with a clean environment of settings.
fn registry(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aimd-registry"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AIMD_") {
            command.env_remove(key);
        }
    }
    command
        .env("DATABASE_URL", database)
        .current_dir(std::env::temp_dir());
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn maintenance() -> AsyncPgConnection {
    let (url, _) = aimd_registry::db::maintenance_url(&server_url()).unwrap();
    AsyncPgConnection::establish(&url)
        .await
        .expect("PostgreSQL")
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn database_exists(name: &str) -> bool {
    let found: Count = sql_query(format!(
        "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result(&mut maintenance().await)
    .await
    .unwrap();
    found.n == 1
}

async fn drop_database(name: &str) {
    let quoted = aimd_registry::db::quote_identifier(name);
    sql_query(format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        .execute(&mut maintenance().await)
        .await
        .unwrap();
}

#[tokio::test]
async fn commands_on_a_registry_refuse_a_database_that_is_not_one() {
    let name = unique_name("aimd_cli_missing");
    for args in [
        &["keys", "list"][..],
        &["export", "initiatives"],
        &["import", "/dev/null"],
    ] {
        let output = registry(&database_url(&name)).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let said = stderr(&output);
        assert!(
            said.contains(&format!("database '{name}'")) && said.contains("does not exist"),
            "{args:?}: {said}"
        );
        assert!(
            !database_exists(&name).await,
            "{args:?} created the database"
        );
    }

    // An empty database (made by hand, never migrated) is refused too.
    let quoted = aimd_registry::db::quote_identifier(&name);
    sql_query(format!("CREATE DATABASE {quoted}"))
        .execute(&mut maintenance().await)
        .await
        .unwrap();
    let output = registry(&database_url(&name))
        .args(["keys", "list"])
        .output()
        .unwrap();
    let said = stderr(&output);
    drop_database(&name).await;
    assert!(!output.status.success());
    assert!(
        said.contains("migration(s) to apply") && said.contains("aimd-registry migrate"),
        "{said}"
    );
}

#[tokio::test]
async fn settings_are_forgiving_in_form_and_name_their_variable_when_wrong() {
    let nowhere = database_url("aimd_cli_unused");
    let wrong = registry(&nowhere)
        .arg("serve")
        .env("AIMD_POOL_SIZE", "many")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let said = stderr(&wrong);
    assert!(
        said.contains("--pool-size") && said.contains("AIMD_POOL_SIZE"),
        "{said}"
    );

    // `YES` is a yes; the start then stops at the address, which it names
    // with its variable, before touching any database.
    let name = unique_name("aimd_cli_bind");
    let output = registry(&database_url(&name))
        .arg("serve")
        .env("AIMD_NO_MIGRATE", "YES")
        .env("AIMD_DEMO", "0")
        .env("AIMD_BIND", "localhost")
        .output()
        .unwrap();
    let said = stderr(&output);
    assert!(!output.status.success());
    assert!(
        said.contains("AIMD_BIND or --bind") && said.contains("'localhost'"),
        "{said}"
    );
    assert!(!database_exists(&name).await);

    // `.env` in the working directory is read.
    let folder = std::env::temp_dir().join(unique_name("aimd_cli_dotenv"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join(".env"), "AIMD_BIND=from-dotenv\n").unwrap();
    let output = registry(&nowhere)
        .arg("serve")
        .current_dir(&folder)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    assert!(
        stderr(&output).contains("'from-dotenv'"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_named_with_where_it_was_looked_for() {
    let output = registry("postgres://postgres@127.0.0.1:9/aimd_nowhere")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(
        said.contains("database 'aimd_nowhere' on 127.0.0.1:9")
            && said.contains("nothing answers on 127.0.0.1:9")
            && said.contains("DATABASE_URL"),
        "{said}"
    );
}

#[tokio::test]
async fn a_taken_port_is_named_and_the_demo_is_not_loaded() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let name = unique_name("aimd_cli_port");
    let output = registry(&database_url(&name))
        .args(["serve", "--demo", "--bind", &address])
        .output()
        .unwrap();
    let said = stderr(&output);
    let loaded: Count = sql_query("SELECT count(*) AS n FROM initiatives")
        .get_result(
            &mut AsyncPgConnection::establish(&database_url(&name))
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    drop_database(&name).await;
    assert!(!output.status.success());
    assert!(
        said.contains(&format!("cannot listen on {address} (AIMD_BIND or --bind)")),
        "{said}"
    );
    assert_eq!(
        loaded.n, 0,
        "the demo data was loaded before the port was known to be free"
    );
    // Logs written to a file carry no colour codes.
    assert!(!said.contains('\u{1b}'), "{said}");
}

/// `config check` prints every setting `serve` would use, where it came
/// from and never the database password; a bad setting is named, and
/// nothing is contacted either way.
#[test]
fn config_check_prints_the_effective_configuration_without_secrets() {
    let output = registry("postgres://registry:s3cret@db.example:5432/aimd")
        .env("AIMD_RATE_LIMIT", "50")
        .args(["config", "check", "--bind", "0.0.0.0:8080"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(!printed.contains("s3cret"), "{printed}");
    let in_query = registry("postgres://registry@db.example/aimd?password=s3cret&sslmode=require")
        .args(["config", "check"])
        .output()
        .unwrap();
    let in_query = String::from_utf8(in_query.stdout).unwrap();
    assert!(
        in_query.contains(
            "DATABASE_URL=postgres://registry@db.example/aimd?password=***&sslmode=require"
        ),
        "{in_query}"
    );
    for line in [
        "DATABASE_URL=postgres://registry:***@db.example:5432/aimd  # environment",
        "AIMD_BIND=0.0.0.0:8080  # flag",
        "AIMD_RATE_LIMIT=50  # environment",
        "AIMD_POOL_SIZE=16  # default",
        "AIMD_TRUSTED_PROXIES=  # unset",
    ] {
        assert!(
            printed.lines().any(|l| l == line),
            "{line} missing from:\n{printed}"
        );
    }

    for (variable, value, named) in [
        ("AIMD_POOL_SIZE", "0", "AIMD_POOL_SIZE"),
        (
            "AIMD_TRUSTED_PROXIES",
            "10.0.0.0/33",
            "AIMD_TRUSTED_PROXIES",
        ),
        (
            "AIMD_PUBLIC_URL",
            "https://registry.example/v1",
            "AIMD_PUBLIC_URL",
        ),
        ("AIMD_BIND", "nowhere", "AIMD_BIND"),
        ("AIMD_METRICS_BIND", "localhost", "AIMD_METRICS_BIND"),
    ] {
        let output = registry("postgres://postgres@127.0.0.1:5432/aimd")
            .env(variable, value)
            .args(["config", "check"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{variable}={value} was accepted");
        assert!(
            stderr(&output).contains(named),
            "{variable}: {}",
            stderr(&output)
        );
    }
    let output = registry("mysql://db/aimd")
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("DATABASE_URL"),
        "{}",
        stderr(&output)
    );
}

/// `127.0.0.1:` and a port nothing listens on.
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// One request on its own connection; `Ok(status)` once the whole answer
/// was read, `Err(bytes read)` when the connection failed or closed first.
fn one_request(address: &str, path: &str) -> Result<u16, usize> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).map_err(|_| 0usize)?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|_| 0usize)?;
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    match (read, status) {
        (Ok(_), Some(status)) => Ok(status),
        _ => Err(answer.len()),
    }
}

/// SIGTERM under load: requests the server accepted are all answered in
/// full; what fails is only refused at the door after the stop began; the
/// process then ends cleanly.
#[tokio::test]
async fn sigterm_under_load_loses_no_accepted_request() {
    let _alone = HEAVY.lock().await;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let name = unique_name("aimd_cli_stop");
    let address = free_address();
    let metrics_address = free_address();
    let mut server = registry(&database_url(&name))
        .args(["serve", "--demo", "--bind", &address])
        .env("AIMD_ANONYMOUS_RATE_LIMIT", "0")
        .env("AIMD_SHUTDOWN_SECONDS", "10")
        // With the metrics server too: its stop must not cut the drain.
        .env("AIMD_METRICS_BIND", &metrics_address)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while one_request(&address, "/v1/health/ready") != Ok(200) {
        assert!(started.elapsed() < Duration::from_secs(60), "not ready");
        std::thread::sleep(Duration::from_millis(100));
    }

    // (started, ended, outcome) of every request; the stop's moment.
    let log = Arc::new(Mutex::new(Vec::new()));
    let stopped_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let refused = Arc::new(AtomicBool::new(false));
    let paths = [
        "/v1/initiatives?limit=50",
        "/v1/exports/initiatives",
        "/v1/search?q=ai",
    ];
    let clients: Vec<_> = (0..6)
        .map(|client| {
            let (log, refused, address) = (log.clone(), refused.clone(), address.clone());
            std::thread::spawn(move || {
                let mut n = client;
                while !AtomicBool::load(&refused, Ordering::Relaxed) {
                    let began = Instant::now();
                    let outcome = one_request(&address, paths[n % paths.len()]);
                    log.lock().unwrap().push((began, Instant::now(), outcome));
                    if outcome == Err(0) {
                        refused.store(true, Ordering::Relaxed);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    *stopped_at.lock().unwrap() = Some(Instant::now());
    let signal = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    for client in clients {
        client.join().unwrap();
    }
    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut said).unwrap();
    drop_database(&name).await;

    assert!(exit.success(), "exit {exit}: {said}");
    let stop = stopped_at.lock().unwrap().unwrap();
    let log = log.lock().unwrap();
    let answered = log.iter().filter(|(_, _, o)| *o == Ok(200)).count();
    let in_flight = log
        .iter()
        .filter(|(began, ended, o)| *began < stop && *ended > stop && *o == Ok(200))
        .count();
    for (began, ended, outcome) in log.iter() {
        match outcome {
            Ok(200) => {}
            // Nothing read: refused at the door (or, sent just before the
            // signal, still in the kernel's queue when the listener
            // closed), which is allowed only once the stop began.
            Err(0) => assert!(*ended > stop, "a request was refused before the stop"),
            other => panic!(
                "a request failed: {other:?} (began {:?} after start)",
                began.duration_since(started)
            ),
        }
    }
    assert!(answered > 20, "only {answered} requests answered");
    assert!(
        in_flight > 0,
        "no request was in flight at the signal: the test proved nothing"
    );
    assert!(said.contains("stopped"), "{said}");
    eprintln!(
        "SIGTERM under load: {answered} answered, {in_flight} of them in flight at the signal, {} refused after it",
        log.len() - answered
    );
}

/// `curl` with `args`; returns the status and the body.
fn curl(args: &[&str]) -> (u16, String) {
    let output = std::process::Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or((&text, "0"));
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

/// A registry serving `database` on a free port; returns the process and
/// its base URL once it is ready.
fn serve_ready(database: &str, extra: &[&str]) -> (std::process::Child, String) {
    let address = free_address();
    let child = registry(database)
        .args(["serve", "--bind", &address])
        .args(extra)
        .env("AIMD_WEBHOOK_ALLOW_PRIVATE", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while one_request(&address, "/v1/health/ready") != Ok(200) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "not ready"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (child, format!("http://{address}/v1"))
}

fn stop(mut server: std::process::Child) {
    std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
}

/// What a restored registry must answer as the original did: records,
/// a history, the change feed with its positions, and the webhook outbox.
fn observe(base: &str, token: &str, id: &str, subscription: &str) -> Vec<(String, String)> {
    let auth = format!("Authorization: Bearer {token}");
    [
        format!("{base}/initiatives?limit=200&sort=title"),
        format!("{base}/experts?limit=200"),
        format!("{base}/initiatives/{id}"),
        format!("{base}/initiatives/{id}/history"),
        format!("{base}/changes?after=0&limit=1000"),
        format!("{base}/webhooks/{subscription}/deliveries?limit=500"),
    ]
    .into_iter()
    .map(|url| {
        let (status, body) = curl(&["-H", &auth, &url]);
        assert_eq!(status, 200, "{url}: {body}");
        (url.replacen(base, "", 1), body)
    })
    .collect()
}

/// A recovery drill of the README, with a backup taken from a serving
/// registry and restored into a new database by `back_up_and_restore`
/// (given the two databases' URLs and a file to use): the restored
/// registry answers the same records, history, feed positions and webhook
/// outbox, and goes on from there (a new change takes the next position and
/// is queued for the same receiver).
async fn recovery_drill(back_up_and_restore: impl FnOnce(&str, &str, &std::path::Path)) {
    let _alone = HEAVY.lock().await;
    let original = unique_name("aimd_cli_drill");
    let restored = unique_name("aimd_cli_restored");
    let dump = std::env::temp_dir().join(format!("{original}.backup"));
    let (server, base) = serve_ready(&database_url(&original), &["--demo", "--webhooks-off"]);
    let token = String::from_utf8(
        registry(&database_url(&original))
            .args(["keys", "create", "--name", "drill", "--role", "admin"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let auth = format!("Authorization: Bearer {token}");
    // A receiver that is never there: deliveries stay pending in the outbox.
    let (status, body) = curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"url": "http://127.0.0.1:9/hook", "audience": "staff"}"#,
        &format!("{base}/webhooks"),
    ]);
    assert_eq!(status, 201, "{body}");
    let subscription = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = "01938000-0000-7000-8000-000000003057";
    let (_, record) = curl(&["-H", &auth, &format!("{base}/initiatives/{id}")]);
    let version = serde_json::from_str::<serde_json::Value>(&record).unwrap()["version"].clone();
    let etag = format!("\"{version}\"");
    let (status, body) = curl(&[
        "-X",
        "PATCH",
        "-H",
        &auth,
        "-H",
        &format!("If-Match: {etag}"),
        "-H",
        "Content-Type: application/merge-patch+json",
        "-H",
        "X-Change-Message: drill",
        "-d",
        r#"{"acronym": "NEN-AIMD"}"#,
        &format!("{base}/initiatives/{id}"),
    ]);
    assert_eq!(status, 200, "{body}");
    let before = observe(&base, &token, id, &subscription);
    // Taken while the registry serves.
    back_up_and_restore(&database_url(&original), &database_url(&restored), &dump);
    stop(server);

    let (server, base) = serve_ready(&database_url(&restored), &["--webhooks-off"]);
    let after = observe(&base, &token, id, &subscription);
    for ((what, was), (_, is)) in before.iter().zip(&after) {
        assert_eq!(was, is, "{what} differs after the restore");
    }
    // It goes on from there: the next change takes the next position, and
    // is queued for the same receiver.
    let feed: serde_json::Value = serde_json::from_str(&before[4].1).unwrap();
    let last = feed["items"].as_array().unwrap().last().unwrap()["position"]
        .as_i64()
        .unwrap();
    let (status, _) = curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"name": "After the restore", "type": "other"}"#,
        &format!("{base}/organisations"),
    ]);
    assert_eq!(status, 201);
    let (_, next) = curl(&["-H", &auth, &format!("{base}/changes?after={last}")]);
    let next: serde_json::Value = serde_json::from_str(&next).unwrap();
    assert_eq!(
        next["items"][0]["position"].as_i64(),
        Some(last + 1),
        "{next}"
    );
    let (_, queued) = curl(&[
        "-H",
        &auth,
        &format!("{base}/webhooks/{subscription}/deliveries?limit=500"),
    ]);
    let count = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert!(
        count(&queued) > count(&before[5].1),
        "the new change is queued for delivery"
    );
    stop(server);
    let _ = std::fs::remove_file(&dump);
    drop_database(&original).await;
    drop_database(&restored).await;
}

#[tokio::test]
async fn a_registry_restored_from_pg_dump_answers_as_before_and_goes_on() {
    recovery_drill(|original, restored, dump| {
        // The drill, as the README has it.
        let dumped = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(dump)
            .arg(original)
            .status()
            .unwrap();
        assert!(dumped.success());
        let name = restored.rsplit('/').next().unwrap();
        let created = std::process::Command::new("psql")
            .arg(database_url("postgres"))
            .args(["-qc", &format!("CREATE DATABASE {name}")])
            .status()
            .unwrap();
        assert!(created.success());
        let restored_ok = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname"])
            .arg(restored)
            .arg(dump)
            .status()
            .unwrap();
        assert!(restored_ok.success());
    })
    .await;
}

#[tokio::test]
async fn a_registry_restored_from_its_own_archive_answers_as_before_and_goes_on() {
    recovery_drill(|original, restored, archive| {
        let backup = registry(original)
            .args(["backup", "--output"])
            .arg(archive)
            .output()
            .unwrap();
        assert!(backup.status.success(), "{}", stderr(&backup));
        assert!(stderr(&backup).contains("archived"), "{}", stderr(&backup));
        // Into a database that does not exist yet: restore creates it.
        let restore = registry(restored)
            .arg("restore")
            .arg(archive)
            .output()
            .unwrap();
        assert!(restore.status.success(), "{}", stderr(&restore));
        // A second restore finds the registry in use and changes nothing.
        let again = registry(restored)
            .arg("restore")
            .arg(archive)
            .output()
            .unwrap();
        assert!(!again.status.success());
        assert!(stderr(&again).contains("in use"), "{}", stderr(&again));
    })
    .await;
}

/// An archive is all or nothing: a file cut short, or with a row that does
/// not fit, leaves the new database without a single record.
#[tokio::test]
async fn a_damaged_archive_restores_nothing() {
    let _alone = HEAVY.lock().await;
    let original = unique_name("aimd_cli_archived");
    let restored = unique_name("aimd_cli_damaged");
    let archive = std::env::temp_dir().join(format!("{original}.backup"));
    let (server, _) = serve_ready(&database_url(&original), &["--demo", "--webhooks-off"]);
    stop(server);
    let backup = registry(&database_url(&original))
        .args(["backup", "--output"])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    let whole = std::fs::read_to_string(&archive).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    assert!(
        lines[0].contains("\"format\":\"aimd-registry-archive\""),
        "{}",
        lines[0]
    );
    assert!(lines.last().unwrap().starts_with("{\"end\":"));

    let damaged = |name: &str, text: String, expected: &str| {
        std::fs::write(&archive, text).unwrap();
        let restore = registry(&database_url(name))
            .arg("restore")
            .arg(&archive)
            .output()
            .unwrap();
        assert!(!restore.status.success(), "{expected}");
        assert!(stderr(&restore).contains(expected), "{}", stderr(&restore));
    };
    // Cut short: the end line is missing.
    damaged(&restored, lines[..lines.len() / 2].join("\n"), "cut short");
    // A row that breaks a rule of its table, late in the file.
    let organisation = lines
        .iter()
        .rposition(|l| l.starts_with("{\"table\":\"organisations\""))
        .unwrap();
    let mut broken: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    broken[organisation] =
        broken[organisation].replacen("\"name\":\"", "\"name\":null,\"was\":\"", 1);
    damaged(&restored, broken.join("\n"), "not-null");
    // Something after the end line.
    damaged(
        &restored,
        format!("{whole}{{}}\n"),
        "goes on after its end line",
    );
    // A line removed: the end line's counts say so.
    let change = lines
        .iter()
        .position(|l| l.starts_with("{\"table\":\"changes\""))
        .unwrap();
    let mut fewer: Vec<&str> = lines.clone();
    fewer.remove(change);
    damaged(&restored, fewer.join("\n"), "the end line counts");

    // After all three, the new database holds no record.
    let count = std::process::Command::new("psql")
        .arg(database_url(&restored))
        .args([
            "-tAc",
            "SELECT (SELECT count(*) FROM organisations) + (SELECT count(*) FROM changes)",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "0");
    let _ = std::fs::remove_file(&archive);
    drop_database(&original).await;
    drop_database(&restored).await;
}

/// A table a later migration adds, that this build does not know, is not
/// silently left out of an archive: the backup refuses, naming it.
#[tokio::test]
async fn a_backup_refuses_a_database_with_tables_it_does_not_know() {
    let name = unique_name("aimd_cli_unknown_table");
    let migrate = registry(&database_url(&name))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let created = std::process::Command::new("psql")
        .arg(database_url(&name))
        .args(["-qc", "CREATE TABLE notes (body text)"])
        .status()
        .unwrap();
    assert!(created.success());
    let backup = registry(&database_url(&name))
        .args(["backup", "--output", "/dev/null"])
        .output()
        .unwrap();
    assert!(!backup.status.success());
    assert!(stderr(&backup).contains("notes"), "{}", stderr(&backup));
    drop_database(&name).await;
}

/// `probe` is a container's health check without curl: 0 when the
/// instance is ready (or alive), an error naming what answered otherwise.
#[tokio::test]
async fn probe_says_whether_an_instance_is_ready() {
    let name = unique_name("aimd_cli_probe");
    let (server, base) = serve_ready(&database_url(&name), &[]);
    let address = base
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    for args in [
        vec!["probe", "--address", &address],
        vec!["probe", "--live", "--address", &address],
    ] {
        let output = registry(&database_url(&name)).args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    stop(server);
    let output = registry(&database_url(&name))
        .args(["probe", "--address", &address])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("cannot reach {address}")),
        "{}",
        stderr(&output)
    );
    drop_database(&name).await;
}
