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

/// `(numerator, denominator)` of `indicator` for the street.
fn street(report: &Value, indicator: &str) -> (i64, i64) {
    nd(report, "street", indicator)
}

#[tokio::test]
async fn the_demos_history_goes_through_the_case_flow_and_shows_in_the_figures() {
    use zhizhi_server::cases::Cases;
    use zhizhi_server::demo::life;
    let app = App::on(TestDb::sqlite().await).await;
    let cases = Cases { store: app.db.store.clone(), hub: std::sync::Arc::new(zhizhi_server::live::Quiet) };
    let now = zhizhi_server::auth::now_ms();
    let started = std::time::Instant::now();
    let n = life::history(&cases, app.db.store.as_ref(), 14, 20.0, now).await.unwrap();
    println!("14 days of history: {n} cases in {:.1} s", started.elapsed().as_secs_f64());
    assert!(n > 150, "{n} cases in two weeks");
    let command = app.login("zhihui").await;
    // Last week, as a custom period of the seven days before today.
    let day = 86_400_000;
    let (from, to) = (zhizhi_shared::time::beijing_date(now - 7 * day), zhizhi_shared::time::beijing_date(now - day));
    let k = app.get(&format!("/api/v1/kpis?period=custom&from={from}&to={to}"), Some(&command)).await;
    assert_eq!(k.status, StatusCode::OK, "{}", k.body);
    let k = k.body;
    let cases_in_week = k["cases"].as_i64().unwrap();
    assert!(cases_in_week > 70, "{k}");
    // Every kind of life shows: some dispatched late, some returned, most closed on time.
    let (on_time, dispatched) = street(&k, "on_time_dispatch");
    assert!(dispatched > cases_in_week * 8 / 10 && on_time < dispatched && on_time > dispatched * 8 / 10, "{on_time}/{dispatched}");
    let (closed, closable) = street(&k, "closure");
    assert!(closed > closable * 8 / 10, "{closed}/{closable}: a week ago, nearly everything is closed");
    let (_, verified) = street(&k, "on_time_verification");
    assert!(verified > 0);
    let minutes = k["rows"][0]["figures"].as_array().unwrap().iter().find(|f| f["indicator"] == "report_to_dispatch").unwrap()["value"].as_f64().unwrap();
    assert!(minutes < 3.0, "the median case is dispatched within minutes: {minutes}");
    // The same week as an Excel workbook: the ranking's first row is the street's.
    let (status, headers, book) = app.get_raw(&format!("/api/v1/kpis.xlsx?period=custom&from={from}&to={to}"), &command).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%E8%80%83%E6%A0%B8"), "考核… as the file's name");
    assert!(book.starts_with(b"PK\x03\x04"));
    let text = String::from_utf8_lossy(&book);
    assert!(text.contains(&format!("<t xml:space=\"preserve\">全街道</t></is></c><c r=\"B2\"><v>{cases_in_week}</v>")), "the street's row with its cases");
    for sheet in ["趋势", "时段分布", "指标说明"] {
        assert!(text.contains(&format!("<sheet name=\"{sheet}\"")), "{sheet}");
    }
    let (status, _, _) = app.get_raw("/api/v1/kpis.xlsx?by=lamp", &command).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(k["trend"].as_array().unwrap().len(), 7, "a day per day of the week");
    assert_eq!(k["trend"].as_array().unwrap().iter().map(|d| d["cases"].as_i64().unwrap()).sum::<i64>(), cases_in_week);
    assert!(k["hours"].as_array().unwrap().iter().any(|h| h["counts"][10].as_i64().unwrap() > 0), "cases come in the morning");

    // The hot spots: a point per case of the week (every demo case has its place), fewer of
    // one category group.
    let all = app.get(&format!("/api/v1/kpis/points?period=custom&from={from}&to={to}"), Some(&command)).await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.body["features"].as_array().unwrap().len() as i64;
    assert_eq!(all, cases_in_week);
    let order = app.get(&format!("/api/v1/kpis/points?period=custom&from={from}&to={to}&group=order"), Some(&command)).await.body;
    let order = order["features"].as_array().unwrap();
    assert!(!order.is_empty() && (order.len() as i64) < all);
    assert!(order[0]["geometry"]["coordinates"][0].as_f64().unwrap() > 106.0, "lon, lat in Chongqing");
    let r = app.get("/api/v1/kpis/points?group=lamp", Some(&command)).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("group")));
    let worker = app.login("wanggeyuan").await;
    assert_eq!(app.get("/api/v1/kpis/points", Some(&worker)).await.status, StatusCode::FORBIDDEN);

    // Nothing happens after now, and every timeline is in order.
    let list = app.db.store.events_after(0, 1_000_000).await.unwrap();
    assert!(list.iter().all(|e| e.case.updated_at <= now && e.case.created_at < now));
    let sample = app.get("/api/v1/cases?limit=50", Some(&command)).await.body;
    for c in sample["cases"].as_array().unwrap() {
        let steps = app.get(&format!("/api/v1/cases/{}", c["id"]), Some(&command)).await.body["steps"].clone();
        let at: Vec<i64> = steps.as_array().unwrap().iter().map(|s| s["at"].as_i64().unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "case {}: {at:?}", c["id"]);
    }

    // A live case lives its life in real time through the same flow: reported now, closed.
    let mut rng = zhizhi_shared::demo::Rng::new(7);
    let t = zhizhi_server::auth::now_ms();
    let mut plan = zhizhi_shared::demo::life::life(&mut rng, t, "environment.litter", zhizhi_shared::case::Source::Patrol);
    for (i, m) in plan.moves.iter_mut().enumerate() {
        m.0 = t + 20 * (i as i64 + 1);
    }
    let d = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let cast = life::Cast::new(app.db.store.as_ref(), &d).await.unwrap();
    let last = *plan.moves.last().unwrap();
    life::live_case(&cases, &cast, &plan, &mut rng).await.unwrap();
    let newest = app.get("/api/v1/cases?limit=1", Some(&command)).await.body["cases"][0].clone();
    assert_eq!(newest["category"], "environment.litter");
    let end = match last.1 {
        zhizhi_shared::demo::life::Move::Close | zhizhi_shared::demo::life::Move::FalseAlarm => "closed",
        zhizhi_shared::demo::life::Move::Reject => "rejected",
        other => panic!("a life ends with {other:?}"),
    };
    assert_eq!(newest["state"], end, "{newest}");
}

