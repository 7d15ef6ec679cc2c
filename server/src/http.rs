//! The HTTP server: the router (separate from `serve`, so tests drive it directly) with its
//! guards (`guard.rs`: who is calling; `csrf.rs`: no cross-site writes), the JSON API
//! (`api::routes`), the server functions and pages of the Leptos app, static files, and
//! graceful shutdown.

pub mod csrf;
pub mod guard;
pub mod headers;
pub mod json_errors;
pub mod statics;

use crate::api;
use crate::cli::ServeArgs;
use crate::state::AppState;
use crate::storage;
use anyhow::Context as _;
use axum::extract::{Request, State};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;
use zhizhi_app::{shell, App};

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend = state.backend.clone();
    let context = move || provide_context(backend.clone());
    Router::new()
        .merge(api::routes().router)
        .route("/fn/{*fn_name}", post(server_fn))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(static_or_page)
        // Layers run bottom-up: trace, refuse cross-site writes, resolve the caller, then send
        // anonymous visitors of pages to the login page; answers are gzipped when the browser
        // accepts it (the map script, the wasm, GeoJSON), never the live stream (SSE).
        // (Fastest: the debug wasm is 11 MB and is compressed on every load.)
        // (Inside the compression: the error it rewrites is read before it is compressed.)
        .layer(middleware::from_fn(json_errors::json_errors))
        .layer(middleware::from_fn(json_errors::server_fn_status))
        .layer(tower_http::compression::CompressionLayer::new().gzip(true).quality(tower_http::CompressionLevel::Fastest))
        .layer(middleware::from_fn(guard::require_login_for_pages))
        .layer(middleware::from_fn_with_state(state.leptos.clone(), wasm_by_either_name))
        .layer(middleware::from_fn_with_state(state.accounts.clone(), guard::authenticate))
        .layer(middleware::from_fn(csrf::reject_cross_site))
        .layer(middleware::from_fn_with_state(state.auth.clone(), headers::security_headers))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(count_requests))
        .with_state(state)
}

/// The site's wasm by either of its names: a binary built by cargo-leptos has its pages ask for
/// `/pkg/<name>.wasm`, one built by plain `cargo build` (or `cargo bench`) for
/// `/pkg/<name>_bg.wasm` — Leptos decides at compile time. Whichever a page asks for, the file
/// the site folder has is served, so the pages hydrate however the binary was built.
async fn wasm_by_either_name(State(options): State<LeptosOptions>, mut req: Request, next: middleware::Next) -> axum::response::Response {
    let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
    let (bg, plain) = (format!("/{pkg}/{name}_bg.wasm"), format!("/{pkg}/{name}.wasm"));
    let path = req.uri().path();
    let other = if path == bg { Some(plain) } else if path == plain { Some(bg) } else { None };
    if let Some(other) = other {
        let on_disk = |p: &str| std::path::Path::new(&*options.site_root).join(p.trim_start_matches('/')).is_file();
        if !on_disk(path) && on_disk(&other)
            && let Ok(uri) = other.parse()
        {
            *req.uri_mut() = uri;
        }
    }
    next.run(req).await
}

/// A file of the site (pre-compressed, with its cache rule), or else the page at that address
/// (the app's own 404 when there is none).
async fn static_or_page(State(state): State<AppState>, req: Request) -> axum::response::Response {
    if let Some(res) = statics::file(&state.leptos.site_root, req.method(), req.uri(), req.headers()).await {
        return res;
    }
    let backend = state.backend.clone();
    let context = move || provide_context(backend.clone());
    let uri = req.uri().clone();
    leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell)(uri, State(state), req).await
}

/// Counts every answer by status class for `/metrics`.
async fn count_requests(req: Request, next: middleware::Next) -> axum::response::Response {
    let res = next.run(req).await;
    crate::metrics::request(res.status().as_u16());
    res
}

async fn server_fn(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    let backend = state.backend.clone();
    handle_server_fns_with_context(move || provide_context(backend.clone()), req).await
}

