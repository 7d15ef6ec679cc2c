//! The JSON API under `/api/v1`: thin handlers that read the request, call a service and turn
//! its answer (or its [`ServiceError`]) into a response. Every handler checks the caller's role
//! and scope through the service, whatever the interface shows or hides.
//!
//! [`routes`] is the one list of the API's routes: the router serves it, and a test checks
//! that the OpenAPI document (`openapi.json`) describes exactly these.

pub mod admin;
pub mod calls;
pub mod cases;
pub mod follow;
pub mod iot;
pub mod kpis;
pub mod map;
pub mod open311;
pub mod openapi;
pub mod flood;
pub mod supervision;
pub mod plans;
pub mod imports;
pub mod residents;
pub mod session;

use crate::auth::Caller;
use crate::error::{signed_in, ServiceError, ServiceResult};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Extension, Json, Router};
use serde_json::json;
use zhizhi_shared::auth::Principal;

/// Result of an API handler.
pub type ApiResult<T> = ServiceResult<T>;

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = self.user_message();
        let mut resp = (status, Json(json!({ "error": message, "field": self.field() }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        resp
    }
}

/// The signed-in user, or 401; 403 while their password has expired.
pub fn user(caller: &Caller) -> ApiResult<&Principal> {
    signed_in(caller.principal())
}

/// A download named `name` (Chinese allowed: RFC 5987's `filename*`, with a plain ASCII
/// `filename` for old clients).
pub(crate) fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> axum::response::Response {
    let encoded: String = name.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let ascii = format!("export.{}", name.rsplit('.').next().unwrap_or("bin"));
    let headers = [
        (axum::http::header::CONTENT_TYPE, content_type.to_string()),
        (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
    ];
    (headers, body).into_response()
}

/// An Excel workbook as a download named `name`.
pub(crate) fn xlsx_attachment(name: &str, book: Vec<u8>) -> axum::response::Response {
    attachment(name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", book)
}

/// The API's routes and, for the OpenAPI check, each route's method and path.
pub struct Routes {
    pub router: Router<AppState>,
    pub table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(mut self, method: &'static str, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.table.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("get", path, get(h))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("post", path, post(h))
    }

    /// A POST whose body may be up to `max` bytes.
    fn post_large<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, max: usize, h: H) -> Self {
        self.add("post", path, post(h).layer(DefaultBodyLimit::max(max)))
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("put", path, put(h))
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("delete", path, delete(h))
    }
}

const MB: usize = 1024 * 1024;

/// Every route of the JSON API (and `/healthz`).
pub fn routes() -> Routes {
    Routes { router: Router::new(), table: Vec::new() }
        .get("/healthz", healthz)
        .get("/readyz", readyz)
        .get("/metrics", metrics)
        .get("/api/v1/openapi.json", openapi::document)
        .get("/api/v1/summary", summary)
        .get("/api/v1/streets", streets)
        .post("/api/v1/login", session::login)
        .post("/api/v1/logout", session::logout)
        .get("/api/v1/me", session::me)
        .post("/api/v1/me/password", session::change_password)
        .get("/api/v1/grids/{id}/residents", residents::list)
        .get("/api/v1/grids/{id}/residents.xlsx", residents::export)
        .get("/api/v1/residents/{id}", residents::page)
        .post("/api/v1/residents/{id}/reveal", residents::reveal)
        .get("/api/v1/people", residents::search)
        .post_large("/api/v1/imports", crate::imports::MAX_BYTES + MB, imports::start)
        .get("/api/v1/imports", imports::list)
        .get("/api/v1/imports/{id}", imports::one)
        .post("/api/v1/imports/{id}/confirm", imports::confirm)
        .get("/api/v1/import-templates/{kind}", imports::template)
        .get("/api/v1/users", admin::users)
        .post("/api/v1/users", admin::create_user)
        .post("/api/v1/users/{id}/disabled", admin::set_disabled)
        .get("/api/v1/audit", admin::audit)
        .get("/api/v1/audit/verify", admin::verify)
        .get("/api/v1/audit/checkpoints", admin::audit_checkpoints)
        .post("/api/v1/tokens", admin::create_token)
        .get("/api/v1/tokens", admin::tokens)
        .post("/api/v1/tokens/{id}/revoke", admin::revoke_token)
        .get("/api/v1/categories", cases::categories)
        .get("/api/v1/buildings", cases::buildings)
        .get("/api/v1/cases", cases::list)
        .get("/api/v1/cases.xlsx", cases::export)
        .post("/api/v1/cases", cases::report)
        .get("/api/v1/cases/{id}", cases::detail)
        .post("/api/v1/cases/{id}/actions", cases::act)
        // Room above the photo limit, so that the handler can say how large it was.
        .post_large("/api/v1/cases/{id}/photos", crate::cases::MAX_PHOTO_BYTES + MB, cases::add_photo)
        .get("/api/v1/photos/{id}", cases::photo)
        .get("/api/v1/stream", cases::stream)
        .get("/api/v1/cases/{id}/calls", calls::of_case)
        .post("/api/v1/cases/{id}/calls", calls::start)
        .get("/api/v1/calls/mine", calls::mine)
        .get("/api/v1/calls/ice", calls::ice)
        .get("/api/v1/calls/{id}", calls::one)
        .post("/api/v1/calls/{id}/answer", calls::answer)
        .post("/api/v1/calls/{id}/hangup", calls::hang_up)
        .post("/api/v1/calls/{id}/join", calls::join)
        .post("/api/v1/calls/{id}/signals", calls::signal)
        .post("/api/v1/calls/{id}/alive", calls::alive)
        .post_large("/api/v1/calls/{id}/snapshots", crate::cases::MAX_PHOTO_BYTES + MB, calls::snapshot)
        .post("/api/v1/public/reports", cases::public_report)
        .get("/api/v1/public/buildings", cases::public_buildings)
        .get("/api/v1/public/follow/{token}", follow::follow)
        .post("/api/v1/public/follow/{token}/rating", follow::rate)
        .get("/api/v1/public/follow/{token}/photos/{id}", follow::photo)
        .post_large("/api/v1/public/uploads/{grant}", crate::cases::MAX_PHOTO_BYTES + MB, follow::upload)
        .get("/api/v1/public/place", follow::place)
        .get("/api/v1/public/map/style.json", map::public_style)
        .get("/api/v1/public/map/basemap.geojson", map::public_basemap)
        .get("/api/v1/public/map/buildings.geojson", map::public_buildings)
        .get("/api/v1/cases/{id}/contact", follow::contact)
        .post("/api/v1/cases/{id}/contact", follow::reveal_contact)
        .post("/api/v1/cases/{id}/callback", follow::callback)
        .post("/api/v1/cases/{id}/review", follow::review)
        .get("/api/v1/reviews", follow::reviews)
        .get("/open311/v2/{resource}", open311::get_resource)
        .post("/open311/v2/{resource}", open311::post_request)
        .get("/open311/v2/services/{file}", open311::get_service)
        .get("/open311/v2/requests/{file}", open311::get_request)
        .get("/open311/v2/tokens/{file}", open311::get_token)
        .post_large("/api/v1/ingest", 16 * MB, iot::ingest)
        .get("/api/v1/devices", iot::list)
        .get("/api/v1/devices.xlsx", iot::export)
        .get("/api/v1/devices/template.xlsx", iot::template)
        .post("/api/v1/devices", iot::save)
        .post_large("/api/v1/devices/import", 16 * MB, iot::import)
        .get("/api/v1/devices/{id}", iot::page)
        .post("/api/v1/devices/{id}/retired", iot::retire)
        .post("/api/v1/devices/{id}/secret", iot::secret)
        .post("/api/v1/residents/{id}/absence-hours", iot::absence)
        .get("/api/v1/alarms", iot::alarms)
        .get("/api/v1/alarms.xlsx", iot::export_alarms)
        .get("/api/v1/iot/health", iot::health)
        .get("/api/v1/map/style.json", map::style)
        .get("/api/v1/map/basemap.geojson", map::basemap)
        .get("/api/v1/map/areas.geojson", map::areas)
        .get("/api/v1/map/geography.geojson", map::geography)
        .get("/api/v1/map/floors.geojson", map::floors)
        .get("/api/v1/map/devices.geojson", map::devices)
        .get("/api/v1/map/cases.geojson", map::cases)
        .get("/api/v1/map/buildings/{id}", map::building)
        .post_large("/api/v1/map/buildings/import", 32 * MB, map::import_buildings)
        .get("/api/v1/map/search", map::search)
        .get("/api/v1/grids/{id}/division", map::division)
        .put("/api/v1/grids/{id}/division", map::save_division)
        .put("/api/v1/grids/{id}/worker", map::set_worker)
        .get("/api/v1/plans", plans::list)
        .post("/api/v1/plans", plans::create)
        .get("/api/v1/plans/{id}", plans::read)
        .put("/api/v1/plans/{id}", plans::update)
        .post("/api/v1/plans/{id}/activations", plans::activate)
        .get("/api/v1/activations", plans::activations)
        .get("/api/v1/activations/{id}", plans::activation)
        .post("/api/v1/activations/{id}/changes", plans::change)
        .post("/api/v1/activations/{id}/checks", plans::check)
        .get("/api/v1/kpis", kpis::report)
        .get("/api/v1/kpis/cases", kpis::cases)
        .get("/api/v1/kpis.xlsx", kpis::xlsx)
        .get("/api/v1/kpis/points", kpis::points)
        .get("/api/v1/kpis/weights", kpis::weights)
        .put("/api/v1/kpis/weights", kpis::set_weights)
        .get("/api/v1/flood", flood::board)
        .put("/api/v1/flood/gauges/{id}", flood::save_gauge)
        .put("/api/v1/flood/gauges/{id}/forecast", flood::set_forecast)
        .delete("/api/v1/flood/gauges/{id}/forecast", flood::clear_forecast)
        .post("/api/v1/flood/response", flood::confirm)
        .post("/api/v1/flood/response/stand-down", flood::stand_down)
        .post("/api/v1/flood/evacuation", flood::draw_list)
        .post("/api/v1/flood/evacuation/households", flood::update)
        .post_large("/api/v1/flood/zones", 16 * MB, flood::import_zones)
        .post("/api/v1/flood/shelters", flood::add_shelter)
        .post("/api/v1/flood/checkpoints", flood::add_checkpoint)
        .post("/api/v1/flood/checkpoints/{id}/turned-away", flood::turn_away)
        .get("/api/v1/enterprises", supervision::list)
        .get("/api/v1/enterprises.xlsx", supervision::export)
        .get("/api/v1/enterprises/board", supervision::board)
        .get("/api/v1/enterprises/{id}", supervision::detail)
        .post("/api/v1/enterprises/{id}/grades", supervision::regrade)
        .put("/api/v1/enterprises/{id}/licences", supervision::licence)
        .post("/api/v1/enterprises/{id}/help", supervision::help)
        .put("/api/v1/cases/{id}/enterprise", supervision::link_case)
        .get("/api/v1/inspections", supervision::open)
        .post("/api/v1/inspections", supervision::file)
        .get("/api/v1/inspections/{id}", supervision::inspection)
        .post("/api/v1/inspections/{id}/steps", supervision::step)
        .post("/api/v1/inspections/draws", supervision::draw)
        .get("/api/v1/inspections/draws/{id}", supervision::draw_of)
        .get("/api/v1/public/draws", supervision::public_draws)
}

/// `GET /api/v1/summary`: the street's counts, for any signed-in user or a token with `read`.
pub async fn summary(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<zhizhi_shared::Summary>> {
    if !caller.has_scope("read") {
        user(&caller)?;
    }
    Ok(Json(state.directory.summary().await?))
}

/// `GET /api/v1/streets`: the streets the user covers with their open and overdue cases (the
/// district's staff every street, a street's staff their own).
pub async fn streets(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<zhizhi_shared::org::StreetLoad>>> {
    Ok(Json(state.directory.streets(user(&caller)?, crate::auth::now_ms()).await?))
}

/// `GET /readyz`: whether a load balancer should send this copy work — 200 when the database
/// answers, the device registry is loaded and the copy is not stopping; 503 naming why not.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let not_ready = |why: &str| (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not_ready", "reason": why }))).into_response();
    if *state.stopping.borrow() {
        return not_ready("stopping");
    }
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "readiness check: the database does not answer");
        return not_ready("database");
    }
    if !state.ingest.is_ready() {
        return not_ready("devices_loading");
    }
    (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response()
}

/// `GET /metrics`: this copy's counters in Prometheus's text format (`metrics.rs`), for an API
/// token with the `metrics` scope (the scraper's) or a signed-in administrator.
pub async fn metrics(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Response> {
    let allowed = caller.has_scope("metrics") || caller.principal().is_some_and(|p| p.has(zhizhi_shared::auth::Role::Admin));
    if !allowed {
        return Err(match caller {
            Caller::Anonymous => ServiceError::Unauthenticated,
            _ => ServiceError::Denied("运行指标只对管理员和带 metrics 权限的接口密钥开放".into()),
        });
    }
    let streams: usize = state.streams.lock().expect("streams lock").values().sum();
    let text = crate::metrics::render(streams, state.ingest.queued(), state.cases.hub.sent(), state.ingest.leading());
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response())
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise. Says nothing else.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "engine": state.store.engine() }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}
