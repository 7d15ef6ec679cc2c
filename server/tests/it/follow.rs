//! Residents follow their reports and rate the outcome, on both engines: the follow link, the
//! stages in plain words, the result photo through the link, a low rating becoming a review
//! for the command staff and moving the satisfaction figure, callbacks, and refusals.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A tiny PNG (the header is what the server checks).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn ok(app: &App, cookie: &str, id: i64, body: Value) -> Value {
    let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(cookie), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.body);
    r.body
}

/// `(numerator, denominator)` of the street's satisfaction this month.
async fn satisfaction(app: &App, cookie: &str) -> (i64, i64) {
    let r = app.get("/api/v1/kpis?period=month", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = r.body["rows"][0]["figures"].as_array().unwrap().iter().find(|f| f["indicator"] == "satisfaction").unwrap().clone();
    (f["numerator"].as_i64().unwrap(), f["denominator"].as_i64().unwrap())
}

#[tokio::test]
async fn a_resident_follows_a_blocked_drain_to_closure_and_rates_it_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        follow_and_rate(&app).await;
        app.db.remove().await;
    }
}

async fn follow_and_rate(app: &App) {
    let found = app.get("/api/v1/public/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", None).await;
    let building = found.body[0]["id"].as_i64().unwrap();
    let r = app.post("/api/v1/public/reports", None, json!({ "category": "environment.drain", "description": "下水道堵了，污水漫到路上",
        "building_id": building, "reporter_name": "张三", "reporter_phone": "13912345678" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let token = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(r.body["follow"], format!("/f/{token}"));
    let follow = format!("/api/v1/public/follow/{token}");

    let v = app.get(&follow, None).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.body["number"], r.body["number"]);
    assert_eq!(v.body["now"][0], "已收到，等待受理");
    assert_eq!(v.body["may_rate"], false);
    assert_eq!(app.post(&format!("{follow}/rating"), None, json!({ "score": 5 })).await.status, StatusCode::CONFLICT, "not before closure");
    // Not a token, or a token of nothing: the same 404, and nothing about any case.
    for bad in ["abc", &"0".repeat(64), &token.to_uppercase().replace(char::is_numeric, "g")] {
        let r = app.get(&format!("/api/v1/public/follow/{bad}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {}", r.body);
    }

    // The street works it: dispatched, handled with a photo, verified, closed.
    let (command, city) = (app.login("zhihui").await, app.login("chengguan").await);
    let list = app.get("/api/v1/cases", Some(&command)).await.body;
    let id = list["cases"].as_array().unwrap().iter().find(|c| c["number"] == r.body["number"]).unwrap()["id"].as_i64().unwrap();
    let post = app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == "城市管理").unwrap().id;
    let d = ok(app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": post }] })).await;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    let v = app.get(&follow, None).await.body;
    assert_eq!(v["handlers"], json!(["城市管理"]));
    assert!(v["deadline"].as_i64().is_some(), "a running stage has its deadline: {v}");
    let before = app.send_bytes("POST", &format!("/api/v1/cases/{id}/photos"), Some(&city), Some(("image/png", PNG.to_vec())), "same-origin").await;
    assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);
    let scene = before.body["steps"].as_array().unwrap().last().unwrap()["attachments"][0].as_i64().unwrap();
    ok(app, &city, id, json!({ "action": "report_back", "task_id": task, "note": "已疏通管道，路面已冲洗" })).await;
    ok(app, &command, id, json!({ "action": "verify" })).await;
    let closed = ok(app, &command, id, json!({ "action": "close" })).await;
    assert!(closed.get("rating").is_none());

    let v = app.get(&follow, None).await.body;
    let stages: Vec<&str> = v["stages"].as_array().unwrap().iter().map(|s| s["zh"].as_str().unwrap()).collect();
    assert_eq!(stages, ["已收到您的报告", "已派给「城市管理」处理", "已处理完毕，等待核查", "核查通过", "已办结"], "{v}");
    assert_eq!((v["result"].as_str(), v["may_rate"].as_bool()), (Some("已疏通管道，路面已冲洗"), Some(true)));
    let text = v.to_string();
    for private in ["13912345678", "张三", "城管", "chengguan"] {
        assert!(!text.contains(private), "the follow page shows no one's data ({private}): {text}");
    }
    // The photo taken while handling it is the result's, shown through the link; no other is.
    assert_eq!(v["result_photos"], json!([scene]));
    let photo = app.send_bytes("GET", &format!("{follow}/photos/{scene}"), None, None, "same-origin").await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(app.get(&format!("{follow}/photos/{}", scene + 1), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/public/follow/{}/photos/{scene}", "0".repeat(64)), None).await.status, StatusCode::NOT_FOUND);

    // Rated: 2 stars, with a comment; once only.
    let (n0, d0) = satisfaction(app, &command).await;
    for bad in [json!({ "score": 0 }), json!({ "score": 6 }), json!({ "score": 3, "comment": "好".repeat(501) })] {
        let r = app.post(&format!("{follow}/rating"), None, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
    }
    let r = app.post(&format!("{follow}/rating"), None, json!({ "score": 2, "comment": "处理太慢，第二天又堵了" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["rating"][0].as_i64(), r.body["may_rate"].as_bool()), (Some(2), Some(false)));
    let again = app.post(&format!("{follow}/rating"), None, json!({ "score": 5 })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["error"].as_str().unwrap().contains("2 星"), "{}", again.body);
    assert_eq!(satisfaction(app, &command).await, (n0, d0 + 1), "a low rating adds to the denominator only");

    // The command staff see the low rating as a review, and conclude it.
    let reviews = app.get("/api/v1/reviews", Some(&command)).await;
    assert_eq!(reviews.status, StatusCode::OK);
    let item = reviews.body.as_array().unwrap().iter().find(|r| r["case"]["id"] == id).expect("the low rating waits for review").clone();
    assert_eq!((item["rating"]["score"].as_i64(), item["rating"]["comment"].as_str()), (Some(2), Some("处理太慢，第二天又堵了")));
    assert_eq!(app.get("/api/v1/reviews", Some(&city)).await.status, StatusCode::FORBIDDEN);
    let detail = app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body;
    assert_eq!(detail["rating"]["review"]["done_at"], Value::Null);
    assert_eq!(detail["steps"].as_array().unwrap().last().unwrap()["kind"], "rate");
    let short = app.post(&format!("/api/v1/cases/{id}/review"), Some(&command), json!({ "note": "好" })).await;
    assert_eq!((short.status, short.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/review"), Some(&city), json!({ "note": "已回访说明" })).await.status, StatusCode::FORBIDDEN);
    let done = app.post(&format!("/api/v1/cases/{id}/review"), Some(&command), json!({ "note": "已回访，安排二次清掏并说明原因" })).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body["rating"]["review"]["done_at"].as_i64().is_some());
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/review"), Some(&command), json!({ "note": "再复核一次" })).await.status, StatusCode::CONFLICT);
    assert!(!app.get("/api/v1/reviews", Some(&command)).await.body.as_array().unwrap().iter().any(|r| r["case"]["id"] == id));
}

#[tokio::test]
async fn command_staff_record_a_callback_once_and_it_counts_as_satisfaction() {
    let app = App::new().await;
    let (command, city, worker) = (app.login("zhihui").await, app.login("chengguan").await, app.login("wanggeyuan").await);
    let made = app.post("/api/v1/cases", Some(&command), json!({ "category": "greening.branch", "description": "12345 来电：行道树断枝", "building_id": 1 })).await;
    let id = made.body["case"]["id"].as_i64().unwrap();
    let post = made.body["suggested_post"][0].as_i64().unwrap();
    let callback = format!("/api/v1/cases/{id}/callback");
    assert_eq!(app.post(&callback, Some(&command), json!({ "score": 4 })).await.status, StatusCode::CONFLICT, "not before closure");
    let d = ok(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": post }] })).await;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    ok(&app, &city, id, json!({ "action": "report_back", "task_id": task, "note": "断枝已清运" })).await;
    ok(&app, &command, id, json!({ "action": "verify" })).await;
    ok(&app, &command, id, json!({ "action": "close" })).await;
    let (n0, d0) = satisfaction(&app, &command).await;
    assert_eq!(app.post(&callback, Some(&worker), json!({ "score": 4 })).await.status, StatusCode::FORBIDDEN);
    let r = app.post(&callback, Some(&command), json!({ "score": 4, "comment": "来电人表示满意" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["rating"]["channel"].as_str(), r.body["rating"].get("review")), (Some("callback"), None), "a good rating opens no review");
    assert_eq!(r.body["steps"].as_array().unwrap().last().unwrap()["note"], "回访结果：4 星。来电人表示满意");
    assert_eq!(app.post(&callback, Some(&command), json!({ "score": 5 })).await.status, StatusCode::CONFLICT, "once");
    assert_eq!(satisfaction(&app, &command).await, (n0 + 1, d0 + 1));
    app.db.remove().await;
}
