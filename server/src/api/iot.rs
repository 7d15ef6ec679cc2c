//! IoT over HTTP: ingest, the device registry, alarms and device health.

use super::{user, ApiResult};
use crate::error::ServiceError;
use crate::auth::{now_ms, Caller};
use crate::state::AppState;
use crate::ingest::{Busy, Sender, MAX_BATCH};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use zhizhi_shared::iot::{AlarmView, DeviceList, DevicePage, DeviceQuery, Health, NewDevice};

/// The answer to a batch.
#[derive(Debug, Serialize)]
pub struct IngestAnswer {
    pub stored: usize,
    pub duplicates: usize,
    pub refused: usize,
    pub results: Vec<crate::ingest::Outcome>,
}

/// Who is sending: a token with the `ingest` scope (an NB-IoT platform, for any device), or a
/// device with its own secret (`Authorization: Device <code>:<secret>`).
fn sender(state: &AppState, caller: &Caller, headers: &HeaderMap) -> ApiResult<Sender> {
    if caller.has_scope("ingest") {
        return Ok(Sender::Integration);
    }
    let device = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Device "));
    match device.and_then(|d| d.trim().split_once(':')) {
        Some((code, secret)) if state.devices.device_secret_ok(code, secret) => Ok(Sender::Device(code.to_string())),
        Some(_) => Err(ServiceError::BadCredentials("设备编号或密钥不正确".into())),
        None if matches!(caller, Caller::Token { .. }) => Err(ServiceError::Denied("该令牌没有 ingest 权限".into())),
        None => Err(ServiceError::Unauthenticated),
    }
}

/// `POST /api/v1/ingest`: a batch of messages, as an array or `{"messages": [...]}`. Answers
/// after every accepted message is durably stored, with one result per message; a repeated
/// `(device_id, msg_id)` is acknowledged as `duplicate`. 503 with `Retry-After` when the queue
/// is full.
///
/// Another server copy forwards a batch to the copy that runs the engine with that copy's
/// secret in `X-Zhizhi-Forward` and the sending device (or `null`) in `device`; a wrong or
/// outdated secret is refused (401) and the forwarding copy asks again.
pub async fn ingest(State(state): State<AppState>, Extension(caller): Extension<Caller>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    // `None`: forwarded by another copy with this copy's secret; the device is in the body.
    let from = match headers.get(crate::ingest::FORWARD_HEADER) {
        Some(secret) if state.ingest.forward_ok(secret.to_str().unwrap_or_default()) => None,
        Some(_) => return ServiceError::BadCredentials("转发密钥不正确（处理节点已更换），请重新询问处理节点".into()).into_response(),
        None => match sender(&state, &caller, &headers) {
            Ok(s) => Some(s),
            Err(e) => return e.into_response(),
        },
    };
    let mut device: Option<String> = None;
    let batch = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(serde_json::Value::Object(mut o)) => {
            device = o.remove("device").and_then(|d| d.as_str().map(str::to_string));
            match o.remove("messages") {
                Some(serde_json::Value::Array(a)) => a,
                _ => return ServiceError::invalid("messages", "请求体应为消息数组，或 {\"messages\": [...]}").into_response(),
            }
        }
        Ok(_) => return ServiceError::invalid("messages", "请求体应为消息数组，或 {\"messages\": [...]}").into_response(),
        Err(e) => return ServiceError::invalid("messages", format!("请求体不是合法的 JSON：{e}")).into_response(),
    };
    if batch.len() > MAX_BATCH {
        return ServiceError::TooLarge(format!("每批最多 {MAX_BATCH} 条消息，本批 {} 条", batch.len())).into_response();
    }
    let answer = match from {
        Some(from) => state.ingest.submit(&from, batch).await,
        None => state.ingest.submit_here(&device.map_or(Sender::Integration, Sender::Device), batch).await,
    };
    match answer {
        Ok(results) => {
            let count = |s: &str| results.iter().filter(|r| r.status == s).count();
            Json(IngestAnswer { stored: count("stored"), duplicates: count("duplicate"), refused: count("refused"), results }).into_response()
        }
        Err(e) => {
            let status = match e {
                Busy::Full(_) => StatusCode::SERVICE_UNAVAILABLE,
                Busy::Storage(_) | Busy::Stopped | Busy::NoLeader | Busy::Leader(_) => StatusCode::SERVICE_UNAVAILABLE,
            };
            (status, [(header::RETRY_AFTER, "1")], Json(serde_json::json!({ "error": e.to_string() }))).into_response()
        }
    }
}

