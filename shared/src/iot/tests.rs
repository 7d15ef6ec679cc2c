use super::*;
use serde_json::json;

const NOW: i64 = 1_790_000_000_000;

fn watch(kind: DeviceKind) -> Watch {
    Watch { kind, profile: default_profile(kind), absence_hours: None }
}

fn care() -> Watch {
    Watch { absence_hours: Some(24), ..watch(DeviceKind::DoorSensor) }
}

fn msg(w: &Watch, kind: &str, payload: serde_json::Value) -> Parsed {
    parse(w.kind, kind, &payload).unwrap()
}

/// Feeds `(kind, payload, ts)` messages received at `now`; returns the rules raised, changed
/// or cleared, as short strings.
fn feed(w: &Watch, s: &mut DeviceState, msgs: &[(&str, serde_json::Value, i64)], now: i64) -> Vec<String> {
    msgs.iter()
        .flat_map(|(k, p, ts)| apply(w, s, &msg(w, k, p.clone()), *ts, now))
        .map(|c| match c {
            Change::Raise { rule, level, .. } => format!("raise {} {}", rule.code(), level.code()),
            Change::Level { rule, level, .. } => format!("level {} {}", rule.code(), level.code()),
            Change::Clear { rule } => format!("clear {}", rule.code()),
        })
        .collect()
}

#[test]
fn payloads_are_checked_against_the_device() {
    let cases: &[(DeviceKind, &str, serde_json::Value, Option<&str>)] = &[
        (DeviceKind::DoorSensor, "door", json!({"open": true, "battery": 88}), None),
        (DeviceKind::DoorSensor, "door", json!({"open": "yes"}), Some("payload.open")),
        (DeviceKind::DoorSensor, "smoke", json!({"alarm": true}), Some("门磁不会发送「smoke」")),
        (DeviceKind::SmokeDetector, "smoke", json!({"alarm": true}), None),
        (DeviceKind::SmokeDetector, "temperature", json!({"celsius": 900}), Some("超出量程")),
        (DeviceKind::WaterLevelGauge, "water_level", json!({"metres": 181.2}), None),
        (DeviceKind::WaterLevelGauge, "water_level", json!({}), Some("payload.metres")),
        (DeviceKind::Camera, "ai_event", json!({"event": "crowd", "confidence": 0.9, "count": 80}), None),
        (DeviceKind::Camera, "ai_event", json!({"event": "crowd", "confidence": 0.9}), Some("人数")),
        (DeviceKind::Camera, "ai_event", json!({"event": "riot", "confidence": 0.9}), Some("payload.event")),
        (DeviceKind::Camera, "ai_event", json!({"event": "fire", "confidence": 1.5}), Some("confidence")),
        (DeviceKind::Camera, "heartbeat", json!({"battery": 101}), Some("battery")),
        (DeviceKind::Camera, "heartbeat", json!([1, 2]), Some("JSON 对象")),
        (DeviceKind::Camera, "reboot", json!({}), Some("未知的消息类型「reboot」")),
    ];
    for (kind, k, payload, err) in cases {
        match (parse(*kind, k, payload), err) {
            (Ok(_), None) => {}
            (Err(e), Some(want)) => assert!(e.contains(want), "{k} {payload}: {e} lacks {want}"),
            (got, _) => panic!("{k} {payload}: {got:?}, wanted error {err:?}"),
        }
    }
}

#[test]
fn envelopes_refuse_empty_ids_and_future_timestamps() {
    let m = |id: &str, ts| WireMessage { device_id: "YG-1".into(), msg_id: id.into(), ts, kind: "heartbeat".into(), payload: json!({}) };
    assert!(check_envelope(&m("a", NOW), NOW).is_ok());
    assert!(check_envelope(&m("a", NOW - 30 * 24 * HOUR), NOW).is_ok(), "late messages are fine");
    assert!(check_envelope(&m("", NOW), NOW).unwrap_err().contains("msg_id"));
    assert!(check_envelope(&m(&"x".repeat(65), NOW), NOW).unwrap_err().contains("msg_id"));
    assert!(check_envelope(&m("a", NOW + 10 * MINUTE), NOW).unwrap_err().contains("校准"));
}

