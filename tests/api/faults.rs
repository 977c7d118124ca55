//! Faults: a database that stalls (a TCP proxy the test controls stops
//! forwarding, as a broken network would, without closing anything), and a
//! database that shuts down and comes back (a PostgreSQL cluster of the
//! test's own, made with the server's binaries in a temporary folder).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::db::{self, DbSettings};
use aimd_registry::sync::webhooks::worker::DeliverySettings;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::support::{TestDb, initiative, organisation, spawn_on};
use crate::webhooks::Receiver;

/// A TCP proxy on 127.0.0.1; while stalled it holds every byte, both ways.
struct Proxy {
    address: SocketAddr,
    stalled: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let stalled = Arc::new(AtomicBool::new(false));
        let flag = stalled.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, flag.clone()));
                tokio::spawn(pump(server_read, client_write, flag.clone()));
            }
        });
        Self { address, stalled }
    }

    /// `url` with its host and port replaced by the proxy's.
    fn url_for(&self, url: &str) -> String {
        let mut url = url::Url::parse(url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.address.port())).unwrap();
        url.to_string()
    }

    fn stall(&self, stalled: bool) {
        self.stalled.store(stalled, Ordering::SeqCst);
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, stalled: Arc<AtomicBool>) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        while stalled.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

fn upstream_of(url: &str) -> SocketAddr {
    let url = url::Url::parse(url).unwrap();
    let host = match url.host_str() {
        Some("localhost") | None => "127.0.0.1",
        Some(host) => host,
    };
    format!("{host}:{}", url.port().unwrap_or(5432))
        .parse()
        .expect("DATABASE_URL names an IP address and port")
}

async fn eventually(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Before the fix a stalled database held requests for about ten minutes:
/// no pool timeout, no statement timeout, no keepalive, no deadline.
#[actix_web::test]
async fn a_stalled_database_is_answered_503_within_the_deadline() {
    let database = TestDb::new().await;
    let proxy = Proxy::start(upstream_of(&database.url)).await;
    let settings = DbSettings {
        wait: Duration::from_secs(1),
        ..DbSettings::sized(2)
    };
    let policy = Policy {
        request_timeout: Duration::from_secs(2),
        ..Policy::default()
    };
    let url = proxy.url_for(&database.url);
    let app = spawn_on(url, settings, policy, Some(database)).await;
    let id = app.create("/v1/organisations", organisation("NEN")).await;
    app.get("/v1/organisations").await.expect(200);
    // The public's pool gets its connection before the stall, too.
    app.send_as(TestRequest::get().uri("/v1/organisations"), None)
        .await
        .expect(200);

    proxy.stall(true);
    let stalled = Instant::now();
    // Search is answered by this instance's index alone: it goes on
    // answering while the database stalls, for as long as what it shows
    // may still be current.
    app.send_as(TestRequest::get().uri("/v1/search?q=nen"), None)
        .await
        .expect(200);
    assert!(stalled.elapsed() < Duration::from_secs(1));
    // Anonymous reads stall in their handler; the write stalls looking up
    // its API key first.
    let requests = [
        (TestRequest::get().uri("/v1/organisations"), false),
        (
            TestRequest::get().uri(&format!("/v1/organisations/{id}")),
            false,
        ),
        (
            TestRequest::post()
                .uri("/v1/organisations")
                .set_json(organisation("Stalled")),
            true,
        ),
    ];
    for (request, with_key) in requests {
        let started = Instant::now();
        let reply = if with_key {
            app.send(request).await
        } else {
            app.send_as(request, None).await
        };
        let took = started.elapsed();
        reply.problem(503);
        assert!(reply.header("retry-after").is_some());
        assert!(
            took >= Duration::from_secs(2) && took < Duration::from_secs(4),
            "answered after {took:?}"
        );
    }

    // A scrape says the database is down, and that what it would read
    // there is unknown rather than its last value.
    let scrape = crate::metrics::scrape(app.live_state()).await;
    assert_eq!(
        crate::metrics::sample(&scrape, "aimd_database_up"),
        Some(0.0)
    );
    let position = crate::metrics::sample(&scrape, "aimd_change_feed_position");
    assert!(position.is_some_and(f64::is_nan), "{position:?}");

    // Then it stops: the index has not caught up for too long.
    let stale = aimd_registry::sync::index::live::STALE_AFTER + Duration::from_millis(500);
    tokio::time::sleep(stale.saturating_sub(stalled.elapsed())).await;
    let reply = app
        .send_as(TestRequest::get().uri("/v1/search?q=nen"), None)
        .await;
    reply.problem(503);
    assert!(reply.header("retry-after").is_some());

    proxy.stall(false);
    eventually("requests recover", Duration::from_secs(10), async || {
        app.get("/v1/organisations").await.status == 200
    })
    .await;
    let page = app.get("/v1/organisations").await.json();
    assert_eq!(page["total"], 1, "the stalled creation changed nothing");
}

/// A PostgreSQL cluster of the test's own, on a free port.
pub(crate) struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// initdb refuses root: the server then runs as `postgres`.
    as_postgres: bool,
}

