//! Availability against anonymous visitors, on both engines: nobody can lock staff out with
//! wrong passwords, parallel attempts cannot pass a limit, and a flood of hostile logins leaves
//! the audit log small.

use crate::client::App;
use zhizhi_server::demo::DEMO_PASSWORD;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::json;

async fn login(app: &App, ip: &str, username: &str, password: &str) -> StatusCode {
    app.post_from(ip, "/api/v1/login", json!({ "username": username, "password": password })).await.status
}

async fn audit(app: &App, admin: &str, action: &str) -> Vec<serde_json::Value> {
    app.get(&format!("/api/v1/audit?action={action}&limit=500"), Some(admin)).await.body.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_attacker_slows_down_their_own_guesses_never_the_owner_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        for _ in 0..5 {
            assert_eq!(login(&app, "10.0.0.66", "zhihui", "wrong-password-1A").await, StatusCode::UNAUTHORIZED);
        }
        // The attacker's address is throttled for this account, even with the right password…
        assert_eq!(login(&app, "10.0.0.66", "zhihui", DEMO_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
        for _ in 0..50 {
            assert_eq!(login(&app, "10.0.0.66", "zhihui", "wrong-password-1A").await, StatusCode::TOO_MANY_REQUESTS);
        }
        // …the owner at their desk is not.
        assert_eq!(login(&app, "10.0.0.7", "zhihui", DEMO_PASSWORD).await, StatusCode::OK);
        let admin = app.login("guanliyuan").await;
        assert_eq!(audit(&app, &admin, "login_failed").await.len(), 5);
        let throttled = audit(&app, &admin, "login_throttled").await;
        assert_eq!(throttled.len(), 1, "51 throttled attempts, one entry: {throttled:?}");
        app.db.remove().await;
    }
}

#[tokio::test]
async fn parallel_attempts_cannot_pass_a_limit_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        // Forty guesses at once: five are checked, the rest refused unchecked.
        let guesses = futures::future::join_all((0..40).map(|_| login(&app, "10.0.0.66", "zhihui", "wrong-password-1A"))).await;
        let checked = guesses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        assert_eq!(checked, 5, "{guesses:?}");
        assert!(guesses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));

        // Forty reports at once from one address: five an hour. A refused report does not
        // count against the resident.
        let building = app.get("/api/v1/public/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", None).await.body[0]["id"].as_i64().unwrap();
        let report = |phone: &str| json!({ "category": "environment.litter", "description": "垃圾桶满了，散落一地",
            "building_id": building, "reporter_phone": phone });
        for _ in 0..3 {
            assert_eq!(app.post_from("10.0.0.9", "/api/v1/public/reports", report("123")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let mut long_name = report("13912345678");
        long_name["reporter_name"] = json!("张".repeat(10_000));
        let r = app.post_from("10.0.0.9", "/api/v1/public/reports", long_name).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reporter_name")), "{}", r.body);
        let sent = futures::future::join_all((0..40).map(|_| app.post_from("10.0.0.9", "/api/v1/public/reports", report("13912345678")))).await;
        let created = sent.iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(created, 5, "{:?}", sent.iter().map(|r| r.status).collect::<Vec<_>>());
        assert_eq!(sent.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count(), 35);
        let stored = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 100_000, ..Default::default() }).await.unwrap()
            .iter().filter(|c| c.source == zhizhi_shared::case::Source::Resident && c.description == "垃圾桶满了，散落一地").count();
        assert_eq!(stored, 5, "every accepted report is stored, no other");
        app.db.remove().await;
    }
}

