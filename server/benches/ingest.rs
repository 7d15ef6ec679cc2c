//! Device messages through the real HTTP ingest: sustained messages per second (stored,
//! evaluated, fsync'd), the time from a smoke alarm to its case on an open live stream at
//! half that rate, and what happens when twice the sustainable rate is offered.
//!
//! `cargo bench -p zhizhi-server --bench ingest` (release; SQLite file in the temporary
//! directory, the demo district loaded). Environment: `ZZ_BENCH_MESSAGES` (default 600000),
//! `ZZ_BENCH_BATCH` (default 1000), `ZZ_BENCH_CLIENTS` (default 4), `ZZ_BENCH_SECONDS` for
//! the latency and overload phases (default 10), `ZZ_BENCH_DB` another empty database.

mod common;

use common::{batch, env, percentile};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use zhizhi_server::simulate::HttpClient;
use zhizhi_shared::device::DeviceKind;

fn rss(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string()))
        .map(|kb| format!("{:.0} MB", kb.parse::<f64>().unwrap_or(0.0) / 1024.0))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    common::run(run());
}

async fn run() {
    let total = env("ZZ_BENCH_MESSAGES", 600_000);
    let per_batch = env("ZZ_BENCH_BATCH", 1000);
    let clients = env("ZZ_BENCH_CLIENTS", 4);
    let seconds = env("ZZ_BENCH_SECONDS", 10) as u64;
    let (store, addr, state, url) = common::demo_server("ingest").await;
    let ingest = state.ingest.clone();
    let addr = addr.to_string();

    let mut login = HttpClient::connect(&addr, "").await.unwrap();
    let (_, h, _) = login.request("POST", "/api/v1/login", &json!({ "username": "guanliyuan", "password": zhizhi_server::demo::DEMO_PASSWORD }).to_string()).await.unwrap();
    let admin = h["set-cookie"].split(';').next().unwrap().to_string();
    let mut c = HttpClient::connect(&addr, &format!("Cookie: {admin}\r\n")).await.unwrap();
    let (_, _, body) = c.request("POST", "/api/v1/tokens", &json!({ "name": "bench", "scopes": ["ingest"] }).to_string()).await.unwrap();
    let auth = format!("Authorization: Bearer {}\r\n", serde_json::from_str::<Value>(&body).unwrap()["token"].as_str().unwrap());
    let (_, h, _) = login.request("POST", "/api/v1/login", &json!({ "username": "zhihui", "password": zhizhi_server::demo::DEMO_PASSWORD }).to_string()).await.unwrap();
    let command = h["set-cookie"].split(';').next().unwrap().to_string();

    let devices = store.device_records(None).await.unwrap();
    let codes: Vec<(String, DeviceKind)> = devices.iter().map(|d| (d.code.clone(), d.kind)).collect();
    let smoke: Vec<String> = devices.iter().filter(|d| d.kind == DeviceKind::SmokeDetector).map(|d| d.code.clone()).collect();
    println!(
        "智治 ingest benchmark — {} ({}), {} devices, {} CPU(s), batches of {per_batch}",
        store.engine(),
        zhizhi_server::storage::redact(&url),
        codes.len(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    // 1. Throughput: `clients` connections, batches back to back (bodies encoded beforehand).
    let now = zhizhi_server::auth::now_ms();
    let batches: Vec<String> = (0..total / per_batch).map(|b| batch(&codes, b * per_batch, per_batch, "t", now)).collect();
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (addr, auth, batches, next) = (addr.clone(), auth.clone(), batches.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = HttpClient::connect(&addr, &auth).await.unwrap();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = batches.get(i) else { return };
                let (status, _, text) = c.request("POST", "/api/v1/ingest", body).await.unwrap();
                assert_eq!(status, 200, "{}", &text[..text.len().min(300)]);
                assert!(text.contains(&format!("\"stored\":{per_batch},")), "{}", &text[..text.len().min(300)]);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let took = start.elapsed();
    let rate = (batches.len() * per_batch) as f64 / took.as_secs_f64();
    println!(
        "throughput: {} messages over {clients} connections in {:.2} s = {:.0} messages/s (parsed, rules evaluated, stored, state written, fsync'd before each answer); memory {} (peak {})",
        batches.len() * per_batch,
        took.as_secs_f64(),
        rate,
        rss("VmRSS"),
        rss("VmHWM")
    );
    drop(batches);

    // 2. Latency at half that rate: a live client, background traffic, and smoke alarms on
    // fresh detectors; from sending the alarm to its case on the stream.
    let half = rate / 2.0;
    let arrivals: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut sse = TcpStream::connect(&addr).await.unwrap();
    sse.write_all(format!("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {command}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(sse).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(i) = line.find("设备 YG-") {
                let code: String = line[i + "设备 ".len()..].chars().take_while(|c| *c != '（').collect();
                seen.lock().unwrap().entry(code).or_insert_with(Instant::now);
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stop = Instant::now() + Duration::from_secs(seconds);
    let background = {
        let (addr, auth, codes) = (addr.clone(), auth.clone(), codes.clone());
        let per_conn = half / clients as f64;
        (0..clients)
            .map(|k| {
                let (addr, auth, codes) = (addr.clone(), auth.clone(), codes.clone());
                tokio::spawn(async move {
                    let mut c = HttpClient::connect(&addr, &auth).await.unwrap();
                    let (t0, mut sent) = (Instant::now(), 0usize);
                    while Instant::now() < stop {
                        let body = batch(&codes, sent, per_batch, &format!("h{k}-"), zhizhi_server::auth::now_ms());
                        let (status, _, _) = c.request("POST", "/api/v1/ingest", &body).await.unwrap();
                        assert_eq!(status, 200);
                        sent += per_batch;
                        let due = t0 + Duration::from_secs_f64(sent as f64 / per_conn);
                        tokio::time::sleep_until(due.into()).await;
                    }
                    sent
                })
            })
            .collect::<Vec<_>>()
    };
    let mut probe = HttpClient::connect(&addr, &auth).await.unwrap();
    let mut sent_at = Vec::new();
    let gap = Duration::from_millis((seconds * 1000 / smoke.len().min(400) as u64).max(20));
    for code in smoke.iter().take(400) {
        if Instant::now() >= stop {
            break;
        }
        let body = json!([{ "device_id": code, "msg_id": "probe", "ts": zhizhi_server::auth::now_ms(), "kind": "smoke", "payload": { "alarm": true } }]).to_string();
        let t0 = Instant::now();
        let (status, _, _) = probe.request("POST", "/api/v1/ingest", &body).await.unwrap();
        assert_eq!(status, 200);
        sent_at.push((code.clone(), t0));
        tokio::time::sleep(gap).await;
    }
    let mut background_sent = 0;
    for b in background {
        background_sent += b.await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = arrivals.lock().unwrap().clone();
    let mut lat: Vec<Duration> = sent_at.iter().filter_map(|(code, t0)| seen.get(code).map(|t| t.saturating_duration_since(*t0))).collect();
    assert_eq!(lat.len(), sent_at.len(), "every alarm's case reached the stream");
    lat.sort();
    println!(
        "alarm → case on the live stream at half rate ({:.0} messages/s offered, {background_sent} sent in {seconds} s; {} smoke alarms): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        half,
        lat.len(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );

    // 3. Twice the sustainable rate offered by 128 connections: answers 503 with Retry-After
    // when the queue is full; memory stays bounded.
    let offered = rate * 2.0;
    let conns = 128;
    let stop = Instant::now() + Duration::from_secs(seconds);
    let (ok, busy, queued_max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let watcher = {
        let (ingest, queued_max) = (ingest.clone(), queued_max.clone());
        tokio::spawn(async move {
            while Instant::now() < stop {
                queued_max.fetch_max(ingest.queued(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let tasks: Vec<_> = (0..conns)
        .map(|k| {
            let (addr, auth, codes, ok, busy) = (addr.clone(), auth.clone(), codes.clone(), ok.clone(), busy.clone());
            tokio::spawn(async move {
                let mut c = HttpClient::connect(&addr, &auth).await.unwrap();
                let per_conn = offered / conns as f64;
                let (t0, mut n) = (Instant::now(), 0usize);
                while Instant::now() < stop {
                    let body = batch(&codes, n, per_batch, &format!("o{k}-"), zhizhi_server::auth::now_ms());
                    let (status, h, _) = c.request("POST", "/api/v1/ingest", &body).await.unwrap();
                    match status {
                        200 => ok.fetch_add(1, Ordering::Relaxed),
                        503 => {
                            assert_eq!(h.get("retry-after").map(String::as_str), Some("1"));
                            busy.fetch_add(1, Ordering::Relaxed)
                        }
                        s => panic!("unexpected {s}"),
                    };
                    n += per_batch;
                    tokio::time::sleep_until((t0 + Duration::from_secs_f64(n as f64 / per_conn)).into()).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    watcher.await.unwrap();
    println!(
        "overload ({offered:.0} messages/s offered over {conns} connections for {seconds} s): {} batches answered 200, {} answered 503 (Retry-After: 1); queue peak {} messages (limit {}); memory {} (peak {}); the server kept answering",
        ok.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed),
        queued_max.load(Ordering::Relaxed),
        zhizhi_server::ingest::MAX_QUEUED,
        rss("VmRSS"),
        rss("VmHWM")
    );
    common::remove_sqlite(&url);
}
