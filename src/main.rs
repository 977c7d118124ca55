use std::sync::Arc;

use actix_web::HttpServer;

use aimd_registry::api::access::Policy;
use aimd_registry::api::client_address::TrustedProxies;
use aimd_registry::api::cors::CorsPolicy;
use aimd_registry::api::{self, openapi};
use aimd_registry::auth::Role;
use aimd_registry::auth::{Audience, Caller};
use aimd_registry::config::{
    BackupArgs, Cli, Command, ConfigCommand, ExportArgs, ImportArgs, KeysCommand, ProbeArgs,
    ReindexArgs, RestoreArgs, ServeArgs,
};
use aimd_registry::db::{self, BoxError};
use aimd_registry::domain::history::ChangeContext;
use aimd_registry::domain::linked_data::Site;
use aimd_registry::domain::reviews::ReviewPeriod;
use aimd_registry::domain::search::SearchText;
use aimd_registry::registry::imports::{self, ImportOptions};
use aimd_registry::store::api_keys;
use aimd_registry::store::experts::Experts;
use aimd_registry::store::initiatives::Initiatives;
use aimd_registry::store::organisations::Organisations;
use aimd_registry::sync::archive;
use aimd_registry::sync::exports::{Export, Format, write_to};
use aimd_registry::sync::index::SearchIndex;
use aimd_registry::sync::webhooks::worker::Deliverer;
use aimd_registry::{app_state, demo};
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;

fn init_logging(cli: &Cli) {
    aimd_registry::logging::init(&cli.log, &cli.log_format);
}

async fn prepare_database(database_url: &str) -> Result<(), BoxError> {
    if db::ensure_database_exists(database_url).await? {
        tracing::info!(database = %db::describe(database_url), "created the database");
    }
    let applied = db::run_migrations(database_url)
        .await
        .map_err(|e| db::unreachable(database_url, e))?;
    tracing::info!(count = applied.len(), ?applied, "migrations applied");
    Ok(())
}

/// The policy `serve` runs with; checks what clap's parsers cannot (each
/// message names the setting).
fn policy(cli: &Cli, args: &ServeArgs) -> Result<Policy, BoxError> {
    args.bind_address()?;
    let postgres = |url: &str| {
        url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "postgres" | "postgresql"))
    };
    if !postgres(&cli.database_url) {
        return Err("DATABASE_URL or --database-url must be a postgres:// URL".into());
    }
    if args
        .read_database_url
        .as_deref()
        .is_some_and(|url| !postgres(url))
    {
        return Err(
            "AIMD_READ_DATABASE_URL or --read-database-url must be a postgres:// URL".into(),
        );
    }
    Ok(Policy {
        reads_require_key: args.reads_require_key,
        allow_self_approval: args.allow_self_approval,
        review_period: ReviewPeriod(args.review_period_days),
        rate_limit: args.rate_limit,
        anonymous_rate_limit: args.anonymous_rate_limit,
        failed_auth_limit: args.failed_auth_limit,
        request_timeout: std::time::Duration::from_secs(args.request_timeout_seconds),
        webhook_allow_private: args.webhooks.webhook_allow_private,
        cors: CorsPolicy {
            origins: args.cors_origins.clone(),
            allow_writes: args.cors_allow_writes,
        },
        site: Site::new(&cli.public_url, &cli.data_licence),
        trusted_proxies: TrustedProxies::parse(&args.trusted_proxies)
            .map_err(|e| format!("AIMD_TRUSTED_PROXIES or --trusted-proxies: {e}"))?,
    })
}

/// `probe`: one GET of a health endpoint over plain HTTP/1.1; the
/// status line decides (200 passes or warns, anything else fails).
fn probe(args: &ProbeArgs) -> Result<(), BoxError> {
    use std::io::{Read, Write};
    let path = if args.live {
        "/v1/health/live"
    } else {
        "/v1/health/ready"
    };
    let mut stream = std::net::TcpStream::connect(&args.address)
        .map_err(|e| format!("cannot reach {}: {e}", args.address))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        args.address
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split_whitespace().nth(1).unwrap_or_default();
    if status == "200" {
        Ok(())
    } else {
        Err(format!("{path} answered {status}").into())
    }
}