#[tokio::test]
async fn a_flood_of_hostile_logins_leaves_the_audit_log_small() {
    let app = App::new().await;
    let huge = "x".repeat(60 * 1024);
    // 1,000 attempts with 60 KB usernames (the login body's limit is 64 KB) from ten addresses.
    for i in 0..1000 {
        let ip = format!("10.0.1.{}", i % 10);
        let status = login(&app, &ip, &format!("{huge}{}", i % 3), "wrong-password-1A").await;
        assert!(status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS, "{status}");
    }
    let admin = app.login("guanliyuan").await;
    let mut entries = audit(&app, &admin, "login_failed").await;
    entries.extend(audit(&app, &admin, "login_throttled").await);
    // Per address: twenty failures are checked and recorded, then one entry says it is throttled.
    assert!(entries.len() <= 10 * (20 + 3), "{} entries", entries.len());
    for e in &entries {
        assert!(e["actor"].as_str().unwrap().chars().count() <= 64, "actor bounded");
        assert!(e["detail"].as_str().unwrap().chars().count() <= 1000, "detail bounded");
    }
    let verdict = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(verdict.body["intact"], true, "{}", verdict.body);
    app.db.remove().await;
}

/// Reads a stream until it closes: the events it sent last. Fails if it stays open for 10 s.
async fn until_closed(stream: &mut crate::client::Stream) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Some(e) = stream.next(deadline - tokio::time::Instant::now()).await {
        seen.push(e.event);
    }
    assert!(tokio::time::Instant::now() < deadline, "the stream is still open: {seen:?}");
    seen
}

