//! Residents over HTTP: masked lists by grid, and the audited reveal of one record.

use super::{user, ApiResult};
use crate::auth::Caller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::people::ResidentView;

/// Paging of a list.
#[derive(Debug, Deserialize)]
pub struct Page {
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

fn default_limit() -> i64 {
    50
}

/// `GET /api/v1/grids/{id}/residents`: the grid's residents, masked. The read is audited.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(grid_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ResidentView>>> {
    Ok(Json(state.residents.in_grid(user(&caller)?, grid_id, page.limit, page.offset).await?))
}

/// The body of a reveal: why the user needs the unmasked record.
#[derive(Debug, Deserialize)]
pub struct RevealRequest {
    #[serde(default)]
    pub reason: String,
}

/// `GET /api/v1/residents/{id}`: one resident's page, masked: household, members, devices.
pub async fn page(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<zhizhi_shared::people::ResidentPage>> {
    Ok(Json(state.residents.page(user(&caller)?, id, crate::auth::now_ms()).await?))
}

/// `POST /api/v1/residents/{id}/reveal`: one resident unmasked, for a stated reason, audited.
pub async fn reveal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> ApiResult<Json<ResidentView>> {
    Ok(Json(state.residents.reveal(user(&caller)?, id, &body.reason).await?))
}

/// Why a grid's residents are exported unmasked (none: masked).
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /api/v1/grids/{id}/residents.xlsx?reason=`: the grid's residents as an Excel workbook,
/// masked unless a reason is given by one who may reveal them; audited with its row count.
pub async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(grid_id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, book) = state.residents.export(user(&caller)?, grid_id, q.reason.as_deref(), crate::auth::now_ms()).await?;
    Ok(super::xlsx_attachment(&name, book))
}

/// `GET /api/v1/people?q=&care=&age=&grid_id=&tenure=`: a search of people, houses and enterprises
/// (人房企): residents masked and scoped (the read audited), buildings, businesses.
pub async fn search(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<zhizhi_shared::people::PeopleQuery>,
) -> ApiResult<Json<zhizhi_shared::people::PeopleFound>> {
    Ok(Json(state.residents.search(user(&caller)?, &q, &state.supervision, crate::auth::now_ms()).await?))
}