/// `GET /api/v1/devices`
pub async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<DeviceQuery>) -> ApiResult<Json<DeviceList>> {
    Ok(Json(state.devices.list(user(&caller)?, &q, now_ms()).await?))
}

/// `GET /api/v1/devices/{id}`
pub async fn page(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<DevicePage>> {
    Ok(Json(state.devices.page(user(&caller)?, id, now_ms()).await?))
}

/// `POST /api/v1/devices`: registers a device or changes the one with the same code.
pub async fn save(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(d): Json<NewDevice>) -> ApiResult<Json<DevicePage>> {
    let me = user(&caller)?;
    let now = now_ms();
    let ids = state.devices.save(me, std::slice::from_ref(&d), now).await?;
    Ok(Json(state.devices.page(me, ids[0], now).await?))
}

/// `POST /api/v1/devices/import`: a spreadsheet (.xlsx, .xls, .ods or CSV) as the body, its
/// columns matched by name (see `iot::view::DEVICE_COLUMNS`); all rows or none.
pub async fn import(State(state): State<AppState>, Extension(caller): Extension<Caller>, body: axum::body::Bytes) -> ApiResult<Json<serde_json::Value>> {
    let ids = state.devices.import_file(user(&caller)?, &body, now_ms()).await?;
    Ok(Json(serde_json::json!({ "imported": ids.len() })))
}

/// `GET /api/v1/devices/template.xlsx`: the device import's template (administrators).
pub async fn template(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<axum::response::Response> {
    let (name, book) = state.devices.template(user(&caller)?).await?;
    Ok(super::xlsx_attachment(&name, book))
}

#[derive(Debug, Deserialize)]
pub struct Retire {
    pub retired: bool,
}

/// `POST /api/v1/devices/{id}/retired`
pub async fn retire(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(b): Json<Retire>) -> ApiResult<StatusCode> {
    state.devices.retire(user(&caller)?, id, b.retired, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/devices/{id}/secret`: a new secret, shown this once.
pub async fn secret(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<serde_json::Value>> {
    let s = state.devices.new_secret(user(&caller)?, id, now_ms()).await?;
    Ok(Json(serde_json::json!({ "secret": s })))
}

#[derive(Debug, Deserialize)]
pub struct Absence {
    pub hours: Option<i64>,
}

/// `POST /api/v1/residents/{id}/absence-hours`: the care limit of a resident.
pub async fn absence(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, Json(b): Json<Absence>) -> ApiResult<StatusCode> {
    state.devices.set_absence_hours(user(&caller)?, id, b.hours, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct AlarmQuery {
    #[serde(default)]
    pub open: bool,
    pub rule: Option<String>,
}

/// `GET /api/v1/alarms`
pub async fn alarms(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<AlarmQuery>) -> ApiResult<Json<Vec<AlarmView>>> {
    Ok(Json(state.devices.alarms(user(&caller)?, q.open, q.rule.as_deref()).await?))
}

/// `GET /api/v1/iot/health`
pub async fn health(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Health>> {
    Ok(Json(state.devices.health(user(&caller)?, now_ms()).await?))
}

/// `GET /api/v1/devices.xlsx?kind=&grid=&status=&q=`: the device list (every page of it) as an
/// Excel workbook; audited with its count.
pub async fn export(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<DeviceQuery>) -> ApiResult<axum::response::Response> {
    let (name, book) = state.devices.export(user(&caller)?, &q, now_ms()).await?;
    Ok(super::xlsx_attachment(&name, book))
}

/// `GET /api/v1/alarms.xlsx?open=&rule=`: the alarm log as an Excel workbook; audited.
pub async fn export_alarms(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<AlarmQuery>) -> ApiResult<axum::response::Response> {
    let (name, book) = state.devices.export_alarms(user(&caller)?, q.open, q.rule.as_deref(), now_ms()).await?;
    Ok(super::xlsx_attachment(&name, book))
}
