//! What every test crate needs to find PostgreSQL.

/// The server the tests use: `DATABASE_URL`, or the service's default.
pub fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| aimd_registry::config::DEFAULT_DATABASE_URL.to_owned())
}

/// The URL of the database `name` on that server.
pub fn database_url(name: &str) -> String {
    let mut url = url::Url::parse(&server_url()).expect("DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}
