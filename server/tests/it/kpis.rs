//! KPIs through the HTTP API on both engines: a day of cases worked through the real case flow
//! (closed, rejected, a task returned, a drill), the figures the API answers, the same figures
//! recomputed from the raw event log and timelines, the drill-down, and refusals.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn ok(app: &App, cookie: &str, id: i64, body: Value) -> Value {
    let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(cookie), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.body);
    r.body
}

/// `(numerator, denominator)` of `indicator` in the report's row `key`.
fn nd(report: &Value, key: &str, indicator: &str) -> (i64, i64) {
    let row = report["rows"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no row {key}: {report}"));
    let f = row["figures"].as_array().unwrap().iter().find(|f| f["indicator"] == indicator).unwrap();
    (f["numerator"].as_i64().unwrap(), f["denominator"].as_i64().unwrap())
}

#[tokio::test]
async fn a_days_figures_follow_the_definitions_and_the_raw_log_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        day(&app).await;
        app.db.remove().await;
    }
}

async fn day(app: &App) {
    let (worker, command, city) = (app.login("wanggeyuan").await, app.login("zhihui").await, app.login("chengguan").await);
    let building = app.get(&format!("/api/v1/buildings?q={}", enc("磁南街27号")), Some(&command)).await.body[0]["id"].as_i64().unwrap();
    let city_post = app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == "城市管理").unwrap().id;
    let report = |cookie: String| async move {
        let r = app.post("/api/v1/cases", Some(&cookie), json!({ "category": "greening.branch", "description": "行道树断枝", "building_id": building })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["case"]["id"].as_i64().unwrap()
    };
    let dispatch = json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city_post }] });
    // A: a patrol find worked to closure.
    let a = report(worker.clone()).await;
    let d = ok(app, &command, a, dispatch.clone()).await;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    ok(app, &city, a, json!({ "action": "report_back", "task_id": task, "note": "已清理" })).await;
    ok(app, &command, a, json!({ "action": "verify" })).await;
    ok(app, &command, a, json!({ "action": "close" })).await;
    // B: a patrol find that was not a case.
    let b = report(worker.clone()).await;
    ok(app, &command, b, json!({ "action": "reject", "reason": "重复上报" })).await;
    // C: a hotline call whose task the post returned; still open.
    let c = report(command.clone()).await;
    let d = ok(app, &command, c, dispatch.clone()).await;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    ok(app, &city, c, json!({ "action": "return_task", "task_id": task, "reason": "不属于本岗位" })).await;
    // A drill at the same building counts nowhere.
    let plans = app.get("/api/v1/plans", Some(&command)).await.body;
    let plan = plans.as_array().unwrap().iter().find(|p| p["retired"] == false).unwrap()["id"].as_i64().unwrap();
    let drill = app.post(&format!("/api/v1/plans/{plan}/activations"), Some(&command), json!({ "drill": true, "building_id": building })).await;
    assert_eq!(drill.status, StatusCode::CREATED, "{}", drill.body);

    let r = app.get("/api/v1/kpis?period=day", Some(&command)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let k = r.body;
    assert_eq!(k["cases"], 3, "the drill is left out: {k}");
    assert_eq!(nd(&k, "street", "on_time_dispatch"), (2, 2));
    assert_eq!(nd(&k, "street", "dispatch_accuracy"), (1, 2), "C's task was returned");
    assert_eq!(nd(&k, "street", "on_time_handling"), (1, 1));
    assert_eq!(nd(&k, "street", "closure"), (1, 2), "B was rejected, C is open");
    assert_eq!(nd(&k, "street", "on_time_closure"), (1, 1));
    assert_eq!(nd(&k, "street", "rework"), (0, 1));
    assert_eq!(nd(&k, "street", "valid_report"), (1, 2), "B, a patrol find, was rejected");
    assert!(k["rows"][0]["score"].as_f64().is_some());
    assert_eq!(k["period"]["kind"], "day");
    assert_eq!(k["previous"]["to"], k["period"]["from"]);

    // The same figures from the raw log: the last event of each case says where it stands, and
    // its timeline says what happened.
    let events = app.db.store.events_after(0, 100_000).await.unwrap();
    let mut last: BTreeMap<i64, Value> = BTreeMap::new();
    for e in events {
        last.insert(e.case.id, serde_json::to_value(&e.case).unwrap());
    }
    let real: Vec<&Value> = last.values().filter(|c| c["drill"] == false).collect();
    let state_count = |s: &str| real.iter().filter(|c| c["state"] == s).count() as i64;
    let total = real.len() as i64;
    assert_eq!(nd(&k, "street", "closure"), (state_count("closed"), total - state_count("rejected")));
    let mut returned = 0;
    let mut dispatched = 0;
    for c in &real {
        let steps = app.get(&format!("/api/v1/cases/{}", c["id"]), Some(&command)).await.body["steps"].clone();
        let kinds: Vec<&str> = steps.as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
        if kinds.contains(&"dispatch") {
            dispatched += 1;
            returned += i64::from(kinds.contains(&"return_task"));
        }
    }
    assert_eq!(nd(&k, "street", "dispatch_accuracy"), (dispatched - returned, dispatched));

    // By post: 城市管理 holds A and C.
    let by_post = app.get("/api/v1/kpis?period=day&by=post", Some(&command)).await.body;
    assert_eq!(nd(&by_post, &city_post.to_string(), "dispatch_accuracy"), (1, 2));
    assert_eq!(by_post["grouping"], "post");

    // The drill-down names the cases behind a figure.
    let down = app.get("/api/v1/kpis/cases?period=day&indicator=closure", Some(&command)).await;
    assert_eq!(down.status, StatusCode::OK, "{}", down.body);
    assert_eq!(down.body.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![c]);
    let down = app.get(&format!("/api/v1/kpis/cases?period=day&by=post&key={city_post}&indicator=dispatch_accuracy"), Some(&command)).await;
    assert_eq!(down.body.as_array().unwrap().len(), 1);
    assert_eq!(down.body[0]["id"], c);

    // Refusals name what is wrong.
    let r = app.get("/api/v1/kpis", Some(&city)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a post does not see the street's assessment");
    for (uri, field) in [
        ("/api/v1/kpis?period=quarter", "period"),
        ("/api/v1/kpis?by=street_lamp", "by"),
        ("/api/v1/kpis?period=custom&from=2026-11-30&to=2026-11-01", "to"),
        ("/api/v1/kpis/cases?indicator=happiness", "indicator"),
    ] {
        let r = app.get(uri, Some(&command)).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{uri}: {}", r.body);
    }
    let r = app.get("/api/v1/kpis/cases?indicator=closure&by=grid&key=999", Some(&command)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
