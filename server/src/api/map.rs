//! The map over HTTP: the style and GeoJSON of every layer (all from our own server), a
//! building's floors, search, and the grid editor.

use super::{user, ApiResult};
use crate::auth::{now_ms, Caller};
use crate::state::AppState;
use zhizhi_shared::map::edit::{DivisionView, SaveAnswer, SaveDivision};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::Value;
use zhizhi_shared::map::{BuildingDetail, SearchHit};

/// GeoJSON with its media type; never cached, since the layers change as the street does.
fn geojson(v: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json"), (header::CACHE_CONTROL, "no-store")], Json(v)).into_response()
}

/// `GET /api/v1/map/style.json`: the MapLibre style (Style Spec v8).
pub async fn style(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Value>> {
    Ok(Json(state.map.style(user(&caller)?).await?))
}

/// `GET /api/v1/public/map/style.json`: the public form's small map (no account).
pub async fn public_style(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(state.map.public_style().await?))
}

/// `GET /api/v1/public/map/basemap.geojson` (no account).
pub async fn public_basemap(State(state): State<AppState>) -> ApiResult<Response> {
    Ok(geojson(state.map.public_basemap().await?))
}

/// `GET /api/v1/public/map/buildings.geojson`: footprints and addresses (no account).
pub async fn public_buildings(State(state): State<AppState>) -> ApiResult<Response> {
    Ok(geojson(state.map.public_buildings().await?))
}

/// `GET /api/v1/map/basemap.geojson`
pub async fn basemap(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    Ok(geojson(state.map.basemap(user(&caller)?).await?))
}

/// `GET /api/v1/map/geography.geojson`: the street's geography (communities, grids,
/// micro-grids, buildings) as one download for a GIS.
pub async fn geography(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    let (name, v) = state.map.geography(user(&caller)?, crate::auth::now_ms()).await?;
    Ok(super::attachment(&name, "application/geo+json", serde_json::to_vec(&v).unwrap_or_default()))
}

/// `GET /api/v1/map/areas.geojson`: communities, grids, micro-grids.
pub async fn areas(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    Ok(geojson(state.map.areas(user(&caller)?).await?))
}

/// `GET /api/v1/map/floors.geojson`: every building, one feature per floor.
pub async fn floors(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    Ok(geojson(state.map.floors(user(&caller)?).await?))
}

/// `GET /api/v1/map/devices.geojson`
pub async fn devices(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    let me = user(&caller)?;
    Ok(geojson(zhizhi_shared::map::device_features(&state.map.map_devices(me, now_ms()).await)))
}

/// `GET /api/v1/map/cases.geojson`: open cases the user may see.
pub async fn cases(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    Ok(geojson(state.map.cases(user(&caller)?, now_ms()).await?))
}

/// `GET /api/v1/map/buildings/{id}`: floors, households, residents (masked), devices, cases.
pub async fn building(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<BuildingDetail>> {
    Ok(Json(state.map.building(user(&caller)?, id, now_ms()).await?))
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
}

/// `GET /api/v1/map/search?q=`: buildings, grids and micro-grids to fly to.
pub async fn search(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<SearchQuery>) -> ApiResult<Json<Vec<SearchHit>>> {
    Ok(Json(state.map.search(user(&caller)?, &q.q).await?))
}

/// `GET /api/v1/grids/{id}/division`: the grid and its micro-grids (administrators).
pub async fn division(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<DivisionView>> {
    Ok(Json(state.map.division(user(&caller)?, id).await?))
}

/// `PUT /api/v1/grids/{id}/division`: checks and saves a new division; the answer's report
/// names every problem (then nothing was saved) and the uncovered area.
pub async fn save_division(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<SaveDivision>,
) -> ApiResult<Response> {
    let answer: SaveAnswer = state.map.save_division(user(&caller)?, id, &body, now_ms()).await?;
    let status = if answer.saved || body.dry_run { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(answer)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct WorkerBody {
    pub worker_id: i64,
}

/// `PUT /api/v1/grids/{id}/worker`: assigns the grid's worker.
pub async fn set_worker(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<WorkerBody>,
) -> ApiResult<Json<Value>> {
    state.map.set_worker(user(&caller)?, id, body.worker_id, now_ms()).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// `POST /api/v1/map/buildings/import`: building footprints as a GeoJSON FeatureCollection
/// (`address`, `floors`, optional `name`, `floor_height_m`, `usage`); all or nothing.
pub async fn import_buildings(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(fc): Json<Value>) -> ApiResult<Json<Value>> {
    let (inserted, updated) = state.map.import_buildings(user(&caller)?, &fc, now_ms()).await?;
    Ok(Json(serde_json::json!({ "inserted": inserted, "updated": updated })))
}
