//! Server functions for video calls: a case's calls and whom to call, start, answer, hang up,
//! watch, and the open calls of the signed-in user. The media and their signalling go through
//! `/public/call.js` and the JSON API (`/api/v1/calls/{id}/signals`, the live stream).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::call::{CallView, CaseCalls};

/// A case's calls and whom the signed-in user could call on it.
#[server(prefix = "/fn")]
pub async fn get_case_calls(case_id: i64) -> Result<CaseCalls, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.case_calls(&me, case_id).await.map_err(crate::backend::fail)
}

/// Calls a worker on a case (command staff).
#[server(prefix = "/fn", input = Json)]
pub async fn start_call(case_id: i64, callee_id: i64) -> Result<CallView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.start_call(&me, case_id, callee_id).await.map_err(crate::backend::fail)
}

/// The worker answers.
#[server(prefix = "/fn", input = Json)]
pub async fn answer_call(id: i64, audio_only: bool) -> Result<CallView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.answer_call(&me, id, audio_only).await.map_err(crate::backend::fail)
}

/// Ends, declines or cancels a call; a viewer leaves it.
#[server(prefix = "/fn", input = Json)]
pub async fn hang_up_call(id: i64) -> Result<CallView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.hang_up_call(&me, id).await.map_err(crate::backend::fail)
}

/// Another person at the centre watches.
#[server(prefix = "/fn", input = Json)]
pub async fn join_call(id: i64) -> Result<CallView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.join_call(&me, id).await.map_err(crate::backend::fail)
}

/// The open calls the signed-in user takes part in.
#[server(prefix = "/fn")]
pub async fn get_my_calls() -> Result<Vec<CallView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.my_calls(&me).await.map_err(crate::backend::fail)
}
