//! Video calls over HTTP: the centre calls the grid worker from a case, the phone rings on its
//! stream, signalling passes between the parties only, a second call to a busy worker is
//! refused as 占线, a snapshot lands on the case, and the call ends on the timeline. Nobody
//! outside the call reads or sends its signalling.

use crate::client::App;
use crate::harness::{on_both_engines, TestDb};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use zhizhi_server::storage::calls::NewCall;
use zhizhi_shared::call::{EndReason, Party};

on_both_engines!(a_worker_is_in_one_call_at_a_time_and_a_call_ends_once);

const WAIT: Duration = Duration::from_secs(5);

/// A case at 磁南街27号 (the demo grid worker's grid), reported by the centre.
async fn case_in_workers_grid(app: &App, command: &str) -> i64 {
    let found = app.get(&format!("/api/v1/buildings?q={}", "%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7"), Some(command)).await;
    let building = found.body[0]["id"].as_i64().expect("磁南街27号");
    let r = app.post("/api/v1/cases", Some(command), json!({ "category": "order.crowd", "description": "古镇牌坊处人员聚集", "building_id": building })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["case"]["id"].as_i64().unwrap()
}

async fn user_id(app: &App, username: &str) -> i64 {
    app.db.store.user_by_username(username).await.unwrap().unwrap().id
}

/// The next `call` event on a calls-only stream, as JSON.
async fn next_call(s: &mut crate::client::Stream) -> Value {
    loop {
        let e = s.next(WAIT).await.expect("a call event in time");
        if e.event == "call" {
            return serde_json::from_str(&e.data).unwrap();
        }
        assert_eq!(e.event, "ready", "a calls-only stream sends nothing else: {e:?}");
    }
}

#[tokio::test]
async fn the_centre_calls_the_grid_worker_sees_the_scene_and_the_call_goes_on_the_timeline() {
    let app = App::new().await;
    let (command, worker, law) = (app.login("zhihui").await, app.login("wanggeyuan").await, app.login("zhifa").await);
    let worker_id = user_id(&app, "wanggeyuan").await;
    let command_id = user_id(&app, "zhihui").await;
    let case = case_in_workers_grid(&app, &command).await;

    // Whom the centre may call: the grid's worker (a post without a task on the case is not offered).
    let offer = app.get(&format!("/api/v1/cases/{case}/calls"), Some(&command)).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    let names: Vec<&str> = offer.body["candidates"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["磁南街网格员"]);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}/calls"), Some(&law)).await.status, StatusCode::NOT_FOUND, "a post without a task cannot see the case");

    let mut phone = app.stream_at("/api/v1/stream?only=call", &worker).await;
    let mut outsider = app.stream_at("/api/v1/stream?only=call", &law).await;
    let started = app.post(&format!("/api/v1/cases/{case}/calls"), Some(&command), json!({ "callee_id": worker_id })).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let call = started.body["id"].as_i64().unwrap();
    let ring = next_call(&mut phone).await;
    assert_eq!((ring["type"].as_str(), ring["call"]["state"].as_str(), ring["call"]["caller"]["name"].as_str()), (Some("call"), Some("ringing"), Some("指挥中心值班员")));

    // Busy: a second call to the same worker is refused, and nothing rings.
    let again = app.post(&format!("/api/v1/cases/{case}/calls"), Some(&command), json!({ "callee_id": worker_id })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body["error"].as_str().unwrap().starts_with("占线"), "{}", again.body);

    // Nothing is signalled before the answer; the worker answers.
    let early = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&command), json!({ "to": worker_id, "kind": "offer", "data": "{}" })).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    let answered = app.post(&format!("/api/v1/calls/{call}/answer"), Some(&worker), json!({})).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(next_call(&mut phone).await["call"]["state"], "active");

    // The phone's offer reaches the caller's stream, and only theirs.
    let mut desk = app.stream_at("/api/v1/stream?only=call", &command).await;
    let sdp = json!({ "type": "offer", "sdp": "v=0" }).to_string();
    let sent = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&worker), json!({ "to": command_id, "kind": "offer", "data": sdp })).await;
    assert_eq!(sent.status, StatusCode::NO_CONTENT, "{}", sent.body);
    let got = next_call(&mut desk).await;
    assert_eq!((got["type"].as_str(), got["from"].as_i64(), got["kind"].as_str(), got["data"].as_str()), (Some("signal"), Some(worker_id), Some("offer"), Some(sdp.as_str())));

    // The duty leader joins to watch: the phone hears of it and offers to them too; watchers
    // do not signal each other.
    let leader = app.login("lingdao").await;
    let leader_id = user_id(&app, "lingdao").await;
    let joined = app.post(&format!("/api/v1/calls/{call}/join"), Some(&leader), json!({})).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let seen = next_call(&mut phone).await;
    assert_eq!(seen["call"]["viewers"][0]["name"], "街道值班领导");
    let r = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&worker), json!({ "to": leader_id, "kind": "offer", "data": "{}" })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&leader), json!({ "to": command_id, "kind": "ice", "data": "{}" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.post(&format!("/api/v1/calls/{call}/join"), Some(&worker), json!({})).await.status, StatusCode::OK, "a party joining is a no-op");

    // Strangers: a post member may not read, join or signal the call; nobody unauthenticated either.
    for (path, body) in [("join", json!({})), ("signals", json!({ "to": worker_id, "kind": "ice", "data": "{}" })), ("answer", json!({})), ("hangup", json!({}))] {
        let r = app.post(&format!("/api/v1/calls/{call}/{path}"), Some(&law), body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        let r = app.post(&format!("/api/v1/calls/{call}/{path}"), None, body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} without a session");
    }
    assert_eq!(app.get(&format!("/api/v1/calls/{call}"), Some(&law)).await.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/stream?only=call", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(outsider.next(Duration::from_millis(300)).await.is_none_or(|e| e.event == "ready"), "the post member's stream hears nothing of the call");
    // The worker may not relay to someone outside the call.
    let law_id = user_id(&app, "zhifa").await;
    let r = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&worker), json!({ "to": law_id, "kind": "ice", "data": "{}" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let big = "x".repeat(zhizhi_shared::call::MAX_SIGNAL_BYTES + 1);
    let r = app.post(&format!("/api/v1/calls/{call}/signals"), Some(&worker), json!({ "to": command_id, "kind": "ice", "data": big })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A snapshot from the caller is a photo of the case; the worker cannot take one.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
    jpeg.resize(4096, 0x22);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let snap = app.send_bytes("POST", &format!("/api/v1/calls/{call}/snapshots"), Some(&command), Some(("image/jpeg", jpeg.clone())), "same-origin").await;
    assert_eq!(snap.status, StatusCode::CREATED, "{}", snap.body);
    let step = snap.body["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["kind"], "attach");
    assert!(step["note"].as_str().unwrap().starts_with("视频通话截图"), "{step}");
    assert_eq!(step["attachments"].as_array().unwrap().len(), 1);
    let r = app.send_bytes("POST", &format!("/api/v1/calls/{call}/snapshots"), Some(&worker), Some(("image/jpeg", jpeg)), "same-origin").await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The caller hangs up: both sides are told, the timeline has the call with its length.
    let ended = app.post(&format!("/api/v1/calls/{call}/hangup"), Some(&command), json!({})).await;
    assert_eq!(ended.body["state"], "ended");
    assert_eq!(ended.body["end_reason"], "hung_up");
    assert_eq!(next_call(&mut phone).await["call"]["state"], "ended");
    let detail = app.get(&format!("/api/v1/cases/{case}"), Some(&command)).await;
    let steps = detail.body["steps"].as_array().unwrap();
    let record = steps.iter().find(|s| s["kind"] == "call").expect("the call on the timeline");
    let note = record["note"].as_str().unwrap();
    assert!(note.starts_with("指挥中心值班员 呼叫 磁南街网格员：通话 "), "{note}");
    assert!(note.ends_with("；观看：街道值班领导"), "{note}");
    // The worker is free again; a call that nobody answers is cancelled by its caller.
    let second = app.post(&format!("/api/v1/cases/{case}/calls"), Some(&command), json!({ "callee_id": worker_id })).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let declined = app.post(&format!("/api/v1/calls/{}/hangup", second.body["id"]), Some(&worker), json!({})).await;
    assert_eq!(declined.body["end_reason"], "declined");
    let calls = app.get(&format!("/api/v1/cases/{case}/calls"), Some(&command)).await;
    assert_eq!(calls.body["calls"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/calls/mine", Some(&worker)).await.body, json!([]));
    app.db.remove().await;
}

#[tokio::test]
async fn a_grid_worker_cannot_be_called_into_another_grids_case_nor_start_calls() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let worker = app.login("wanggeyuan").await;
    // A grid worker of another grid.
    let grids = app.db.store.grids().await.unwrap();
    let mine = app.db.store.user_by_username("wanggeyuan").await.unwrap().unwrap().grid_ids;
    let other_grid = grids.iter().find(|g| !mine.contains(&g.id)).unwrap().id;
    let other = app.db.store.create_user(&zhizhi_server::storage::NewUser {
        username: "lisi".into(), display_name: "李四".into(), password_hash: zhizhi_server::auth::hash_password(zhizhi_server::demo::DEMO_PASSWORD),
        roles: vec![zhizhi_shared::auth::Role::GridWorker], post_id: None, grid_ids: vec![other_grid], street_id: None, now: zhizhi_server::auth::now_ms(),
    }).await.unwrap();
    let case = case_in_workers_grid(&app, &command).await;
    let r = app.post(&format!("/api/v1/cases/{case}/calls"), Some(&command), json!({ "callee_id": other })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().contains("看不到这起事件"), "{}", r.body);
    let lisi = app.login("lisi").await;
    let worker_id = user_id(&app, "wanggeyuan").await;
    assert_eq!(app.post(&format!("/api/v1/cases/{case}/calls"), Some(&lisi), json!({ "callee_id": worker_id })).await.status, StatusCode::NOT_FOUND, "another grid's case");
    assert_eq!(app.post(&format!("/api/v1/cases/{case}/calls"), Some(&worker), json!({ "callee_id": other })).await.status, StatusCode::FORBIDDEN, "grid workers do not start calls");
    app.db.remove().await;
}

async fn a_worker_is_in_one_call_at_a_time_and_a_call_ends_once(db: &TestDb) {
    zhizhi_server::demo::load(db.store.as_ref()).await.unwrap();
    zhizhi_server::demo::accounts(db.store.as_ref()).await.unwrap();
    let s = &db.store;
    let building = s.buildings().await.unwrap()[0].id;
    let case = {
        let app_state = zhizhi_server::state::AppState::new(s.clone(), std::path::Path::new("target/site"), "127.0.0.1:0".parse().unwrap());
        let me = s.user_by_username("zhihui").await.unwrap().unwrap().principal();
        let nc = zhizhi_shared::case::view::NewCase { category: "order.crowd".into(), description: "人员聚集".into(), building_id: Some(building), ..Default::default() };
        app_state.cases.report(&me, nc, 1_000).await.unwrap().case.id
    };
    let new = |callee: i64, now: i64| NewCall { case_id: case, caller: Party { user_id: 1, name: "甲".into() }, callee: Party { user_id: callee, name: "乙".into() }, now };
    let first = s.open_call(&new(7, 10)).await.unwrap().expect("rings");
    assert_eq!(s.open_call(&new(7, 11)).await.unwrap(), None, "busy");
    assert!(s.open_call(&new(8, 12)).await.unwrap().is_some(), "another worker is free");
    assert!(s.answer_call(first, false, 20).await.unwrap());
    assert!(!s.answer_call(first, false, 21).await.unwrap(), "answered once");
    assert!(s.join_call(first, &Party { user_id: 3, name: "丙".into() }, 1, 22).await.unwrap());
    assert!(!s.join_call(first, &Party { user_id: 4, name: "丁".into() }, 1, 23).await.unwrap(), "full");
    s.call_seen(first, 7, 40).await.unwrap();
    let open = s.open_calls().await.unwrap();
    let o = open.iter().find(|o| o.call.id == first).unwrap();
    assert_eq!((o.caller_seen, o.callee_seen, o.call.viewers.len()), (20, 40, 1));
    s.leave_call(first, 3, 45).await.unwrap();
    assert!(s.call(first).await.unwrap().unwrap().viewers.is_empty(), "left");
    assert!(s.end_call(first, EndReason::HungUp, Some("甲"), 50).await.unwrap());
    assert!(!s.end_call(first, EndReason::Lost, None, 51).await.unwrap(), "ended once");
    let c = s.call(first).await.unwrap().unwrap();
    assert_eq!((c.end_reason, c.ended_at, c.talk_ms(0), c.viewers.len()), (Some(EndReason::HungUp), Some(50), 30, 1), "the record keeps who watched");
    assert!(s.open_call(&new(7, 60)).await.unwrap().is_some(), "free again");
    assert_eq!(s.calls_of_case(case).await.unwrap().first().map(|c| c.started_at), Some(60), "newest first");
}

#[tokio::test]
async fn a_call_nobody_answers_is_missed_and_a_silent_phone_ends_its_call_as_lost() {
    use std::sync::Arc;
    use zhizhi_server::calls::Calls;
    use zhizhi_server::cases::Cases;
    use zhizhi_server::live::Quiet;
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let case = case_in_workers_grid(&app, &command).await;
    let s = app.db.store.clone();
    let cases = Arc::new(Cases { store: s.clone(), hub: Arc::new(Quiet) });
    let calls = Calls::new(s.clone(), cases);
    let mut events = calls.events.subscribe();
    let now = zhizhi_server::auth::now_ms();
    let party = |id: i64, name: &str| Party { user_id: id, name: name.into() };
    // Rang 46 s ago on one phone; answered 40 s ago on another, whose page has been silent since.
    let missed = s.open_call(&NewCall { case_id: case, caller: party(1, "指挥中心值班员"), callee: party(7, "甲"), now: now - 46_000 }).await.unwrap().unwrap();
    let lost = s.open_call(&NewCall { case_id: case, caller: party(1, "指挥中心值班员"), callee: party(8, "乙"), now: now - 41_000 }).await.unwrap().unwrap();
    assert!(s.answer_call(lost, false, now - 40_000).await.unwrap());
    s.call_seen(lost, 1, now).await.unwrap(); // the centre is still there
    let fresh = s.open_call(&NewCall { case_id: case, caller: party(1, "指挥中心值班员"), callee: party(9, "丙"), now }).await.unwrap().unwrap();
    assert_eq!(calls.sweep().await.unwrap(), 2);
    assert_eq!(s.call(missed).await.unwrap().unwrap().end_reason, Some(EndReason::Missed));
    assert_eq!(s.call(lost).await.unwrap().unwrap().end_reason, Some(EndReason::Lost));
    assert_eq!(s.call(fresh).await.unwrap().unwrap().end_reason, None, "still ringing");
    // Each party is told; the timeline says what happened.
    let told = events.recv().await.unwrap();
    assert!(told.to.contains(&7) && told.to.contains(&1), "{told:?}");
    let detail = app.get(&format!("/api/v1/cases/{case}"), Some(&command)).await;
    let notes: Vec<String> = detail.body["steps"].as_array().unwrap().iter().filter(|s| s["kind"] == "call").map(|s| s["note"].as_str().unwrap().to_string()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.contains(&"指挥中心值班员 呼叫 甲：无人接听".to_string()), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("指挥中心值班员 呼叫 乙：通话 ") && n.ends_with("，信号中断")), "{notes:?}");
    assert_eq!(calls.sweep().await.unwrap(), 0, "ended once");
    app.db.remove().await;
}