#[tokio::test]
async fn a_live_stream_ends_with_its_session_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        // Signed out: the stream says so and closes; nothing more reaches it.
        let board = app.login("zhihui").await;
        let mut stream = app.stream(&board, None).await;
        assert_eq!(stream.next(std::time::Duration::from_secs(5)).await.unwrap().event, "ready");
        assert_eq!(app.post("/api/v1/logout", Some(&board), json!({})).await.status, StatusCode::OK);
        assert_eq!(until_closed(&mut stream).await, ["end"]);

        // A password changed on another device ends every session of the user.
        let (phone, desk) = (app.login("wanggeyuan").await, app.login("wanggeyuan").await);
        let mut stream = app.stream(&desk, None).await;
        assert_eq!(stream.next(std::time::Duration::from_secs(5)).await.unwrap().event, "ready");
        let r = app.post("/api/v1/me/password", Some(&phone), json!({ "current_password": DEMO_PASSWORD, "new_password": "Jialing-River-2026" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(until_closed(&mut stream).await, ["end"]);

        // An account disabled by the administrator.
        let post = app.login("chengguan").await;
        let mut stream = app.stream(&post, None).await;
        assert_eq!(stream.next(std::time::Duration::from_secs(5)).await.unwrap().event, "ready");
        let admin = app.login("guanliyuan").await;
        let id = app.db.store.user_by_username("chengguan").await.unwrap().unwrap().id;
        let r = app.post(&format!("/api/v1/users/{id}/disabled"), Some(&admin), json!({ "disabled": true })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(until_closed(&mut stream).await, ["end"]);
        app.db.remove().await;
    }
}

#[tokio::test]
async fn an_idle_session_closes_its_stream() {
    let auth = zhizhi_server::auth::AuthConfig {
        idle_timeout: std::time::Duration::from_secs(2),
        stream_recheck: std::time::Duration::from_millis(200),
        ..Default::default()
    };
    let app = App::with_auth(TestDb::sqlite().await, auth).await;
    let board = app.login("zhihui").await;
    let mut stream = app.stream(&board, None).await;
    assert_eq!(stream.next(std::time::Duration::from_secs(5)).await.unwrap().event, "ready");
    // Nothing else uses the session: it expires two seconds after the stream opened.
    assert_eq!(until_closed(&mut stream).await, ["end"]);
    assert_eq!(app.get("/api/v1/me", Some(&board)).await.status, StatusCode::UNAUTHORIZED);
    app.db.remove().await;
}

#[tokio::test]
async fn pages_allow_only_our_own_scripts_and_nothing_can_frame_them() {
    let app = App::new().await;
    let (status, headers, body) = app.get_raw("/login", "").await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers[axum::http::header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("the page's policy names its nonce");
    assert!(nonce.len() >= 16, "{csp}");
    for part in ["script-src 'self' 'nonce-", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("'unsafe-inline'") || !csp.split(';').any(|d| d.trim().starts_with("script-src") && d.contains("'unsafe-inline'")), "{csp}");
    // Every inline script of the page carries this response's nonce; the next page gets another.
    let html = String::from_utf8(body).unwrap();
    let scripts: Vec<&str> = html.match_indices("<script").map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()]).collect();
    assert!(!scripts.is_empty());
    assert!(scripts.iter().all(|s| s.contains(&format!("nonce=\"{nonce}\""))), "{scripts:?}");
    let (_, again, _) = app.get_raw("/login", "").await;
    assert_ne!(again[axum::http::header::CONTENT_SECURITY_POLICY], headers[axum::http::header::CONTENT_SECURITY_POLICY]);
    for name in ["x-content-type-options", "x-frame-options", "referrer-policy", "permissions-policy"] {
        assert!(headers.contains_key(name), "{name}");
    }
    assert!(headers["permissions-policy"].to_str().unwrap().contains("geolocation=(self)"));
    assert!(!headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP");
    // An API answer allows nothing at all.
    let (_, api, _) = app.get_raw("/api/v1/summary", "").await;
    assert_eq!(api[axum::http::header::CONTENT_SECURITY_POLICY], "default-src 'none'; frame-ancestors 'none'");
    app.db.remove().await;

    let https = zhizhi_server::auth::AuthConfig { secure_cookies: true, ..Default::default() };
    let app = App::with_auth(TestDb::sqlite().await, https).await;
    let (_, headers, _) = app.get_raw("/healthz", "").await;
    assert!(headers["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    app.db.remove().await;
}

#[tokio::test]
async fn a_user_cannot_open_live_streams_without_bound() {
    use tower::ServiceExt;
    let app = App::new().await;
    let board = app.login("zhihui").await;
    let open = |cookie: String| {
        let router = app.router.clone();
        async move {
            let req = axum::http::Request::builder().uri("/api/v1/stream").header("host", "127.0.0.1:3000").header(axum::http::header::COOKIE, cookie)
                .body(axum::body::Body::empty()).unwrap();
            router.oneshot(req).await.unwrap()
        }
    };
    let mut streams = Vec::new();
    for _ in 0..zhizhi_server::api::cases::STREAMS_PER_CALLER {
        let r = open(board.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        streams.push(r);
    }
    let refused = open(board.clone()).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another user is not affected; a stream closed gives its place back.
    assert_eq!(open(app.login("wanggeyuan").await).await.status(), StatusCode::OK);
    drop(streams.pop());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = open(board.clone()).await;
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the closed stream's place was not given back");
        tokio::task::yield_now().await;
    }

    // A junk or unknown session cookie is anonymous.
    for junk in ["zz_session=abc".to_string(), format!("zz_session={}", "0".repeat(64)), format!("zz_session={}", "é".repeat(5000))] {
        assert_eq!(app.get("/api/v1/me", Some(&junk)).await.status, StatusCode::UNAUTHORIZED);
    }
    app.db.remove().await;
}

#[tokio::test]
async fn a_hotline_token_reports_and_does_nothing_else_and_tokens_expire() {
    use tower::ServiceExt;
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let r = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "12345热线", "scopes": ["report"], "expires_in_days": 0 })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_in_days")));
    let r = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "12345热线", "scopes": ["report"], "expires_in_days": 30 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let secret = r.body["token"].as_str().unwrap().to_string();
    let call = |method: &str, uri: &str, body: serde_json::Value| {
        let req = axum::http::Request::builder().method(method).uri(uri).header("host", "127.0.0.1:3000")
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(body.to_string())).unwrap();
        let router = app.router.clone();
        async move { router.oneshot(req).await.unwrap().status() }
    };
    let building = app.get("/api/v1/public/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", None).await.body[0]["id"].as_i64().unwrap();
    let reported = call("POST", "/api/v1/cases", json!({ "category": "livelihood.noise", "description": "楼下夜间施工噪声扰民", "building_id": building,
        "reporter_name": "王五", "reporter_phone": "13800001234" })).await;
    assert_eq!(reported, StatusCode::CREATED);
    let command = app.login("zhihui").await;
    let id = app.get("/api/v1/cases", Some(&command)).await.body["cases"][0]["id"].as_i64().unwrap();
    // Reporting is all it may do: no reading, no action on any case, no reveal.
    assert_eq!(call("GET", "/api/v1/cases", json!(null)).await, StatusCode::UNAUTHORIZED);
    assert_eq!(call("POST", &format!("/api/v1/cases/{id}/actions"), json!({ "action": "reject", "reason": "不予立案" })).await, StatusCode::UNAUTHORIZED);
    assert_eq!(call("POST", &format!("/api/v1/cases/{id}/contact"), json!({ "reason": "回访核实处理结果" })).await, StatusCode::UNAUTHORIZED);
    // It expires after its thirty days.
    let hash = zhizhi_server::auth::token_hash(&secret);
    let now = zhizhi_server::auth::now_ms();
    assert!(app.db.store.api_token_scopes(&hash, now + 29 * 86_400_000).await.unwrap().is_some());
    assert!(app.db.store.api_token_scopes(&hash, now + 31 * 86_400_000).await.unwrap().is_none());
    let listed = app.get("/api/v1/tokens", Some(&admin)).await.body;
    assert!(listed[0]["expires_at"].as_i64().unwrap() > now + 29 * 86_400_000);
    app.db.remove().await;
}

#[tokio::test]
async fn the_wait_grows_to_a_day_for_one_who_keeps_guessing() {
    // A window of a millisecond: only the day's limit binds.
    let auth = zhizhi_server::auth::AuthConfig { throttle_window: std::time::Duration::from_millis(1), ..Default::default() };
    let app = App::with_auth(TestDb::sqlite().await, auth).await;
    for _ in 0..20 {
        assert_eq!(login(&app, "10.0.0.66", "zhihui", "wrong-password-1A").await, StatusCode::UNAUTHORIZED);
    }
    let r = app.post_from("10.0.0.66", "/api/v1/login", json!({ "username": "zhihui", "password": DEMO_PASSWORD })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body["error"].as_str().unwrap().contains("明天再试"), "{}", r.body);
    assert_eq!(login(&app, "10.0.0.7", "zhihui", DEMO_PASSWORD).await, StatusCode::OK, "the owner elsewhere is not held up");
    app.db.remove().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_as_itself() {
    use tower::ServiceExt;
    let auth = zhizhi_server::auth::AuthConfig { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let app = App::with_auth(TestDb::sqlite().await, auth).await;
    // A login arriving from `peer` with the proxy's header naming `client`.
    let via = |peer: &'static str, client: &'static str, password: &'static str| {
        let router = app.router.clone();
        async move {
            let at: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
            let req = axum::http::Request::post("/api/v1/login").header("host", "127.0.0.1:3000").header("sec-fetch-site", "same-origin")
                .header("content-type", "application/json").header("x-forwarded-for", client)
                .extension(axum::extract::ConnectInfo(at))
                .body(axum::body::Body::from(json!({ "username": "zhihui", "password": password }).to_string())).unwrap();
            router.oneshot(req).await.unwrap().status()
        }
    };
    for _ in 0..5 {
        assert_eq!(via("127.0.0.1", "203.0.113.66", "wrong-password-1A").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(via("127.0.0.1", "203.0.113.66", DEMO_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "the guesser, through the proxy");
    assert_eq!(via("127.0.0.1", "203.0.113.7", DEMO_PASSWORD).await, StatusCode::OK, "everyone else behind the same proxy");
    // The header of a client that is not a trusted proxy is not believed.
    for _ in 0..5 {
        assert_eq!(via("198.51.100.9", "203.0.113.8", "wrong-password-1A").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(via("198.51.100.9", "203.0.113.99", DEMO_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "a forged header changes nothing");
    // IPv6: one /64 is one client.
    for _ in 0..5 {
        assert_eq!(via("127.0.0.1", "2001:db8:0:1::1", "wrong-password-1A").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(via("127.0.0.1", "2001:db8:0:1::2", DEMO_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "the same /64");
    assert_eq!(via("127.0.0.1", "2001:db8:0:2::1", DEMO_PASSWORD).await, StatusCode::OK, "another /64");
    app.db.remove().await;
}