/// `config check`: the checks `serve` makes before it touches anything,
/// then the effective configuration.
fn config_check(cli: &Cli, args: &ServeArgs) -> Result<(), BoxError> {
    policy(cli, args)?;
    for line in aimd_registry::config::effective_configuration() {
        println!("{line}");
    }
    eprintln!("configuration is valid (the database was not contacted)");
    Ok(())
}

async fn serve(cli: &Cli, args: &ServeArgs) -> Result<(), BoxError> {
    let address = args.bind_address()?;
    let policy = policy(cli, args)?;
    if args.no_migrate {
        db::ensure_database_exists(&cli.database_url).await?;
    } else {
        prepare_database(&cli.database_url).await?;
    }
    let mut pools = db::pools_with(&cli.database_url, &args.db_settings())?;
    if let Some(replica) = &args.read_database_url {
        pools = pools.with_replica(replica, &args.db_settings())?;
        tracing::info!(replica = %db::describe(replica), "lagging reads go to the replica");
    }
    let state = app_state(pools.clone(), policy)
        .await
        .map_err(|e| db::unreachable(&cli.database_url, e))?;
    let spec = Arc::new(openapi::spec());
    let app_state = state.clone();
    let mut server = HttpServer::new(move || api::app(app_state.clone(), spec.clone()));
    if let Some(workers) = args.workers {
        server = server.workers(usize::try_from(workers).unwrap_or(usize::MAX));
    }
    server = server.shutdown_timeout(args.shutdown_seconds);
    // Bound before the demo data is loaded: a start that cannot listen
    // changes nothing.
    let metrics = match args.metrics_bind {
        Some(metrics_bind) => {
            let metrics_state = state.clone();
            // Its own signal handling would stop the whole system at once,
            // cutting the API's drain short; it is stopped after the API.
            let metrics = HttpServer::new(move || api::metrics::app(metrics_state.clone()))
                .workers(1)
                .disable_signals()
                .bind(metrics_bind)
                .map_err(|e| format!("cannot listen on {metrics_bind} (AIMD_METRICS_BIND): {e}"))?
                .run();
            let handle = metrics.handle();
            actix_web::rt::spawn(metrics);
            tracing::info!(bind = %metrics_bind, "metrics at /metrics");
            Some(handle)
        }
        None => None,
    };
    let server = server.bind(address).map_err(|e| {
        format!(
            "cannot listen on {} (AIMD_BIND or --bind): {e}. Is another process (another \
             aimd-registry?) using that port? Choose another with --bind 127.0.0.1:PORT",
            args.bind
        )
    })?;
    if args.demo {
        let report = demo::load(&state).await.map_err(|e| e.to_string())?;
        tracing::info!(
            created = report.created,
            updated = report.updated,
            unchanged = report.unchanged,
            "demo data loaded"
        );
    }
    let follower = aimd_registry::follow_search_index(&state, &pools);
    actix_web::rt::spawn(aimd_registry::share_rate_limits(&state, &pools));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let settings = args.webhooks.settings();
    let worker = if args.webhooks.webhooks_off {
        tracing::info!("webhook deliveries are left to other instances");
        None
    } else {
        let deliverer = Deliverer::new(pools.staff, settings.clone())
            .reporting_to(state.worker.clone())
            .stopping_on(stopping);
        Some(actix_web::rt::spawn(deliverer.run()))
    };
    tracing::info!(bind = %args.bind, "serving; API docs at /v1/docs");
    // On SIGTERM actix-web stops accepting and gives requests in flight
    // AIMD_SHUTDOWN_SECONDS to finish (SIGINT and SIGQUIT stop at once);
    // writes among them still wait for the search index, so it stops
    // after them.
    server.run().await?;
    tracing::info!("requests finished; stopping the webhook worker and the index follower");
    let _ = stop.send(true);
    state.index.stop();
    if let Some(worker) = worker {
        // The round in progress records its deliveries, none stays claimed;
        // each attempt is bounded by the webhook timeout.
        let most = settings.timeout + std::time::Duration::from_secs(5);
        if tokio::time::timeout(most, worker).await.is_err() {
            tracing::warn!(
                "the webhook worker did not stop in time; its claims lapse with their lease"
            );
        }
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), follower).await;
    if let Some(metrics) = metrics {
        metrics.stop(true).await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn reindex(cli: &Cli, args: &ReindexArgs) -> Result<(), BoxError> {
    db::check_ready(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let state = app_state(pools, Policy::default()).await?;
    let mut conn = state
        .conn(Audience::Staff)
        .await
        .map_err(|e| e.to_string())?;
    let (index, report) = SearchIndex::build(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(
        documents = report.documents(),
        took_ms = report.took.as_millis() as u64,
        position = index.position(),
        "search index built"
    );
    println!(
        "{} organisations, {} experts, {} initiatives ({} public) at change position {}, \
         built in {:.2} s; resident memory {}",
        report.organisations,
        report.experts,
        report.initiatives,
        report.public,
        report.position,
        report.took.as_secs_f64(),
        resident_memory().unwrap_or_else(|| "unknown".to_owned())
    );
    if let Some(raw) = &args.search {
        let text = SearchText::parse(raw).map_err(|e| format!("--search: {}", e.reason))?;
        let query = index.reading().text_query(&text);
        let searcher = index.searcher();
        let started = std::time::Instant::now();
        let (total, best) =
            searcher.search(&*query, &(Count, TopDocs::with_limit(5).order_by_score()))?;
        let took = started.elapsed();
        println!(
            "{total} records match {raw:?} (all audiences), found in {:.2} ms",
            took.as_secs_f64() * 1e3
        );
        for (score, address) in best {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(index.fields().id).and_then(|v| v.as_str());
            println!("  {score:.2} {}", id.unwrap_or("?"));
        }
    }
    Ok(())
}

/// This process's resident memory, as Linux reports it.
fn resident_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line.trim_start_matches("VmRSS:").trim().to_owned())
}

async fn export(cli: &Cli, args: &ExportArgs) -> Result<(), BoxError> {
    db::check_ready(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let state = app_state(pools, Policy::default()).await?;
    // JSON-LD is the registry's open data: always the public's view.
    let audience = if args.public || args.format == Format::JsonLd {
        Audience::Public
    } else {
        Audience::Staff
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut conn = state.conn(audience).await.map_err(|e| e.to_string())?;
    let site = Site::new(&cli.public_url, &cli.data_licence);
    let export = Export {
        vocabulary: &state.vocabulary,
        audience,
        format: args.format,
        site: &site,
    };
    let conn = &mut *conn;
    let position = match args.kind.as_str() {
        "organisations" => write_to::<Organisations>(conn, &export, &mut out).await,
        "experts" => write_to::<Experts>(conn, &export, &mut out).await,
        _ => write_to::<Initiatives>(conn, &export, &mut out).await,
    }
    .map_err(|e| e.to_string())?;
    std::io::Write::flush(&mut out)?;
    eprintln!("change position {position}: follow /v1/changes?after={position}");
    Ok(())
}

async fn import(cli: &Cli, args: &ImportArgs) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    db::check_ready(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let state = app_state(pools, Policy::default()).await?;
    let mut conn = state.conn(Audience::Staff).await?;
    let context = ChangeContext {
        actor: None,
        request_id: None,
        message: Some(format!("import of {}", args.file.display())),
    };
    let options = ImportOptions {
        dry_run: args.dry_run,
        publish: args.publish,
        // The operator holds the database; four eyes are for API callers.
        self_approval: true,
        create_duplicates: args.create_duplicates,
    };
    match imports::run(
        &mut conn,
        &state.vocabulary,
        &text,
        &context,
        &Caller::operator(),
        options,
    )
    .await
    {
        Ok(report) => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Err(error) => {
            let problem = error.to_problem(None);
            println!("{}", serde_json::to_string_pretty(&problem)?);
            Err(format!("the import was refused: {}", problem.detail).into())
        }
    }
}

async fn back_up(cli: &Cli, args: &BackupArgs) -> Result<(), BoxError> {
    db::check_ready(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let mut conn = pools.staff.get().await?;
    let summary = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            archive::back_up(&mut conn, &mut out).await
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            archive::back_up(&mut conn, &mut out).await
        }
    }
    .map_err(|e| e.to_string())?;
    eprintln!(
        "archived {} rows at change position {} (migration {})",
        summary.rows, summary.header.position, summary.header.migration
    );
    Ok(())
}

async fn restore(cli: &Cli, args: &RestoreArgs) -> Result<(), BoxError> {
    let file = std::fs::File::open(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    prepare_database(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let mut conn = pools.staff.get().await?;
    let summary = archive::restore(&mut conn, std::io::BufReader::new(file))
        .await
        .map_err(|e| format!("the restore was refused, nothing was written: {e}"))?;
    eprintln!(
        "restored {} rows taken at {} (change position {}); start `aimd-registry serve` on it",
        summary.rows,
        summary.header.taken_at.to_rfc3339(),
        summary.header.position
    );
    Ok(())
}

async fn manage_keys(cli: &Cli, command: &KeysCommand) -> Result<(), BoxError> {
    db::check_ready(&cli.database_url).await?;
    let pools = db::pools(&cli.database_url, 1)?;
    let mut conn = pools.staff.get().await?;
    match command {
        KeysCommand::Create {
            name,
            role,
            expires_at,
        } => {
            let role = Role::parse(role).map_err(|e| e.reason)?;
            let created = api_keys::create(&mut conn, name, role, *expires_at)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "created the {} key '{}' ({}); its token follows and is shown only now",
                role.as_str(),
                created.key.name,
                created.key.id
            );
            println!("{}", created.token);
        }
        KeysCommand::List => {
            let all = api_keys::list(&mut conn).await.map_err(|e| e.to_string())?;
            println!("id\trole\tprefix\tname\tcreated\texpires\trevoked\tlast used");
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
            };
            for key in all {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    key.id,
                    key.role.as_str(),
                    key.token_prefix,
                    key.name,
                    key.created_at.to_rfc3339(),
                    time(key.expires_at),
                    time(key.revoked_at),
                    time(key.last_used_at)
                );
            }
        }
        KeysCommand::Revoke { id } => {
            let key = api_keys::revoke(&mut conn, *id)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("revoked the key '{}' ({})", key.name, key.id);
        }
    }
    Ok(())
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    if let Err(problem) = aimd_registry::config::load_dotenv() {
        eprintln!("error: {problem}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = aimd_registry::config::parse_or_exit();
    init_logging(&cli);
    let result = match &cli.command {
        Command::Serve(args) => serve(&cli, args).await,
        Command::Migrate => prepare_database(&cli.database_url).await,
        Command::Keys(command) => manage_keys(&cli, command).await,
        Command::Export(args) => export(&cli, args).await,
        Command::Config(ConfigCommand::Check(args)) => config_check(&cli, args),
        Command::Probe(args) => probe(args),
        Command::Import(args) => import(&cli, args).await,
        Command::Reindex(args) => reindex(&cli, args).await,
        Command::Backup(args) => back_up(&cli, args).await,
        Command::Restore(args) => restore(&cli, args).await,
        Command::Openapi => openapi::spec()
            .to_pretty_json()
            .map(|json| println!("{json}"))
            .map_err(Into::into),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            if cli.log_format == "json" {
                tracing::error!(%error, "aimd-registry failed");
            } else {
                eprintln!("error: {error}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