#[test]
fn the_door_sensor_raises_a_care_alarm_after_24_hours_without_opening_even_while_online() {
    let w = care();
    let mut s = DeviceState::default();
    // Opened 25 hours ago, heartbeats every hour since: online, but nobody opened the door.
    let mut msgs = vec![("door", json!({"open": true}), NOW - 25 * HOUR)];
    for h in (0..25).rev() {
        msgs.push(("heartbeat", json!({"battery": 80}), NOW - h * HOUR));
    }
    // Delivered as they happened (received at their own time): the alarm fires at 24 h.
    let mut got = Vec::new();
    for (k, p, ts) in &msgs {
        got.extend(feed(&w, &mut s, &[(k, p.clone(), *ts)], *ts));
    }
    assert_eq!(got, vec!["raise no_activity high"]);
    assert!(s.online(w.profile, NOW));
    // A door opening ends it.
    assert_eq!(feed(&w, &mut s, &[("door", json!({"open": true}), NOW + MINUTE)], NOW + MINUTE), vec!["clear no_activity"]);
    // A closing is not activity the rule counts, and heartbeats are not either.
    let later = NOW + MINUTE + 24 * HOUR;
    assert_eq!(feed(&w, &mut s, &[("door", json!({"open": false}), later - HOUR)], later - HOUR), Vec::<String>::new());
    assert_eq!(check(&w, &mut s, later).len(), 1);
}

#[test]
fn back_dated_messages_raise_the_care_alarm_at_once_and_only_once() {
    let w = care();
    let mut s = DeviceState::default();
    let msgs: Vec<_> = [25, 20, 10, 1].iter().map(|h| ("heartbeat", json!({}), NOW - h * HOUR)).collect();
    let mut all = feed(&w, &mut s, &[("door", json!({"open": true}), NOW - 25 * HOUR)], NOW);
    all.extend(feed(&w, &mut s, &msgs, NOW));
    assert_eq!(all, vec!["raise no_activity high"]);
    // A late opening older than the newest one changes nothing.
    assert!(feed(&w, &mut s, &[("door", json!({"open": true}), NOW - 26 * HOUR)], NOW).is_empty());
    // A late opening that is recent clears it.
    assert_eq!(feed(&w, &mut s, &[("door", json!({"open": true}), NOW - 2 * HOUR)], NOW), vec!["clear no_activity"]);
}

#[test]
fn door_sensors_of_residents_not_in_care_raise_no_care_alarm() {
    let w = watch(DeviceKind::DoorSensor);
    let mut s = DeviceState::default();
    assert!(feed(&w, &mut s, &[("door", json!({"open": true}), NOW - 48 * HOUR)], NOW - 47 * HOUR).is_empty());
    assert!(check(&w, &mut s, NOW - 46 * HOUR).is_empty());
}

#[test]
fn the_timer_fires_without_any_further_message() {
    let w = care();
    let mut s = DeviceState::default();
    feed(&w, &mut s, &[("door", json!({"open": true}), NOW)], NOW);
    let due = next_check(&w, &s).unwrap();
    // Offline (3 h) comes first, then the care alarm at 24 h.
    assert_eq!(due, NOW + 3 * HOUR + 1);
    let changes = check(&w, &mut s, due);
    assert!(matches!(changes[..], [Change::Raise { rule: Rule::Offline, .. }]));
    assert_eq!(next_check(&w, &s), Some(NOW + 24 * HOUR));
    let changes = check(&w, &mut s, NOW + 24 * HOUR);
    assert!(matches!(&changes[..], [Change::Raise { rule: Rule::NoActivity, detail, .. }] if detail.contains("24 小时")), "{changes:?}");
    // Nothing more is due until something changes: both alarms are open.
    assert_eq!(next_check(&w, &s), None);
    assert!(check(&w, &mut s, NOW + 48 * HOUR).is_empty(), "one open alarm per rule");
    // A heartbeat brings it back online; the care alarm stays.
    let got = feed(&w, &mut s, &[("heartbeat", json!({}), NOW + 48 * HOUR)], NOW + 48 * HOUR);
    assert_eq!(got, vec!["clear offline"]);
}

