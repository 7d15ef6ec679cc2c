//! Cases through the HTTP API: the story from report to closure, parallel tasks, refusals,
//! photos, and the live stream's replay after a broken connection.

use crate::client::App;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const SECOND: Duration = Duration::from_secs(1);

pub(crate) fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The id of a post by name.
async fn post_id(app: &App, name: &str) -> i64 {
    app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == name).unwrap().id
}

/// Reports a broken branch at 磁南街27号 as `cookie`; returns the case.
async fn report_branch(app: &App, cookie: &str) -> Value {
    let found = app.get(&format!("/api/v1/buildings?q={}", enc("磁南街27号")), Some(cookie)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let building = found.body[0]["id"].as_i64().expect("磁南街27号 exists in the demo street");
    let r = app.post("/api/v1/cases", Some(cookie), json!({ "category": "greening.branch", "description": "行道树断枝悬挂，有坠落危险", "building_id": building })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn act(app: &App, cookie: &str, id: i64, body: Value) -> (StatusCode, Value) {
    let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(cookie), body).await;
    (r.status, r.body)
}

fn task_of(detail: &Value, post: i64) -> i64 {
    detail["case"]["tasks"].as_array().unwrap().iter().find(|t| t["holder"]["id"] == post).expect("task of the post")["id"].as_i64().unwrap()
}

/// A tiny valid JPEG header followed by filler: enough for the type check.
fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
    v.resize(2048, 0x11);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

#[tokio::test]
async fn a_broken_branch_from_report_to_closure() {
    let app = App::new().await;
    let (worker, command, city) = (app.login("wanggeyuan").await, app.login("zhihui").await, app.login("chengguan").await);
    let reported = report_branch(&app, &worker).await;
    let case = &reported["case"];
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["state"], "reported");
    assert_eq!(case["source"], "patrol");
    assert_eq!(case["address"], "磁南街27号");
    assert_eq!(case["grid_id"], 1, "磁南街27号 lies in the grid worker's grid");
    assert!(case["place"].as_str().unwrap().contains(" · "), "{case}");
    assert!(!case["grid_worker"].as_str().unwrap().is_empty(), "{case}");
    assert!(case["number"].as_str().unwrap().starts_with("SJ"), "{case}");
    let city_post = post_id(&app, "城市管理").await;
    assert_eq!(reported["suggested_post"][0], city_post, "a broken branch goes to 城市管理");

    let photo = app.send_bytes("POST", &format!("/api/v1/cases/{id}/photos"), Some(&worker), Some(("image/jpeg", jpeg())), "same-origin").await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.body);

    // The coordinator sees it on the board and dispatches it to the suggested post.
    let board = app.get("/api/v1/cases?state=open", Some(&command)).await;
    assert!(board.body["cases"].as_array().unwrap().iter().any(|c| c["id"] == id));
    let (s, d) = act(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city_post }] })).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["case"]["state"], "dispatched");
    let task = task_of(&d, city_post);

    // The post's inbox has it; the post accepts and reports back.
    let inbox = app.get("/api/v1/cases?state=open", Some(&city)).await;
    assert_eq!(inbox.body["cases"].as_array().unwrap().len(), 1, "{}", inbox.body);
    assert_eq!(act(&app, &city, id, json!({ "action": "accept_task", "task_id": task })).await.0, StatusCode::OK);
    let (s, d) = act(&app, &city, id, json!({ "action": "report_back", "task_id": task, "note": "断枝已锯除并清运" })).await;
    assert_eq!((s, d["case"]["state"].as_str()), (StatusCode::OK, Some("verifying")), "{d}");

    // The coordinator verifies and closes; the grid worker sees it closed.
    assert_eq!(act(&app, &command, id, json!({ "action": "verify" })).await.0, StatusCode::OK);
    let (s, d) = act(&app, &command, id, json!({ "action": "close", "note": "群众满意" })).await;
    assert_eq!((s, d["case"]["state"].as_str()), (StatusCode::OK, Some("closed")), "{d}");
    let seen = app.get(&format!("/api/v1/cases/{id}"), Some(&worker)).await;
    assert_eq!(seen.body["case"]["state"], "closed");

    // The timeline has every step, with who.
    let steps: Vec<(String, String)> = seen.body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_string(), s["actor"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("report", "wanggeyuan"),
        ("attach", "wanggeyuan"),
        ("accept", "zhihui"),
        ("register", "zhihui"),
        ("dispatch", "zhihui"),
        ("accept_task", "chengguan"),
        ("report_back", "chengguan"),
        ("verify", "zhihui"),
        ("close", "zhihui"),
    ];
    assert_eq!(steps, expected.map(|(k, a)| (k.to_string(), a.to_string())));
    let photo_id = seen.body["steps"][1]["attachments"][0].as_i64().expect("the photo is on its step");
    let img = app.get(&format!("/api/v1/photos/{photo_id}"), Some(&city)).await;
    assert_eq!(img.status, StatusCode::OK);
    // Someone who cannot see the case cannot see its photo either.
    let other = app.login("zhifa").await;
    assert_eq!(app.get(&format!("/api/v1/photos/{photo_id}"), Some(&other)).await.status, StatusCode::NOT_FOUND);
    app.db.remove().await;
}