/// Opens the database, loads the demo if asked, and serves until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.demo && (args.history_days > 0 || (args.simulation && !args.no_simulation)) {
        anyhow::bail!("--history-days and --simulation play the demo street: add --demo");
    }
    if !args.demo && args.demo_streets > 1 {
        anyhow::bail!("--demo-streets makes the demo a district of several streets: add --demo");
    }
    let store = storage::open(&args.db).await?;
    tracing::info!(engine = store.engine(), db = %storage::redact(&args.db), "database ready");
    let mut fresh_demo = false;
    if args.demo {
        fresh_demo = crate::demo::load(store.as_ref()).await.context("cannot load the demo district")? != crate::demo::Loaded::AlreadyThere;
        crate::demo::streets(store.as_ref(), args.demo_streets as usize).await.context("cannot add the demo district's streets")?;
        crate::demo::accounts(store.as_ref()).await.context("cannot create the demo accounts")?;
        crate::demo::plans(store.as_ref()).await.context("cannot store the demo plans")?;
        crate::demo::flood(store.as_ref()).await.context("cannot store the demo flood set-up")?;
        crate::demo::supervision(store.as_ref()).await.context("cannot store the demo supervision data")?;
    }
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %args.site_root.display(), "no compiled site found: pages will render without styles or interactivity; build it with `cargo leptos build --split`");
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("智治已启动：http://{addr}");
    let state = AppState::with_auth(store, &args.site_root, args.advertise_addr.unwrap_or(addr), args.auth_config());
    // After the state published the build's folder, so the one pass compresses what pages load.
    if args.site_root.join("pkg").is_dir() {
        crate::site::precompress_in_background(args.site_root.clone());
    }
    if let Some(url) = &args.mqtt_url {
        let broker: crate::ingest::mqtt::BrokerUrl = url.parse().map_err(|e: String| anyhow::anyhow!(e))?;
        let mut broker = broker;
        if args.mqtt_provision {
            let admin = crate::ingest::broker::BrokerAdmin::start(&broker).map_err(|e| anyhow::anyhow!(e))?;
            // The ingest connects as a client of its own, made (with its role) here.
            let ingest_client = admin.prepare().await.map_err(|e| anyhow::anyhow!("cannot administer the MQTT broker: {e}"))?;
            broker.credentials = Some(ingest_client);
            state.ingest.set_broker(admin);
        }
        tokio::spawn(crate::ingest::mqtt::run(state.ingest.clone(), broker, args.mqtt_client_id.clone()));
    }
    state.start_housekeeping(args.keep_messages_days);
    if let Some(secret) = &args.turn_secret {
        for u in &args.turn_url {
            if !(u.starts_with("turn:") || u.starts_with("turns:") || u.starts_with("stun:")) {
                anyhow::bail!("--turn-url {u}: 应以 turn:、turns: 或 stun: 开头");
            }
        }
        let _ = state.calls.turn.set(crate::calls::Turn { urls: args.turn_url.clone(), secret: secret.clone() });
    }
    // The KPI page's first look reads this month and the two before: read them now.
    tokio::spawn({
        let kpis = state.kpis.clone();
        async move { kpis.warm(crate::auth::now_ms()).await }
    });
    if args.demo {
        let history = if fresh_demo { args.history_days } else { 0 };
        let simulation = args.simulation && !args.no_simulation;
        tokio::spawn(crate::demo::life::run((*state.cases).clone(), history, simulation.then_some(args.simulation_per_hour)));
    }
    let stopping = state.stopping.clone();
    let mut stopped = state.stopping.subscribe();
    let app = router(state);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // On SIGTERM or Ctrl-C: live streams close at once, requests in flight finish (an ingest
    // request is answered after its commit), new connections are refused; whatever still runs
    // after a few seconds is abandoned — nothing it had acknowledged is lost.
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("stopping: closing live streams, finishing requests");
        let _ = stopping.send(true);
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    tokio::select! {
        done = server => done?,
        _ = async {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(STOP_GRACE).await;
        } => tracing::warn!("requests still running {} s after the stop signal: stopping anyway", STOP_GRACE.as_secs()),
    }
    println!("智治已停止");
    Ok(())
}

/// How long requests in flight may run after the stop signal.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

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