#[test]
fn water_levels_rise_through_warning_to_danger_and_fall_back_with_hysteresis() {
    let w = watch(DeviceKind::WaterLevelGauge);
    let mut s = DeviceState::default();
    let table: &[(f64, &[&str])] = &[
        (178.0, &[]),
        (180.4, &[]),
        (180.5, &["raise water_level high"]),
        (180.3, &[]), // within the hysteresis: still a warning
        (183.6, &["level water_level critical"]),
        (183.3, &[]), // still danger within 0.3 m
        (183.1, &["level water_level high"]),
        (180.21, &[]),
        (180.1, &["clear water_level"]),
        (180.4, &[]), // below the warning level again: no new alarm
    ];
    for (i, (m, want)) in table.iter().enumerate() {
        let ts = NOW + i as i64 * MINUTE;
        assert_eq!(feed(&w, &mut s, &[("water_level", json!({"metres": m}), ts)], ts), *want, "at {m}");
    }
}

#[test]
fn a_late_reading_is_stored_but_does_not_change_the_state() {
    let w = watch(DeviceKind::SmokeDetector);
    let mut s = DeviceState::default();
    assert_eq!(feed(&w, &mut s, &[("smoke", json!({"alarm": true}), NOW)], NOW), vec!["raise smoke critical"]);
    // The all-clear measured before the alarm arrives late: the alarm stays.
    assert!(feed(&w, &mut s, &[("smoke", json!({"alarm": false}), NOW - MINUTE)], NOW).is_empty());
    assert!(s.smoke);
    // Repeats of the alarm do not raise it again.
    assert!(feed(&w, &mut s, &[("smoke", json!({"alarm": true}), NOW + MINUTE)], NOW + MINUTE).is_empty());
    assert_eq!(feed(&w, &mut s, &[("smoke", json!({"alarm": false}), NOW + 2 * MINUTE)], NOW + 2 * MINUTE), vec!["clear smoke"]);
}

#[test]
fn temperature_and_battery_have_hysteresis() {
    let w = watch(DeviceKind::SmokeDetector);
    let mut s = DeviceState::default();
    let seq: &[(&str, serde_json::Value, &[&str])] = &[
        ("temperature", json!({"celsius": 59.9, "battery": 25}), &[]),
        ("temperature", json!({"celsius": 61, "battery": 19}), &["raise temperature high", "raise low_battery normal"]),
        ("temperature", json!({"celsius": 52, "battery": 25}), &[]),
        ("temperature", json!({"celsius": 49, "battery": 30}), &["clear temperature", "clear low_battery"]),
    ];
    for (i, (k, p, want)) in seq.iter().enumerate() {
        let ts = NOW + i as i64 * MINUTE;
        assert_eq!(feed(&w, &mut s, &[(k, p.clone(), ts)], ts), *want, "{p}");
    }
}

