//! Ten thousand live screens: memory per open stream, how long one case takes to reach all of
//! them, and the CPU the server spends on it — on one server copy, or spread over several
//! copies over one PostgreSQL.
//!
//! `cargo bench -p zhizhi-server --bench streams` (release build). The servers are the real
//! binary in child processes (their memory and CPU read from `/proc`); this process holds the
//! clients. Options through the environment: `ZZ_BENCH_STREAMS` (default 10000) open streams,
//! `ZZ_BENCH_ROUNDS` (default 5) cases whose delivery is timed, `ZZ_BENCH_H2=1` the streams over
//! HTTP/2 connections (cleartext, 160 streams each, as a proxy would multiplex them) instead
//! of one HTTP/1.1 connection each, `ZZ_BENCH_NODES` (default 1)
//! server copies — more than one needs `ZZ_BENCH_DB`, an empty PostgreSQL database (for
//! example `postgres://postgres@127.0.0.1/zz_streams`, created beforehand). Each process may
//! open this many files: `ulimit -n` must exceed the number of streams.

mod common;

use common::{env, login, percentile, start_nodes, Node};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};

/// Streams per API token (the server allows 16 per caller).
const PER_TOKEN: usize = 16;

/// Streams per HTTP/2 connection (`ZZ_BENCH_H2=1`; the server takes 200 at once).
const PER_CONN: usize = 160;

/// Reads a stream's bytes: says when `ready` came and the time of every `case` event.
struct Scan {
    tail: String,
    ready: bool,
    opened: mpsc::Sender<()>,
    seen: mpsc::UnboundedSender<Instant>,
}

impl Scan {
    async fn feed(&mut self, bytes: &[u8]) {
        let now = Instant::now();
        self.tail.push_str(&String::from_utf8_lossy(bytes));
        if !self.ready && self.tail.contains("event: ready") {
            self.ready = true;
            let _ = self.opened.send(()).await;
        }
        for _ in self.tail.matches("event: case").collect::<Vec<_>>() {
            let _ = self.seen.send(now);
        }
        // Keep only what could be the start of a split "event: case" (11 bytes): at most 10.
        let keep = self.tail.len().saturating_sub(10);
        let cut = (keep..=self.tail.len()).find(|i| self.tail.is_char_boundary(*i)).unwrap_or(self.tail.len());
        self.tail.drain(..cut);
    }
}

/// Opens a stream on a connection of its own (HTTP/1.1) and waits for its `ready` event; then
/// sends the time of every `case` event it sees into `seen`.
async fn open_stream(addr: String, token: String, opened: mpsc::Sender<()>, seen: mpsc::UnboundedSender<Instant>) {
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    let req = format!("GET /api/v1/stream HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1024];
    let mut scan = Scan { tail: String::new(), ready: false, opened, seen };
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => scan.feed(&buf[..n]).await,
        }
    }
}

