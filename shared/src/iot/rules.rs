//! The alarm rules: a message changes a device's state, the state raises or clears alarms.

use super::{AiEvent, DeviceState, OpenAlarm, Parsed, Reading, Rule, Watch, HOUR};
use crate::case::Urgency;
use crate::device::DeviceKind;

/// A change to a device's alarms.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A new alarm (there was none open for this rule).
    Raise { rule: Rule, level: Urgency, detail: String },
    /// The open alarm's level changed (a river rising from warning to danger, or falling back).
    Level { rule: Rule, level: Urgency, detail: String },
    /// The condition ended.
    Clear { rule: Rule },
}

/// Sets the open alarm of `rule` to `level` (or clears it with `None`), recording the change.
fn set(state: &mut DeviceState, out: &mut Vec<Change>, rule: Rule, level: Option<Urgency>, now: i64, detail: impl FnOnce() -> String) {
    let current = state.open.iter().position(|a| a.rule == rule);
    match (current, level) {
        (None, Some(level)) => {
            state.open.push(OpenAlarm { rule, level, since: now });
            out.push(Change::Raise { rule, level, detail: detail() });
        }
        (Some(i), Some(level)) if state.open[i].level != level => {
            state.open[i].level = level;
            out.push(Change::Level { rule, level, detail: detail() });
        }
        (Some(i), None) => {
            state.open.remove(i);
            out.push(Change::Clear { rule });
        }
        _ => {}
    }
}

fn fmt_hours(ms: i64) -> String {
    let h = ms as f64 / HOUR as f64;
    if h >= 10.0 { format!("{h:.0}") } else { format!("{h:.1}") }
}

/// Applies one stored message (`ts` on the device's clock, received at `now`) to the device's
/// state, and returns the alarms it raised, changed or cleared (including the timer rules,
/// evaluated at `now`). A reading older than the one the state already holds is kept in the
/// message log but changes nothing.
pub fn apply(w: &Watch, state: &mut DeviceState, msg: &Parsed, ts: i64, now: i64) -> Vec<Change> {
    let mut out = Vec::new();
    let p = w.profile;
    state.messages += 1;
    state.last_heard = Some(state.last_heard.map_or(now, |h| h.max(now)));
    state.last_ts = Some(state.last_ts.map_or(ts, |t| t.max(ts)));
    state.first_ts = Some(state.first_ts.map_or(ts, |t| t.min(ts)));
    if let Some(b) = msg.battery {
        if ts >= state.battery_ts {
            state.battery = Some(b);
            state.battery_ts = ts;
        }
    }
    match msg.reading {
        Reading::Heartbeat => {}
        Reading::Door { open } => {
            if open {
                state.last_open = Some(state.last_open.map_or(ts, |t| t.max(ts)));
            }
        }
        Reading::Smoke { alarm } => {
            if ts >= state.smoke_ts {
                state.smoke = alarm;
                state.smoke_ts = ts;
                set(state, &mut out, Rule::Smoke, alarm.then_some(Urgency::Critical), now, || "烟感探测器报警".into());
            }
        }
        Reading::Temperature { celsius } => {
            if ts >= state.value_ts {
                state.value = Some(celsius);
                state.value_ts = ts;
                let open = state.open_alarm(Rule::Temperature).is_some();
                let hot = celsius >= p.temp_alarm || (open && celsius >= p.temp_alarm - p.temp_hysteresis);
                set(state, &mut out, Rule::Temperature, hot.then_some(Urgency::High), now, || format!("温度 {celsius:.1} ℃（报警值 {:.0} ℃）", p.temp_alarm));
            }
        }
        Reading::WaterLevel { metres } => {
            if ts >= state.value_ts {
                state.value = Some(metres);
                state.value_ts = ts;
                let current = state.open_alarm(Rule::WaterLevel).map(|a| a.level);
                let h = p.water_hysteresis;
                let danger = metres >= p.water_danger || (current == Some(Urgency::Critical) && metres > p.water_danger - h);
                let warning = metres >= p.water_warning || (current.is_some() && metres > p.water_warning - h);
                let level = if danger { Some(Urgency::Critical) } else if warning { Some(Urgency::High) } else { None };
                set(state, &mut out, Rule::WaterLevel, level, now, || {
                    if danger {
                        format!("水位 {metres:.2} 米，超保证水位 {:.1} 米", p.water_danger)
                    } else {
                        format!("水位 {metres:.2} 米，超警戒水位 {:.1} 米", p.water_warning)
                    }
                });
            }
        }
        Reading::AiEvent { event, confidence, count } => {
            let rule = Rule::of_ai(event);
            let enough = confidence >= p.ai_confidence && (event != AiEvent::Crowd || count.unwrap_or(0) >= p.crowd_min);
            // A detection older than the quiet period describes a scene that is over.
            if enough && now - ts <= p.ai_quiet {
                match state.ai_seen.iter_mut().find(|(r, _)| *r == rule) {
                    Some((_, t)) => *t = (*t).max(ts),
                    None => state.ai_seen.push((rule, ts)),
                }
                let level = match event {
                    AiEvent::Fire | AiEvent::Fall => Urgency::Critical,
                    AiEvent::Smoke | AiEvent::Crowd => Urgency::High,
                };
                set(state, &mut out, rule, Some(level), now, || match count {
                    Some(c) if event == AiEvent::Crowd => format!("识别到约 {c} 人聚集（置信度 {:.0}%）", confidence * 100.0),
                    _ => format!("{}（置信度 {:.0}%）", rule.name_zh(), confidence * 100.0),
                });
            }
        }
    }
    if let Some(b) = state.battery {
        let low = state.open_alarm(Rule::LowBattery).is_some();
        let is_low = b < p.battery_low || (low && b < p.battery_ok);
        set(state, &mut out, Rule::LowBattery, is_low.then_some(Urgency::Normal), now, || format!("电量 {b}%"));
    }
    out.extend(check(w, state, now));
    out
}

