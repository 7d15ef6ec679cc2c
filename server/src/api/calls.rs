//! Video calls over HTTP: start one from a case, answer, hang up, watch, relay signalling, stay
//! alive, snapshots, and the ICE servers. Signed-in people only: a token has no camera.

use super::{user, ApiResult};
use crate::calls::IceServer;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use zhizhi_shared::call::{CallView, CaseCalls, SignalIn};
use zhizhi_shared::case::view::CaseDetail;

use crate::auth::Caller;

/// `GET /api/v1/cases/{id}/calls`: the case's calls and whom the caller could call on it.
pub async fn of_case(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CaseCalls>> {
    Ok(Json(state.calls.of_case(user(&caller)?, id).await?))
}

/// Whom to call.
#[derive(Debug, Deserialize)]
pub struct StartCall {
    pub callee_id: i64,
}

/// `POST /api/v1/cases/{id}/calls`: calls a worker on the case; it rings on their pages.
pub async fn start(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(b): Json<StartCall>) -> ApiResult<(StatusCode, Json<CallView>)> {
    Ok((StatusCode::CREATED, Json(state.calls.start(user(&caller)?, id, b.callee_id).await?)))
}

/// `GET /api/v1/calls/mine`: the open calls the caller takes part in.
pub async fn mine(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<CallView>>> {
    Ok(Json(state.calls.mine(user(&caller)?).await?))
}

/// `GET /api/v1/calls/{id}`: one call.
pub async fn one(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    Ok(Json(state.calls.view(user(&caller)?, id).await?))
}

/// How the worker answers.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(default)]
    pub audio_only: bool,
}

/// `POST /api/v1/calls/{id}/answer`: the worker answers.
pub async fn answer(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(b): Json<Answer>) -> ApiResult<Json<CallView>> {
    Ok(Json(state.calls.answer(user(&caller)?, id, b.audio_only).await?))
}

/// `POST /api/v1/calls/{id}/hangup`: ends (declines, cancels) the call, or leaves it.
pub async fn hang_up(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    Ok(Json(state.calls.hang_up(user(&caller)?, id).await?))
}

/// `POST /api/v1/calls/{id}/join`: another person at the centre watches.
pub async fn join(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    Ok(Json(state.calls.join(user(&caller)?, id).await?))
}

/// `POST /api/v1/calls/{id}/signals`: relays an offer, answer or candidate to another party.
pub async fn signal(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(b): Json<SignalIn>) -> ApiResult<StatusCode> {
    state.calls.signal(user(&caller)?, id, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/calls/{id}/alive`: the page is still there (every 10 s during a call).
pub async fn alive(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    Ok(Json(state.calls.alive(user(&caller)?, id).await?))
}

/// `POST /api/v1/calls/{id}/snapshots`: a still of the worker's camera (JPEG, PNG or WebP),
/// stored on the case as a photo.
pub async fn snapshot(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, body: Bytes) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    Ok((StatusCode::CREATED, Json(state.calls.snapshot(user(&caller)?, id, body.to_vec()).await?)))
}

/// The ICE servers a call's browsers use.
#[derive(Debug, Serialize)]
pub struct Ice {
    pub ice_servers: Vec<IceServer>,
}

/// `GET /api/v1/calls/ice`: the TURN server with a credential of the caller's (none on one
/// network).
pub async fn ice(Extension(caller): Extension<Caller>, State(state): State<AppState>) -> ApiResult<Json<Ice>> {
    Ok(Json(Ice { ice_servers: state.calls.ice_servers(user(&caller)?) }))
}