#[tokio::test]
async fn a_case_sent_to_three_posts_closes_only_after_all_three_report_back() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let id = report_branch(&app, &command).await["case"]["id"].as_i64().unwrap();
    let posts = [post_id(&app, "城市管理").await, post_id(&app, "综合执法").await, post_id(&app, "应急管理").await];
    let holders: Vec<Value> = posts.iter().map(|p| json!({ "kind": "post", "id": p })).collect();
    let (s, d) = act(&app, &command, id, json!({ "action": "dispatch", "holders": holders })).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["case"]["tasks"].as_array().unwrap().len(), 3);

    // The third post has no account in the demo: give it one.
    let manager = zhizhi_server::storage::NewUser {
        username: "yingji".into(),
        display_name: "应急管理岗".into(),
        password_hash: zhizhi_server::auth::hash_password(zhizhi_server::demo::DEMO_PASSWORD),
        roles: vec![zhizhi_shared::auth::Role::Post],
        post_id: Some(posts[2]),
        grid_ids: vec![],
        street_id: None,
        now: zhizhi_server::auth::now_ms(),
    };
    app.db.store.create_user(&manager).await.unwrap();
    let staff = [app.login("chengguan").await, app.login("zhifa").await, app.login("yingji").await];
    for (i, (post, cookie)) in posts.iter().zip(&staff).enumerate() {
        let (s, d) = act(&app, cookie, id, json!({ "action": "report_back", "task_id": task_of(&d, *post), "note": "本岗位已处置完毕" })).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let expected = if i < 2 { "handling" } else { "verifying" };
        assert_eq!(d["case"]["state"], expected, "after {} of 3", i + 1);
        if i < 2 {
            let (s, refused) = act(&app, &command, id, json!({ "action": "verify" })).await;
            assert_eq!(s, StatusCode::CONFLICT, "cannot verify while a post is still handling: {refused}");
        }
    }
    assert_eq!(act(&app, &command, id, json!({ "action": "verify" })).await.0, StatusCode::OK);
    assert_eq!(act(&app, &command, id, json!({ "action": "close" })).await.0, StatusCode::OK);
    app.db.remove().await;
}