/// The timer rules at `now`: offline, a resident in care without a door opening, camera
/// alarms that have gone quiet. Runs after every message and whenever [`next_check`] is due,
/// so that an alarm fires on time even if no further message arrives.
pub fn check(w: &Watch, state: &mut DeviceState, now: i64) -> Vec<Change> {
    let mut out = Vec::new();
    let p = w.profile;
    if let Some(heard) = state.last_heard {
        let silent = now - heard;
        let offline = silent > p.offline_after;
        set(state, &mut out, Rule::Offline, offline.then_some(Urgency::Medium), now, || format!("已 {} 小时未收到任何消息", fmt_hours(silent)));
    }
    if let (DeviceKind::DoorSensor, Some(hours)) = (w.kind, w.absence_hours) {
        if let Some(since) = state.last_open.or(state.first_ts) {
            let quiet = now - since;
            let absent = quiet >= hours * HOUR;
            let opened = state.last_open.is_some();
            set(state, &mut out, Rule::NoActivity, absent.then_some(Urgency::High), now, || {
                if opened {
                    format!("已 {} 小时无开门记录（阈值 {hours} 小时）", fmt_hours(quiet))
                } else {
                    format!("接入 {} 小时以来无开门记录（阈值 {hours} 小时）", fmt_hours(quiet))
                }
            });
        }
    } else if state.open_alarm(Rule::NoActivity).is_some() {
        // The resident is no longer in care (or the limit was removed).
        set(state, &mut out, Rule::NoActivity, None, now, String::new);
    }
    let quiet: Vec<Rule> = state
        .open
        .iter()
        .filter(|a| matches!(a.rule, Rule::AiCrowd | Rule::AiFire | Rule::AiSmoke | Rule::AiFall))
        .filter(|a| {
            let seen = state.ai_seen.iter().find(|(r, _)| *r == a.rule).map_or(a.since, |s| s.1);
            now - seen > p.ai_quiet
        })
        .map(|a| a.rule)
        .collect();
    for rule in quiet {
        set(state, &mut out, rule, None, now, String::new);
    }
    out
}

/// The earliest time after which [`check`] may change something, if any.
pub fn next_check(w: &Watch, state: &DeviceState) -> Option<i64> {
    let p = w.profile;
    let mut next: Option<i64> = None;
    let mut at = |t: i64| next = Some(next.map_or(t, |n| n.min(t)));
    if let Some(heard) = state.last_heard {
        if state.open_alarm(Rule::Offline).is_none() {
            at(heard + p.offline_after + 1);
        }
    }
    if let (DeviceKind::DoorSensor, Some(hours)) = (w.kind, w.absence_hours) {
        if let (Some(since), None) = (state.last_open.or(state.first_ts), state.open_alarm(Rule::NoActivity)) {
            at(since + hours * HOUR);
        }
    }
    for a in &state.open {
        if matches!(a.rule, Rule::AiCrowd | Rule::AiFire | Rule::AiSmoke | Rule::AiFall) {
            let seen = state.ai_seen.iter().find(|(r, _)| *r == a.rule).map_or(a.since, |s| s.1);
            at(seen + p.ai_quiet + 1);
        }
    }
    next
}

/// Whether a reading could raise a safety alarm on this device (smoke, heat, water, a camera
/// event): such messages are stored ahead of everyday traffic.
pub fn may_alarm(w: &Watch, r: &Reading) -> bool {
    let p = w.profile;
    match *r {
        Reading::Smoke { alarm } => alarm,
        Reading::AiEvent { .. } => true,
        Reading::Temperature { celsius } => celsius >= p.temp_alarm - p.temp_hysteresis,
        Reading::WaterLevel { metres } => metres >= p.water_warning - p.water_hysteresis,
        Reading::Heartbeat | Reading::Door { .. } => false,
    }
}
