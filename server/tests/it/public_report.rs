//! The residents' public form beyond the report itself, on both engines: photos on the
//! report's one-time upload grant (size, type, at most three, parallel uploads included), the
//! place check with open reports nearby, and the call-back number revealed only with a reason,
//! audited.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A tiny PNG (the header is what the server checks).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn the_public_form_sends_photos_checks_the_place_and_guards_the_number_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        photos_on_the_grant(&app).await;
        parallel_photos_stop_at_three(&app).await;
        place_check(&app).await;
        call_back_number(&app).await;
        app.db.remove().await;
    }
}

/// The building at 磁南街27号, as the public form finds it.
async fn cinan_27(app: &App) -> Value {
    let found = app.get("/api/v1/public/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", None).await;
    found.body[0].clone()
}

/// A resident's report of a blocked drain at 磁南街27号: the receipt.
async fn report(app: &App, phone: &str) -> Value {
    let building = cinan_27(app).await["id"].as_i64().unwrap();
    let r = app.post("/api/v1/public/reports", None, json!({ "category": "environment.drain", "description": "下水道堵了，污水漫到路上",
        "building_id": building, "reporter_name": "张三", "reporter_phone": phone })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn upload(app: &App, url: &str, bytes: &[u8]) -> crate::client::Resp {
    app.send_bytes("POST", url, None, Some(("image/png", bytes.to_vec())), "same-origin").await
}

/// The photos the resident's own steps carry, as the follow page lists them.
async fn own_photos(app: &App, receipt: &Value) -> Vec<i64> {
    let v = app.get(&format!("/api/v1/public/follow/{}", receipt["token"].as_str().unwrap()), None).await;
    v.body["own_photos"].as_array().unwrap().iter().map(|p| p.as_i64().unwrap()).collect()
}

async fn photos_on_the_grant(app: &App) {
    let receipt = report(app, "13912345678").await;
    let grant = receipt["upload"].as_str().expect("the public form's receipt carries an upload grant");
    assert_eq!(grant.len(), 64);
    assert_ne!(grant, receipt["token"].as_str().unwrap(), "the grant is not the follow token");
    let url = receipt["upload_url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("/api/v1/public/uploads/{grant}"));

    // Refused, and nothing stored: not an image, empty, too large, a grant of nothing.
    let r = upload(app, &url, b"GIF89a not what we take").await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("photo")), "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("JPEG"), "{}", r.body);
    assert_eq!(upload(app, &url, b"").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = PNG.to_vec();
    big.resize(8 * 1024 * 1024 + 1, 0);
    let r = upload(app, &url, &big).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("8 MB"), "{}", r.body);
    for bad in ["abc".to_string(), "0".repeat(64), receipt["token"].as_str().unwrap().to_string()] {
        let r = upload(app, &format!("/api/v1/public/uploads/{bad}"), PNG).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {}", r.body);
    }
    assert!(own_photos(app, &receipt).await.is_empty(), "refused uploads store nothing");

    for n in 1..=3 {
        let r = upload(app, &url, PNG).await;
        assert_eq!((r.status, r.body["photos"].as_i64()), (StatusCode::CREATED, Some(n)), "{}", r.body);
    }
    let r = upload(app, &url, PNG).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a fourth photo: {}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("3 张"), "{}", r.body);
    let photos = own_photos(app, &receipt).await;
    assert_eq!(photos.len(), 3);
    // The resident sees their own photos through the link; a stranger's id is not served.
    let follow = format!("/api/v1/public/follow/{}", receipt["token"].as_str().unwrap());
    let r = app.send_bytes("GET", &format!("{follow}/photos/{}", photos[0]), None, None, "same-origin").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get(&format!("{follow}/photos/{}", photos[2] + 1000), None).await.status, StatusCode::NOT_FOUND);

    // The staff see them on the timeline, as the resident's.
    let command = app.login("zhihui").await;
    let list = app.get("/api/v1/cases", Some(&command)).await.body;
    let id = list["cases"].as_array().unwrap().iter().find(|c| c["number"] == receipt["number"]).unwrap()["id"].as_i64().unwrap();
    let d = app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body;
    let by_resident: Vec<&Value> = d["steps"].as_array().unwrap().iter().filter(|s| s["kind"] == "attach").collect();
    assert_eq!(by_resident.len(), 3);
    assert!(by_resident.iter().all(|s| s["actor"] == "public" && s["actor_name"] == "居民"));

    // The grant lasts thirty minutes.
    let hash = zhizhi_server::auth::token_hash(grant);
    let now = zhizhi_server::auth::now_ms();
    assert!(app.db.store.case_by_upload(&hash, now).await.unwrap().is_some());
    assert!(app.db.store.case_by_upload(&hash, now + 31 * 60_000).await.unwrap().is_none(), "expired after 30 minutes");
}

