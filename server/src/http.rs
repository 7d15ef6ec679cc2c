//! The HTTP server: the router (separate from `serve`, so tests drive it directly), the Leptos
//! app, static files, and graceful shutdown.

use crate::api;
use crate::auth::{self, AuthConfig};
use crate::backend::StoreBackend;
use crate::cases::Cases;
use crate::devices::Devices;
use crate::ingest::Ingest;
use crate::live::{Hub, LocalHub};
use crate::cli::ServeArgs;
use crate::storage::{self, Store};
use anyhow::Context as _;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::response::IntoResponse;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::path::Path;
use std::sync::Arc;
use tower_http::trace::TraceLayer;
use zhizhi_app::backend::Backend;
use zhizhi_app::{shell, App};

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub backend: Arc<dyn Backend>,
    pub auth: Arc<AuthConfig>,
    pub cases: Arc<Cases>,
    pub ingest: Arc<Ingest>,
    pub devices: Arc<Devices>,
    pub map: Arc<crate::map::MapService>,
}

impl AppState {
    /// State over `store` with default authentication settings, serving the compiled site
    /// from `site_root`.
    pub fn new(store: Arc<dyn Store>, site_root: &Path, addr: std::net::SocketAddr) -> Self {
        Self::with_auth(store, site_root, addr, AuthConfig::default())
    }