/// One HTTP/2 connection (cleartext, as a proxy in front of the copies would speak it) carrying
/// a stream for each of `tokens`.
async fn open_h2(addr: String, tokens: Vec<String>, opened: mpsc::Sender<()>, seen: mpsc::UnboundedSender<Instant>) {
    let tcp = TcpStream::connect(&addr).await.expect("connect");
    let (client, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    tokio::spawn(connection);
    for token in tokens {
        let mut client = client.clone().ready().await.expect("the connection takes another stream");
        let req = http::Request::get(format!("http://{addr}/api/v1/stream")).header("authorization", format!("Bearer {token}")).header("accept", "text/event-stream").body(()).unwrap();
        let (answer, _) = client.send_request(req, true).expect("send");
        let (opened, seen) = (opened.clone(), seen.clone());
        tokio::spawn(async move {
            let mut body = answer.await.expect("answer").into_body();
            let mut scan = Scan { tail: String::new(), ready: false, opened, seen };
            while let Some(Ok(chunk)) = body.data().await {
                let _ = body.flow_control().release_capacity(chunk.len());
                scan.feed(&chunk).await;
            }
        });
    }
}

fn main() {
    common::run(run());
}

async fn run() {
    let streams = env("ZZ_BENCH_STREAMS", 10_000);
    let rounds = env("ZZ_BENCH_ROUNDS", 5);
    let nodes_n = env("ZZ_BENCH_NODES", 1);
    let h2 = env("ZZ_BENCH_H2", 0) == 1;
    let path = std::env::temp_dir().join(format!("zhizhi_streams_bench_{}.db", std::process::id()));
    let db = std::env::var("ZZ_BENCH_DB").unwrap_or_else(|_| format!("sqlite://{}", path.display()));
    assert!(nodes_n == 1 || db.starts_with("postgres"), "several copies need ZZ_BENCH_DB=postgres://…");
    let nodes = start_nodes(&db, nodes_n).await;
    println!(
        "智治 live streams benchmark — {} stream(s) over {} server cop{} ({}), {} CPU(s)",
        streams,
        nodes_n,
        if nodes_n == 1 { "y" } else { "ies" },
        zhizhi_server::storage::redact(&db),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    // One read-only API token per 16 streams.
    let mut admin = login(&nodes[0].addr, "guanliyuan").await;
    let mut tokens = Vec::new();
    for i in 0..streams.div_ceil(PER_TOKEN) {
        let (status, _, body) = admin.request("POST", "/api/v1/tokens", &format!(r#"{{"name":"screen-{i}","scopes":["read"]}}"#)).await.unwrap();
        assert_eq!(status, 201, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        tokens.push(v["token"].as_str().unwrap().to_string());
    }

    let rss_before: Vec<u64> = nodes.iter().map(Node::rss_kib).collect();
    let (opened_tx, mut opened_rx) = mpsc::channel(1024);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let gate = Arc::new(Semaphore::new(256));
    let started = Instant::now();
    if h2 {
        // PER_CONN streams a connection, spread over the copies.
        for (c, first) in (0..streams).step_by(PER_CONN).enumerate() {
            let tokens: Vec<String> = (first..(first + PER_CONN).min(streams)).map(|i| tokens[i / PER_TOKEN].clone()).collect();
            tokio::spawn(open_h2(nodes[c % nodes_n].addr.clone(), tokens, opened_tx.clone(), seen_tx.clone()));
        }
    }
    for i in (0..streams).filter(|_| !h2) {
        let addr = nodes[i % nodes_n].addr.clone();
        let (token, opened, seen, gate) = (tokens[i / PER_TOKEN].clone(), opened_tx.clone(), seen_tx.clone(), gate.clone());
        let permit = gate.acquire_owned().await.unwrap();
        tokio::spawn(async move {
            let (tx, mut rx) = mpsc::channel(1);
            tokio::spawn(open_stream(addr, token, tx, seen));
            let _ = rx.recv().await;
            drop(permit);
            let _ = opened.send(()).await;
        });
    }
    for _ in 0..streams {
        opened_rx.recv().await.expect("every stream opens");
    }
    let open_time = started.elapsed();
    // Let the allocator settle: measure once no stream is still being opened.
    let rss_after: Vec<u64> = nodes.iter().map(Node::rss_kib).collect();
    let per: Vec<f64> = rss_before.iter().zip(&rss_after).map(|(b, a)| (a.saturating_sub(*b)) as f64 * 1024.0 / (streams / nodes_n) as f64).collect();
    println!("opened {streams} streams in {:.1} s", open_time.as_secs_f64());
    for (i, ((b, a), p)) in rss_before.iter().zip(&rss_after).zip(&per).enumerate() {
        println!("copy {i}: resident memory {:.1} MiB → {:.1} MiB, {:.0} bytes ({:.2} KiB) per open stream", *b as f64 / 1024.0, *a as f64 / 1024.0, p, p / 1024.0);
    }

    let mut reporter = login(&nodes[0].addr, "zhihui").await;
    let (_, _, found) = reporter.request("GET", "/api/v1/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", "").await.unwrap();
    let building = serde_json::from_str::<serde_json::Value>(&found).unwrap()[0]["id"].as_i64().unwrap();
    let mut all = Vec::new();
    for round in 0..rounds {
        let cpu: Vec<f64> = nodes.iter().map(Node::cpu_s).collect();
        let t0 = Instant::now();
        let body = format!(r#"{{"category":"greening.branch","description":"行道树断枝悬挂，有坠落危险（第 {round} 轮）","building_id":{building}}}"#);
        let (status, _, answer) = reporter.request("POST", "/api/v1/cases", &body).await.unwrap();
        assert_eq!(status, 201, "{answer}");
        let mut took = Vec::with_capacity(streams);
        while took.len() < streams {
            let at = tokio::time::timeout(Duration::from_secs(60), seen_rx.recv()).await.expect("every stream gets the case").unwrap();
            took.push(at.saturating_duration_since(t0));
        }
        took.sort();
        let used: f64 = nodes.iter().zip(&cpu).map(|(n, c)| n.cpu_s() - c).sum();
        println!(
            "case {}: reached all {streams} streams — p50 {:.1} ms, p99 {:.1} ms, last {:.1} ms; server CPU {:.2} s",
            round + 1,
            percentile(&took, 0.5).as_secs_f64() * 1e3,
            percentile(&took, 0.99).as_secs_f64() * 1e3,
            took.last().unwrap().as_secs_f64() * 1e3,
            used
        );
        all.extend(took);
    }
    all.sort();
    println!("all {rounds} cases: p50 {:.1} ms, p99 {:.1} ms", percentile(&all, 0.5).as_secs_f64() * 1e3, percentile(&all, 0.99).as_secs_f64() * 1e3);
    drop(nodes);
    common::remove_sqlite(&db);
}
