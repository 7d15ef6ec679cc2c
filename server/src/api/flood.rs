//! Flood control over HTTP: the board, gauges and forecasts, the response, the evacuation list,
//! zones, shelters and checkpoints. Changes reach open screens as `flood` events on
//! `/api/v1/stream`.

use super::{ApiResult, user};
use crate::auth::{Caller, now_ms};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use zhizhi_shared::flood::view::{EvacRecord, FloodBoard, NewShelter, ResponseView};
use zhizhi_shared::flood::{EvacUpdate, ForecastInput, GaugeSettings};
use zhizhi_shared::plan::Level;

/// The level a board is drawn for.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub level_m: Option<f64>,
}

/// `GET /api/v1/flood?level_m=`: everything the flood screens show.
pub async fn board(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<BoardQuery>) -> ApiResult<Json<FloodBoard>> {
    Ok(Json(state.flood.board(user(&caller)?, q.level_m, now_ms()).await?))
}

/// `PUT /api/v1/flood/gauges/{id}`: a gauge's station, datum and lines.
pub async fn save_gauge(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(s): Json<GaugeSettings>) -> ApiResult<StatusCode> {
    state.flood.save_gauge(user(&caller)?, id, &s, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/flood/gauges/{id}/forecast`: a forecast peak.
pub async fn set_forecast(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(f): Json<ForecastInput>) -> ApiResult<StatusCode> {
    state.flood.forecast(user(&caller)?, id, Some(&f), now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/flood/gauges/{id}/forecast`.
pub async fn clear_forecast(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.flood.forecast(user(&caller)?, id, None, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A level confirmed.
#[derive(Debug, Deserialize)]
pub struct Confirm {
    pub level: Level,
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/flood/response`: confirm a response level (starts the flood plan, or changes
/// the running response's level).
pub async fn confirm(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(c): Json<Confirm>) -> ApiResult<Json<ResponseView>> {
    Ok(Json(state.flood.confirm(user(&caller)?, c.level, &c.reason, now_ms()).await?))
}

/// A stand-down.
#[derive(Debug, Deserialize)]
pub struct StandDown {
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/flood/response/stand-down`.
pub async fn stand_down(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(s): Json<StandDown>) -> ApiResult<Json<ResponseView>> {
    Ok(Json(state.flood.stand_down(user(&caller)?, &s.reason, now_ms()).await?))
}

/// The level an evacuation list is drawn up for.
#[derive(Debug, Deserialize)]
pub struct DrawList {
    #[serde(default)]
    pub level_m: Option<f64>,
}

/// `POST /api/v1/flood/evacuation`: put the households under water at a level on the list.
pub async fn draw_list(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(d): Json<DrawList>) -> ApiResult<Json<Value>> {
    let added = state.flood.draw_list(user(&caller)?, d.level_m, now_ms()).await?;
    Ok(Json(json!({ "added": added })))
}

/// `POST /api/v1/flood/evacuation/households`: one household moved on.
pub async fn update(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(u): Json<EvacUpdate>) -> ApiResult<Json<EvacRecord>> {
    Ok(Json(state.flood.update(user(&caller)?, &u, now_ms()).await?))
}

/// Whether an import replaces the zones stored.
#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    pub replace: bool,
}

/// `POST /api/v1/flood/zones?replace=true`: flood zones from GeoJSON.
pub async fn import_zones(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<ImportQuery>, Json(fc): Json<Value>) -> ApiResult<Json<Value>> {
    let n = state.flood.import_zones(user(&caller)?, &fc, q.replace, now_ms()).await?;
    Ok(Json(json!({ "imported": n })))
}

/// `POST /api/v1/flood/shelters`.
pub async fn add_shelter(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(s): Json<NewShelter>) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = state.flood.add_shelter(user(&caller)?, &s).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// A checkpoint set up.
#[derive(Debug, Deserialize)]
pub struct NewCheckpoint {
    pub name: String,
}

/// `POST /api/v1/flood/checkpoints`.
pub async fn add_checkpoint(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(c): Json<NewCheckpoint>) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = state.flood.add_checkpoint(user(&caller)?, &c.name, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// People turned away.
#[derive(Debug, Deserialize)]
pub struct TurnedAway {
    pub people: i64,
}

/// `POST /api/v1/flood/checkpoints/{id}/turned-away`.
pub async fn turn_away(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(t): Json<TurnedAway>) -> ApiResult<StatusCode> {
    state.flood.turn_away(user(&caller)?, id, t.people, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
