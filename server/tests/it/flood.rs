//! Flood control over HTTP: the simulator's rising river to the stand-down on both engines (the
//! suggested level, the forecast, the flood plan at Ⅳ, the list vulnerable first, a grid
//! worker's head counts, a full shelter, checkpoints, the live `flood` events); refusals that
//! change nothing.

use crate::client::{App, Resp};
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const HOUR: i64 = 3_600_000;

fn now() -> i64 {
    zhizhi_server::auth::now_ms()
}

impl App {
    async fn put(&self, uri: &str, cookie: &str, body: Value) -> Resp {
        self.send("PUT", uri, Some(cookie), Some(body), "same-origin").await
    }

    async fn flood(&self, cookie: &str) -> Value {
        let r = self.get("/api/v1/flood", Some(cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// The simulator's rising-river story, sent through HTTP ingest.
    async fn rising_river(&self) {
        let d = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
        let msgs = zhizhi_server::simulate::story(&d, "river", "t", now()).unwrap();
        let bearer = format!("Bearer {}", self.ingest_token().await);
        let (status, answer) = self.ingest(&bearer, Value::Array(msgs)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
}

/// Waits for a `flood` event on the stream (skipping the others).
async fn flood_event(s: &mut crate::client::Stream) {
    loop {
        let e = s.next(Duration::from_secs(10)).await.expect("a flood event in time");
        if e.event == "flood" {
            return;
        }
    }
}

fn update(household: &Value, state: &str, headcount: Option<i64>, shelter: Option<i64>) -> Value {
    json!({ "household_id": household["household_id"], "state": state, "headcount": headcount, "shelter_id": shelter,
            "version": household["evac"]["version"] })
}

async fn story(app: &App) {
    let (command, worker, police) = (app.login("zhihui").await, app.login("wanggeyuan").await, app.login("minjing").await);
    let quiet = app.flood(&command).await;
    assert!(quiet["suggestion"].is_null(), "{}", quiet["suggestion"]);
    assert_eq!(quiet["gauges"][0]["gauge"]["station"], "嘉陵江磁器口站");
    assert_eq!(quiet["gauges"].as_array().unwrap().len(), 8);

    // The river rises through the warning level: the board suggests Ⅳ.
    let mut live = app.stream(&command, None).await;
    app.rising_river().await;
    flood_event(&mut live).await;
    let b = app.flood(&command).await;
    let g = &b["gauges"][0];
    assert_eq!(g["readings"].as_array().unwrap().len(), 73, "six hours of readings");
    assert!((g["latest"]["m"].as_f64().unwrap() - 180.7).abs() < 1e-6);
    assert_eq!(g["stage"], "warning");
    assert!(g["rise_per_hour"].as_f64().unwrap() > 0.3, "{}", g["rise_per_hour"]);
    assert_eq!(b["suggestion"]["level"], "iv");
    assert!(b["households"].as_array().unwrap().is_empty(), "180.70 m floods no zone");

    // A forecast peak of 181.80 m in six hours: the riverside row is under water at it.
    let gauge = g["gauge"]["device_id"].as_i64().unwrap();
    let r = app.put(&format!("/api/v1/flood/gauges/{gauge}/forecast"), &command, json!({ "peak_m": 181.8, "peak_at": now() + 6 * HOUR })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    flood_event(&mut live).await;
    let b = app.flood(&command).await;
    assert_eq!((b["level_source"].as_str(), b["level_m"].as_f64()), (Some("forecast"), Some(181.8)));
    assert_eq!(b["suggestion"]["level"], "iv", "a forecast at the Ⅲ line prepares at Ⅳ");
    assert_eq!(b["zones"][0]["flooded"], true);
    assert_eq!(b["zones"][1]["flooded"], false);
    let households = b["households"].as_array().unwrap().clone();
    assert!(households.len() >= 9, "{} households", households.len());
    // Vulnerable first, then ground floors first; residents masked.
    let keys: Vec<(bool, i64)> = households.iter().map(|h| (!h["vulnerable"].as_bool().unwrap(), h["floor"].as_i64().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
    let name = households[0]["residents"][0]["name"].as_str().unwrap();
    assert!(name.contains('*'), "{name} is masked");

    // Command staff confirm Ⅳ: the flood plan runs at Ⅳ.
    let r = app.post("/api/v1/flood/response", Some(&command), json!({ "level": "iv" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let activation = r.body["activation_id"].as_i64().unwrap();
    let a = app.get(&format!("/api/v1/activations/{activation}"), Some(&command)).await;
    assert_eq!((a.body["brief"]["plan_name"].as_str(), a.body["brief"]["level"].as_str()), (Some("防汛应急预案"), Some("iv")));
    assert_eq!(app.post("/api/v1/flood/response", Some(&command), json!({ "level": "iv" })).await.status, StatusCode::CONFLICT);

    // The list at the forecast peak: every lived-in household of the row.
    let r = app.post("/api/v1/flood/evacuation", Some(&command), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["added"].as_u64().unwrap() as usize, households.len());
    let b = app.flood(&command).await;
    let must = b["headcount"]["must_move"].as_i64().unwrap();
    assert_eq!(must, households.iter().map(|h| h["members"].as_i64().unwrap()).sum::<i64>());
    assert_eq!(b["headcount"]["unaccounted"].as_i64(), Some(must));
    assert_eq!(b["level_source"], "list");

    // The grid worker's phone: their households, masked; the read is audited.
    let mine = app.flood(&worker).await;
    assert_eq!(mine["mine_only"], true);
    let mine = mine["households"].as_array().unwrap().clone();
    assert_eq!(mine.len(), households.len(), "the row is in the worker's grid");
    let audit = app.get("/api/v1/audit?action=flood_list", Some(&app.login("guanliyuan").await)).await;
    assert!(audit.body.to_string().contains("wanggeyuan"), "{}", audit.body);

    // A head count larger than the household is refused and changes nothing.
    let first = &mine[0];
    let n = first["members"].as_i64().unwrap();
    let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(first, "moved", Some(n + 1), None)).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("headcount")), "{}", r.body);
    assert_eq!(app.flood(&worker).await["households"][0]["evac"]["state"], "to_move");

    // The small shelter (8 places) fills; the household that does not fit needs an override.
    let shelters = app.flood(&command).await["shelters"].as_array().unwrap().clone();
    let small = shelters.iter().find(|s| s["capacity"] == 8).unwrap()["id"].as_i64().unwrap();
    let school = shelters.iter().find(|s| s["capacity"] == 60).unwrap()["id"].as_i64().unwrap();
    let (mut in_small, mut refused_once) = (0, false);
    for h in &mine {
        let n = h["members"].as_i64().unwrap();
        let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(h, "moved", Some(n), None)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The phone sends the same mark again (it never heard the answer): done already.
        let again = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(h, "moved", Some(n), None)).await;
        assert_eq!((again.status, &again.body["version"]), (StatusCode::OK, &r.body["version"]), "{}", again.body);
        let mut moved = h.clone();
        moved["evac"]["version"] = r.body["version"].clone();
        if !refused_once && in_small + n > 8 {
            let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(&moved, "at_shelter", Some(n), Some(small))).await;
            assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("shelter_id")), "{}", r.body);
            let mut over = update(&moved, "at_shelter", Some(n), Some(small));
            over["override_full"] = json!(true);
            over["reason"] = json!("老人行动不便，就近安置");
            let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), over).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            refused_once = true;
            in_small += n;
            continue;
        }
        let to = if in_small + n <= 8 { small } else { school };
        let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(&moved, "at_shelter", Some(n), Some(to))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if to == small {
            in_small += n;
        }
    }
    assert!(refused_once, "the small shelter filled up");
    let b = app.flood(&command).await;
    assert_eq!(b["headcount"]["moved"].as_i64(), Some(must));
    assert_eq!(b["headcount"]["unaccounted"].as_i64(), Some(0));
    let occupancy: i64 = b["shelters"].as_array().unwrap().iter().map(|s| s["occupancy"].as_i64().unwrap()).sum();
    assert_eq!(occupancy, must);

    // Checkpoints: the police count the onlookers turned away.
    let r = app.post("/api/v1/flood/checkpoints", Some(&command), json!({ "name": "磁器口正街口" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cp = r.body["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = app.post(&format!("/api/v1/flood/checkpoints/{cp}/turned-away"), Some(&police), json!({ "people": 650 })).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    assert_eq!(app.flood(&command).await["checkpoints"][0]["turned_away"], 1300);

    // Stand-down: everyone goes home, the shelters empty, the plan's response ends.
    let r = app.post("/api/v1/flood/response/stand-down", Some(&command), json!({ "reason": "水位回落至警戒水位以下" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = app.flood(&command).await;
    assert!(b["households"].as_array().unwrap().iter().all(|h| h["evac"]["state"] == "returned"));
    assert!(b["shelters"].as_array().unwrap().iter().all(|s| s["occupancy"] == 0));
    assert_eq!((b["headcount"]["returned"].as_i64(), b["headcount"]["moved"].as_i64()), (Some(must), Some(0)));
    let a = app.get(&format!("/api/v1/activations/{activation}"), Some(&command)).await;
    assert_eq!(a.body["brief"]["state"], "stood_down");
}

#[tokio::test]
async fn the_rising_river_runs_from_the_warning_level_to_the_stand_down_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        story(&app).await;
        app.db.remove().await;
    }
}

#[tokio::test]
async fn refusals_are_clear_and_change_nothing() {
    let app = App::new().await;
    let (command, worker, admin, police) = (app.login("zhihui").await, app.login("wanggeyuan").await, app.login("guanliyuan").await, app.login("minjing").await);
    // Only command staff confirm a level; nothing to list or move without a response.
    let r = app.post("/api/v1/flood/response", Some(&worker), json!({ "level": "iv" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(app.post("/api/v1/flood/evacuation", Some(&command), json!({ "level_m": 182.0 })).await.status, StatusCode::CONFLICT);
    let r = app.post("/api/v1/flood/evacuation/households", Some(&police), json!({ "household_id": 1, "state": "moved", "headcount": 1, "version": 1 })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Gauge lines out of order; a forecast ten years ahead; a zone file with a bad feature.
    let gauge = app.flood(&command).await["gauges"][0]["gauge"]["device_id"].as_i64().unwrap();
    let bad = json!({ "station": "嘉陵江磁器口站", "datum": "wusong", "warning_m": 183.5, "guaranteed_m": 180.5 });
    let r = app.put(&format!("/api/v1/flood/gauges/{gauge}"), &admin, bad).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("guaranteed_m")), "{}", r.body);
    let r = app.put(&format!("/api/v1/flood/gauges/{gauge}/forecast"), &command, json!({ "peak_m": 182.0, "peak_at": now() + 3650 * 24 * HOUR })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("peak_at")), "{}", r.body);
    let zones = app.flood(&command).await["zones"].as_array().unwrap().len();
    let fc = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "name": "新区", "flood_level_m": 185.0 }, "geometry": { "type": "Polygon", "coordinates": [[[106.44, 29.58], [106.45, 29.58], [106.45, 29.59], [106.44, 29.58]]] } },
        { "type": "Feature", "properties": { "name": "坏区" }, "geometry": { "type": "Polygon", "coordinates": [[[106.44, 29.58], [106.45, 29.58], [106.45, 29.59], [106.44, 29.58]]] } }] });
    let r = app.post("/api/v1/flood/zones?replace=true", Some(&admin), fc.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("第 2 个要素"), "{}", r.body);
    assert_eq!(app.flood(&command).await["zones"].as_array().unwrap().len(), zones, "nothing was imported");
    // A good file is taken (added to the zones there).
    let mut good = fc.clone();
    good["features"].as_array_mut().unwrap().pop();
    let r = app.post("/api/v1/flood/zones", Some(&admin), good).await;
    assert_eq!((r.status, r.body["imported"].as_i64()), (StatusCode::OK, Some(1)), "{}", r.body);
    assert_eq!(app.flood(&command).await["zones"].as_array().unwrap().len(), zones + 1);
    // A household that is not on the list; a stale version.
    let r = app.post("/api/v1/flood/response", Some(&command), json!({ "level": "iv" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), json!({ "household_id": 1, "state": "moved", "headcount": 1, "version": 1 })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.post("/api/v1/flood/evacuation", Some(&command), json!({ "level_m": 181.0 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let h = app.flood(&worker).await["households"][0].clone();
    let mut stale = update(&h, "notified", None, None);
    stale["version"] = json!(99);
    let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app.post("/api/v1/flood/evacuation/households", Some(&worker), update(&h, "refused", None, None)).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{}", r.body);
    assert_eq!(app.flood(&worker).await["households"][0]["evac"]["state"], "to_move");
}
