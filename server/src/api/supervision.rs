//! Enterprise supervision over HTTP: businesses with their grades and help, the supervision
//! board, the joint inspection's steps, the yearly draw and its public page. Changes reach open
//! screens as `supervision` events on `/api/v1/stream`.

use super::{ApiResult, user};
use crate::auth::{Caller, now_ms};
use crate::state::AppState;
use crate::supervision::inspect::Step;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use zhizhi_shared::enterprise::view::{DrawView, EnterpriseDetail, EnterpriseQuery, EnterpriseRow, HelpKind, InspectionBrief, NewLicence, InspectionView, SupervisionBoard};
use zhizhi_shared::enterprise::GradeChange;

/// `GET /api/v1/enterprises?q=&grid_id=&grade=&flagged=`.
pub async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<EnterpriseQuery>) -> ApiResult<Json<Vec<EnterpriseRow>>> {
    Ok(Json(state.supervision.list(user(&caller)?, &q, now_ms()).await?))
}

/// `GET /api/v1/enterprises.xlsx?…&reason=`: every business the list's filters match, as a
/// workbook; contacts masked unless a reason is given by one who may see them in full.
pub async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<EnterpriseQuery>,
    Query(r): Query<super::residents::ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, book) = state.supervision.export(user(&caller)?, &q, r.reason.as_deref(), now_ms()).await?;
    Ok(super::xlsx_attachment(&name, book))
}

/// `GET /api/v1/enterprises/board`.
pub async fn board(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<SupervisionBoard>> {
    Ok(Json(state.supervision.board(user(&caller)?, now_ms()).await?))
}

/// `GET /api/v1/enterprises/{id}`: one business with its grade history.
pub async fn detail(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<EnterpriseDetail>> {
    Ok(Json(state.supervision.detail(user(&caller)?, id, now_ms()).await?))
}

/// `POST /api/v1/enterprises/{id}/grades`: a grade change with reason and evidence.
pub async fn regrade(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(c): Json<GradeChange>) -> ApiResult<StatusCode> {
    state.supervision.regrade(user(&caller)?, id, &c, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/enterprises/{id}/licences`: a licence renewed or added (replaces the one of the
/// same kind).
pub async fn licence(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(l): Json<NewLicence>) -> ApiResult<StatusCode> {
    state.supervision.save_licence(user(&caller)?, id, &l, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Help given.
#[derive(Debug, Deserialize)]
pub struct NewHelp {
    pub kind: HelpKind,
    pub note: String,
}

/// `POST /api/v1/enterprises/{id}/help`.
pub async fn help(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(h): Json<NewHelp>) -> ApiResult<StatusCode> {
    state.supervision.add_help(user(&caller)?, id, h.kind, &h.note, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The business a case is about.
#[derive(Debug, Deserialize)]
pub struct CaseLink {
    pub enterprise_id: Option<i64>,
}

/// `PUT /api/v1/cases/{id}/enterprise`: link a case to a business (or unlink it).
pub async fn link_case(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(l): Json<CaseLink>) -> ApiResult<StatusCode> {
    state.supervision.link_case(user(&caller)?, id, l.enterprise_id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A joint inspection filed.
#[derive(Debug, Deserialize)]
pub struct NewInspection {
    pub enterprise_id: i64,
    #[serde(default)]
    pub scheduled_at: Option<i64>,
}

/// `POST /api/v1/inspections`: file a joint inspection led by the caller's post.
pub async fn file(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(n): Json<NewInspection>) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = state.supervision.file(user(&caller)?, n.enterprise_id, n.scheduled_at, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `GET /api/v1/inspections`: the inspections not yet closed.
pub async fn open(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<InspectionBrief>>> {
    Ok(Json(state.supervision.board(user(&caller)?, now_ms()).await?.open))
}

/// `GET /api/v1/inspections/{id}`.
pub async fn inspection(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<InspectionView>> {
    Ok(Json(state.supervision.inspection(user(&caller)?, id, now_ms()).await?))
}

/// `POST /api/v1/inspections/{id}/steps`: one step (items, approval, the visit, the notice,
/// rectification, re-inspection); the inspection as it then stands.
pub async fn step(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(s): Json<Step>) -> ApiResult<Json<InspectionView>> {
    let me = user(&caller)?;
    let now = now_ms();
    state.supervision.step(me, id, s, now).await?;
    Ok(Json(state.supervision.inspection(me, id, now).await?))
}

/// A draw asked for.
#[derive(Debug, Deserialize)]
pub struct NewDraw {
    pub year: i32,
    pub seed: u64,
}

/// `POST /api/v1/inspections/draws`: this year's random draw of inspection targets.
pub async fn draw(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(d): Json<NewDraw>) -> ApiResult<(StatusCode, Json<DrawView>)> {
    Ok((StatusCode::CREATED, Json(state.supervision.draw(user(&caller)?, d.year, d.seed, now_ms()).await?)))
}

/// `GET /api/v1/inspections/draws/{id}`.
pub async fn draw_of(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<DrawView>> {
    Ok(Json(state.supervision.draw_of(user(&caller)?, id).await?))
}

/// `GET /api/v1/public/draws`: the draws as published (公示), open without an account.
pub async fn public_draws(State(state): State<AppState>) -> ApiResult<Json<Vec<DrawView>>> {
    Ok(Json(state.supervision.public_draws().await?))
}
