//! The server killed with SIGKILL in the middle of ingest: every acknowledged message is there
//! after the restart, no alarm was raised twice, and a timer rule that came due while the
//! server was down fires once when it is back.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zhizhi_server::simulate::HttpClient;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{Rule, HOUR};

/// Counts a batch in flight for as long as it lives.
pub(crate) struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    pub(crate) fn new(busy: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(busy.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
}

/// `zhizhi serve --demo` on `db`, in a process of its own, on a free port.
pub(crate) fn start(db: &str) -> Server {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_zhizhi"))
        .args(["serve", "--db", db, "--addr", &addr, "--demo"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start zhizhi");
    Server { child, addr }
}

impl Server {
    pub(crate) async fn ready(&self) {
        let start = Instant::now();
        loop {
            if let Ok(mut c) = HttpClient::connect(&self.addr, "").await
                && let Ok((200, _, _)) = c.request("GET", "/healthz", "").await
            {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "the server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) fn kill(mut self) {
        // SIGKILL: no shutdown, no flush, nothing.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    /// A test that fails leaves no server behind (after `kill`, this does nothing).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new API token with the `ingest` scope, made by the administrator.
pub(crate) async fn token(addr: &str) -> String {
    token_with(addr, &["ingest"]).await
}

/// A new API token with these scopes, made by the administrator.
pub(crate) async fn token_with(addr: &str, scopes: &[&str]) -> String {
    let mut c = HttpClient::connect(addr, "").await.unwrap();
    let (_, h, _) = c.request("POST", "/api/v1/login", &json!({ "username": "guanliyuan", "password": zhizhi_server::demo::DEMO_PASSWORD }).to_string()).await.unwrap();
    let cookie = h["set-cookie"].split(';').next().unwrap().to_string();
    let mut c = HttpClient::connect(addr, &format!("Cookie: {cookie}\r\n")).await.unwrap();
    let (_, _, body) = c.request("POST", "/api/v1/tokens", &json!({ "name": "crash", "scopes": scopes }).to_string()).await.unwrap();
    serde_json::from_str::<Value>(&body).unwrap()["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_during_ingest_loses_no_acknowledged_message_and_raises_no_alarm_twice() {
    let path = std::env::temp_dir().join(format!("zhizhi_crash_{}_{}.db", std::process::id(), zhizhi_server::auth::now_ms()));
    let db = format!("sqlite://{}", path.display());
    let server = start(&db);
    server.ready().await;
    let bearer = format!("Authorization: Bearer {}\r\n", token(&server.addr).await);
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let smoke: Vec<String> = district.devices.iter().filter(|d| d.kind == DeviceKind::SmokeDetector).map(|d| d.code.clone()).take(400).collect();
    let care = zhizhi_server::simulate::care_sensor(&district).unwrap().code.clone();

    // Four senders: every smoke detector alarms, again and again (new ids), with heartbeats.
    // `held` holds the senders back between two batches; `busy` counts batches in flight.
    let acked: Arc<Mutex<Vec<Value>>> = Arc::default();
    let held = Arc::new(tokio::sync::watch::channel(false).0);
    let busy = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = Vec::new();
    for s in 0..4 {
        let (addr, bearer, smoke, acked) = (server.addr.clone(), bearer.clone(), smoke.clone(), acked.clone());
        let (mut held, busy) = (held.subscribe(), busy.clone());
        senders.push(tokio::spawn(async move {
            let Ok(mut c) = HttpClient::connect(&addr, &bearer).await else { return };
            for round in 0.. {
                if held.wait_for(|h| !*h).await.is_err() {
                    return;
                }
                let _in_flight = InFlight::new(&busy);
                let t = zhizhi_server::auth::now_ms();
                let batch: Vec<Value> = (0..200)
                    .map(|i| {
                        let code = &smoke[(round * 200 + i) % smoke.len()];
                        let kind = if i % 2 == 0 { "smoke" } else { "heartbeat" };
                        json!({ "device_id": code, "msg_id": format!("s{s}-r{round}-{i}"), "ts": t, "kind": kind, "payload": { "alarm": true, "battery": 80 } })
                    })
                    .collect();
                match c.request("POST", "/api/v1/ingest", &Value::Array(batch.clone()).to_string()).await {
                    Ok((200, _, body)) => {
                        let v: Value = serde_json::from_str(&body).unwrap();
                        assert_eq!(v["refused"], 0, "{body}");
                        acked.lock().unwrap().extend(batch);
                    }
                    Ok((status, _, body)) => assert_eq!(status, 503, "{body}"),
                    Err(_) => return, // killed
                }
            }
        }));
    }
    // Kill it in the middle of the work: once several batches have been acknowledged …
    let running = Instant::now();
    while acked.lock().unwrap().len() < 1_600 {
        assert!(running.elapsed() < Duration::from_secs(60), "ingest acknowledged too little to crash it mid-way");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // … and just after a door sensor in care last opened 24 hours less 30 seconds ago: its care
    // alarm comes due while the server is down. The senders are held back while the door
    // message goes, so it does not queue behind their batches (on a busy 2-core CI machine four
    // batches took over 10 s), then let go again, and the server is killed once two more batches
    // are acknowledged.
    held.send_replace(true);
    while busy.load(std::sync::atomic::Ordering::SeqCst) > 0 {
        assert!(running.elapsed() < Duration::from_secs(120), "the senders' batches never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut c = HttpClient::connect(&server.addr, &bearer).await.unwrap();
    let now = zhizhi_server::auth::now_ms();
    let margin = 30_000;
    let door = json!([{ "device_id": care, "msg_id": "door-1", "ts": now - 24 * HOUR + margin, "kind": "door", "payload": { "open": true } }]);
    assert_eq!(c.request("POST", "/api/v1/ingest", &door.to_string()).await.unwrap().0, 200);
    let before = acked.lock().unwrap().len();
    held.send_replace(false);
    while acked.lock().unwrap().len() < before + 400 {
        assert!(running.elapsed() < Duration::from_secs(120), "ingest stopped acknowledging after the door message");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    assert!(zhizhi_server::auth::now_ms() < now + margin, "killed before the care alarm came due");
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    // Back up once the care alarm has come due while the server was down: it must fire
    // without any new message.
    let due = now + margin;
    while zhizhi_server::auth::now_ms() <= due {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let down = zhizhi_server::storage::open(&db).await.unwrap();
    let stored = down.alarms(&zhizhi_server::storage::iot::AlarmFilter { limit: 100_000, ..Default::default() }).await.unwrap();
    assert!(!stored.iter().any(|a| a.rule == Rule::NoActivity), "the care alarm was not raised before the crash");
    drop(down);
    let server = start(&db);
    server.ready().await;
    let store = zhizhi_server::storage::open(&db).await.unwrap();
    let ids: std::collections::HashMap<String, i64> = store.device_records(None).await.unwrap().into_iter().map(|d| (d.code, d.id)).collect();
    for m in &acked {
        let (code, id) = (m["device_id"].as_str().unwrap(), m["msg_id"].as_str().unwrap());
        assert!(store.has_message(ids[code], id).await.unwrap(), "acknowledged message {code}/{id} lost");
    }
    let smoke_alarms = |alarms: &[zhizhi_shared::iot::AlarmView]| alarms.iter().filter(|a| a.rule == Rule::Smoke).count();
    let filter = zhizhi_server::storage::iot::AlarmFilter { limit: 100_000, ..Default::default() };
    let alarmed: std::collections::HashSet<&str> = acked.iter().filter(|m| m["kind"] == "smoke").map(|m| m["device_id"].as_str().unwrap()).collect();
    // Every alarm has its case (those raised just before the kill get theirs at the start).
    let start_wait = Instant::now();
    let alarms = loop {
        let alarms = store.alarms(&filter).await.unwrap();
        let care_alarm = alarms.iter().any(|a| a.rule == Rule::NoActivity);
        if care_alarm && alarms.iter().all(|a| a.case_id.is_some() || a.rule.case_category().is_none()) {
            break alarms;
        }
        assert!(start_wait.elapsed() < Duration::from_secs(20), "alarms without cases after the restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(smoke_alarms(&alarms) >= alarmed.len(), "every device that alarmed has its alarm");
    assert_eq!(smoke_alarms(&alarms), store.device_records(None).await.unwrap().iter().filter(|d| d.state.open_alarm(Rule::Smoke).is_some()).count());
    let mut per_device: std::collections::HashMap<i64, usize> = Default::default();
    for a in alarms.iter().filter(|a| a.rule == Rule::Smoke) {
        *per_device.entry(a.device_id).or_default() += 1;
    }
    assert!(per_device.values().all(|n| *n == 1), "a smoke alarm was raised twice");
    assert_eq!(alarms.iter().filter(|a| a.rule == Rule::NoActivity).count(), 1, "the care alarm fired once");
    let cases = store.cases(&zhizhi_server::storage::CaseFilter { limit: 100_000, ..Default::default() }).await.unwrap();
    assert_eq!(cases.len(), alarms.iter().filter(|a| a.case_id.is_some()).count(), "one case per alarm, none twice");

    // Every acknowledged batch sent again: all duplicates, nothing new.
    let mut c = HttpClient::connect(&server.addr, &format!("Authorization: Bearer {}\r\n", token(&server.addr).await)).await.unwrap();
    for chunk in acked.chunks(2000) {
        let (status, _, body) = c.request("POST", "/api/v1/ingest", &Value::Array(chunk.to_vec()).to_string()).await.unwrap();
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["duplicates"].as_u64(), Some(chunk.len() as u64), "{}", &body[..body.len().min(300)]);
    }
    assert_eq!(store.alarms(&filter).await.unwrap().len(), alarms.len());
    server.kill();
    let _ = std::fs::remove_file(&path);
}

/// A board's live stream, opened on a raw connection: the connection, once `ready` has come.
async fn open_stream(addr: &str) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = HttpClient::connect(addr, "").await.unwrap();
    let (_, h, _) = c.request("POST", "/api/v1/login", &json!({ "username": "zhihui", "password": zhizhi_server::demo::DEMO_PASSWORD }).to_string()).await.unwrap();
    let cookie = h["set-cookie"].split(';').next().unwrap().to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("event: ready") {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await.expect("the stream answers").unwrap();
        assert!(n > 0, "the stream closed before ready: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_open_streams_and_ingest_running_stops_in_seconds_and_loses_nothing() {
    use tokio::io::AsyncReadExt;
    let path = std::env::temp_dir().join(format!("zhizhi_stop_{}_{}.db", std::process::id(), zhizhi_server::auth::now_ms()));
    let db = format!("sqlite://{}", path.display());
    let mut server = start(&db);
    server.ready().await;
    let bearer = format!("Authorization: Bearer {}\r\n", token(&server.addr).await);
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(open_stream(&server.addr).await);
    }
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let smoke: Vec<String> = district.devices.iter().filter(|d| d.kind == DeviceKind::SmokeDetector).map(|d| d.code.clone()).take(100).collect();
    let acked: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sender = {
        let (addr, bearer, acked) = (server.addr.clone(), bearer.clone(), acked.clone());
        tokio::spawn(async move {
            let Ok(mut c) = HttpClient::connect(&addr, &bearer).await else { return };
            for round in 0.. {
                let t = zhizhi_server::auth::now_ms();
                let batch: Vec<Value> = (0..100)
                    .map(|i| json!({ "device_id": smoke[i], "msg_id": format!("r{round}-{i}"), "ts": t, "kind": "heartbeat", "payload": { "battery": 80 } }))
                    .collect();
                match c.request("POST", "/api/v1/ingest", &Value::Array(batch.clone()).to_string()).await {
                    Ok((200, _, _)) => acked.lock().unwrap().extend(batch),
                    _ => return, // refused or closed: the server is stopping
                }
            }
        })
    };
    while acked.lock().unwrap().len() < 500 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stop = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap().success());
    // The streams are closed by the server (their clients would resume elsewhere) …
    for mut s in streams {
        let mut buf = [0u8; 4096];
        loop {
            let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await.expect("the stream closes on SIGTERM").unwrap_or(0);
            if n == 0 || String::from_utf8_lossy(&buf[..n]).ends_with("0\r\n\r\n") {
                break;
            }
        }
    }
    // … and the process exits by itself, in seconds.
    let exited = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(stop.elapsed() < Duration::from_secs(15), "still running 15 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exited.success(), "{exited:?}");
    let took = stop.elapsed();
    sender.await.unwrap();
    let acked = acked.lock().unwrap().clone();
    let store = zhizhi_server::storage::open(&db).await.unwrap();
    let ids: std::collections::HashMap<String, i64> = store.device_records(None).await.unwrap().into_iter().map(|d| (d.code, d.id)).collect();
    for m in &acked {
        let (code, id) = (m["device_id"].as_str().unwrap(), m["msg_id"].as_str().unwrap());
        assert!(store.has_message(ids[code], id).await.unwrap(), "acknowledged message {code}/{id} lost");
    }
    println!("stopped in {} ms with 3 open streams, {} messages acknowledged", took.as_millis(), acked.len());
    let _ = std::fs::remove_file(&path);
}

/// A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port), so
/// that stopping it disturbs no other test.
struct Cluster {
    bin: std::path::PathBuf,
    dir: std::path::PathBuf,
    port: u16,
}

impl Cluster {
    fn as_postgres(&self, command: &str) {
        // initdb and pg_ctl refuse to run as root: as root, run them as the postgres user.
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let status = if root {
            Command::new("su").args(["postgres", "-c", command]).stdout(Stdio::null()).status()
        } else {
            Command::new("sh").args(["-c", command]).stdout(Stdio::null()).status()
        };
        assert!(status.is_ok_and(|s| s.success()), "{command}");
    }

    fn new() -> Cluster {
        let versions = std::fs::read_dir("/usr/lib/postgresql").expect("PostgreSQL's programs under /usr/lib/postgresql");
        let bin = versions.filter_map(Result::ok).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).max().expect("initdb");
        let dir = std::env::temp_dir().join(format!("zhizhi_pg_{}_{}", std::process::id(), zhizhi_server::auth::now_ms()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown").args(["postgres", dir.to_str().unwrap()]).status();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let c = Cluster { bin, dir, port };
        c.as_postgres(&format!("{}/initdb -D {}/data -A trust -U postgres", c.bin.display(), c.dir.display()));
        c.start();
        c
    }

    fn start(&self) {
        let (bin, dir, port) = (self.bin.display(), self.dir.display(), self.port);
        self.as_postgres(&format!("{bin}/pg_ctl -D {dir}/data -o '-p {port} -k {dir} -c listen_addresses=127.0.0.1' -l {dir}/log -w start"));
    }

    fn stop(&self) {
        self.as_postgres(&format!("{}/pg_ctl -D {}/data -m fast -w stop", self.bin.display(), self.dir.display()));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("su").args(["postgres", "-c", &format!("{}/pg_ctl -D {}/data -m immediate stop", self.bin.display(), self.dir.display())]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_going_away_is_answered_with_503_and_service_resumes_by_itself() {
    let cluster = Cluster::new();
    let mut server = start(&cluster.url());
    server.ready().await;
    let bearer = format!("Authorization: Bearer {}\r\n", token(&server.addr).await);
    let mut c = HttpClient::connect(&server.addr, "").await.unwrap();
    let (_, h, _) = c.request("POST", "/api/v1/login", &json!({ "username": "zhihui", "password": zhizhi_server::demo::DEMO_PASSWORD }).to_string()).await.unwrap();
    let cookie = format!("Cookie: {}\r\n", h["set-cookie"].split(';').next().unwrap());
    let report = |n: u32| json!({ "category": "greening.branch", "description": format!("树枝断落第 {n} 处"), "building_id": 1 }).to_string();
    let mut staff = HttpClient::connect(&server.addr, &cookie).await.unwrap();
    let (status, _, body) = staff.request("POST", "/api/v1/cases", &report(1)).await.unwrap();
    assert_eq!(status, 201, "{body}");
    let before: Value = serde_json::from_str(&body).unwrap();
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let device = district.devices.iter().find(|d| d.kind == DeviceKind::SmokeDetector).unwrap().code.clone();
    let heartbeat = |id: &str| json!([{ "device_id": device, "msg_id": id, "ts": zhizhi_server::auth::now_ms(), "kind": "heartbeat", "payload": {} }]).to_string();
    let mut gateway = HttpClient::connect(&server.addr, &bearer).await.unwrap();
    assert_eq!(gateway.request("POST", "/api/v1/ingest", &heartbeat("before")).await.unwrap().0, 200);

    // The database stops: every request that needs it is refused with 503, in words, and when
    // to retry; nothing is acknowledged.
    cluster.stop();
    for (who, path, body) in [(&cookie, "/api/v1/cases", report(2)), (&bearer, "/api/v1/ingest", heartbeat("during"))] {
        let mut fresh = HttpClient::connect(&server.addr, who).await.unwrap();
        let (status, headers, answer) = fresh.request("POST", path, &body).await.unwrap();
        assert_eq!(status, 503, "{path}: {answer}");
        assert!(headers.contains_key("retry-after"), "{path}: {headers:?}");
        let v: Value = serde_json::from_str(&answer).unwrap_or_else(|_| panic!("{path}: not JSON: {answer}"));
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{answer}");
    }
    let mut probe = HttpClient::connect(&server.addr, "").await.unwrap();
    assert_eq!(probe.request("GET", "/healthz", "").await.unwrap().0, 503);

    // It comes back: the same server serves again by itself, and nothing it had accepted is lost.
    cluster.start();
    let back = Instant::now();
    loop {
        let mut probe = HttpClient::connect(&server.addr, "").await.unwrap();
        if probe.request("GET", "/healthz", "").await.unwrap().0 == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(60), "still unavailable a minute after the database returned");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut staff = HttpClient::connect(&server.addr, &cookie).await.unwrap();
    let (status, _, body) = staff.request("POST", "/api/v1/cases", &report(3)).await.unwrap();
    assert_eq!(status, 201, "the session and the service survive the outage: {body}");
    let (_, _, body) = staff.request("GET", &format!("/api/v1/cases/{}", before["case"]["id"]), "").await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["case"]["number"], before["case"]["number"]);
    let store = zhizhi_server::storage::open(&cluster.url()).await.unwrap();
    let id = store.device_records(None).await.unwrap().into_iter().find(|d| d.code == device).unwrap().id;
    assert!(store.has_message(id, "before").await.unwrap());
    assert!(!store.has_message(id, "during").await.unwrap(), "refused, so not stored: the sender keeps it");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