#[test]
fn camera_alerts_need_confidence_and_a_crowd_and_clear_when_quiet() {
    let w = watch(DeviceKind::Camera);
    let mut s = DeviceState::default();
    let ai = |event: &str, confidence: f64, count: Option<u32>| json!({"event": event, "confidence": confidence, "count": count});
    assert!(feed(&w, &mut s, &[("ai_event", ai("crowd", 0.95, Some(30)), NOW)], NOW).is_empty(), "30 people are not a crowd");
    assert!(feed(&w, &mut s, &[("ai_event", ai("fire", 0.4, None), NOW)], NOW).is_empty(), "low confidence");
    assert_eq!(feed(&w, &mut s, &[("ai_event", ai("crowd", 0.9, Some(80)), NOW)], NOW), vec!["raise ai_crowd high"]);
    assert_eq!(feed(&w, &mut s, &[("ai_event", ai("fall", 0.8, None), NOW)], NOW), vec!["raise ai_fall critical"]);
    // Seen again five minutes later: still the same alarm.
    assert!(feed(&w, &mut s, &[("ai_event", ai("crowd", 0.9, Some(85)), NOW + 5 * MINUTE)], NOW + 5 * MINUTE).is_empty());
    // The fall goes quiet first (10 minutes after it was seen), then the crowd.
    assert_eq!(next_check(&w, &s), Some(NOW + 10 * MINUTE + 1));
    let cleared: Vec<Rule> = check(&w, &mut s, NOW + 10 * MINUTE + 1).into_iter().map(|c| match c { Change::Clear { rule } => rule, c => panic!("{c:?}") }).collect();
    assert_eq!(cleared, vec![Rule::AiFall]);
    // By then the camera has also been silent for longer than its profile allows.
    let later = check(&w, &mut s, NOW + 15 * MINUTE + 1);
    assert!(matches!(later[..], [Change::Raise { rule: Rule::Offline, .. }, Change::Clear { rule: Rule::AiCrowd }]), "{later:?}");
    // A detection older than the quiet period is history, not an alarm (the message itself
    // shows the camera is back online).
    assert_eq!(feed(&w, &mut s, &[("ai_event", ai("fire", 0.99, None), NOW)], NOW + 20 * MINUTE), vec!["clear offline"]);
}

#[test]
fn every_alarm_rule_names_a_category_that_exists_or_none() {
    for r in Rule::ALL {
        assert_eq!(Rule::from_code(r.code()), Some(r));
        if let Some(c) = r.case_category() {
            assert!(crate::case::category(c).is_some(), "{c}");
        }
    }
    for k in DeviceKind::ALL {
        assert_eq!(default_profile(k).kind, k);
    }
}

#[test]
fn a_device_import_reports_every_bad_row() {
    let rows = |v: &[&str]| -> Vec<(usize, Vec<String>)> { v.iter().enumerate().map(|(i, r)| (i + 2, r.split(',').map(String::from).collect())).collect() };
    let devices = parse_rows(&rows(&["YG-9,smoke_detector,NB-YG-3000,,12,3,,,,", "SW-9,水位计,RLG-80,gauge-river,,,,,106.45,29.58"])).unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].floor, Some(3));
    assert_eq!((devices[1].kind, devices[1].lon), (DeviceKind::WaterLevelGauge, Some(106.45)));
    let errors = parse_rows(&rows(&["YG-9,toaster,X,,,,,,,", "YG-10,smoke_detector,X,,twelve,,,,,", "YG-11,camera", "示例-0001,烟感,NB,,,,,,,"])).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].starts_with("第 2 行") && errors[0].contains("toaster"));
    assert!(errors[1].contains("楼栋编号 building_id") && errors[1].contains("twelve"));
    assert_eq!(errors[2], "第 4 行：型号为空");
    assert_eq!(errors[3], "第 5 行：这是模板中的示例行，请删除后再导入");
}

#[test]
fn a_payload_is_bounded_like_every_other_field() {
    let big = serde_json::json!({ "open": true, "extra": "x".repeat(PAYLOAD_MAX_BYTES) });
    let e = parse(DeviceKind::DoorSensor, "door", &big).unwrap_err();
    assert!(e.contains("payload 过大"), "{e}");
    assert!(parse(DeviceKind::DoorSensor, "door", &serde_json::json!({ "open": true, "extra": "x".repeat(100) })).is_ok());
}