#[tokio::test]
async fn invalid_actions_are_refused_clearly_and_change_nothing() {
    let app = App::new().await;
    let (worker, command, law) = (app.login("wanggeyuan").await, app.login("zhihui").await, app.login("zhifa").await);
    let id = report_branch(&app, &worker).await["case"]["id"].as_i64().unwrap();
    let before = app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body;
    let city = post_id(&app, "城市管理").await;

    let (s, e) = act(&app, &command, id, json!({ "action": "close" })).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("不能结案"), "{e}");
    let (s, e) = act(&app, &worker, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city }] })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a grid worker cannot dispatch: {e}");
    let (s, e) = act(&app, &command, id, json!({ "action": "reject", "reason": "" })).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{e}");
    let (s, e) = act(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": 999 }] })).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("holders")), "{e}");
    let (s, e) = act(&app, &command, id, json!({ "action": "fly" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body, before, "refusals change nothing");

    // Post staff cannot act on another post's task (the row of the role matrix that needed tasks).
    let (_, d) = act(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city }] })).await;
    let task = task_of(&d, city);
    let (s, _) = act(&app, &law, id, json!({ "action": "accept_task", "task_id": task })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "综合执法 does not even see 城市管理's case");
    let (s, e) = act(&app, &command, id, json!({ "action": "report_back", "task_id": task, "note": "代为反馈" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

    // A stale version is refused.
    let v = d["case"]["version"].as_i64().unwrap();
    let (s, e) = act(&app, &command, id, json!({ "action": "suspend", "reason": "等待业主", "version": v - 1 })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");

    // Bad reports and photos say what is wrong.
    let r = app.post("/api/v1/cases", Some(&worker), json!({ "category": "nope", "description": "某处有问题", "building_id": 1 })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category")));
    let r = app.post("/api/v1/cases", Some(&worker), json!({ "category": "greening.branch", "description": "断枝", "lon": 100.0, "lat": 20.0 })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("description")));
    let r = app.post("/api/v1/cases", Some(&worker), json!({ "category": "greening.branch", "description": "行道树断枝", "lon": 100.0, "lat": 20.0 })).await;
    assert!(r.body["error"].as_str().unwrap().contains("不在本街道"), "{}", r.body);
    let r = app.send_bytes("POST", &format!("/api/v1/cases/{id}/photos"), Some(&worker), Some(("image/jpeg", b"<html>not a photo</html>".to_vec())), "same-origin").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().contains("JPEG"), "{}", r.body);
    let mut huge = jpeg();
    huge.resize(9 * 1024 * 1024, 0);
    let r = app.send_bytes("POST", &format!("/api/v1/cases/{id}/photos"), Some(&worker), Some(("image/jpeg", huge)), "same-origin").await;
    assert!(r.body["error"].as_str().unwrap().contains("不能超过 8 MB"), "{}", r.body);
    let admin = app.login("guanliyuan").await;
    let r = app.post("/api/v1/cases", Some(&admin), json!({ "category": "greening.branch", "description": "行道树断枝", "building_id": 1 })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "administrators do not report cases");
    app.db.remove().await;
}

#[tokio::test]
async fn a_client_that_reconnects_misses_nothing() {
    let app = App::new().await;
    let (command, worker) = (app.login("zhihui").await, app.login("wanggeyuan").await);
    let mut live = app.stream(&command, None).await;
    let first = report_branch(&app, &worker).await["case"]["id"].as_i64().unwrap();
    let (id1, c1) = live.next_case(SECOND).await;
    assert_eq!(c1["id"], first);
    let _second = report_branch(&app, &worker).await;
    let (id2, _) = live.next_case(SECOND).await;
    assert!(id2 > id1);

    // The connection dies; three more cases are reported meanwhile.
    drop(live);
    let mut missed = Vec::new();
    for _ in 0..3 {
        missed.push(report_branch(&app, &worker).await["case"]["id"].clone());
    }
    let mut again = app.stream(&command, Some(id2)).await;
    let mut got = Vec::new();
    let mut last = id2;
    for _ in 0..3 {
        let (id, c) = again.next_case(SECOND).await;
        assert_eq!(id, last + 1, "ids increase without gaps");
        last = id;
        got.push(c["id"].clone());
    }
    assert_eq!(got, missed);
    // …and then it follows live events again.
    let next = report_branch(&app, &worker).await["case"]["id"].clone();
    assert_eq!(again.next_case(SECOND).await.1["id"], next);

    // A client asking for events that are no longer kept is told to reload.
    app.db.store.prune_events(1).await.unwrap();
    let mut stale = app.stream(&command, Some(id1)).await;
    let e = stale.next(SECOND).await.unwrap();
    assert_eq!(e.event, "reset", "{e:?}");
    app.db.remove().await;
}

#[tokio::test]
async fn the_stream_shows_each_user_only_what_they_may_see() {
    let app = App::new().await;
    let (command, law, worker) = (app.login("zhihui").await, app.login("zhifa").await, app.login("wanggeyuan").await);
    let mut law_live = app.stream(&law, None).await;
    let id = report_branch(&app, &worker).await["case"]["id"].as_i64().unwrap();
    let city = post_id(&app, "城市管理").await;
    act(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city }] })).await;
    // 综合执法 sees nothing of a case sent to 城市管理 (neither its report nor that dispatch) …
    let e = law_live.next(SECOND).await.unwrap();
    assert_eq!(e.event, "ready");
    // … until it is sent there too: the first case event it receives is that dispatch, the
    // newest event when the action answered (a leak would have delivered an earlier one first).
    let law_post = post_id(&app, "综合执法").await;
    let (_, after) = act(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": law_post }] })).await;
    let (event_id, case) = law_live.next_case(SECOND).await;
    assert_eq!(event_id, after["cursor"].as_i64().unwrap(), "综合执法 received an event from before its dispatch: {case}");
    assert_eq!(case["id"], id);
    assert!(case["tasks"].as_array().unwrap().iter().any(|t| t["holder"]["id"] == law_post), "{case}");
    app.db.remove().await;
}

