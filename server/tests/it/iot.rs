//! IoT over HTTP: ingest (idempotent, per-message refusals, device credentials), the care
//! alarm story to a false-alarm closure, alarm storms, and MQTT against the real broker.

use crate::client::App;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;
use zhizhi_server::storage::iot::DeviceRecord;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::HOUR;

const WAIT: Duration = Duration::from_secs(10);

fn now() -> i64 {
    zhizhi_server::auth::now_ms()
}

impl App {
    /// A token with the `ingest` scope, created by the administrator.
    pub async fn ingest_token(&self) -> String {
        let admin = self.login("guanliyuan").await;
        let r = self.post("/api/v1/tokens", Some(&admin), json!({ "name": "nb-iot", "scopes": ["ingest"] })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// Posts a batch to `/api/v1/ingest` with an `Authorization` header.
    pub async fn ingest(&self, authorization: &str, batch: Value) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/ingest")
            .header("host", "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, authorization)
            .body(Body::from(batch.to_string()))
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        crate::client::documented("POST", "/api/v1/ingest", status);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// The devices of the demo district, as stored.
    pub async fn devices(&self) -> Vec<DeviceRecord> {
        self.db.store.device_records(None).await.unwrap()
    }
}

fn msg(device: &str, id: &str, ts: i64, kind: &str, payload: Value) -> Value {
    json!({ "device_id": device, "msg_id": id, "ts": ts, "kind": kind, "payload": payload })
}

/// Polls `f` until it returns `Some`, for at most [`WAIT`].
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(mut f: impl FnMut() -> F) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < WAIT, "gave up waiting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_door_sensor_story_runs_from_back_dated_messages_to_a_false_alarm_closed_on_the_scene() {
    let app = App::new().await;
    let bearer = format!("Bearer {}", app.ingest_token().await);
    let command = app.login("zhihui").await;
    let worker = app.login("wanggeyuan").await;
    let grids: Vec<i64> = serde_json::from_value(app.get("/api/v1/me", Some(&worker)).await.body["grid_ids"].clone()).unwrap();
    // A door sensor on the home of a resident living alone, in the grid worker's grid.
    let sensor = app.devices().await.into_iter().find(|d| d.kind == DeviceKind::DoorSensor && d.in_care && grids.contains(&d.grid_id)).expect("a care sensor in the grid");
    let mut board = app.stream(&command, None).await;
    // The door last opened 25 hours ago; hourly heartbeats since: online, nobody went out.
    let t = now();
    let mut batch = vec![msg(&sensor.code, "d-0", t - 25 * HOUR, "door", json!({ "open": true, "battery": 80 }))];
    for h in (0..=25).rev() {
        batch.push(msg(&sensor.code, &format!("h-{h}"), t - h * HOUR, "heartbeat", json!({ "battery": 80 })));
    }
    let (status, answer) = app.ingest(&bearer, Value::Array(batch)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!((answer["stored"].as_u64(), answer["refused"].as_u64()), (Some(27), Some(0)), "{answer}");

    // The care alarm opens a case that reaches the open board at once.
    let (_, case) = board.next_case(WAIT).await;
    assert_eq!(case["category"], "care.elderly_alone");
    assert_eq!(case["source"], "iot");
    assert_eq!(case["urgency"], "high");
    assert_eq!(case["grid_id"].as_i64(), Some(sensor.grid_id));
    let address = case["address"].as_str().unwrap();
    assert!(address == sensor.address && address.contains('号'), "the resident's building and unit: {address}");
    assert!(!case["grid_worker"].as_str().unwrap().is_empty(), "the suggested grid worker: {case}");
    let description = case["description"].as_str().unwrap();
    assert!(description.contains("25 小时无开门记录") && description.contains(&sensor.code) && description.contains("独居老人"), "{description}");
    let resident = sensor.resident_name.clone().unwrap();
    assert!(!description.contains(&resident), "the resident's name is masked: {description}");
    let id = case["id"].as_i64().unwrap();

    // The alarm is listed with its case; the device shows it open, online.
    let alarms = app.get("/api/v1/alarms?open=true", Some(&command)).await.body;
    let alarm = alarms.as_array().unwrap().iter().find(|a| a["device_code"] == sensor.code.as_str()).expect("the alarm is listed").clone();
    assert_eq!((alarm["rule"].as_str(), alarm["case_id"].as_i64()), (Some("no_activity"), Some(id)));
    let page = app.get(&format!("/api/v1/devices/{}", sensor.id), Some(&command)).await.body;
    assert_eq!(page["device"]["online"], true);
    assert_eq!(page["device"]["open_alarms"][0]["rule"], "no_activity");
    assert_eq!(page["messages"].as_array().unwrap().len(), 27);

    // The coordinator sends the grid worker; the worker visits and closes it as a false alarm.
    let act = |who: &str, body: Value| {
        let (app, who) = (&app, who.to_string());
        async move { app.post(&format!("/api/v1/cases/{id}/actions"), Some(&who), body).await }
    };
    let r = act(&command, json!({ "action": "dispatch", "holders": [{ "kind": "grid", "id": sensor.grid_id }] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let task = r.body["case"]["tasks"][0]["id"].as_i64().unwrap();
    let r = act(&worker, json!({ "action": "check_in", "task_id": task })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = act(&worker, json!({ "action": "false_alarm", "reason": "" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{}", r.body);
    let r = act(&worker, json!({ "action": "false_alarm", "reason": "老人在家，安全" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["case"]["state"], "closed");
    let last = r.body["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["note"].as_str()), (Some("false_alarm"), Some("老人在家，安全")));

    // The alarm records why; the false-alarm rate shows it.
    let alarms = app.get("/api/v1/alarms", Some(&command)).await.body;
    let alarm = alarms.as_array().unwrap().iter().find(|a| a["case_id"].as_i64() == Some(id)).unwrap().clone();
    assert_eq!((alarm["outcome"].as_str(), alarm["outcome_note"].as_str()), (Some("false_alarm"), Some("老人在家，安全")));
    let health = app.get("/api/v1/iot/health", Some(&command)).await.body;
    let rate = health["by_rule"].as_array().unwrap().iter().find(|r| r["key"] == "no_activity").unwrap().clone();
    assert_eq!((rate["concluded"].as_i64(), rate["false_alarms"].as_i64()), (Some(1), Some(1)));
    assert_eq!(health["by_device"][0]["key"], sensor.code.as_str());
    // The door opens: the alarm clears itself; no new case.
    let (status, _) = app.ingest(&bearer, json!([msg(&sensor.code, "d-1", now(), "door", json!({ "open": true }))])).await;
    assert_eq!(status, StatusCode::OK);
    let page = app.get(&format!("/api/v1/devices/{}", sensor.id), Some(&command)).await.body;
    assert!(page["device"]["open_alarms"].as_array().unwrap().is_empty(), "{page}");
    assert!(page["alarms"][0]["cleared_at"].is_i64());

    // The alarm log and the device list go to Excel: the alarm with its case and conclusion,
    // every device the user may see, the resident masked as on screen; each export audited.
    let (status, headers, book) = app.get_raw("/api/v1/alarms.xlsx", &command).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let text = String::from_utf8_lossy(&book);
    assert!(text.contains(&sensor.code) && text.contains("老人在家，安全") && text.contains("误报"), "the alarm, its case's conclusion");
    assert!(text.contains(case["number"].as_str().unwrap()), "the case's number");
    for (who, cookie) in [("zhihui", &command), ("wanggeyuan", &worker)] {
        let total = app.get("/api/v1/devices?limit=1", Some(cookie)).await.body["total"].as_u64().unwrap() as usize;
        let (status, _, book) = app.get_raw("/api/v1/devices.xlsx", cookie).await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8_lossy(&book);
        assert_eq!(text.matches("<row ").count(), total + 1, "{who}: every device of the list and the header");
        assert!(!text.contains(&resident), "{who}: the resident's name is masked");
        let audit = app.get("/api/v1/audit?action=export_devices", Some(&app.login("guanliyuan").await)).await.body;
        assert_eq!((audit[0]["actor"].as_str(), audit[0]["detail"].as_str()), (Some(who), Some(format!("导出设备表 {total} 台").as_str())));
    }
    let (status, _, book) = app.get_raw(&format!("/api/v1/devices.xlsx?kind=door_sensor&q={}", sensor.code), &command).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&book).matches("<row ").count(), 2, "the list's filters apply");
    assert_eq!(app.get_raw("/api/v1/alarms.xlsx?rule=nonsense", &command).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get_raw("/api/v1/devices.xlsx", &app.login("xuanchuan").await).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn duplicates_and_replays_change_nothing_and_bad_messages_are_refused_one_by_one() {
    let app = App::new().await;
    let bearer = format!("Bearer {}", app.ingest_token().await);
    let devices = app.devices().await;
    let smoke = devices.iter().find(|d| d.kind == DeviceKind::SmokeDetector).unwrap();
    let door = devices.iter().find(|d| d.kind == DeviceKind::DoorSensor).unwrap();
    let t = now();
    let batch = json!([
        msg(&smoke.code, "a1", t, "smoke", json!({ "alarm": true, "battery": 90 })),
        msg("YG-999999", "a2", t, "heartbeat", json!({})),
        msg(&door.code, "a3", t, "door", json!({ "open": "yes" })),
        { "device_id": door.code, "ts": t, "kind": "heartbeat" },
        msg(&door.code, "a5", t + 3_600_000, "heartbeat", json!({})),
        msg(&smoke.code, "a1", t, "smoke", json!({ "alarm": true, "battery": 90 })),
        msg(&door.code, "a7", t, "heartbeat", json!({ "battery": 55 })),
    ]);
    let (status, first) = app.ingest(&bearer, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let statuses: Vec<&str> = first["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["stored", "refused", "refused", "refused", "refused", "duplicate", "stored"]);
    let errors: Vec<&str> = first["results"].as_array().unwrap().iter().map(|r| r["error"].as_str().unwrap_or("")).collect();
    assert!(errors[1].contains("未登记的设备「YG-999999」"), "{}", errors[1]);
    assert!(errors[2].contains("payload.open"), "{}", errors[2]);
    assert!(errors[3].contains("msg_id"), "{}", errors[3]);
    assert!(errors[4].contains("校准设备时钟"), "{}", errors[4]);
    // The alarm's case is opened right after the messages are stored.
    let all = || async { app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap() };
    let fire_cases = |cases: &[zhizhi_shared::case::view::CaseSummary]| cases.iter().filter(|c| c.category == "fire.smoke").count();
    let cases_after_first = eventually(|| async { let c = all().await; (fire_cases(&c) == 1).then_some(c.len()) }).await;

    // The same batch again: nothing new is stored, raised or opened.
    let (_, again) = app.ingest(&bearer, batch).await;
    let statuses: Vec<&str> = again["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["duplicate", "refused", "refused", "refused", "refused", "duplicate", "duplicate"]);
    let command = app.login("zhihui").await;
    let page = app.get(&format!("/api/v1/devices/{}", smoke.id), Some(&command)).await.body;
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert_eq!(page["alarms"].as_array().unwrap().len(), 1, "{page}");
    // A barrier: another detector's alarm, sent after the repeats. The engine opens cases in
    // the order it stores messages, so once this one's case exists, a case the repeats had
    // wrongly opened would exist too.
    let other = devices.iter().find(|d| d.kind == DeviceKind::SmokeDetector && d.id != smoke.id).unwrap();
    let (_, _) = app.ingest(&bearer, json!([msg(&other.code, "barrier", t, "smoke", json!({ "alarm": true }))])).await;
    eventually(|| async {
        let p = app.get(&format!("/api/v1/devices/{}", other.id), Some(&command)).await.body;
        p["alarms"][0]["case_id"].is_i64().then_some(())
    })
    .await;
    let cases = all().await;
    assert_eq!(cases.len(), cases_after_first + 1, "only the barrier's case is new");
    assert_eq!(fire_cases(&cases), 2, "one case for the repeated alarm, one for the barrier");

    // Repeats of the alarm (new ids) do not raise it again; after an all-clear, a new alarm
    // joins the case that is still open instead of opening another.
    let (_, _) = app.ingest(&bearer, json!([msg(&smoke.code, "b1", t + 1, "smoke", json!({ "alarm": true }))])).await;
    let (_, _) = app.ingest(&bearer, json!([msg(&smoke.code, "b2", t + 2, "smoke", json!({ "alarm": false }))])).await;
    let (_, _) = app.ingest(&bearer, json!([msg(&smoke.code, "b3", t + 3, "smoke", json!({ "alarm": true }))])).await;
    let page = eventually(|| async {
        let p = app.get(&format!("/api/v1/devices/{}", smoke.id), Some(&command)).await.body;
        (p["alarms"].as_array().unwrap().len() == 2 && p["alarms"][0]["case_id"].is_i64()).then_some(p)
    })
    .await;
    assert_eq!(page["alarms"][0]["case_id"], page["alarms"][1]["case_id"], "one case for both alarms");
    let cases = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap();
    assert_eq!(fire_cases(&cases), 2, "still this detector's one case and the barrier's");
    let case = app.get(&format!("/api/v1/cases/{}", page["alarms"][0]["case_id"]), Some(&command)).await.body;
    assert!(case["steps"].as_array().unwrap().iter().any(|s| s["kind"] == "alarm_again"), "{case}");

    // The body itself must be a batch; a huge one is refused whole.
    let (status, body) = app.ingest(&bearer, json!({ "nope": 1 })).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("messages")));
    let huge: Vec<Value> = (0..5001).map(|i| msg(&door.code, &format!("z{i}"), t, "heartbeat", json!({}))).collect();
    let (status, body) = app.ingest(&bearer, Value::Array(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

#[tokio::test]
async fn devices_send_with_their_own_secret_and_only_for_themselves() {
    let app = App::new().await;
    let devices = app.devices().await;
    let (a, b) = (&devices[0], &devices[1]);
    let admin = app.login("guanliyuan").await;
    let command = app.login("zhihui").await;
    // Only administrators issue secrets.
    assert_eq!(app.post(&format!("/api/v1/devices/{}/secret", a.id), Some(&command), json!({})).await.status, StatusCode::FORBIDDEN);
    let r = app.post(&format!("/api/v1/devices/{}/secret", a.id), Some(&admin), json!({})).await;
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let auth = format!("Device {}:{secret}", a.code);
    let t = now();
    let (status, answer) = app.ingest(&auth, json!([msg(&a.code, "s1", t, "heartbeat", json!({})), msg(&b.code, "s2", t, "heartbeat", json!({}))])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["results"][0]["status"], "stored");
    assert_eq!(answer["results"][1]["status"], "refused");
    assert!(answer["results"][1]["error"].as_str().unwrap().contains("不能代其他设备"));
    let (status, _) = app.ingest(&format!("Device {}:wrong", a.code), json!([])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.ingest("", json!([])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A retired device is refused.
    assert_eq!(app.post(&format!("/api/v1/devices/{}/retired", a.id), Some(&admin), json!({ "retired": true })).await.status, StatusCode::NO_CONTENT);
    let (_, answer) = app.ingest(&auth, json!([msg(&a.code, "s3", t, "heartbeat", json!({}))])).await;
    assert!(answer["results"][0]["error"].as_str().unwrap().contains("已停用"), "{answer}");
}

#[tokio::test]
async fn administrators_register_and_import_devices_and_bad_csv_changes_nothing() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let building = app.db.store.search_buildings("磁南街27号", &[], 1).await.unwrap().remove(0);
    let r = app.post("/api/v1/devices", Some(&admin), json!({ "code": "YG-NEW-1", "kind": "smoke_detector", "model": "NB-YG-3000", "building_id": building.id, "floor": 3 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["device"]["address"], format!("{} 3层", building.address));
    // The new device can send at once.
    let bearer = format!("Bearer {}", app.ingest_token().await);
    let (_, answer) = app.ingest(&bearer, json!([msg("YG-NEW-1", "n1", now(), "heartbeat", json!({}))])).await;
    assert_eq!(answer["stored"], 1, "{answer}");
    let before = app.devices().await.len();
    let bad = format!("code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat\nSW-NEW,water_level_gauge,RLG-80,,,,,,106.45,29.585\nYG-NEW-2,toaster,X,,{},,,,,\n", building.id);
    let r = app.send_bytes("POST", "/api/v1/devices/import", Some(&admin), Some(("text/csv", bad.into_bytes())), "same-origin").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().contains("第 3 行"), "{}", r.body);
    assert_eq!(app.devices().await.len(), before, "nothing imported");
    let good = "code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat\nSW-NEW,water_level_gauge,RLG-80,gauge-river,,,,,106.45,29.585\n";
    let r = app.send_bytes("POST", "/api/v1/devices/import", Some(&admin), Some(("text/csv", good.into()))  , "same-origin").await;
    assert_eq!((r.status, r.body["imported"].as_i64()), (StatusCode::OK, Some(1)), "{}", r.body);
    // A workbook with Chinese headers in another order, as the template has them.
    use zhizhi_server::xlsx::{workbook, Cell, Sheet};
    let (_, _, template) = app.get_raw("/api/v1/devices/template.xlsx", &admin).await;
    let headers = zhizhi_server::imports::read::read(&template).unwrap().headers;
    assert_eq!(headers[..3], ["设备编号*".to_string(), "设备类型*".to_string(), "型号*".to_string()]);
    let sheet = |rows: Vec<Vec<Cell>>| workbook(&[Sheet { name: "设备".into(), rows }]);
    let head = || ["型号", "设备编号", "设备类型", "楼栋编号", "楼层"].map(Cell::from).to_vec();
    let bad = sheet(vec![head(), vec!["NB-YG-3000".into(), "YG-XLSX-1".into(), "烟感".into(), building.id.into(), 2i64.into()], vec!["X".into(), "YG-XLSX-2".into(), "电饭煲".into(), Cell::from(""), Cell::from("")]]);
    let r = app.send_bytes("POST", "/api/v1/devices/import", Some(&admin), Some(("application/octet-stream", bad)), "same-origin").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().ends_with("第 3 行：没有设备类型「电饭煲」（烟感、门磁、摄像头、水位计）"), "{}", r.body);
    let good = sheet(vec![head(), vec!["NB-YG-3000".into(), "YG-XLSX-1".into(), "烟感".into(), building.id.into(), 2i64.into()]]);
    let r = app.send_bytes("POST", "/api/v1/devices/import", Some(&admin), Some(("application/octet-stream", good)), "same-origin").await;
    assert_eq!((r.status, r.body["imported"].as_i64()), (StatusCode::OK, Some(1)), "{}", r.body);
    let made = app.devices().await.into_iter().find(|d| d.code == "YG-XLSX-1").expect("the workbook's device");
    assert_eq!((made.building_id, made.floor), (Some(building.id), Some(2)));
    let command = app.login("zhihui").await;
    let list = app.get("/api/v1/devices?kind=water_level_gauge&status=never", Some(&command)).await.body;
    assert!(list["devices"].as_array().unwrap().iter().any(|d| d["code"] == "SW-NEW"), "{list}");
    // Post staff see no devices.
    let post = app.login("chengguan").await;
    assert_eq!(app.get("/api/v1/devices", Some(&post)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_residents_care_limit_is_set_by_command_staff_and_every_sensor_on_their_door_follows_it() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let list = app.get("/api/v1/devices?kind=door_sensor&limit=1000", Some(&admin)).await.body;
    let sensor = list["devices"].as_array().unwrap().iter().find(|d| d["absence_hours"].is_i64()).expect("a care door sensor").clone();
    assert_eq!(sensor["absence_hours"], 24, "the default: {sensor}");
    let resident = sensor["resident_id"].as_i64().unwrap();
    // A second sensor on the same door, registered by the administrator, watches the same resident.
    let r = app.post("/api/v1/devices", Some(&admin), json!({ "code": "MC-TWIN", "kind": "door_sensor", "model": "MC-NB-200",
        "building_id": sensor["building_id"], "floor": sensor["floor"], "household_id": sensor["household_id"], "resident_id": resident })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["device"]["absence_hours"].as_i64(), r.body["device"]["has_secret"].as_bool()), (Some(24), Some(false)));
    let twin = r.body["device"]["id"].as_i64().unwrap();
    let url = format!("/api/v1/residents/{resident}/absence-hours");
    // A grid worker may not change it; out of range is refused naming the range.
    let worker = app.login("wanggeyuan").await;
    assert_eq!(app.post(&url, Some(&worker), json!({ "hours": 36 })).await.status, StatusCode::FORBIDDEN);
    let r = app.post(&url, Some(&admin), json!({ "hours": 0 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().contains("1–168"), "{}", r.body);
    let command = app.login("zhihui").await;
    assert_eq!(app.post(&url, Some(&command), json!({ "hours": 36 })).await.status, StatusCode::NO_CONTENT);
    for id in [sensor["id"].as_i64().unwrap(), twin] {
        let d = app.get(&format!("/api/v1/devices/{id}"), Some(&command)).await.body;
        assert_eq!(d["device"]["absence_hours"], 36, "{d}");
    }
    // Back to the default.
    assert_eq!(app.post(&url, Some(&command), json!({ "hours": null })).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/devices/{twin}"), Some(&command)).await.body["device"]["absence_hours"], 24);
    let log = app.get("/api/v1/audit?action=care_absence_hours", Some(&admin)).await.body;
    assert_eq!(log.as_array().map(Vec::len), Some(2), "{log}");
}

#[tokio::test]
async fn mqtt_messages_through_the_real_broker_are_stored_once_raise_alarms_and_bad_ones_are_answered() {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
    let app = App::new().await;
    let state_ingest = app.ingest_handle.clone();
    let client_id = format!("zhizhi-test-{}-{}", std::process::id(), now());
    tokio::spawn(zhizhi_server::ingest::mqtt::run(state_ingest, "mqtt://127.0.0.1:1883".parse().unwrap(), client_id));
    let camera = app.devices().await.into_iter().find(|d| d.kind == DeviceKind::Camera).unwrap();
    let mut o = MqttOptions::new(format!("zhizhi-test-device-{}", now()), "127.0.0.1", 1883);
    o.set_keep_alive(Duration::from_secs(10));
    let (device, mut events) = AsyncClient::new(o, 64);
    let (tx, mut errors) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Ok(e) = events.poll().await {
            if let Event::Incoming(Packet::Publish(p)) = e {
                let _ = tx.send(String::from_utf8_lossy(&p.payload).into_owned());
            }
        }
    });
    let base = format!("zhizhi/ciqikou/{}", camera.code);
    device.subscribe(format!("{base}/err"), QoS::AtLeastOnce).await.unwrap();
    // Wait until the server's subscription is in place: a heartbeat is stored.
    let command = app.login("zhihui").await;
    let mut n = 0;
    eventually(|| {
        n += 1;
        let (device, base, command) = (device.clone(), base.clone(), command.clone());
        let app = &app;
        let id = camera.id;
        async move {
            let hb = json!({ "msg_id": format!("hb-{n}"), "ts": now(), "kind": "heartbeat", "payload": {} }).to_string();
            device.publish(format!("{base}/up"), QoS::AtLeastOnce, false, hb).await.unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            let p = app.get(&format!("/api/v1/devices/{id}"), Some(&command)).await.body;
            (!p["messages"].as_array().unwrap().is_empty()).then_some(())
        }
    })
    .await;
    // A crowd of 80, published twice (QoS 1 redelivery looks like this): one alarm, one case.
    let crowd = json!({ "msg_id": "crowd-1", "ts": now(), "kind": "ai_event", "payload": { "event": "crowd", "confidence": 0.93, "count": 80 } }).to_string();
    device.publish(format!("{base}/up"), QoS::AtLeastOnce, false, crowd.clone()).await.unwrap();
    device.publish(format!("{base}/up"), QoS::AtLeastOnce, false, crowd).await.unwrap();
    let page = eventually(|| {
        let (app, command) = (&app, command.clone());
        async move {
            let p = app.get(&format!("/api/v1/devices/{}", camera.id), Some(&command)).await.body;
            p["alarms"].as_array().unwrap().first().filter(|a| a["case_id"].is_i64()).map(|_| p.clone())
        }
    })
    .await;
    assert_eq!(page["alarms"].as_array().unwrap().len(), 1);
    assert_eq!(page["alarms"][0]["rule"], "ai_crowd");
    assert_eq!(page["messages"].as_array().unwrap().iter().filter(|m| m["msg_id"] == "crowd-1").count(), 1, "{page}");
    let case = app.get(&format!("/api/v1/cases/{}", page["alarms"][0]["case_id"]), Some(&command)).await.body;
    assert_eq!((case["case"]["source"].as_str(), case["case"]["category"].as_str()), (Some("camera_ai"), Some("order.crowd")));
    assert!(case["case"]["description"].as_str().unwrap().contains("约 80 人聚集"));
    // A malformed message is answered on the device's err topic.
    device.publish(format!("{base}/up"), QoS::AtLeastOnce, false, "{\"msg_id\":\"bad\",\"ts\":1,\"kind\":\"ai_event\",\"payload\":{\"event\":\"riot\",\"confidence\":1}}").await.unwrap();
    let err = tokio::time::timeout(WAIT, errors.recv()).await.expect("an error reply").unwrap();
    assert!(err.contains("payload.event"), "{err}");
}
