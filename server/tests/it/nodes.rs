//! Several server copies over one PostgreSQL: a case written on one copy reaches the streams of
//! the others at once (the event log's NOTIFY, read once per copy; nothing polls), also after a
//! copy lost its listening connection; readiness and metrics for the load balancer and the
//! operators; backups restored into an empty database give back every row.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

async fn branch_at(app: &App, cookie: &str) -> i64 {
    let found = app.get(&format!("/api/v1/buildings?q={}", crate::cases::enc("磁南街27号")), Some(cookie)).await;
    found.body[0]["id"].as_i64().expect("磁南街27号 exists in the demo street")
}

async fn report(app: &App, cookie: &str, building: i64) -> i64 {
    let r = app.post("/api/v1/cases", Some(cookie), json!({ "category": "greening.branch", "description": "行道树断枝悬挂，有坠落危险", "building_id": building })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["case"]["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_copies_deliver_each_others_cases_within_a_second() {
    let a = App::on(TestDb::postgres().await).await;
    let (b, c) = (a.copy().await, a.copy().await);
    let worker = a.login("wanggeyuan").await;
    let building = branch_at(&a, &worker).await;
    let (on_b, on_c) = (b.login("zhihui").await, c.login("zhihui").await);
    let mut live_b = b.stream(&on_b, None).await;
    let mut live_c = c.stream(&on_c, None).await;
    let mut took = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let id = report(&a, &worker, building).await;
        let (_, case) = live_c.next_case(Duration::from_secs(30)).await;
        took.push(started.elapsed());
        assert_eq!(case["id"], id, "node C's stream has the case node A stored, in order");
        let (_, case) = live_b.next_case(Duration::from_secs(30)).await;
        assert_eq!(case["id"], id, "and so has node B's");
    }
    took.sort();
    let (p50, p99) = (took[99], took[197]);
    println!("report on A → stream on C over 200 cases: p50 {p50:?}, p99 {p99:?}");
    // A copy that learned of others' writes by reading the log every few seconds would be
    // seconds late for most of them.
    assert!(p99 < Duration::from_secs(1), "p50 {p50:?}, p99 {p99:?}");
    a.db.remove().await;
}

#[tokio::test]
async fn a_copy_that_lost_its_listening_connection_misses_nothing() {
    let a = App::on(TestDb::postgres().await).await;
    let c = a.copy().await;
    let worker = a.login("wanggeyuan").await;
    let building = branch_at(&a, &worker).await;
    let command = c.login("zhihui").await;
    let mut live = c.stream(&command, None).await;
    let first = report(&a, &worker, building).await;
    assert_eq!(live.next_case(Duration::from_secs(30)).await.1["id"], first);
    // Both copies' connections listening for events are cut; cases are written before they are
    // back. (The copy running the ingest engine also listens for device changes.)
    let cut: i64 = {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&a.db.url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%zhizhi_events%') t").fetch_one(&mut admin).await.unwrap()
    };
    assert_eq!(cut, 2, "each copy listens for events on one connection");
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(report(&a, &worker, building).await);
    }
    for id in ids {
        assert_eq!(live.next_case(Duration::from_secs(30)).await.1["id"], id, "read from the log once listening again");
    }
    a.db.remove().await;
}

/// The hub of a copy that hears nothing of the writes but what it is told: it reads the log when
/// it listens again and when told of a newer event, and sends each event once, chained to the
/// one before.
#[tokio::test]
async fn a_copys_hub_reads_the_log_when_it_listens_again_or_hears_of_a_newer_event() {
    use zhizhi_server::live::{Hub, NodeHub};
    use zhizhi_server::storage::Notice;
    let app = App::new().await;
    let (tell, notices) = tokio::sync::mpsc::channel(8);
    let hub = NodeHub::start_with(app.db.store.clone(), 64, Some(notices), None);
    let mut sent = hub.subscribe();
    let started = Instant::now();
    while hub.last().is_none() {
        assert!(started.elapsed() < Duration::from_secs(30), "the hub learns where the log stands");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let first = hub.last().unwrap();
    let worker = app.login("wanggeyuan").await;
    let building = branch_at(&app, &worker).await;
    // Written through the app's own copy: this hub is another copy and was not told.
    let b = report(&app, &worker, building).await;
    tell.send(Notice::Listening).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(30), sent.recv()).await.expect("read when listening again").unwrap();
    assert_eq!((got.event.event.case.id, got.after), (b, first), "the case, chained to where the log stood");
    let c = report(&app, &worker, building).await;
    tell.send(Notice::Written(got.event.event.id + 1)).await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(30), sent.recv()).await.expect("read when told of a newer event").unwrap();
    assert_eq!((next.event.event.case.id, next.after), (c, got.event.event.id));
    assert_eq!(hub.sent(), 2);
    app.db.remove().await;
}

