//! The demo dataset: real public initiatives on AI in medical devices, the
//! organisations behind them and a few fictional experts (`data/demo`). It
//! is built into the binary so that `serve --demo` works from any directory
//! and in the container. Every line carries a fixed id, so loading it again
//! changes nothing.

use crate::api::state::AppState;
use crate::auth::Audience;
use crate::auth::Caller;
use crate::domain::history::ChangeContext;
use crate::error::ApiResult;
use crate::registry::imports::{self, ImportOptions, ImportReport};

pub const DATASET: &str = include_str!("../data/demo/registry.ndjson");

/// Imports the dataset, published, through the importer's own validation.
pub async fn load(state: &AppState) -> ApiResult<ImportReport> {
    let mut conn = state.conn(Audience::Staff).await?;
    let context = ChangeContext {
        actor: None,
        request_id: None,
        message: Some("demo data".to_owned()),
    };
    let options = ImportOptions {
        dry_run: false,
        publish: true,
        self_approval: true,
        // Every line carries its id: nothing to take for a duplicate.
        create_duplicates: false,
    };
    imports::run(
        &mut conn,
        &state.vocabulary,
        DATASET,
        &context,
        &Caller::operator(),
        options,
    )
    .await
}