impl Cluster {
    pub(crate) fn create() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .max_by_key(|bin| {
                let version = bin.parent().and_then(|p| p.file_name());
                version.and_then(|v| v.to_str()?.parse::<u32>().ok())
            })
            .expect("PostgreSQL's server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let cluster = Self::empty("aimd-faults", bin, as_postgres);
        let data = cluster.dir.join("data");
        run(cluster
            .command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data));
        cluster.start();
        cluster
    }

    /// A directory and a free port for a cluster, nothing in them yet.
    fn empty(prefix: &str, bin: PathBuf, as_postgres: bool) -> Self {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir(&dir).unwrap();
        if as_postgres {
            run(Command::new("chown").arg("postgres").arg(&dir));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self {
            dir,
            bin,
            port,
            as_postgres,
        }
    }

    /// A streaming replica of this cluster (`pg_basebackup -R`) on a
    /// port of its own, started: it replays what the primary writes.
    pub(crate) fn replica(&self) -> Self {
        let replica = Self::empty("aimd-replica", self.bin.clone(), self.as_postgres);
        run(replica
            .command("pg_basebackup")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-X",
                "stream",
                "-R",
                "--checkpoint=fast",
                "-p",
            ])
            .arg(self.port.to_string())
            .arg("-D")
            .arg(replica.dir.join("data")));
        replica.start();
        replica
    }

    /// Runs `sql` on the cluster's `database` with psql.
    pub(crate) fn psql(&self, database: &str, sql: &str) -> String {
        let output = self
            .command("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-Atc",
                sql,
                "-d",
                database,
                "-p",
            ])
            .arg(self.port.to_string())
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut command = self.command("pg_ctl");
        command.arg("-D").arg(self.dir.join("data")).args(args);
        command
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        run(self
            .pg_ctl(&["-w", "-l"])
            .arg(self.dir.join("log"))
            .args(["-o", &options, "start"]));
    }

    /// A fast shutdown: sessions are terminated (57P01), as when the
    /// server is stopped for maintenance.
    fn stop(&self) {
        run(&mut self.pg_ctl(&["-w", "-m", "fast", "stop"]));
    }

    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/aimd", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Before the fix the webhook worker died with the LISTEN connection when
/// PostgreSQL restarted (a panic in the notification stream), silently,
/// and requests at the moment of the shutdown got 500.
#[actix_web::test]
async fn requests_and_the_webhook_worker_survive_a_database_restart() {
    let cluster = Arc::new(Cluster::create());
    db::ensure_database_exists(&cluster.url()).await.unwrap();
    db::run_migrations(&cluster.url()).await.unwrap();
    let settings = DbSettings {
        wait: Duration::from_secs(1),
        ..DbSettings::sized(6)
    };
    let policy = crate::webhooks::local_receivers();
    let app = spawn_on(cluster.url(), settings, policy, None).await;
    let receiver = Receiver::start(&[]);
    // Initiatives only: the organisations written during the restart queue
    // nothing, so every delivery is made while the database is up.
    app.create(
        "/v1/webhooks",
        json!({"url": receiver.url, "audience": "staff", "kinds": ["initiative"]}),
    )
    .await;
    let worker = actix_web::rt::spawn(
        app.reporting_deliverer(DeliverySettings {
            timeout: Duration::from_secs(5),
            poll_interval: Duration::from_millis(200),
            ..DeliverySettings::default()
        })
        .run(),
    );
    let status = async || app.get("/v1/webhooks/status").await.json();
    eventually("the worker listens", Duration::from_secs(10), async || {
        status().await["worker"]["listening"] == true
    })
    .await;
    app.create("/v1/initiatives", initiative("Before")).await;
    eventually("delivered before", Duration::from_secs(10), async || {
        receiver.seen().len() == 1
    })
    .await;

    let restarting = cluster.clone();
    let restart = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(200));
        restarting.stop();
        std::thread::sleep(Duration::from_millis(500));
        restarting.start();
    });
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut round = 0;
    while !restart.is_finished() {
        let read = app.get("/v1/organisations").await.status.as_u16();
        let name = format!("During {round}");
        let write = app
            .post("/v1/organisations", organisation(&name))
            .await
            .status
            .as_u16();
        for status in [read, write] {
            *statuses.entry(status).or_default() += 1;
        }
        round += 1;
    }
    restart.await.unwrap();
    assert!(
        statuses.keys().all(|s| [200, 201, 503].contains(s)),
        "during the restart: {statuses:?}"
    );
    assert!(
        statuses.contains_key(&503),
        "the outage was seen: {statuses:?}"
    );

    let back = Instant::now();
    eventually("requests recover", Duration::from_secs(10), async || {
        app.get("/v1/organisations").await.status == 200
    })
    .await;
    eprintln!(
        "restart: {statuses:?}; requests served again {:?} after the server was",
        back.elapsed()
    );
    for title in ["After one", "After two"] {
        app.create("/v1/initiatives", initiative(title)).await;
    }
    eventually("delivered after", Duration::from_secs(15), async || {
        receiver.seen().len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ids: Vec<String> = receiver.seen().into_iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((ids.len(), receiver.seen().len()), (3, 3), "each once");
    eventually(
        "the listener is back",
        Duration::from_secs(15),
        async || status().await["worker"]["listening"] == true,
    )
    .await;
    let report = status().await;
    assert_eq!(report["worker"]["running"], true, "{report}");
    assert_eq!(report["worker"]["restarts"], 0, "{report}");
    assert!(report["worker"]["lastErrorAt"].is_string(), "{report}");
    assert_eq!(report["queue"]["pending"], 0, "{report}");
    worker.abort();
}
