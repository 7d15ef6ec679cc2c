//! Imports over HTTP: upload a spreadsheet (the raw body), follow the job's progress and
//! preview, confirm it; the templates.

use super::{user, ApiResult};
use crate::auth::Caller;
use crate::error::ServiceError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::import::{ImportJob, ImportKind};

/// What is uploaded.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    /// `residents`.
    pub kind: String,
    /// The file's name as the user chose it (shown in the job and the audit log).
    #[serde(default)]
    pub file_name: String,
}

fn kind(code: &str) -> Result<ImportKind, ServiceError> {
    ImportKind::from_code(code).ok_or_else(|| ServiceError::invalid("kind", {
        let known: Vec<&str> = ImportKind::ALL.iter().map(|k| k.code()).collect();
        format!("不认识的导入类型「{code}」（可用：{}）", known.join("、"))
    }))
}

/// `POST /api/v1/imports?kind=residents&file_name=…`: the file as the body (.xlsx, .xls, .ods
/// or .csv); 202 with the job, which reads and checks the file in the background.
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<StartQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportJob>)> {
    let job = state.imports.start(user(&caller)?, kind(&q.kind)?, &q.file_name, body.to_vec(), crate::auth::now_ms())?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// `GET /api/v1/imports`: the last day's jobs, newest first.
pub async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<ImportJob>>> {
    Ok(Json(state.imports.jobs(user(&caller)?)?))
}

/// `GET /api/v1/imports/{id}`: one job, its stage, progress and preview.
pub async fn one(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> ApiResult<Json<ImportJob>> {
    Ok(Json(state.imports.job(user(&caller)?, &id)?))
}

/// `POST /api/v1/imports/{id}/confirm`: writes a checked import in one transaction (202; follow
/// the job).
pub async fn confirm(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> ApiResult<(StatusCode, Json<ImportJob>)> {
    Ok((StatusCode::ACCEPTED, Json(state.imports.confirm(user(&caller)?, &id, crate::auth::now_ms())?)))
}

/// `GET /api/v1/import-templates/{kind}`: the template workbook.
pub async fn template(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(code): Path<String>) -> ApiResult<axum::response::Response> {
    let (name, book) = state.imports.template(user(&caller)?, kind(&code)?).await?;
    Ok(super::xlsx_attachment(&name, book))
}