    /// State over `store` with the given authentication settings.
    pub fn with_auth(store: Arc<dyn Store>, site_root: &Path, addr: std::net::SocketAddr, auth: AuthConfig) -> Self {
        let leptos = LeptosOptions::builder()
            .output_name("zhizhi")
            .site_root(site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let auth = Arc::new(auth);
        let hub: Arc<dyn Hub> = Arc::new(LocalHub::new(1024));
        let cases = Arc::new(Cases { store: store.clone(), hub });
        let ingest = Ingest::start(store.clone(), cases.clone());
        let devices = Arc::new(Devices { store: store.clone(), ingest: ingest.clone() });
        let backend: Arc<dyn Backend> = Arc::new(StoreBackend { store: store.clone(), auth: auth.clone(), cases: cases.clone(), devices: devices.clone() });
        let map = Arc::new(crate::map::MapService { store: store.clone(), cases: cases.clone(), devices: devices.clone() });
        AppState { leptos, store, backend, auth, cases, ingest, devices, map }
    }
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend = state.backend.clone();
    let context = move || provide_context(backend.clone());
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/v1/summary", get(api::summary))
        .route("/api/v1/login", post(api::session::login))
        .route("/api/v1/logout", post(api::session::logout))
        .route("/api/v1/me", get(api::session::me))
        .route("/api/v1/me/password", post(api::session::change_password))
        .route("/api/v1/grids/{id}/residents", get(api::residents::list))
        .route("/api/v1/residents/{id}/reveal", post(api::residents::reveal))
        .route("/api/v1/users", get(api::admin::users).post(api::admin::create_user))
        .route("/api/v1/users/{id}/disabled", post(api::admin::set_disabled))
        .route("/api/v1/audit", get(api::admin::audit))
        .route("/api/v1/audit/verify", get(api::admin::verify))
        .route("/api/v1/tokens", post(api::admin::create_token))
        .route("/api/v1/categories", get(api::cases::categories))
        .route("/api/v1/buildings", get(api::cases::buildings))
        .route("/api/v1/cases", get(api::cases::list).post(api::cases::report))
        .route("/api/v1/cases/{id}", get(api::cases::detail))
        .route("/api/v1/cases/{id}/actions", post(api::cases::act))
        .route(
            "/api/v1/cases/{id}/photos",
            // Room above the photo limit, so that the handler can say how large it was.
            post(api::cases::add_photo).layer(DefaultBodyLimit::max(crate::cases::MAX_PHOTO_BYTES + 1024 * 1024)),
        )
        .route("/api/v1/photos/{id}", get(api::cases::photo))
        .route("/api/v1/stream", get(api::cases::stream))
        .route("/api/v1/openapi.json", get(api::openapi::document))
        .route("/api/v1/ingest", post(api::iot::ingest).layer(DefaultBodyLimit::max(16 * 1024 * 1024)))
        .route("/api/v1/devices", get(api::iot::list).post(api::iot::save))
        .route("/api/v1/devices/import", post(api::iot::import).layer(DefaultBodyLimit::max(16 * 1024 * 1024)))
        .route("/api/v1/devices/{id}", get(api::iot::page))
        .route("/api/v1/devices/{id}/retired", post(api::iot::retire))
        .route("/api/v1/devices/{id}/secret", post(api::iot::secret))
        .route("/api/v1/residents/{id}/absence-hours", post(api::iot::absence))
        .route("/api/v1/alarms", get(api::iot::alarms))
        .route("/api/v1/iot/health", get(api::iot::health))
        .route("/api/v1/map/style.json", get(api::map::style))
        .route("/api/v1/map/basemap.geojson", get(api::map::basemap))
        .route("/api/v1/map/areas.geojson", get(api::map::areas))
        .route("/api/v1/map/floors.geojson", get(api::map::floors))
        .route("/api/v1/map/devices.geojson", get(api::map::devices))
        .route("/api/v1/map/cases.geojson", get(api::map::cases))
        .route("/api/v1/map/buildings/{id}", get(api::map::building))
        .route("/api/v1/map/buildings/import", post(api::map::import_buildings).layer(DefaultBodyLimit::max(32 * 1024 * 1024)))
        .route("/api/v1/map/search", get(api::map::search))
        .route("/api/v1/grids/{id}/division", get(api::map::division).put(api::map::save_division))
        .route("/api/v1/grids/{id}/worker", axum::routing::put(api::map::set_worker))
        .route("/api/v1/public/reports", post(api::cases::public_report))
        .route("/api/v1/public/buildings", get(api::cases::public_buildings))
        .route("/fn/{*fn_name}", post(server_fn))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Layers run bottom-up: trace, refuse cross-site writes, resolve the caller, then send
        // anonymous visitors of pages to the login page; answers are gzipped when the browser
        // accepts it (the map script, the wasm, GeoJSON), never the live stream (SSE).
        // (Fastest: the debug wasm is 11 MB and is compressed on every load.)
        .layer(tower_http::compression::CompressionLayer::new().gzip(true).quality(tower_http::CompressionLevel::Fastest))
        .layer(middleware::from_fn(auth::require_login_for_pages))
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(middleware::from_fn(auth::reject_cross_site))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    let backend = state.backend.clone();
    handle_server_fns_with_context(move || provide_context(backend.clone()), req).await
}

/// Opens the database, loads the demo if asked, and serves until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let store = storage::open(&args.db).await?;
    tracing::info!(engine = store.engine(), db = %storage::redact(&args.db), "database ready");
    if args.demo {
        crate::demo::load(store.as_ref()).await.context("cannot load the demo district")?;
        crate::demo::accounts(store.as_ref()).await.context("cannot create the demo accounts")?;
    }
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %args.site_root.display(), "no compiled site found: pages will render without styles or interactivity; build it with `cargo leptos build`");
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("智治已启动：http://{addr}");
    let state = AppState::with_auth(store.clone(), &args.site_root, addr, args.auth_config());
    if let Some(url) = &args.mqtt_url {
        let broker: crate::ingest::mqtt::BrokerUrl = url.parse().map_err(|e: String| anyhow::anyhow!(e))?;
        tokio::spawn(crate::ingest::mqtt::run(state.ingest.clone(), broker, args.mqtt_client_id.clone()));
    }
    let app = router(state);
    tokio::spawn(prune_event_log(store.clone()));
    tokio::spawn(prune_messages(store, args.keep_messages_days));
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    println!("智治已停止");
    Ok(())
}

/// Events kept for reconnecting clients: far more than a day of a busy street.
const EVENTS_KEPT: i64 = 200_000;

/// Forgets old events every ten minutes; a client asking for them gets a `reset`.
async fn prune_event_log(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.prune_events(EVENTS_KEPT).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "old live events forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the event log"),
        }
    }
}

/// Forgets device messages older than `days` once an hour (alarms, cases and device state
/// stay).
async fn prune_messages(store: Arc<dyn Store>, days: u32) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let before = crate::auth::now_ms() - i64::from(days) * 86_400_000;
        match store.prune_messages(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, days, "old device messages forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune device messages"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
