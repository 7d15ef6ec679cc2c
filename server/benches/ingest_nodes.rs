//! Device messages through several server copies over one PostgreSQL: messages per second when
//! the devices send to the copy running the ingest engine only, and when they send to every
//! copy (the others forward each batch to it and answer once it has stored it).
//!
//! `ZZ_BENCH_DB=postgres://postgres@127.0.0.1/zz_ingest cargo bench -p zhizhi-server --bench
//! ingest_nodes` (release build; an empty database created beforehand). The servers are the
//! real binary in child processes; this process holds the senders. Environment:
//! `ZZ_BENCH_NODES` (default 3) copies, `ZZ_BENCH_MESSAGES` (default 200000) a phase,
//! `ZZ_BENCH_BATCH` (default 1000), `ZZ_BENCH_CLIENTS` (default 6).

mod common;

use common::{batch, env, login, start_nodes, Node};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zhizhi_server::simulate::HttpClient;

fn main() {
    common::run(run());
}

/// Sends `total` messages in batches of `per_batch` from `clients` senders, sender `i` to
/// `addrs[i % addrs.len()]`; the messages a second.
async fn phase(addrs: &[String], token: &str, codes: &Arc<Vec<(String, zhizhi_shared::device::DeviceKind)>>, tag: &str, total: usize, per_batch: usize, clients: usize) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut senders = Vec::new();
    for i in 0..clients {
        let (addr, next, codes, tag) = (addrs[i % addrs.len()].clone(), next.clone(), codes.clone(), tag.to_string());
        let bearer = format!("Authorization: Bearer {token}\r\n");
        senders.push(tokio::spawn(async move {
            let mut c = HttpClient::connect(&addr, &bearer).await.unwrap();
            loop {
                let start = next.fetch_add(per_batch, Ordering::SeqCst);
                if start >= total {
                    return;
                }
                let body = batch(&codes, start, per_batch.min(total - start), &tag, zhizhi_server::auth::now_ms());
                loop {
                    let (status, _, answer) = c.request("POST", "/api/v1/ingest", &body).await.unwrap();
                    match status {
                        200 => break,
                        503 => tokio::time::sleep(Duration::from_millis(50)).await,
                        _ => panic!("{status}: {answer}"),
                    }
                }
            }
        }));
    }
    for s in senders {
        s.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

async fn run() {
    let nodes_n = env("ZZ_BENCH_NODES", 3);
    let total = env("ZZ_BENCH_MESSAGES", 200_000);
    let per_batch = env("ZZ_BENCH_BATCH", 1000);
    let clients = env("ZZ_BENCH_CLIENTS", 6);
    let db = std::env::var("ZZ_BENCH_DB").expect("ZZ_BENCH_DB=postgres://… (an empty database)");
    assert!(db.starts_with("postgres"), "several copies need PostgreSQL");
    let nodes = start_nodes(&db, nodes_n).await;
    println!(
        "智治 ingest across copies — {nodes_n} server copies over {}, {clients} senders, batches of {per_batch}, {} CPU(s)",
        zhizhi_server::storage::redact(&db),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut admin = login(&nodes[0].addr, "guanliyuan").await;
    let (status, _, body) = admin.request("POST", "/api/v1/tokens", r#"{"name":"bench","scopes":["ingest"]}"#).await.unwrap();
    assert_eq!(status, 201, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"].as_str().unwrap().to_string();
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let codes: Arc<Vec<_>> = Arc::new(district.devices.iter().map(|d| (d.code.clone(), d.kind)).collect());

    let cpu = |nodes: &[Node]| nodes.iter().map(Node::cpu_s).collect::<Vec<_>>();
    let before = cpu(&nodes);
    let leader_only = phase(&[nodes[0].addr.clone()], &token, &codes, "l", total, per_batch, clients).await;
    let mid = cpu(&nodes);
    let spread: Vec<String> = nodes.iter().map(|n| n.addr.clone()).collect();
    let everywhere = phase(&spread, &token, &codes, "s", total, per_batch, clients).await;
    let after = cpu(&nodes);
    let fmt = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| format!("{:.1} s", y - x)).collect::<Vec<_>>().join(" / ");
    println!("to the engine's copy only: {leader_only:.0} messages/s (CPU by copy: {})", fmt(&before, &mid));
    println!("to all {nodes_n} copies:        {everywhere:.0} messages/s (CPU by copy: {})", fmt(&mid, &after));
    println!("memory by copy: {}", nodes.iter().map(|n| format!("{} MiB", n.rss_kib() / 1024)).collect::<Vec<_>>().join(" / "));
}
