//! Three server processes over one PostgreSQL, devices sending through all three, and the copy
//! that runs the ingest engine killed with SIGKILL: every acknowledged message is stored, the
//! care timer it had scheduled fires once on the copy that took over, no alarm is raised twice.

use crate::crash::{start, token_with, InFlight};
use crate::harness::TestDb;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zhizhi_server::simulate::HttpClient;
use zhizhi_server::storage::Store;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{Rule, HOUR};

/// The address the copy running the ingest engine announced.
async fn leader(store: &dyn Store) -> Option<String> {
    store.cluster().expect("PostgreSQL has copies").leader().await.unwrap().map(|(addr, _)| addr)
}

/// A metric of the copy at `addr`, read with a token that has the `metrics` scope.
async fn metric(addr: &str, bearer: &str, name: &str) -> f64 {
    let mut c = HttpClient::connect(addr, bearer).await.unwrap();
    let (status, _, text) = c.request("GET", "/metrics", "").await.unwrap();
    assert_eq!(status, 200, "{text}");
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or_else(|| panic!("no {name} in {text}"))
}

async fn wait_for_leader(store: &dyn Store, among: &[&str], since: Instant) -> String {
    loop {
        if let Some(addr) = leader(store).await
            && among.contains(&addr.as_str())
        {
            return addr;
        }
        assert!(since.elapsed() < Duration::from_secs(30), "no copy among {among:?} took the ingest over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_copies_take_device_messages_and_a_killed_engine_copy_hands_its_timers_over() {
    let db = TestDb::postgres().await;
    let store = db.store.clone();
    // B starts first and takes the engine; A and C forward to it.
    let b = start(&db.url);
    b.ready().await;
    assert_eq!(wait_for_leader(store.as_ref(), &[&b.addr], Instant::now()).await, b.addr);
    let (a, c) = (start(&db.url), start(&db.url));
    a.ready().await;
    c.ready().await;
    let bearer = format!("Authorization: Bearer {}\r\n", token_with(&a.addr, &["ingest", "metrics"]).await);
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let smoke: Vec<String> = district.devices.iter().filter(|d| d.kind == DeviceKind::SmokeDetector).map(|d| d.code.clone()).take(300).collect();
    let care = zhizhi_server::simulate::care_sensor(&district).unwrap().code.clone();

    // One sender per copy: smoke alarms and heartbeats, new ids every batch. A batch answered
    // 503 (a takeover under way) is sent again; a copy that is gone ends its sender.
    let acked: Arc<Mutex<Vec<Value>>> = Arc::default();
    let held = Arc::new(tokio::sync::watch::channel(false).0);
    let stop = Arc::new(tokio::sync::watch::channel(false).0);
    let busy = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for (s, addr) in [&a.addr, &b.addr, &c.addr].into_iter().enumerate() {
        let (addr, bearer, smoke, acked, busy) = (addr.clone(), bearer.clone(), smoke.clone(), acked.clone(), busy.clone());
        let (mut held, stop) = (held.subscribe(), stop.subscribe());
        senders.push(tokio::spawn(async move {
            let Ok(mut client) = HttpClient::connect(&addr, &bearer).await else { return };
            let mut round = 0;
            while !*stop.borrow() {
                if held.wait_for(|h| !*h).await.is_err() {
                    return;
                }
                let _in_flight = InFlight::new(&busy);
                let t = zhizhi_server::auth::now_ms();
                let batch: Vec<Value> = (0..100)
                    .map(|i| {
                        let code = &smoke[(round * 100 + i + s * 37) % smoke.len()];
                        let kind = if i % 2 == 0 { "smoke" } else { "heartbeat" };
                        json!({ "device_id": code, "msg_id": format!("c{s}-r{round}-{i}"), "ts": t, "kind": kind, "payload": { "alarm": true, "battery": 80 } })
                    })
                    .collect();
                match client.request("POST", "/api/v1/ingest", &Value::Array(batch.clone()).to_string()).await {
                    Ok((200, _, body)) => {
                        let v: Value = serde_json::from_str(&body).unwrap();
                        assert_eq!(v["refused"], 0, "{body}");
                        acked.lock().unwrap().extend(batch);
                        round += 1;
                    }
                    Ok((status, _, body)) => {
                        assert_eq!(status, 503, "{body}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(_) => return, // its copy was killed
                }
            }
        }));
    }
    let running = Instant::now();
    let acked_at_least = |n: usize, what: &'static str| {
        let acked = acked.clone();
        async move {
            while acked.lock().unwrap().len() < n {
                assert!(running.elapsed() < Duration::from_secs(180), "{what}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    acked_at_least(1_500, "ingest through three copies acknowledged too little").await;
    // Each copy took some; only B runs the engine, and A and C forwarded theirs to it.
    for s in 0..3 {
        assert!(acked.lock().unwrap().iter().any(|m| m["msg_id"].as_str().unwrap().starts_with(&format!("c{s}-"))), "copy {s} acknowledged nothing");
    }
    for (copy, leads) in [(&a.addr, 0.0), (&b.addr, 1.0), (&c.addr, 0.0)] {
        assert_eq!(metric(copy, &bearer, "zhizhi_ingest_leader ").await, leads, "{copy} runs the engine: {leads}");
    }
    for copy in [&a.addr, &c.addr] {
        assert!(metric(copy, &bearer, "zhizhi_ingest_forwarded_total ").await > 0.0, "{copy} forwarded to the engine's copy");
    }

    // A resident in care's door last opened 24 hours less 40 s ago, sent through A while the
    // senders wait: B (the engine) schedules the care check, which comes due after B is killed.
    held.send_replace(true);
    while busy.load(SeqCst) > 0 {
        assert!(running.elapsed() < Duration::from_secs(180), "the senders' batches never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut client = HttpClient::connect(&a.addr, &bearer).await.unwrap();
    let now = zhizhi_server::auth::now_ms();
    let margin = 40_000;
    let door = json!([{ "device_id": care, "msg_id": "door-1", "ts": now - 24 * HOUR + margin, "kind": "door", "payload": { "open": true } }]);
    let (status, _, body) = client.request("POST", "/api/v1/ingest", &door.to_string()).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let before = acked.lock().unwrap().len();
    held.send_replace(false);
    acked_at_least(before + 300, "ingest stopped after the door message").await;

    let killed = Instant::now();
    let b_addr = b.addr.clone();
    b.kill();
    assert!(zhizhi_server::auth::now_ms() < now + margin, "B was killed before the care check came due");
    let next = wait_for_leader(store.as_ref(), &[&a.addr, &c.addr], killed).await;
    println!("the engine moved from {b_addr} to {next} in {} ms", killed.elapsed().as_millis());
    assert!(killed.elapsed() < Duration::from_secs(10), "the takeover took {:?}", killed.elapsed());
    // Ingest goes on through A and C.
    let after_kill = acked.lock().unwrap().len();
    acked_at_least(after_kill + 300, "ingest did not go on after the engine's copy was killed").await;
    let next_copy = if next == a.addr { &a.addr } else { &c.addr };
    assert_eq!(metric(next_copy, &bearer, "zhizhi_ingest_leader ").await, 1.0, "the copy that took over says so");
    stop.send_replace(true);
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    // The care check comes due on the copy that took over: it fires, once.
    let filter = zhizhi_server::storage::iot::AlarmFilter { limit: 100_000, ..Default::default() };
    let due_in = Duration::from_millis((now + margin - zhizhi_server::auth::now_ms()).max(0) as u64);
    let deadline = Instant::now() + due_in + Duration::from_secs(30);
    let alarms = loop {
        let alarms = store.alarms(&filter).await.unwrap();
        if alarms.iter().any(|x| x.rule == Rule::NoActivity) && alarms.iter().all(|x| x.case_id.is_some() || x.rule.case_category().is_none()) {
            break alarms;
        }
        assert!(Instant::now() < deadline, "the care check did not fire after the takeover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let care_alarms: Vec<_> = alarms.iter().filter(|x| x.rule == Rule::NoActivity).collect();
    assert_eq!(care_alarms.len(), 1, "the care alarm fired once");
    assert!(care_alarms[0].raised_at >= now + margin - 1_000, "the care alarm fired when it came due, not before");

    let ids: HashMap<String, i64> = store.device_records(None).await.unwrap().into_iter().map(|d| (d.code, d.id)).collect();
    for m in &acked {
        let (code, id) = (m["device_id"].as_str().unwrap(), m["msg_id"].as_str().unwrap());
        assert!(store.has_message(ids[code], id).await.unwrap(), "acknowledged message {code}/{id} lost");
    }
    let mut per_rule: HashMap<(i64, Rule), usize> = HashMap::new();
    for x in &alarms {
        *per_rule.entry((x.device_id, x.rule)).or_default() += 1;
    }
    assert!(per_rule.values().all(|n| *n == 1), "an alarm was raised twice: {per_rule:?}");
    let alarmed: HashSet<&str> = acked.iter().filter(|m| m["kind"] == "smoke").map(|m| m["device_id"].as_str().unwrap()).collect();
    assert!(alarms.iter().filter(|x| x.rule == Rule::Smoke).count() >= alarmed.len(), "every device that alarmed has its alarm");
    let cases = store.cases(&zhizhi_server::storage::CaseFilter { limit: 100_000, ..Default::default() }).await.unwrap();
    assert_eq!(cases.len(), alarms.iter().filter(|x| x.case_id.is_some()).count(), "one case per alarm, none twice");
    a.kill();
    c.kill();
}

/// The copy running the engine loses its lease connection (terminated by the database, as a
/// failover of PostgreSQL or an administrator would): it stops its engine, and the other copy
/// takes the engine over; a copy that closes hands it over too.
#[tokio::test]
async fn a_copy_that_loses_its_lease_stops_its_engine_and_another_takes_over() {
    use crate::client::App;
    let a = App::on(TestDb::postgres().await).await;
    a.ingest_handle.wait_ready().await.unwrap();
    assert!(a.ingest_handle.leading(), "the first copy runs the engine");
    let c = a.copy().await;
    c.ingest_handle.wait_ready().await.unwrap();
    assert!(!c.ingest_handle.leading(), "a second copy does not");
    let mut a_leads = a.ingest_handle.leadership();
    let mut c_leads = c.ingest_handle.leadership();
    let cut: i64 = {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&a.db.url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 143 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) t").fetch_one(&mut admin).await.unwrap()
    };
    assert_eq!(cut, 1, "one connection holds the lease");
    let within = |rx: &mut tokio::sync::watch::Receiver<bool>, want: bool| {
        let mut rx = rx.clone();
        async move { tokio::time::timeout(Duration::from_secs(15), rx.wait_for(|l| *l == want)).await.is_ok() }
    };
    assert!(within(&mut a_leads, false).await, "the copy that lost its lease stopped its engine");
    assert!(within(&mut c_leads, true).await, "the other copy took the engine over");
    c.ingest_handle.wait_ready().await.unwrap();
    assert!(!a.ingest_handle.leading(), "one engine at a time");
    // The copy running the engine closes: the first copy takes it back.
    let c_ingest = c.ingest_handle.clone();
    drop(c);
    drop(c_ingest);
    assert!(within(&mut a_leads, true).await, "a copy that closed handed the engine over");
    a.db.remove().await;
}

/// An engine that wrote on after another copy took the lease (the seconds before its copy
/// notices) is fenced off: its transaction writes nothing.
#[tokio::test]
async fn an_engine_whose_lease_was_taken_over_writes_nothing() {
    use zhizhi_server::storage::iot::{Evaluated, StoredMessage};
    let db = TestDb::postgres().await;
    let first = zhizhi_server::storage::open(&db.url).await.unwrap();
    let second = zhizhi_server::storage::open(&db.url).await.unwrap();
    first.import_district(&zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED), &|_: &str, _: usize, _: usize| {}).await.unwrap();
    let device = first.device_records(None).await.unwrap()[0].id;
    let message = |id: &str| StoredMessage { device_id: device, msg_id: id.into(), ts: 1, received_at: 1, kind: "heartbeat".into(), payload: "{}".into() };
    let lease = first.cluster().unwrap().lead("127.0.0.1:1", "first-secret").await.unwrap().expect("the lease is free");
    assert!(second.cluster().unwrap().lead("127.0.0.1:2", "second-secret").await.unwrap().is_none(), "one lease at a time");
    first.ingest(&[message("while-leading")], &mut |_: &[bool]| Evaluated::default()).await.expect("the leader writes");
    // The database lets the first lease go (its connection is gone) before the first copy
    // notices; the second copy takes it.
    drop(lease);
    let started = Instant::now();
    let _second_lease = loop {
        if let Some(l) = second.cluster().unwrap().lead("127.0.0.1:2", "second-secret").await.unwrap() {
            break l;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the lease was not let go");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let late = first.ingest(&[message("after-takeover")], &mut |_: &[bool]| Evaluated::default()).await;
    assert!(matches!(late, Err(zhizhi_server::storage::Error::Fenced)), "{late:?}");
    assert!(first.has_message(device, "while-leading").await.unwrap());
    assert!(!first.has_message(device, "after-takeover").await.unwrap(), "a fenced engine wrote nothing");
    second.ingest(&[message("new-leader")], &mut |_: &[bool]| Evaluated::default()).await.expect("the new leader writes");
    db.remove().await;
}

/// A proxy in front of the copies may carry many screens' live streams on one HTTP/2
/// connection (cleartext, prior knowledge): the server speaks it beside HTTP/1.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_share_one_http2_connection() {
    let path = std::env::temp_dir().join(format!("zhizhi_h2_{}_{}.db", std::process::id(), zhizhi_server::auth::now_ms()));
    let server = start(&format!("sqlite://{}", path.display()));
    server.ready().await;
    let token = token_with(&server.addr, &["read"]).await;
    let tcp = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.expect("the server speaks HTTP/2");
    tokio::spawn(connection);
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let mut client = client.clone().ready().await.unwrap();
        let req = http::Request::get(format!("http://{}/api/v1/stream", server.addr)).header("authorization", format!("Bearer {token}")).header("accept", "text/event-stream").body(()).unwrap();
        let (answer, _) = client.send_request(req, true).unwrap();
        let answer = answer.await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["content-type"], "text/event-stream");
        bodies.push(answer.into_body());
    }
    for mut body in bodies {
        let mut seen = String::new();
        while !seen.contains("event: ready") {
            let chunk = tokio::time::timeout(Duration::from_secs(10), body.data()).await.expect("the stream answers").expect("the stream is open").unwrap();
            let _ = body.flow_control().release_capacity(chunk.len());
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    server.kill();
    let _ = std::fs::remove_file(&path);
}