#[tokio::test]
async fn the_api_is_described_by_openapi() {
    let app = App::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    for path in ["/api/v1/cases", "/api/v1/cases/{id}/actions", "/api/v1/stream", "/api/v1/ingest", "/api/v1/map/style.json"] {
        assert!(doc.body["paths"][path].is_object(), "{path} is described");
    }
    assert_eq!(doc.body["info"]["version"], env!("CARGO_PKG_VERSION"));
    app.db.remove().await;
}

#[tokio::test]
async fn a_slow_client_slows_nobody_and_still_gets_everything() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    // This client never reads until the end: its buffers fill, and the hub drops it behind.
    let mut slow = app.stream(&command, None).await;
    let mut quick = app.stream(&command, None).await;
    let new = json!({ "category": "order.stall", "description": "占道经营，影响通行", "building_id": 1 });
    let n = 1300; // more than the hub keeps (1,024) plus the stream's buffer (64)
    let reader = tokio::spawn(async move {
        let mut last = 0;
        for _ in 0..n {
            // Generous: a loaded machine may pause the writes; a hub that made writers wait for
            // the slow client would stall this for good.
            let (id, _) = quick.next_case(Duration::from_secs(60)).await;
            assert!(id > last);
            last = id;
        }
        last
    });
    for _ in 0..n {
        assert_eq!(app.post("/api/v1/cases", Some(&command), new.clone()).await.status, StatusCode::CREATED);
    }
    let quick_last = tokio::time::timeout(Duration::from_secs(60), reader).await.expect("the quick client kept up").unwrap();
    // The slow client now reads: everything, in order, caught up from the event log.
    let mut last = 0;
    for i in 0..n {
        let (id, _) = slow.next_case(Duration::from_secs(60)).await;
        assert_eq!(id, if i == 0 { id } else { last + 1 }, "event {i} follows the previous one");
        last = id;
    }
    assert_eq!(last, quick_last);
    app.db.remove().await;
}

#[tokio::test]
async fn a_hotline_platform_reports_cases_with_a_token_and_callers_stay_masked() {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let token = |scopes: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { app.post("/api/v1/tokens", Some(&admin), json!({ "name": "12345热线平台", "scopes": scopes })).await.body["token"].as_str().unwrap().to_string() }
    };
    let (hotline, reader) = (token(json!(["cases"])).await, token(json!(["read"])).await);
    let call = json!({ "category": "livelihood.noise", "description": "夜间施工噪声扰民", "building_id": 1, "source": "hotline",
        "reporter_name": "张三丰", "reporter_phone": "13812345678" });
    let post = |secret: String| {
        let req = Request::post("/api/v1/cases")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(call.to_string()))
            .unwrap();
        let router = app.router.clone();
        async move {
            let resp = router.oneshot(req).await.unwrap();
            let status = resp.status();
            let body: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap_or(Value::Null);
            (status, body)
        }
    };
    let (s, d) = post(hotline).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["case"]["source"], "hotline");
    assert_eq!(d["case"]["reporter_name"], "张**", "the caller's name is masked");
    assert!(!d.to_string().contains("13812345678"), "the caller's phone never leaves the server: {d}");
    assert_eq!(d["steps"][0]["actor"], "token:12345热线平台");
    assert_eq!(post(reader).await.0, StatusCode::UNAUTHORIZED, "a read token reports nothing");
    app.db.remove().await;
}

#[tokio::test]
async fn residents_report_without_an_account_within_limits() {
    let app = App::new().await;
    let found = app.get(&format!("/api/v1/public/buildings?q={}", enc("磁南街27")), None).await;
    let building = found.body[0]["id"].as_i64().expect("the public form finds addresses");
    let report = |phone: &str| json!({ "category": "environment.manhole", "description": "井盖缺失，晚上很危险", "building_id": building,
        "reporter_name": "李四", "reporter_phone": phone });
    let r = app.post("/api/v1/public/reports", None, report("")).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reporter_phone")), "{}", r.body);
    let r = app.post("/api/v1/public/reports", None, report("139 1234 5678")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.body["number"].as_str().unwrap().to_string();
    let mut keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["follow", "number", "token", "upload", "upload_url"], "an anonymous caller learns the number, their follow link and the grant for their photos, nothing else");

    let command = app.login("zhihui").await;
    let list = app.get("/api/v1/cases", Some(&command)).await.body;
    let case = list["cases"].as_array().unwrap().iter().find(|c| c["number"] == number.as_str()).expect("on the board").clone();
    assert_eq!(case["source"], "resident");
    assert_eq!(case["reporter_name"], "李*");
    assert!(!list.to_string().contains("12345678"), "the phone is never shown");

    for _ in 0..4 {
        assert_eq!(app.post("/api/v1/public/reports", None, report("13912345678")).await.status, StatusCode::CREATED);
    }
    let r = app.post("/api/v1/public/reports", None, report("13912345678")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("12345"), "{}", r.body);
    app.db.remove().await;
}

