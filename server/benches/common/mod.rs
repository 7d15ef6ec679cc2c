#![allow(dead_code)]
//! What the benchmarks share: their settings from the environment, percentiles, and the
//! runtime they run on.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zhizhi_server::simulate::HttpClient;
use zhizhi_shared::device::DeviceKind;

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

/// The real server binary in a child process of its own, on a free port.
pub struct Node {
    child: Child,
    pub addr: String,
}

impl Node {
    pub fn start(db: &str, demo: bool) -> Node {
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        let mut args = vec!["serve", "--db", db, "--addr", &addr];
        if demo {
            args.push("--demo");
        }
        let child = Command::new(env!("CARGO_BIN_EXE_zhizhi")).args(&args).env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().expect("start zhizhi");
        Node { child, addr }
    }

    pub async fn ready(&self) {
        let start = Instant::now();
        loop {
            if let Ok(mut c) = HttpClient::connect(&self.addr, "").await
                && let Ok((200, _, _)) = c.request("GET", "/readyz", "").await
            {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(600), "the server did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap()
    }

    /// CPU time used so far (user + system), in seconds.
    pub fn cpu_s(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = after.split(' ').collect();
        let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
        ticks as f64 / 100.0
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` server copies over `db`: the first loads the demo (and, over PostgreSQL, takes the
/// ingest engine) before the others start.
pub async fn start_nodes(db: &str, n: usize) -> Vec<Node> {
    let first = Node::start(db, true);
    first.ready().await;
    let mut nodes = vec![first];
    for _ in 1..n {
        nodes.push(Node::start(db, false));
    }
    for n in &nodes[1..] {
        n.ready().await;
    }
    nodes
}

/// A connection signed in as `user` (a demo account).
pub async fn login(addr: &str, user: &str) -> HttpClient {
    let mut c = HttpClient::connect(addr, "").await.unwrap();
    let body = format!(r#"{{"username":"{user}","password":"{}"}}"#, zhizhi_server::demo::DEMO_PASSWORD);
    let (status, headers, _) = c.request("POST", "/api/v1/login", &body).await.unwrap();
    assert_eq!(status, 200, "login {user}");
    let cookie = headers["set-cookie"].split(';').next().unwrap().to_string();
    HttpClient::connect(addr, &format!("Cookie: {cookie}\r\n")).await.unwrap()
}

/// Everyday messages that evaluate rules but raise no alarm.
pub fn batch(codes: &[(String, DeviceKind)], start: usize, n: usize, tag: &str, ts: i64) -> String {
    let msgs: Vec<Value> = (start..start + n)
        .map(|i| {
            let (code, kind) = &codes[i % codes.len()];
            let (k, payload) = match kind {
                DeviceKind::DoorSensor => ("door", json!({ "open": true, "battery": 80 })),
                DeviceKind::SmokeDetector => ("temperature", json!({ "celsius": 21.5, "battery": 80 })),
                DeviceKind::WaterLevelGauge => ("water_level", json!({ "metres": 176.2 })),
                DeviceKind::Camera => ("heartbeat", json!({ "battery": 100 })),
            };
            json!({ "device_id": code, "msg_id": format!("{tag}{i}"), "ts": ts, "kind": k, "payload": payload })
        })
        .collect();
    Value::Array(msgs).to_string()
}

