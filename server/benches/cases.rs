//! Cases through the real HTTP API: how many cases per second the server accepts, and how long
//! a new case takes to reach an open live stream.
//!
//! `cargo bench -p zhizhi-server --bench cases` (release build; SQLite file in the temporary
//! directory, the demo district loaded). Options through the environment:
//! `ZZ_BENCH_CASES` (default 4000) cases for throughput over `ZZ_BENCH_CLIENTS` (default 16)
//! keep-alive connections, then `ZZ_BENCH_LATENCY` (default 500) cases one at a time for the
//! latency to the stream. `ZZ_BENCH_DB` names an empty database to use instead (for example
//! `postgres://postgres@127.0.0.1/zz_bench`, created beforehand).

mod common;

use common::{env, percentile};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use zhizhi_server::simulate::HttpClient;
use tokio::net::TcpStream;

/// The shared keep-alive client, with a session cookie, panicking on I/O errors.
struct Client(HttpClient);

impl Client {
    async fn connect(addr: std::net::SocketAddr, cookie: &str) -> Client {
        let headers = if cookie.is_empty() { String::new() } else { format!("Cookie: {cookie}\r\n") };
        Client(HttpClient::connect(&addr.to_string(), &headers).await.unwrap())
    }

    async fn request(&mut self, method: &str, path: &str, body: &str) -> (u16, HashMap<String, String>, String) {
        self.0.request(method, path, body).await.unwrap()
    }
}

fn main() {
    common::run(run());
}

async fn run() {
    let total = env("ZZ_BENCH_CASES", 4000);
    let clients = env("ZZ_BENCH_CLIENTS", 16);
    let latency_n = env("ZZ_BENCH_LATENCY", 500);
    let (store, addr, _state, url) = common::demo_server("cases").await;

    let mut login = Client::connect(addr, "").await;
    let (status, headers, _) = login
        .request("POST", "/api/v1/login", &format!(r#"{{"username":"zhihui","password":"{}"}}"#, zhizhi_server::demo::DEMO_PASSWORD))
        .await;
    assert_eq!(status, 200);
    let cookie = headers["set-cookie"].split(';').next().unwrap().to_string();
    let building = store.search_buildings("磁南街27号", &[], 1).await.unwrap()[0].id;
    println!(
        "智治 cases benchmark — {} ({}), demo district, {} CPU(s)",
        store.engine(),
        zhizhi_server::storage::redact(&url),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    // Throughput: `clients` connections creating cases back to back.
    let start = Instant::now();
    let per = total / clients;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(addr, &cookie).await;
            for i in 0..per {
                let body = format!(r#"{{"category":"greening.branch","description":"压测事件 {c}-{i}：行道树断枝","building_id":{building}}}"#);
                let (status, _, text) = client.request("POST", "/api/v1/cases", &body).await;
                assert_eq!(status, 201, "{text}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let took = start.elapsed();
    let created = per * clients;
    println!("throughput: {created} cases over {clients} connections in {:.2} s = {:.0} cases/s (each: report + routing + timeline + event log, fsync'd)", took.as_secs_f64(), created as f64 / took.as_secs_f64());

    // Latency: one live client; cases created one at a time.
    let arrivals: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut sse = TcpStream::connect(addr).await.unwrap();
    sse.write_all(format!("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(sse).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(data) = line.strip_prefix("data:")
                && let Some(i) = data.find("延迟测试#")
            {
                let tag: String = data[i..].chars().take_while(|c| *c != '"').collect();
                seen.lock().unwrap().insert(tag, Instant::now());
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut client = Client::connect(addr, &cookie).await;
    let mut sent = Vec::new();
    for i in 0..latency_n {
        let tag = format!("延迟测试#{i}");
        let body = format!(r#"{{"category":"order.stall","description":"{tag}","building_id":{building}}}"#);
        let t0 = Instant::now();
        let (status, _, _) = client.request("POST", "/api/v1/cases", &body).await;
        assert_eq!(status, 201);
        sent.push((tag, t0));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = arrivals.lock().unwrap();
    let mut lat: Vec<Duration> = sent.iter().filter_map(|(tag, t0)| seen.get(tag).map(|t| t.saturating_duration_since(*t0))).collect();
    assert_eq!(lat.len(), sent.len(), "every case reached the stream");
    lat.sort();
    println!(
        "creation → live stream ({} cases, from sending the request to the event on the open SSE client): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );
    drop(seen);
    common::remove_sqlite(&url);
}
