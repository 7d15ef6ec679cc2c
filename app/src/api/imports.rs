//! Server functions for imports: the jobs (their progress and preview) and the confirmation.
//! The file itself goes to `POST /api/v1/imports` as a raw body (see `browser::upload_file`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::import::ImportJob;

/// The last day's import jobs, newest first (administrators).
#[server(prefix = "/fn", input = Json)]
pub async fn get_import_jobs() -> Result<Vec<ImportJob>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.import_jobs(&me).await.map_err(crate::backend::fail)
}

/// One import job.
#[server(prefix = "/fn", input = Json)]
pub async fn get_import_job(id: String) -> Result<ImportJob, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.import_job(&me, id).await.map_err(crate::backend::fail)
}

/// Confirms a checked import: the write starts.
#[server(prefix = "/fn", input = Json)]
pub async fn confirm_import(id: String) -> Result<ImportJob, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.confirm_import(&me, id).await.map_err(crate::backend::fail)
}
