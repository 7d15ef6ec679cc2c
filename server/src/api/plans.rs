//! Contingency plans and their activations over HTTP.

use super::{ApiResult, user};
use crate::auth::{Caller, now_ms};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::plan::{
    ActivationBrief, ActivationChange, ActivationView, CheckItem, NewActivation, PlanSave, PlanView,
};

/// `GET /api/v1/plans`: every plan at its current version.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<PlanView>>> {
    Ok(Json(state.plans.list(user(&caller)?).await?))
}

/// `GET /api/v1/plans/{id}`.
pub async fn read(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(state.plans.get(user(&caller)?, id).await?))
}

/// `POST /api/v1/plans`: a new plan (administrators).
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(save): Json<PlanSave>,
) -> ApiResult<(StatusCode, Json<PlanView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .plans
                .save(user(&caller)?, None, None, &save, now_ms())
                .await?,
        ),
    ))
}

/// Which version an edit was made on.
#[derive(Debug, Deserialize)]
pub struct Seen {
    #[serde(default)]
    pub version: Option<i64>,
}

/// `PUT /api/v1/plans/{id}?version=N`: a new version of a plan (administrators); with
/// `version`, refused with 409 if someone saved another version since.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(seen): Query<Seen>,
    Json(save): Json<PlanSave>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(
        state
            .plans
            .save(user(&caller)?, Some(id), seen.version, &save, now_ms())
            .await?,
    ))
}

/// `POST /api/v1/plans/{id}/activations`: activate a plan (command staff).
pub async fn activate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(new): Json<NewActivation>,
) -> ApiResult<(StatusCode, Json<ActivationView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .plans
                .activate(user(&caller)?, id, &new, now_ms())
                .await?,
        ),
    ))
}

/// Which activations to list.
#[derive(Debug, Deserialize)]
pub struct Running {
    #[serde(default)]
    pub running: Option<bool>,
}

/// `GET /api/v1/activations?running=true`.
pub async fn activations(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Running>,
) -> ApiResult<Json<Vec<ActivationBrief>>> {
    Ok(Json(
        state
            .plans
            .activations(user(&caller)?, q.running.unwrap_or(false))
            .await?,
    ))
}

/// `GET /api/v1/activations/{id}`: the incident view's data.
pub async fn activation(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<ActivationView>> {
    Ok(Json(state.plans.view(user(&caller)?, id).await?))
}

/// `POST /api/v1/activations/{id}/changes`: raise or lower the level, stand down, review.
pub async fn change(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(change): Json<ActivationChange>,
) -> ApiResult<Json<ActivationView>> {
    Ok(Json(
        state
            .plans
            .change(user(&caller)?, id, &change, now_ms())
            .await?,
    ))
}

/// `POST /api/v1/activations/{id}/checks`: the holder of a plan task ticks (or unticks) an
/// item of its checklist.
pub async fn check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(check): Json<CheckItem>,
) -> ApiResult<Json<ActivationView>> {
    Ok(Json(state.plans.check(user(&caller)?, id, &check, now_ms()).await?))
}
