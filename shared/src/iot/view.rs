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

/// The columns of a device import, in the CSV's order: a workbook's header row is matched to
/// them by name (the English names are the CSV's header line).
pub const DEVICE_COLUMNS: [crate::import::Column; 10] = {
    use crate::import::Column;
    [
        Column { zh: "设备编号", en: "code", aliases: &["编号", "设备号"], required: true, example: "示例-0001", hint: "已有编号的设备按新内容更新" },
        Column { zh: "设备类型", en: "kind", aliases: &["类型"], required: true, example: "烟感", hint: "烟感、门磁、摄像头、水位计（或 smoke_detector、door_sensor、camera、water_level_gauge）" },
        Column { zh: "型号", en: "model", aliases: &["设备型号"], required: true, example: "NB-YG-3000", hint: "" },
        Column { zh: "告警规则", en: "profile", aliases: &["规则"], required: false, example: "", hint: "不填按设备类型的默认规则" },
        Column { zh: "楼栋编号", en: "building_id", aliases: &["楼栋ID"], required: false, example: "1", hint: "楼栋的编号（见楼栋页或地理数据导出）" },
        Column { zh: "楼层", en: "floor", aliases: &[], required: false, example: "3", hint: "" },
        Column { zh: "住户编号", en: "household_id", aliases: &[], required: false, example: "", hint: "门磁：所在住户" },
        Column { zh: "居民编号", en: "resident_id", aliases: &[], required: false, example: "", hint: "门磁：守护的独居老人" },
        Column { zh: "经度", en: "lon", aliases: &["longitude"], required: false, example: "", hint: "不在楼栋内的设备（如水位计）填经纬度" },
        Column { zh: "纬度", en: "lat", aliases: &["latitude"], required: false, example: "", hint: "" },
    ]
};

/// Reads devices from rows whose cells are in [`DEVICE_COLUMNS`]' order (`(line, cells)`, a
/// missing cell blank): every bad row named with its line, nothing unless every row is good.
pub fn parse_rows(rows: &[(usize, Vec<String>)]) -> Result<Vec<NewDevice>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, f) in rows {
        let n = *n;
        let cell = |i: usize| f.get(i).map(|c| c.trim()).unwrap_or_default();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        macro_rules! num {
            ($i:expr) => {
                match cell($i) {
                    "" => None,
                    s => match s.parse() {
                        Ok(v) => Some(v),
                        Err(_) => {
                            errors.push(format!("第 {n} 行：{} {} 「{s}」不是数字", DEVICE_COLUMNS[$i].zh, DEVICE_COLUMNS[$i].en));
                            continue;
                        }
                    },
                }
            };
        }
        let Some(kind) = DeviceKind::from_code(cell(1)).or_else(|| DeviceKind::ALL.into_iter().find(|k| k.name_zh() == cell(1))) else {
            errors.push(format!("第 {n} 行：没有设备类型「{}」（烟感、门磁、摄像头、水位计）", cell(1)));
            continue;
        };
        if cell(0) == DEVICE_COLUMNS[0].example {
            errors.push(format!("第 {n} 行：这是模板中的示例行，请删除后再导入"));
            continue;
        }
        if cell(0).is_empty() || cell(2).is_empty() {
            errors.push(format!("第 {n} 行：{}为空", if cell(0).is_empty() { "设备编号" } else { "型号" }));
            continue;
        }
        out.push(NewDevice {
            code: cell(0).into(),
            kind,
            model: cell(2).into(),
            profile: opt(cell(3)),
            building_id: num!(4),
            floor: num!(5),
            household_id: num!(6),
            resident_id: num!(7),
            lon: num!(8),
            lat: num!(9),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