async fn parallel_photos_stop_at_three(app: &App) {
    let receipt = report(app, "13912345679").await;
    let url = receipt["upload_url"].as_str().unwrap().to_string();
    let sent = futures::future::join_all((0..8).map(|_| upload(app, &url, PNG))).await;
    let created = sent.iter().filter(|r| r.status == StatusCode::CREATED).count();
    assert!(sent.iter().all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::CONFLICT), "{:?}", sent.iter().map(|r| r.status).collect::<Vec<_>>());
    let stored = own_photos(app, &receipt).await.len();
    assert!((1..=3).contains(&created), "{created} accepted");
    assert_eq!(stored, created, "every accepted photo is stored, no refused one is");
}

async fn place_check(app: &App) {
    let b = cinan_27(app).await;
    let (lon, lat) = (b["lon"].as_f64().unwrap(), b["lat"].as_f64().unwrap());
    let r = app.get(&format!("/api/v1/public/place?lon={lon}&lat={lat}&category=environment.drain"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["in_street"], true);
    assert_eq!(r.body["address"], b["address"]);
    let reports = r.body["reports"].as_array().unwrap();
    assert!(!reports.is_empty() && reports.len() <= 5, "{}", r.body);
    assert_eq!(reports[0]["metres"], 0, "the drains reported above, at the building itself");
    assert_eq!(reports[0]["category"][0], "下水道堵塞");
    assert!(reports.iter().all(|r| r.get("description").is_none() && r.get("reporter_name").is_none()), "only what a passer-by sees");
    let text = r.body.to_string();
    // (The numbers reported above all start 1391234; a time in milliseconds may well hold "139".)
    assert!(!text.contains("张") && !text.contains("1391234") && !text.contains("139****"), "no name or number: {text}");
    // Without a category: the address only.
    let r = app.get(&format!("/api/v1/public/place?lon={lon}&lat={lat}"), None).await;
    assert_eq!(r.body["reports"], json!([]));
    // Outside the street; nonsense.
    let r = app.get("/api/v1/public/place?lon=116.39&lat=39.9&category=environment.drain", None).await;
    assert_eq!((r.body["in_street"].as_bool(), r.body["reports"].as_array().map(Vec::len)), (Some(false), Some(0)));
    let r = app.get(&format!("/api/v1/public/place?lon={lon}&lat=999"), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app.get(&format!("/api/v1/public/place?lon={lon}&lat={lat}&category=nothing.here"), None).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category")));

    // A report by the phone's location is named by the nearest building.
    let r = app.post("/api/v1/public/reports", None, json!({ "category": "environment.litter", "description": "垃圾桶满了，散落一地",
        "lon": lon, "lat": lat + 0.00003, "reporter_phone": "13912345670" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = app.get(&format!("/api/v1/public/follow/{}", r.body["token"].as_str().unwrap()), None).await;
    assert_eq!(v.body["address"], format!("{}附近", b["address"].as_str().unwrap()));
}

async fn call_back_number(app: &App) {
    let receipt = report(app, "13912340000").await;
    let command = app.login("zhihui").await;
    let list = app.get("/api/v1/cases", Some(&command)).await.body;
    let id = list["cases"].as_array().unwrap().iter().find(|c| c["number"] == receipt["number"]).unwrap()["id"].as_i64().unwrap();
    let contact = format!("/api/v1/cases/{id}/contact");

    let masked = app.get(&contact, Some(&command)).await;
    assert_eq!(masked.status, StatusCode::OK, "{}", masked.body);
    assert_eq!(masked.body, json!({ "name": "张*", "phone": "139****0000", "revealed": false }));
    let d = app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body.to_string();
    assert!(!d.contains("13912340000"), "the case itself never carries the number");

    let r = app.post(&contact, Some(&command), json!({ "reason": "回访" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let r = app.post(&contact, Some(&command), json!({ "reason": "回访核实处理结果" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({ "name": "张三", "phone": "13912340000", "revealed": true }));

    // Not in their duty: the administrator (refused, and audited), a post without the case.
    let admin = app.login("guanliyuan").await;
    assert_eq!(app.post(&contact, Some(&admin), json!({ "reason": "想看看号码" })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&contact, Some(&admin)).await.status, StatusCode::FORBIDDEN);
    let other_post = app.login("wenlv").await;
    assert_eq!(app.get(&contact, Some(&other_post)).await.status, StatusCode::NOT_FOUND);
    let audit = app.get("/api/v1/audit?action=reveal&actor=zhihui", Some(&admin)).await;
    let entry = &audit.body[0];
    assert_eq!((entry["target"].as_str(), entry["detail"].as_str()), (Some(format!("case:{id}:contact").as_str()), Some("回访核实处理结果")));
    let refused = app.get("/api/v1/audit?action=reveal_refused&actor=guanliyuan", Some(&admin)).await;
    assert_eq!(refused.body[0]["target"], format!("case:{id}:contact"));
}
