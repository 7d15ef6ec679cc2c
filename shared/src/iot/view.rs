//! The shapes the device screens and the API share: alarms, devices, messages, health, and
//! devices to register or import.

use super::{OpenAlarm, Outcome, Rule};
use crate::case::Urgency;
use crate::device::DeviceKind;
use serde::{Deserialize, Serialize};

/// An alarm as lists and pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmView {
    pub id: i64,
    pub device_id: i64,
    pub device_code: String,
    pub device_kind: DeviceKind,
    pub rule: Rule,
    pub level: Urgency,
    pub detail: String,
    pub raised_at: i64,
    /// When the condition ended (the alarm cleared itself).
    pub cleared_at: Option<i64>,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    pub outcome: Option<Outcome>,
    pub outcome_note: String,
    pub address: String,
}

/// A device as lists and its page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub code: String,
    pub kind: DeviceKind,
    pub model: String,
    pub profile: String,
    pub address: String,
    pub floor: Option<i32>,
    pub grid_id: i64,
    pub grid_name: String,
    /// The resident it watches over, masked.
    pub resident: Option<String>,
    pub online: bool,
    pub last_heard: Option<i64>,
    pub battery: Option<u8>,
    pub value: Option<f64>,
    pub last_open: Option<i64>,
    pub open_alarms: Vec<OpenAlarm>,
    pub retired: bool,
    /// Where it is registered, as the edit form needs it.
    pub building_id: Option<i64>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    /// The profile's code (the kind's standard one when none was chosen).
    pub profile_code: String,
    pub lon: f64,
    pub lat: f64,
    /// Hours without a door opening before the care alarm, when the device watches over a
    /// resident in care (独居老人).
    pub absence_hours: Option<i64>,
    /// Whether the device has been issued its own secret.
    pub has_secret: bool,
}

/// A stored message, as the device page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub msg_id: String,
    pub ts: i64,
    pub received_at: i64,
    pub kind: String,
    pub payload: String,
}

/// False alarms of one rule (or one device).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FalseAlarmRate {
    /// The rule's code, or the device's code.
    pub key: String,
    pub name: String,
    /// Alarms with an outcome.
    pub concluded: i64,
    pub false_alarms: i64,
}

impl FalseAlarmRate {
    /// Percent of concluded alarms that were false, if any were concluded.
    pub fn percent(&self) -> Option<f64> {
        (self.concluded > 0).then(|| self.false_alarms as f64 * 100.0 / self.concluded as f64)
    }
}

/// The device-health summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Devices in service (not retired), per kind: (kind, total, online, never heard).
    pub kinds: Vec<(DeviceKind, i64, i64, i64)>,
    pub low_battery: Vec<DeviceView>,
    pub open_alarms: i64,
    pub by_rule: Vec<FalseAlarmRate>,
    /// The devices with the most false alarms.
    pub by_device: Vec<FalseAlarmRate>,
}

/// Filters of the device list.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct DeviceQuery {
    pub kind: Option<String>,
    pub grid: Option<i64>,
    /// `online`, `offline`, `never` (never heard), `alarm` (an open alarm), `low_battery`.
    pub status: Option<String>,
    /// Part of the device code or address.
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// A page of the device list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceList {
    pub total: usize,
    pub devices: Vec<DeviceView>,
}

/// A device's page: the device, its newest messages, its alarms.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DevicePage {
    pub device: DeviceView,
    pub messages: Vec<MessageView>,
    pub alarms: Vec<AlarmView>,
}

/// A device row to register or import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewDevice {
    pub code: String,
    pub kind: DeviceKind,
    pub model: String,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub building_id: Option<i64>,
    #[serde(default)]
    pub floor: Option<i32>,
    #[serde(default)]
    pub household_id: Option<i64>,
    #[serde(default)]
    pub resident_id: Option<i64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
}

/// Reads devices from CSV (`code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat`,
/// with a header line). Every bad line is reported with its number; nothing is returned
/// unless every line is good.
pub fn parse_csv(text: &str) -> Result<Vec<NewDevice>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h.trim_start_matches('\u{feff}').split(',').next().map(str::trim) == Some("code") => {}
        _ => return Err(vec!["第 1 行应为表头：code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat".into()]),
    }
    for (i, line) in lines {
        let n = i + 1;
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != 10 {
            errors.push(format!("第 {n} 行：应有 10 列，实有 {} 列", f.len()));
            continue;
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        macro_rules! num {
            ($s:expr, $name:literal) => {
                match $s {
                    "" => None,
                    s => match s.parse() {
                        Ok(v) => Some(v),
                        Err(_) => {
                            errors.push(format!("第 {n} 行：{} 「{s}」不是数字", $name));
                            continue;
                        }
                    },
                }
            };
        }
        let Some(kind) = DeviceKind::from_code(f[1]) else {
            errors.push(format!("第 {n} 行：没有设备类型「{}」（smoke_detector、door_sensor、camera、water_level_gauge）", f[1]));
            continue;
        };
        if f[0].is_empty() {
            errors.push(format!("第 {n} 行：设备编号为空"));
            continue;
        }
        out.push(NewDevice {
            code: f[0].into(),
            kind,
            model: f[2].into(),
            profile: opt(f[3]),
            building_id: num!(f[4], "building_id"),
            floor: num!(f[5], "floor"),
            household_id: num!(f[6], "household_id"),
            resident_id: num!(f[7], "resident_id"),
            lon: num!(f[8], "lon"),
            lat: num!(f[9], "lat"),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
