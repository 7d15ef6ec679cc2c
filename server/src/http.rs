//! The HTTP server: the router (separate from `serve`, so tests drive it directly), the Leptos
//! app, static files, and graceful shutdown.

use crate::backend::StoreBackend;
use crate::cli::ServeArgs;
use crate::storage::{self, Store};
use anyhow::Context as _;
use axum::extract::{FromRef, Request, State};
use axum::response::IntoResponse;
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
}

impl AppState {
    /// State over `store`, serving the compiled site from `site_root`.
    pub fn new(store: Arc<dyn Store>, site_root: &Path, addr: std::net::SocketAddr) -> Self {
        let leptos = LeptosOptions::builder()
            .output_name("zhizhi")
            .site_root(site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let backend: Arc<dyn Backend> = Arc::new(StoreBackend { store: store.clone() });
        AppState { leptos, store, backend }
    }
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend = state.backend.clone();
    let context = move || provide_context(backend.clone());
    Router::new()
        .route("/healthz", get(crate::api::healthz))
        .route("/api/v1/summary", get(crate::api::summary))
        .route("/fn/{*fn_name}", post(server_fn))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
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
    }
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %args.site_root.display(), "no compiled site found: pages will render without styles or interactivity; build it with `cargo leptos build`");
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("智治已启动：http://{addr}");
    let app = router(AppState::new(store, &args.site_root, addr));
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    println!("智治已停止");
    Ok(())
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
