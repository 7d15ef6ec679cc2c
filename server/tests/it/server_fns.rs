//! The map's screens through their server functions (`/fn/…`, what the pages call): the same
//! services as the JSON API, with the same answers — a division with problems comes back
//! unsaved with its report, a stale version and a non-administrator are refused.

use crate::client::App;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use tower::ServiceExt;
use zhizhi_app::api::map::{GetBuilding, GetDivision, GetGrids, SaveGridDivision, SearchMap, SetGridWorker};

/// Calls the server function `F` as a page does: its status and its answer's text.
pub(crate) async fn call<F: ServerFn>(app: &App, cookie: &str, json_input: bool, args: Value) -> (StatusCode, String) {
    let (content_type, body) = if json_input {
        ("application/json", args.to_string())
    } else {
        let pairs = args.as_object().unwrap().iter().map(|(k, v)| format!("{k}={}", encode(&v.as_str().map(String::from).unwrap_or(v.to_string()))));
        ("application/x-www-form-urlencoded", pairs.collect::<Vec<_>>().join("&"))
    };
    let req = Request::builder()
        .method("POST")
        .uri(F::PATH)
        .header("host", "127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Percent-encodes a form value.
fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn answer(r: &(StatusCode, String)) -> Value {
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    serde_json::from_str(&r.1).unwrap()
}

#[tokio::test]
async fn the_building_panel_and_search_answer_as_the_json_api_does() {
    let app = App::new().await;
    let zhihui = app.login("zhihui").await;
    let b = app.db.store.buildings().await.unwrap().into_iter().find(|b| b.floors >= 6).unwrap();
    let by_fn = answer(&call::<GetBuilding>(&app, &zhihui, false, json!({ "id": b.id })).await);
    let by_api = app.get(&format!("/api/v1/map/buildings/{}", b.id), Some(&zhihui)).await.body;
    assert_eq!(by_fn["address"], by_api["address"]);
    assert_eq!(by_fn["floor_list"].as_array().unwrap().len(), b.floors as usize);
    let hits = answer(&call::<SearchMap>(&app, &zhihui, false, json!({ "query": b.address })).await);
    assert!(hits.as_array().unwrap().iter().any(|h| h["kind"] == "building" && h["id"] == b.id), "{hits}");
    app.db.remove().await;
}

#[tokio::test]
async fn the_grid_editor_checks_saves_and_assigns_through_server_functions() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let zhihui = app.login("zhihui").await;
    let grids = answer(&call::<GetGrids>(&app, &admin, false, json!({})).await);
    assert_eq!(grids.as_array().unwrap().len(), 33);
    let refused = call::<GetDivision>(&app, &zhihui, false, json!({ "grid_id": 7 })).await;
    assert!(refused.0 != StatusCode::OK && refused.1.contains("无权执行此操作"), "command staff do not edit grids: {refused:?}");
    for (name, r) in [
        ("get_grids", call::<GetGrids>(&app, &zhihui, false, json!({})).await),
        ("set_grid_worker", call::<SetGridWorker>(&app, &zhihui, false, json!({ "grid_id": 7, "worker_id": 1 })).await),
    ] {
        assert!(r.0 != StatusCode::OK && r.1.contains("无权执行此操作"), "{name} is for administrators: {r:?}");
    }
    let d = answer(&call::<GetDivision>(&app, &admin, false, json!({ "grid_id": 7 })).await);
    let version = d["version"].as_i64().unwrap();
    let shapes: Vec<Value> =
        d["micro_grids"].as_array().unwrap().iter().map(|m| json!({ "id": m["id"], "name": m["name"], "boundary": m["boundary"] })).collect();

    // Overlapping shapes: answered (not refused) unsaved, with the report naming the problem.
    let mut overlapping = shapes.clone();
    overlapping[0]["boundary"] = d["boundary"].clone();
    let save = |micro_grids: &[Value], version: i64, dry_run: bool| {
        json!({ "grid_id": 7, "division": { "version": version, "micro_grids": micro_grids, "dry_run": dry_run } })
    };
    for dry_run in [true, false] {
        let a = answer(&call::<SaveGridDivision>(&app, &admin, true, save(&overlapping, version, dry_run)).await);
        assert_eq!(a["saved"], false);
        assert!(a["report"]["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("重叠")), "{a}");
    }
    // The division as it is: a dry run checks it, a save bumps the version; the old one is stale.
    let a = answer(&call::<SaveGridDivision>(&app, &admin, true, save(&shapes, version, true)).await);
    assert_eq!((a["saved"].clone(), a["report"]["problems"].clone()), (json!(false), json!([])));
    let a = answer(&call::<SaveGridDivision>(&app, &admin, true, save(&shapes, version, false)).await);
    assert_eq!((a["saved"].clone(), a["version"].clone()), (json!(true), json!(version + 1)));
    let stale = call::<SaveGridDivision>(&app, &admin, true, save(&shapes, version, false)).await;
    assert_ne!(stale.0, StatusCode::OK);
    assert!(stale.1.contains("该网格已被他人修改"), "{}", stale.1);

    let worker = d["workers"][0][0].as_i64().unwrap();
    answer(&call::<SetGridWorker>(&app, &admin, false, json!({ "grid_id": 7, "worker_id": worker })).await);
    let d = app.get("/api/v1/grids/7/division", Some(&admin)).await.body;
    assert_eq!(d["worker_id"], worker);
    let bad = call::<SetGridWorker>(&app, &admin, false, json!({ "grid_id": 7, "worker_id": -1 })).await;
    assert!(bad.0 != StatusCode::OK && bad.1.contains("不是网格员"), "{bad:?}");
    app.db.remove().await;
}

/// What pages call is guarded like the JSON API: nobody without a session, a grid worker's
/// phone list is masked, carries no identity number at all, and every read of it is audited.
#[tokio::test]
async fn server_functions_refuse_the_anonymous_and_the_phone_list_is_masked_lean_and_audited() {
    use zhizhi_app::api::{GetMyGridResidents, GetPasswordMinLength};
    let app = App::new().await;
    let b = app.db.store.buildings().await.unwrap()[0].id;
    for (name, r) in [
        ("get_building", call::<GetBuilding>(&app, "", false, json!({ "id": b })).await),
        ("get_my_grid_residents", call::<GetMyGridResidents>(&app, "", false, json!({})).await),
        ("get_password_min_length", call::<GetPasswordMinLength>(&app, "", false, json!({})).await),
    ] {
        assert!(r.0 != StatusCode::OK && r.1.contains("请先登录"), "{name} without a session: {r:?}");
    }
    let worker = app.login("wanggeyuan").await;
    assert_eq!(answer(&call::<GetPasswordMinLength>(&app, &worker, false, json!({})).await), json!(12));
    let rows = answer(&call::<GetMyGridResidents>(&app, &worker, false, json!({})).await);
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert!(r.get("id_number").is_none() && r.get("sex").is_none(), "the phone list has no use for them: {r}");
        assert!(r["phone"].as_str().unwrap().contains("****"), "masked: {r}");
    }
    let audit = app.db.store.audit_entries(&zhizhi_server::storage::AuditQuery { actor: Some("wanggeyuan".into()), action: Some("list_residents".into()), since_ms: None, limit: 10 }).await.unwrap();
    assert_eq!(audit.len(), 1, "the read is audited once for the worker's one grid: {audit:?}");
    app.db.remove().await;
}