#[tokio::test]
async fn administrators_set_the_weights_the_scores_use_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let (admin, command) = (app.login("guanliyuan").await, app.login("zhihui").await);
        let w = app.get("/api/v1/kpis/weights", Some(&command)).await;
        assert_eq!(w.status, StatusCode::OK);
        let weight = |body: &Value, code: &str| body.as_array().unwrap().iter().find(|x| x["indicator"] == code).unwrap()["weight"].as_i64().unwrap();
        assert_eq!(weight(&w.body, "on_time_handling"), 25, "the default");
        // Refused: not an administrator; a weight out of range; minutes weighted. Nothing changes.
        let r = app.send("PUT", "/api/v1/kpis/weights", Some(&command), Some(json!({ "weights": [{ "indicator": "rework", "weight": 50 }] })), "same-origin").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        for (body, says) in [
            (json!({ "weights": [{ "indicator": "rework", "weight": 101 }] }), "0–100"),
            (json!({ "weights": [{ "indicator": "report_to_dispatch", "weight": 5 }] }), "分钟"),
        ] {
            let r = app.send("PUT", "/api/v1/kpis/weights", Some(&admin), Some(body), "same-origin").await;
            assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weights")), "{}", r.body);
            assert!(r.body["error"].as_str().unwrap().contains(says), "{}", r.body);
        }
        let r = app.send("PUT", "/api/v1/kpis/weights", Some(&admin), Some(json!({ "weights": [{ "indicator": "sunshine", "weight": 5 }] })), "same-origin").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown indicator: {}", r.body);
        assert_eq!(weight(&app.get("/api/v1/kpis/weights", Some(&command)).await.body, "rework"), 10);
        // Only on-time handling counts: the street's score is that rate.
        let only: Vec<Value> = zhizhi_shared::kpi::DEFINITIONS
            .iter()
            .map(|d| json!({ "indicator": d.code, "weight": if d.code == "on_time_handling" { 100 } else { 0 } }))
            .collect();
        let r = app.send("PUT", "/api/v1/kpis/weights", Some(&admin), Some(json!({ "weights": only })), "same-origin").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(weight(&r.body, "on_time_handling"), 100);
        day(&app).await;
        let k = app.get("/api/v1/kpis?period=day", Some(&command)).await.body;
        let handled = k["rows"][0]["figures"].as_array().unwrap().iter().find(|f| f["indicator"] == "on_time_handling").unwrap()["value"].as_f64().unwrap();
        assert_eq!(k["rows"][0]["score"].as_f64(), Some(handled), "{k}");
        assert_eq!(weight(&k["weights"], "closure"), 0);
        let audit = app.get("/api/v1/audit?action=kpi_weights", Some(&admin)).await;
        assert!(audit.body.to_string().contains("按期处置率 100"), "{}", audit.body);
        app.db.remove().await;
    }
}

