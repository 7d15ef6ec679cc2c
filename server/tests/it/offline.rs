//! A phone without a signal queues its work and sends it when the signal returns; having never
//! heard the first answer, it may send the same thing again. Each write carries the phone's own
//! id: the second send changes nothing and answers with the case as it stands.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};

fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
    v.resize(2048, 0x22);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

fn steps_of(detail: &Value, kind: &str) -> usize {
    detail["steps"].as_array().unwrap().iter().filter(|s| s["kind"] == kind).count()
}

#[tokio::test]
async fn what_a_phone_sends_twice_is_done_once_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        sent_twice(&app).await;
        app.db.remove().await;
    }
}

async fn sent_twice(app: &App) {
    let (worker, command) = (app.login("wanggeyuan").await, app.login("zhihui").await);
    let found = app.get("/api/v1/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", Some(&worker)).await;
    let building = found.body[0]["id"].as_i64().expect("磁南街27号 is found");
    let report = json!({ "category": "environment.facility", "description": "路灯不亮，巷子里一片漆黑", "building_id": building,
        "client_id": "3f0c2a9e-7d1b-4b8e-9c55-a1b2c3d4e5f6" });
    let first = app.post("/api/v1/cases", Some(&worker), report.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["case"]["id"].as_i64().unwrap();
    let again = app.post("/api/v1/cases", Some(&worker), report.clone()).await;
    assert_eq!((again.status, again.body["case"]["id"].as_i64()), (StatusCode::OK, Some(id)), "the resend finds the case: {}", again.body);
    let mine = app.get("/api/v1/cases?state=open&limit=1000", Some(&worker)).await;
    let same = mine.body["cases"].as_array().unwrap().iter().filter(|c| c["description"] == "路灯不亮，巷子里一片漆黑").count();
    assert_eq!(same, 1, "one case, not two");
    // Ids are the sender's own: the same id from someone else is another report.
    let other = app.post("/api/v1/cases", Some(&command), report.clone()).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    assert_ne!(other.body["case"]["id"].as_i64(), Some(id));

    // The photo, queued as its own item.
    let photo = format!("/api/v1/cases/{id}/photos?client_id=photo-3f0c2a9e-1");
    let p1 = app.send_bytes("POST", &photo, Some(&worker), Some(("image/jpeg", jpeg())), "same-origin").await;
    assert_eq!(p1.status, StatusCode::CREATED, "{}", p1.body);
    let p2 = app.send_bytes("POST", &photo, Some(&worker), Some(("image/jpeg", jpeg())), "same-origin").await;
    assert_eq!(p2.status, StatusCode::OK, "{}", p2.body);
    assert_eq!(steps_of(&p2.body, "attach"), 1, "one photo on the timeline");

    // The coordinator dispatches it to the worker's grid; the phone's check-in arrives twice.
    let d = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&command), json!({ "action": "dispatch", "holders": [{ "kind": "grid", "id": first.body["case"]["grid_id"] }] })).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let task = d.body["case"]["tasks"][0]["id"].as_i64().unwrap();
    let check_in = json!({ "action": "check_in", "task_id": task, "lon": 106.45196, "lat": 29.5808, "client_id": "checkin-3f0c2a9e" });
    for _ in 0..2 {
        let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&worker), check_in.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(steps_of(&r.body, "check_in"), 1, "one check-in on the timeline");
    }

    // Meanwhile the coordinator concluded the case: the phone's queued report-back is refused
    // with the reason, and changes nothing.
    let c = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&command), json!({ "action": "conclude", "reason": "已由城管当场修复" })).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let before = app.get(&format!("/api/v1/cases/{id}"), Some(&worker)).await.body;
    let late = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&worker),
        json!({ "action": "report_back", "task_id": task, "note": "已更换灯泡", "client_id": "report-back-3f0c2a9e" })).await;
    assert!(late.status == StatusCode::CONFLICT, "{} {}", late.status, late.body);
    assert!(late.body["error"].as_str().unwrap().contains("反馈"), "the refusal says what could not be done: {}", late.body);
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), Some(&worker)).await.body, before);
    // The worker keeps their words on the case as a note instead, sent twice as well.
    let note = json!({ "action": "comment", "note": "已更换灯泡", "client_id": "comment-3f0c2a9e" });
    for _ in 0..2 {
        let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&worker), note.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!((steps_of(&r.body, "comment"), r.body["case"]["state"].as_str()), (1, Some("verifying")), "one note; the case stays where it was");
    }

    // A malformed id is named.
    let bad = app.post("/api/v1/cases", Some(&worker), json!({ "category": "environment.facility", "description": "路灯不亮了", "building_id": building, "client_id": "x y" })).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("client_id")), "{}", bad.body);
}
