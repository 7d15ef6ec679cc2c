//! Cases over HTTP: report, list, detail, actions, photos, and the live stream.

use super::{user, ApiResult};
use crate::error::ServiceError;
use crate::accounts::SessionEnded;
use crate::auth::{now_ms, Caller};
use crate::state::AppState;
use crate::live::{self, Viewer};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use tokio_stream::StreamExt as _;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{BuildingRef, CaseDetail, CaseList, CaseQuery, NewCase};
use zhizhi_shared::case::{Action, CATEGORIES, GROUPS};

/// The principal a request acts as: a signed-in user, or an integration holding a token with
/// the `cases` scope, which acts with the command centre's rights under the token's name.
pub(super) fn actor(caller: &Caller) -> ApiResult<Principal> {
    if let Caller::Token { name, .. } = caller
        && caller.has_scope("cases")
    {
        return Ok(machine(name));
    }
    user(caller).cloned()
}

/// Who reports a case: as [`actor`], and also a token of scope `report` (a 12345 hotline
/// platform), which may report and do nothing else.
fn reporter(caller: &Caller) -> ApiResult<Principal> {
    match caller {
        Caller::Token { name, .. } if caller.has_scope("report") => Ok(machine(name)),
        _ => actor(caller),
    }
}

/// A machine client acting as the command centre would, under its token's name.
fn machine(name: &str) -> Principal {
    Principal {
        user_id: -1,
        username: format!("token:{name}"),
        display_name: name.to_string(),
        roles: vec![Role::Command],
        post_id: None,
        grid_ids: vec![],
        password_expired: false, street_id: None, street_grids: vec![],
    }
}

/// A category as forms list it.
#[derive(Debug, Serialize)]
pub struct CategoryView {
    pub code: &'static str,
    pub group: &'static str,
    pub group_name: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub post: &'static str,
    pub urgency: &'static str,
    /// Minutes allowed for each stage.
    pub deadlines_min: [i64; 4],
}

/// `GET /api/v1/categories`: the category tree with suggested posts and deadlines.
pub async fn categories(Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<CategoryView>>> {
    actor(&caller)?;
    Ok(Json(
        CATEGORIES
            .iter()
            .map(|c| CategoryView {
                code: c.code,
                group: c.group,
                group_name: GROUPS.iter().find(|g| g.code == c.group).map(|g| g.name_zh).unwrap_or(""),
                name: c.name_zh,
                name_en: c.name_en,
                post: c.post,
                urgency: c.urgency.code(),
                deadlines_min: [c.deadlines.accept, c.deadlines.dispatch, c.deadlines.handle, c.deadlines.verify],
            })
            .collect(),
    ))
}

/// `GET /api/v1/cases`: the cases the caller may see.
pub async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<CaseQuery>) -> ApiResult<Json<CaseList>> {
    let me = actor(&caller)?;
    Ok(Json(state.cases.list(&me, &q, now_ms()).await?))
}

/// `GET /api/v1/cases.xlsx`: the same list as an Excel workbook (up to 50,000 cases), audited.
pub async fn export(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<CaseQuery>) -> ApiResult<axum::response::Response> {
    let me = actor(&caller)?;
    let (name, book) = state.cases.export(&me, &q, now_ms()).await?;
    Ok(super::xlsx_attachment(&name, book))
}

/// `POST /api/v1/cases`: reports a case.
pub async fn report(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(new): Json<NewCase>) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let me = reporter(&caller)?;
    Ok(match state.cases.report_once(&me, new, now_ms()).await? {
        crate::cases::Once::Done(d) => (StatusCode::CREATED, Json(d)),
        // The same `client_id` again: the case made the first time.
        crate::cases::Once::Again(d) => (StatusCode::OK, Json(d)),
    })
}