/// Device health and grade changes: a device heard, then offline for exactly an hour (its
/// offline alarm as the rules write it), and a business regraded up then down; the report's
/// figures count them as the definitions say, and the previous period holds neither.
#[tokio::test]
async fn device_health_and_grade_changes_count_as_defined_on_both_engines() {
    use zhizhi_server::storage::iot::{Evaluated, NewAlarm};
    use zhizhi_shared::iot::Rule;
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let command = app.login("zhihui").await;
        let now = zhizhi_server::auth::now_ms();
        let (hour, day) = (3_600_000, 86_400_000);
        // The two days up to today, as a custom period.
        let (from, to) = (zhizhi_shared::time::beijing_date(now - day), zhizhi_shared::time::beijing_date(now));
        let q = format!("/api/v1/kpis?period=custom&from={from}&to={to}");
        let report = || async {
            let r = app.get(&q, Some(&command)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body
        };
        let k = report().await;
        assert_eq!(k["health"]["devices"]["devices"], 0, "no device has been heard yet: {}", k["health"]);
        assert_eq!(k["health"]["devices"]["value"], Value::Null);
        // The demo's own gradings of the period (its year of them may reach into it).
        let count = |k: &Value, what: &str| k["health"]["grades"][what].as_i64().unwrap();
        let before = [count(&k, "gradings"), count(&k, "raised"), count(&k, "lowered")];

        let device = app.devices().await.into_iter().next().unwrap();
        let bearer = format!("Bearer {}", app.ingest_token().await);
        let hb = json!({ "device_id": device.code, "msg_id": "hb-1", "ts": now - 3 * hour, "kind": "heartbeat", "payload": {} });
        assert_eq!(app.ingest(&bearer, json!([hb])).await.0, StatusCode::OK);
        let offline = |at| NewAlarm { device_id: device.id, rule: Rule::Offline, level: zhizhi_shared::case::Urgency::Medium, detail: "已 25 小时未收到任何消息".into(), at, wants_case: false };
        app.db.store.ingest(&[], &mut |_: &[bool]| Evaluated { raises: vec![offline(now - 2 * hour)], ..Default::default() }).await.unwrap();
        app.db.store.ingest(&[], &mut |_: &[bool]| Evaluated { clears: vec![(device.id, Rule::Offline, now - hour)], ..Default::default() }).await.unwrap();
        for (to, reason) in [("B", "纠纷化解，经营规范"), ("D", "食品经营许可证过期仍经营")] {
            let r = app.post("/api/v1/enterprises/3/grades", Some(&command), json!({ "to": to, "reason": reason, "evidence": "检查记录" })).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        }

        let k = report().await;
        let d = &k["health"]["devices"];
        assert_eq!((d["devices"].as_i64(), d["offline_devices"].as_i64()), (Some(1), Some(1)), "{d}");
        let (minutes, online) = (d["minutes"].as_i64().unwrap(), d["online_minutes"].as_i64().unwrap());
        // In service from the period's start (the demo's devices are registered at the epoch: `registered_at` 0) to now.
        let start = zhizhi_shared::kpi::period_of(&zhizhi_shared::kpi::KpiQuery { period: Some("custom".into()), from: Some(from.clone()), to: Some(to.clone()), ..Default::default() }, now).unwrap().from;
        assert!(((now - start) / 60_000 - minutes).abs() <= 1, "{minutes} minutes in service");
        assert_eq!(minutes - online, 60, "an hour offline");
        let value = d["value"].as_f64().unwrap();
        assert!((value - online as f64 * 100.0 / minutes as f64).abs() < 0.01);
        assert_eq!(d["offline"][0]["code"], device.code.as_str());
        assert_eq!((d["offline"][0]["minutes"].as_i64(), d["offline"][0]["spells"].as_i64()), (Some(60), Some(1)));
        let g = &k["health"]["grades"];
        assert_eq!([count(&k, "gradings"), count(&k, "raised"), count(&k, "lowered")], [before[0] + 2, before[1] + 1, before[2] + 1], "{g}");
        assert_eq!((g["changes"][0]["from"].as_str(), g["changes"][0]["to"].as_str()), (Some("B"), Some("D")), "newest first");
        assert_eq!((g["changes"][1]["from"].as_str(), g["changes"][1]["to"].as_str()), (Some("C"), Some("B")));
        assert_eq!(g["changes"][1]["name"], "李记千张");
        assert_eq!(k["previous_health"]["devices"]["offline_devices"], 0, "the offline hour is not the day before's");

        // The workbook carries both, in a sheet of their own.
        let (status, _, book) = app.get_raw(&format!("/api/v1/kpis.xlsx?period=custom&from={from}&to={to}"), &command).await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8_lossy(&book);
        assert!(text.contains("<sheet name=\"设备与企业\""));
        for cell in [device.code.as_str(), "李记千张", "食品经营许可证过期仍经营"] {
            assert!(text.contains(&format!(">{cell}</t>")), "{cell} in the workbook");
        }
        app.db.remove().await;
    }
}

