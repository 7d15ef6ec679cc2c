//! Plan activation through the real HTTP API: from `POST /api/v1/plans/{id}/activations` to
//! the case with its task on the open live stream of every one of the six posts the tourism
//! dispute plan calls (the slowest of the six counts).
//!
//! `cargo bench -p zhizhi-server --bench plans` (release build; SQLite file in the temporary
//! directory, the demo district and plans loaded). `ZZ_BENCH_ROUNDS` (default 200)
//! activations, each on a new case. `ZZ_BENCH_DB` names an empty database to use instead (for
//! example `postgres://postgres@127.0.0.1/zz_bench`, created beforehand).

mod common;

use common::{env, percentile};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use zhizhi_server::simulate::HttpClient;

const POSTS: [&str; 6] = ["xuanchuan", "chengguan", "zhifa", "shijian", "wenlv", "minjing"];

async fn login(addr: std::net::SocketAddr, user: &str) -> String {
    let mut c = HttpClient::connect(&addr.to_string(), "").await.unwrap();
    let body = format!(r#"{{"username":"{user}","password":"{}"}}"#, zhizhi_server::demo::DEMO_PASSWORD);
    let (status, headers, text) = c.request("POST", "/api/v1/login", &body).await.unwrap();
    assert_eq!(status, 200, "{user}: {text}");
    headers["set-cookie"].split(';').next().unwrap().to_string()
}

/// Opens the live stream as `cookie`; records when each case first arrives with a plan.
async fn listen(addr: std::net::SocketAddr, cookie: &str, seen: Arc<Mutex<HashMap<i64, Instant>>>) {
    let mut sse = TcpStream::connect(addr).await.unwrap();
    sse.write_all(format!("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
    tokio::spawn(async move {
        let mut lines = BufReader::new(sse).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let Some(data) = line.strip_prefix("data:") else { continue };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim()) else { continue };
            let case = if v.get("case").is_some() { &v["case"] } else { &v };
            if let (Some(id), false) = (case["id"].as_i64(), case["activation"].is_null()) {
                seen.lock().unwrap().entry(id).or_insert_with(Instant::now);
            }
        }
    });
}

fn main() {
    common::run(run());
}

async fn run() {
    let rounds = env("ZZ_BENCH_ROUNDS", 200);
    let (store, addr, _state, url) = common::demo_server("plans").await;
    zhizhi_server::demo::plans(store.as_ref()).await.unwrap();
    let command = login(addr, "zhihui").await;
    let plan = store.plans().await.unwrap().into_iter().find(|p| p.body.name == zhizhi_shared::plan::demo::TOURISM_DISPUTE).unwrap().id;
    let building = store.search_buildings("磁南街27号", &[], 1).await.unwrap()[0].id;
    println!(
        "智治 plans benchmark — {} ({}), demo district, {} CPU(s), {rounds} activations of 重大旅游消费纠纷处置预案 (Ⅳ级: 6 posts + 3 district items)",
        store.engine(),
        zhizhi_server::storage::redact(&url),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut streams = Vec::new();
    for user in POSTS {
        let seen: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
        listen(addr, &login(addr, user).await, seen.clone()).await;
        streams.push(seen);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut client = HttpClient::connect(&addr.to_string(), &format!("Cookie: {command}\r\n")).await.unwrap();
    let mut sent = Vec::new();
    let mut answered = Vec::new();
    for i in 0..rounds {
        let body = format!(r#"{{"category":"order.crowd","description":"压测：古镇入口人员聚集 {i}","building_id":{building}}}"#);
        let (status, _, text) = client.request("POST", "/api/v1/cases", &body).await.unwrap();
        assert_eq!(status, 201, "{text}");
        let case: i64 = serde_json::from_str::<serde_json::Value>(&text).unwrap()["case"]["id"].as_i64().unwrap();
        let t0 = Instant::now();
        let (status, _, text) = client.request("POST", &format!("/api/v1/plans/{plan}/activations"), &format!(r#"{{"case_id":{case}}}"#)).await.unwrap();
        assert_eq!(status, 201, "{text}");
        answered.push(t0.elapsed());
        sent.push((case, t0));
    }
    // Wait until every stream has every case (or give up after 10 s and say so).
    let deadline = Instant::now() + Duration::from_secs(10);
    while streams.iter().any(|s| s.lock().unwrap().len() < rounds) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lat = Vec::new();
    for (case, t0) in &sent {
        let arrivals: Vec<Option<Instant>> = streams.iter().map(|s| s.lock().unwrap().get(case).copied()).collect();
        assert!(arrivals.iter().all(Option::is_some), "case {case} did not reach every post's stream");
        lat.push(arrivals.into_iter().flatten().max().unwrap().saturating_duration_since(*t0));
    }
    lat.sort();
    answered.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "activation answered (9 tasks, steps, activation row and event in one transaction): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&answered, 0.5)),
        ms(percentile(&answered, 0.99))
    );
    println!(
        "activation → every one of the 6 posts' open streams (slowest of six per activation): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
    common::remove_sqlite(&url);
}