/// `GET /api/v1/cases/{id}`: a case with its timeline.
pub async fn detail(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<CaseDetail>> {
    let me = actor(&caller)?;
    Ok(Json(state.cases.detail(&me, id).await?))
}

/// The body of an action: the action (tagged by `action`) and, optionally, the version of
/// the case it was decided on.
#[derive(Debug, Deserialize)]
pub struct ActionRequest {
    #[serde(flatten)]
    pub action: Action,
    #[serde(default)]
    pub version: Option<i64>,
    /// The sender's own id for this action (a phone's queued action): sent again, it does
    /// nothing and answers with the case as it now stands.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// `POST /api/v1/cases/{id}/actions`: dispatch, accept a task, report back, verify, close….
pub async fn act(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<CaseDetail>> {
    let me = actor(&caller)?;
    let req: ActionRequest = serde_json::from_slice(&body).map_err(|e| ServiceError::invalid("action", format!("无法识别的操作：{e}")))?;
    Ok(Json(state.cases.act_once(&me, id, &req.action, req.version, req.client_id.as_deref(), now_ms()).await?.detail()))
}

/// `POST /api/v1/cases/{id}/photos`: adds a photo (the raw JPEG, PNG or WebP bytes).
/// With `?client_id=` (a phone's queued photo), a second send adds no second photo and answers
/// 200 with the case.
pub async fn add_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(q): Query<ClientQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let me = actor(&caller)?;
    Ok(match state.cases.attach_once(&me, id, body.to_vec(), q.client_id.as_deref(), now_ms()).await? {
        crate::cases::Once::Done(d) => (StatusCode::CREATED, Json(d)),
        crate::cases::Once::Again(d) => (StatusCode::OK, Json(d)),
    })
}

/// The sender's own id of a write (`?client_id=`).
#[derive(Debug, Deserialize)]
pub struct ClientQuery {
    #[serde(default)]
    pub client_id: Option<String>,
}

/// `GET /api/v1/photos/{id}`: a photo of a case the caller may see.
pub async fn photo(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Response> {
    let me = actor(&caller)?;
    let p = state.cases.photo(&me, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, p.content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CACHE_CONTROL, "private, max-age=86400".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'".into()),
        ],
        p.data,
    )
        .into_response())
}

/// Which buildings to find.
#[derive(Debug, Deserialize)]
pub struct BuildingQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/buildings?q=磁南街27`: buildings by address, for reporting a case.
pub async fn buildings(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<BuildingQuery>) -> ApiResult<Json<Vec<BuildingRef>>> {
    let me = actor(&caller)?;
    let limit = q.limit.unwrap_or(20).clamp(1, 200);
    Ok(Json(state.directory.buildings(&me, &q.q, false, limit).await?))
}

/// Where a stream starts.
#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    /// The list's cursor: replay every event after it.
    #[serde(default)]
    pub after: Option<i64>,
    /// Only `call` events (and `end`): the page's call layer, which needs no case events.
    #[serde(default)]
    pub only: Option<String>,
}

/// `GET /api/v1/stream`: server-sent events of every case change the caller may see. A
/// reconnecting client's `Last-Event-ID` (or `?after=`) replays what it missed; a `reset`
/// event tells it to reload when what it asks for is no longer kept.
pub async fn stream(State(state): State<AppState>, Extension(caller): Extension<Caller>, headers: HeaderMap, Query(q): Query<StreamQuery>) -> ApiResult<impl IntoResponse> {
    let viewer = if caller.has_scope("read") || caller.has_scope("cases") { Viewer::Machine } else { Viewer::User(user(&caller)?.clone()) };
    let slot = StreamSlot::take(&state.streams, caller.actor())?;
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok()).or(q.after);
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let calls_only = match q.only.as_deref() {
        None => false,
        Some("call") => true,
        Some(other) => return Err(ServiceError::invalid("only", format!("不认识的事件类型 {other:?}（只能是 call）"))),
    };
    // A calls-only stream keeps the case channel open and empty.
    let mut idle_cases = None;
    if calls_only {
        idle_cases = Some(tx);
    } else {
        // Subscribe before reading the log, so nothing falls between the two.
        let live = state.cases.hub.subscribe();
        tokio::spawn(live::pump(state.store.clone(), live, viewer, last, tx));
    }
    // A frame may become two events (a case and its activation): a small relay sends them on;
    // when the client goes away the relay ends, and with it the pump.
    // A user's stream ends with their session: at once when it ends on this server copy
    // (logout, password change, account disabled), within `stream_recheck` when it expires or
    // ends on another copy. It says so (`end`) before it closes.
    let (events_tx, events_rx) = tokio::sync::mpsc::channel(64);
    let session = match &caller {
        Caller::User { principal, session } => Some((principal.user_id, session.clone())),
        _ => None,
    };
    let (accounts, recheck) = (state.accounts.clone(), state.auth.stream_recheck);
    let mut ends = state.accounts.session_ends();
    let mut stopping = state.stopping.subscribe();
    // Flood control's changes (a version number; the screen reads the board again).
    let mut flood = state.flood.changed.subscribe();
    flood.mark_unchanged();
    // Enterprise supervision's changes, the same way.
    let mut supervision = state.supervision.changed.subscribe();
    supervision.mark_unchanged();
    // Video calls: what rings, changes or is signalled for this user (`event: call`).
    let mut calls = state.calls.events.subscribe();
    let me_id = session.as_ref().map(|s| s.0);
    tokio::spawn(async move {
        let _slot = slot;
        let _idle_cases = idle_cases;
        let mut rx = rx;
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + recheck, recheck);
        let over = loop {
            tokio::select! {
                frame = rx.recv() => {
                    let Some(f) = frame else { return };
                    for e in sse_events(f) {
                        if events_tx.send(e).await.is_err() {
                            return;
                        }
                    }
                }
                ended = ends.recv(), if session.is_some() => {
                    let (user, hash) = session.as_ref().expect("guarded");
                    match ended {
                        Ok(SessionEnded::Session(h)) if &h == hash => break true,
                        Ok(SessionEnded::User(u)) if u == *user => break true,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) if !accounts.session_alive(hash).await.unwrap_or(true) => break true,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                        _ => {}
                    }
                }
                changed = flood.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let (version, reading) = *flood.borrow_and_update();
                    let e = Event::default().event("flood").data(format!("{version}-{reading}"));
                    if events_tx.send(e).await.is_err() {
                        return;
                    }
                }
                changed = supervision.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let version = *supervision.borrow_and_update();
                    if events_tx.send(Event::default().event("supervision").data(version.to_string())).await.is_err() {
                        return;
                    }
                }
                note = calls.recv(), if me_id.is_some() => {
                    let note = match note {
                        Ok(n) => n,
                        // A missed call event: the page reads its calls again on the next one.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    };
                    if me_id.is_some_and(|me| note.to.contains(&me)) {
                        let data = serde_json::to_string(&note.event).unwrap_or_default();
                        if events_tx.send(Event::default().event("call").data(data)).await.is_err() {
                            return;
                        }
                    }
                }
                // The client went away.
                _ = events_tx.closed() => return,
                // The server is stopping: close, so that it can (the client resumes elsewhere).
                _ = async { let _ = stopping.wait_for(|s| *s).await; } => return,
                _ = every.tick(), if session.is_some() => {
                    let (_, hash) = session.as_ref().expect("guarded");
                    if !accounts.session_alive(hash).await.unwrap_or(true) {
                        break true;
                    }
                }
            }
        };
        if over {
            let _ = events_tx.send(Event::default().event("end").data("会话已结束，请重新登录")).await;
        }
    });
    let events = tokio_stream::wrappers::ReceiverStream::new(events_rx).map(Ok::<_, Infallible>);
    Ok((
        [(header::CACHE_CONTROL, "no-cache"), (header::HeaderName::from_static("x-accel-buffering"), "no")],
        Sse::new(events).keep_alive(KeepAlive::default()),
    ))
}

/// At most this many live streams open at once per user (or token): wall screens, desks and
/// phones, not a loop opening connections.
pub const STREAMS_PER_CALLER: usize = 16;

/// One of a caller's live streams, given back when the stream ends.
struct StreamSlot {
    table: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    key: String,
}

impl StreamSlot {
    fn take(table: &std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>, key: String) -> Result<StreamSlot, ServiceError> {
        let mut open = table.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.clone()).or_default();
        if *n >= STREAMS_PER_CALLER {
            return Err(ServiceError::Throttled(format!("同时打开的实时连接过多（每个账号最多 {STREAMS_PER_CALLER} 个），请关闭不用的页面")));
        }
        *n += 1;
        Ok(StreamSlot { table: table.clone(), key })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// A stream's frame as server-sent events (and, last, `end` when the user's session ended):
/// `ready` (data: the cursor), `reset` (id and data:
/// the newest event), `case` (id: the event; data: the case as JSON), and after the `case` of
/// a case under a contingency plan, `activation` (data: the activation's brief; no id of its
/// own, so a reconnect resumes after the case event it belongs to).
fn sse_events(f: live::Frame) -> Vec<Event> {
    match f {
        live::Frame::Ready { cursor } => vec![Event::default().event("ready").data(cursor.to_string())],
        live::Frame::Reset { newest } => vec![Event::default().event("reset").id(newest.to_string()).data(newest.to_string())],
        live::Frame::Case(e) => {
            let activation = e.activation_json().map(|a| Event::default().event("activation").data(a));
            let case = Event::default().id(e.event.id.to_string()).event("case").data(e.case_json());
            std::iter::once(case).chain(activation).collect()
        }
    }
}

/// `POST /api/v1/public/reports`: a resident's report without an account (the public form).
/// Answers the case number and the private follow link (its token is shown only here).
pub async fn public_report(State(state): State<AppState>, request: axum::extract::Request) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let address = crate::auth::client_address(request.extensions());
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await.map_err(|_| ServiceError::invalid("body", "请求过大"))?;
    let new: NewCase = serde_json::from_slice(&body).map_err(|e| ServiceError::invalid("body", format!("无法识别的上报内容：{e}")))?;
    let r = state.cases.report_public(new, &address, now_ms()).await?;
    let upload_url = r.upload.as_ref().map(|g| format!("/api/v1/public/uploads/{g}"));
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "number": r.number, "token": r.token, "follow": format!("/f/{}", r.token), "upload": r.upload, "upload_url": upload_url })),
    ))
}

/// `GET /api/v1/public/buildings?q=`: addresses for the public form (at least two characters,
/// ten answers: enough to pick one's own address, not to list the street).
pub async fn public_buildings(State(state): State<AppState>, Query(q): Query<BuildingQuery>) -> ApiResult<Json<Vec<BuildingRef>>> {
    Ok(Json(state.directory.public_buildings(&q.q).await?))
}