/// Who sees a case is written twice: as SQL for lists (`storage/cases.rs`) and as
/// `Principal::may_see_case` for details, photos and each stream event. On a varied set of
/// cases (reported by the grid worker and by command staff all over the street; dispatched to
/// posts, to grids, to both; returned; escalated; a contingency plan's tasks for six posts and
/// the district) every role's list must be exactly the cases
/// the rule lets them see, on both engines.
#[tokio::test]
async fn every_roles_list_is_exactly_what_the_visibility_rule_lets_them_see() {
    for db in [crate::harness::TestDb::sqlite().await, crate::harness::TestDb::postgres().await] {
        let app = App::on(db).await;
        lists_agree_with_the_rule(&app).await;
        app.db.remove().await;
    }
}

async fn lists_agree_with_the_rule(app: &App) {
    let names = ["zhihui", "wanggeyuan", "chengguan", "zhifa", "guanliyuan", "quchengyun"];
    let mut cookies = Vec::new();
    for n in names {
        cookies.push(app.login(n).await);
    }
    let (command, worker, city) = (&cookies[0], &cookies[1], &cookies[2]);
    let buildings = app.get("/api/v1/buildings?limit=200", Some(command)).await.body;
    let buildings: Vec<i64> = buildings.as_array().unwrap().iter().step_by(9).map(|b| b["id"].as_i64().unwrap()).collect();
    let posts = [post_id(app, "城市管理").await, post_id(app, "综合执法").await, post_id(app, "应急管理").await];
    let mut seed = 0x5eed_u64;
    let mut pick = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    for (i, b) in buildings.iter().enumerate() {
        let body = json!({ "category": "greening.branch", "description": "行道树断枝悬挂，有坠落危险", "building_id": b });
        // The grid worker reports in their own grid; elsewhere command staff report.
        let mut r = app.post("/api/v1/cases", Some(if i % 3 == 0 { worker } else { command }), body.clone()).await;
        if r.status != StatusCode::CREATED {
            r = app.post("/api/v1/cases", Some(command), body).await;
        }
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["case"]["id"].as_i64().unwrap();
        let grid = r.body["case"]["grid_id"].as_i64().unwrap();
        let holders = match pick(5) {
            0 => vec![],
            4 => {
                // Escalated before it was dispatched (the rule book allows it only then).
                let (s, d) = act(app, command, id, json!({ "action": "escalate", "reason": "涉及多个部门，需区级协调" })).await;
                assert_eq!(s, StatusCode::OK, "{d}");
                continue;
            }
            1 => vec![json!({ "kind": "post", "id": posts[pick(3)] })],
            2 => vec![json!({ "kind": "grid", "id": (grid % 3) + 1 })],
            _ => vec![json!({ "kind": "post", "id": posts[pick(3)] }), json!({ "kind": "grid", "id": grid })],
        };
        if holders.is_empty() {
            continue;
        }
        let (s, d) = act(app, command, id, json!({ "action": "dispatch", "holders": holders })).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let city_task = d["case"]["tasks"].as_array().unwrap().iter().any(|t| t["holder"]["id"] == posts[0] && t["holder"]["kind"] == "post");
        if city_task && pick(2) == 0 {
            let task = task_of(&d, posts[0]);
            let (s, d) = act(app, city, id, json!({ "action": "return_task", "task_id": task, "reason": "不属于本岗位职责" })).await;
            assert_eq!(s, StatusCode::OK, "{d}");
        }
    }
    // A contingency plan on one more case: its tasks go to six posts and to the district.
    let body = json!({ "category": "order.crowd", "description": "古镇入口人员聚集", "building_id": buildings[0] });
    let crowd = app.post("/api/v1/cases", Some(command), body).await.body["case"]["id"].as_i64().unwrap();
    let plans = app.get("/api/v1/plans", Some(command)).await.body;
    let plan = plans.as_array().unwrap().iter().find(|p| p["body"]["name"] == "重大旅游消费纠纷处置预案").unwrap()["id"].as_i64().unwrap();
    let r = app.post(&format!("/api/v1/plans/{plan}/activations"), Some(command), json!({ "case_id": crowd })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let all = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap();
    assert!(all.iter().any(|c| c.escalated) && all.iter().any(|c| c.tasks.len() > 1), "the set covers escalations and shared cases");
    assert!(all.iter().any(|c| !c.escalated && c.tasks.iter().any(|t| t.holder == zhizhi_shared::case::Holder::District)), "and a plan's district items");
    for (name, cookie) in names.iter().zip(&cookies) {
        list_is_the_rule(app, name, cookie, &all).await;
    }
}

/// The user of `cookie` lists exactly the cases of `all` that `Principal::may_see_case` lets
/// them see, and each of the others is refused one by one (404) while each listed is shown.
pub(crate) async fn list_is_the_rule(app: &App, name: &str, cookie: &str, all: &[zhizhi_shared::case::view::CaseSummary]) {
    let me = app.get("/api/v1/me", Some(cookie)).await.body;
    let me: zhizhi_shared::auth::Principal = serde_json::from_value(me).unwrap();
    let mut expected: Vec<i64> = all.iter().filter(|c| me.may_see_case(&c.visibility())).map(|c| c.id).collect();
    let listed = app.get("/api/v1/cases?limit=1000", Some(cookie)).await;
    assert_eq!(listed.status, StatusCode::OK, "{name}: {}", listed.body);
    let mut listed: Vec<i64> = listed.body["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected, "{name}: the list and the rule disagree");
    for c in all {
        let status = app.get(&format!("/api/v1/cases/{}", c.id), Some(cookie)).await.status;
        assert_eq!(status == StatusCode::OK, expected.contains(&c.id), "{name}: case {}", c.id);
    }
}

#[tokio::test]
async fn the_case_list_exports_to_excel_with_its_filters_and_scope() {
    let app = App::new().await;
    let (command, city, admin) = (app.login("zhihui").await, app.login("chengguan").await, app.login("guanliyuan").await);
    let kept = report_branch(&app, &command).await["case"]["id"].as_i64().unwrap();
    let refused = report_branch(&app, &command).await["case"]["id"].as_i64().unwrap();
    assert_eq!(act(&app, &command, refused, json!({ "action": "reject", "reason": "重复上报" })).await.0, StatusCode::OK);
    let rows = |book: &[u8]| String::from_utf8_lossy(book).matches("<row ").count() - 1;

    let (status, headers, book) = app.get_raw("/api/v1/cases.xlsx", &command).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%E4%BA%8B%E4%BB%B6-"), "事件-<when>.xlsx");
    assert_eq!(rows(&book), 2);
    let text = String::from_utf8_lossy(&book);
    for cell in ["事件编号", "来源", "行道树断枝悬挂，有坠落危险", "不予立案", "待受理"] {
        assert!(text.contains(cell), "{cell}");
    }
    // The list's filters: open cases only; the one refused is not among them.
    let (status, headers, book) = app.get_raw("/api/v1/cases.xlsx?state=open", &command).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&book), 1);
    assert!(headers["content-disposition"].to_str().unwrap().contains(&enc("状态 open")), "the filter in the name");
    let number = app.get(&format!("/api/v1/cases/{kept}"), Some(&command)).await.body["case"]["number"].as_str().unwrap().to_string();
    assert!(String::from_utf8_lossy(&book).contains(&number));
    // A post's staff export what they may see: no task of theirs, no case.
    let (status, _, book) = app.get_raw("/api/v1/cases.xlsx", &city).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&book), 0);
    // Bad filters are named; nothing is exported.
    for (uri, field) in [("/api/v1/cases.xlsx?state=lost", "state"), ("/api/v1/cases.xlsx?limit=0", "limit"), ("/api/v1/cases.xlsx?limit=50001", "limit")] {
        let r = app.get(uri, Some(&command)).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{uri}");
    }
    let audit = app.get("/api/v1/audit?action=export_cases", Some(&admin)).await.body;
    let details: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert_eq!(details, vec!["导出事件 0 条", "导出事件 1 条（状态 open）", "导出事件 2 条"], "newest first, one entry per export");
    app.db.remove().await;
}
