#![allow(dead_code)]
//! What the benchmarks share: their settings from the environment, percentiles, and the
//! runtime they run on.

use std::time::Duration;

/// A number from the environment, or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `p` percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs a benchmark on a multi-threaded runtime.
pub fn run<F: std::future::Future<Output = ()>>(bench: F) {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench);
}

/// A server over the demo district on `ZZ_BENCH_DB` (else a fresh SQLite file named after
/// `name`), listening on a free loopback port: the store, the address and the state.
pub async fn demo_server(name: &str) -> (std::sync::Arc<dyn zhizhi_server::storage::Store>, std::net::SocketAddr, zhizhi_server::state::AppState, String) {
    let path = std::env::temp_dir().join(format!("zhizhi_{name}_bench_{}.db", std::process::id()));
    let url = std::env::var("ZZ_BENCH_DB").unwrap_or_else(|_| format!("sqlite://{}", path.display()));
    let store = zhizhi_server::storage::open(&url).await.unwrap();
    zhizhi_server::demo::load(store.as_ref()).await.unwrap();
    zhizhi_server::demo::accounts(store.as_ref()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = zhizhi_server::state::AppState::new(store.clone(), std::path::Path::new("target/site"), addr);
    let app = zhizhi_server::http::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (store, addr, state, url)
}

/// Deletes the benchmark's own SQLite file (and its WAL); never a database named by
/// `ZZ_BENCH_DB`.
pub fn remove_sqlite(url: &str) {
    if std::env::var("ZZ_BENCH_DB").is_ok() {
        return;
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}
