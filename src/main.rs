use std::sync::Arc;

use actix_web::HttpServer;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use aimd_registry::config::{Cli, Command, ServeArgs};
use aimd_registry::db::{self, BoxError};
use aimd_registry::{app_state, http, openapi};

fn init_logging(cli: &Cli) {
    let filter = EnvFilter::try_new(&cli.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn prepare_database(database_url: &str) -> Result<(), BoxError> {
    if db::ensure_database_exists(database_url).await? {
        tracing::info!("created the database");
    }
    let applied = db::run_migrations(database_url).await?;
    tracing::info!(count = applied.len(), ?applied, "migrations applied");
    Ok(())
}

async fn serve(cli: &Cli, args: &ServeArgs) -> Result<(), BoxError> {
    if args.no_migrate {
        db::ensure_database_exists(&cli.database_url).await?;
    } else {
        prepare_database(&cli.database_url).await?;
    }
    let pool = db::pool(&cli.database_url, args.pool_size)?;
    let state = app_state(pool).await?;
    let spec = Arc::new(openapi::spec());
    let mut server =
        HttpServer::new(move || http::app(state.clone(), spec.clone())).bind(&args.bind)?;
    if let Some(workers) = args.workers {
        server = server.workers(workers);
    }
    tracing::info!(bind = %args.bind, "serving; API docs at /v1/docs");
    // actix-web stops gracefully on SIGTERM, SIGINT (Ctrl-C) and SIGQUIT.
    server.run().await?;
    Ok(())
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let result = match &cli.command {
        Command::Serve(args) => serve(&cli, args).await,
        Command::Migrate => prepare_database(&cli.database_url).await,
        Command::Openapi => openapi::spec()
            .to_pretty_json()
            .map(|json| println!("{json}"))
            .map_err(Into::into),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "aimd-registry failed");
            std::process::ExitCode::FAILURE
        }
    }
}