#[tokio::test]
async fn readiness_and_metrics_tell_the_operators_what_a_copy_does() {
    let app = App::new().await;
    app.ingest_handle.wait_ready().await.unwrap();
    let r = app.get("/readyz", None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("ready")), "{}", r.body);
    let command = app.login("zhihui").await;
    let _live = app.stream(&command, None).await;
    let admin = app.login("guanliyuan").await;
    assert_eq!(app.get("/metrics", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/metrics", Some(&command)).await.status, StatusCode::FORBIDDEN, "command staff are not operators");
    let r = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "prometheus", "scopes": ["metrics"] })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let scraper = format!("Bearer {}", r.body["token"].as_str().unwrap());
    let metrics = |app: &App| {
        let (router, scraper) = (app.router.clone(), scraper.clone());
        async move {
            use tower::ServiceExt;
            let req = axum::http::Request::builder().uri("/metrics").header("host", "127.0.0.1:3000").header("authorization", scraper).body(axum::body::Body::empty()).unwrap();
            let resp = router.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
            let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        }
    };
    let value = |text: &str, name: &str| -> f64 {
        text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name} in\n{text}")).rsplit(' ').next().unwrap().parse().unwrap()
    };
    let before = metrics(&app).await;
    assert_eq!(value(&before, "zhizhi_live_streams"), 1.0, "the one open stream");
    let worker = app.login("wanggeyuan").await;
    let building = branch_at(&app, &worker).await;
    report(&app, &worker, building).await;
    let after = metrics(&app).await;
    assert_eq!(value(&after, "zhizhi_live_events_total"), value(&before, "zhizhi_live_events_total") + 1.0, "this copy's hub sent the one case: {after}");
    assert!(value(&after, "zhizhi_http_requests_total{class=\"2xx\"}") >= 3.0, "the logins and the report at least");
    assert!(!after.contains("wanggeyuan") && !after.contains("磁南街"), "names nobody and no place");
    assert_eq!(app.get_raw("/metrics", &admin).await.0, StatusCode::OK, "an administrator reads them too");
    app.db.remove().await;
}

fn zhizhi(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_zhizhi")).args(args).env("RUST_LOG", "warn").output().expect("run zhizhi")
}

/// A new database nobody has opened: a file that does not exist yet, or a PostgreSQL database
/// just created.
async fn empty_like(url: &str) -> String {
    let unique = format!("{}_{}", std::process::id(), zhizhi_server::auth::now_ms());
    if url.starts_with("sqlite:") {
        format!("sqlite://{}", std::env::temp_dir().join(format!("zhizhi_restored_{unique}.db")).display())
    } else {
        use sqlx::Connection;
        let (base, _) = url.rsplit_once('/').unwrap();
        let name = format!("zhizhi_restored_{unique}");
        let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres")).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        format!("{base}/{name}")
    }
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_every_row_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let worker = app.login("wanggeyuan").await;
        let building = branch_at(&app, &worker).await;
        report(&app, &worker, building).await;
        let dir = std::env::temp_dir().join(format!("zhizhi_backup_{}_{}", std::process::id(), zhizhi_server::auth::now_ms()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("zhizhi.backup");
        let out = zhizhi(&["backup", "--db", &app.db.url, "--out", &file.to_string_lossy()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("已备份"));
        // The server goes on writing after the backup: the restore has the database as it was.
        let expected = zhizhi_server::storage::backup::fingerprint(&app.db.url).await.unwrap();
        report(&app, &worker, building).await;
        let again = zhizhi(&["backup", "--db", &app.db.url, "--out", &file.to_string_lossy()]);
        assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("已存在"), "a backup is never overwritten");

        let url = empty_like(&app.db.url).await;
        let out = zhizhi(&["restore", "--db", &url, "--from", &file.to_string_lossy()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("名居民"), "{}", String::from_utf8_lossy(&out.stdout));
        let restored = zhizhi_server::storage::backup::fingerprint(&url).await.unwrap();
        assert!(expected.len() > 30, "every table: {}", expected.len());
        assert_eq!(restored.len(), expected.len());
        for (r, e) in restored.iter().zip(&expected) {
            assert_eq!((&r.0, r.1), (&e.0, e.1), "rows of {}", e.0);
            assert!(r.2 == e.2, "the content of {} is what was backed up", e.0);
        }
        assert!(expected.iter().any(|(t, n, _)| t == "residents" && *n > 1000));

        // A backup that fails leaves nothing that looks like one.
        let failed = dir.join("failed.backup");
        let gone = if app.db.url.starts_with("sqlite:") { format!("sqlite://{}", dir.join("missing.db").display()) } else { format!("{}_missing", app.db.url) };
        assert!(!zhizhi(&["backup", "--db", &gone, "--out", &failed.to_string_lossy()]).status.success());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "only the good backup is in the folder");

        let refused = zhizhi(&["restore", "--db", &app.db.url, "--from", &file.to_string_lossy()]);
        assert!(!refused.status.success(), "a database in use is never restored over");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("只能恢复到新的空数据库"), "{}", String::from_utf8_lossy(&refused.stderr));
        if url.starts_with("postgres") {
            use sqlx::Connection;
            let (base, name) = url.rsplit_once('/').unwrap();
            let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres")).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut admin).await.unwrap();
        } else {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite://")));
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        app.db.remove().await;
    }
}