/// The server keeps the facts it read (`kpis::FactsCache`): a case worked on after a report
/// shows in the next one, and the cached answer is the one a fresh read gives.
#[tokio::test]
async fn a_case_worked_after_a_report_shows_in_the_next_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let (command, city) = (app.login("zhihui").await, app.login("chengguan").await);
        let city_post = app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == "城市管理").unwrap().id;
        let building = app.get(&format!("/api/v1/buildings?q={}", enc("磁南街27号")), Some(&command)).await.body[0]["id"].as_i64().unwrap();
        let r = app.post("/api/v1/cases", Some(&command), json!({ "category": "greening.branch", "description": "行道树断枝", "building_id": building })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["case"]["id"].as_i64().unwrap();
        let d = ok(&app, &command, id, json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city_post }] })).await;
        let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
        // Yesterday and today: the case is in it whenever the test runs.
        let now = zhizhi_server::auth::now_ms();
        let (from, to) = (zhizhi_shared::time::beijing_date(now - 86_400_000), zhizhi_shared::time::beijing_date(now));
        let uri = format!("/api/v1/kpis?period=custom&from={from}&to={to}");
        let figures = || async {
            let k = app.get(&uri, Some(&command)).await;
            assert_eq!(k.status, StatusCode::OK, "{}", k.body);
            k.body
        };
        let first = figures().await;
        assert_eq!(nd(&first, "street", "closure"), (0, 1));
        assert_eq!(nd(&first, "street", "on_time_handling"), (0, 0));
        ok(&app, &city, id, json!({ "action": "report_back", "task_id": task, "note": "已清理" })).await;
        ok(&app, &command, id, json!({ "action": "verify" })).await;
        ok(&app, &command, id, json!({ "action": "close" })).await;
        let second = figures().await;
        assert_eq!(nd(&second, "street", "closure"), (1, 1), "the closure shows at once");
        assert_eq!(nd(&second, "street", "on_time_handling"), (1, 1));
        // A node that has read nothing yet answers the same.
        let fresh = zhizhi_server::kpis::Kpis::new(app.db.store.clone());
        let q = zhizhi_shared::kpi::KpiQuery { period: Some("custom".into()), from: Some(from.clone()), to: Some(to.clone()), ..Default::default() };
        let me = zhizhi_shared::auth::Principal { user_id: 1, username: "zhihui".into(), display_name: "值班员".into(), roles: vec![zhizhi_shared::auth::Role::Command], post_id: None, grid_ids: vec![], password_expired: false, street_id: None, street_grids: vec![] };
        let anew = serde_json::to_value(fresh.report(&me, &q, now).await.unwrap()).unwrap();
        assert_eq!(anew["rows"], second["rows"]);
        app.db.remove().await;
    }
}
