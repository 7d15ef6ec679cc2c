//! IoT messages and alarm rules: what a device's message means, what state a device is in,
//! and which alarms that state raises or clears. Pure: the server stores messages, keeps the
//! state, schedules the timer checks and opens cases; the decisions are made here.
//!
//! Every function takes the time it is evaluated at (`now`, the server's clock) apart from the
//! message's own timestamp (`ts`, the device's clock): messages may arrive late and out of
//! order, and the rules only let a reading change the state when it is newer than the one
//! that set it.

use crate::case::Urgency;
use crate::device::DeviceKind;
use serde::{Deserialize, Serialize};

mod rules;
mod view;
#[cfg(test)]
mod tests;

pub use rules::{apply, check, may_alarm, next_check, Change};
pub use view::{parse_rows, DEVICE_COLUMNS, AlarmView, DeviceList, DevicePage, DeviceQuery, DeviceView, FalseAlarmRate, Health, MessageView, NewDevice};

/// One minute in milliseconds.
pub const MINUTE: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR: i64 = 60 * MINUTE;

/// How far a message's timestamp may lie ahead of the server's clock (clock drift).
pub const MAX_CLOCK_AHEAD: i64 = 5 * MINUTE;

/// The longest `msg_id` accepted.
pub const MAX_MSG_ID: usize = 64;

/// A message as a device (or its platform) sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireMessage {
    /// The device's code, e.g. `MC-000123`. May be left out on MQTT, where the topic names it.
    #[serde(default)]
    pub device_id: String,
    /// Unique per device: a repeated `(device_id, msg_id)` is stored once.
    pub msg_id: String,
    /// When the device measured it, milliseconds since the Unix epoch.
    pub ts: i64,
    /// `heartbeat`, `door`, `smoke`, `temperature`, `water_level` or `ai_event`.
    pub kind: String,
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// What the camera's AI reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiEvent {
    /// 人员聚集, with a head count.
    Crowd,
    Fire,
    Smoke,
    /// 人员倒地
    Fall,
}

/// A message's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reading {
    Heartbeat,
    Door { open: bool },
    Smoke { alarm: bool },
    Temperature { celsius: f64 },
    WaterLevel { metres: f64 },
    AiEvent { event: AiEvent, confidence: f64, count: Option<u32> },
}

/// A message checked against its device: the reading and the battery level it reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parsed {
    pub reading: Reading,
    /// Percent, when the message carries it.
    pub battery: Option<u8>,
}

fn number(payload: &serde_json::Value, field: &str) -> Result<f64, String> {
    payload
        .get(field)
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("payload.{field} 缺失或不是数字"))
}

fn flag(payload: &serde_json::Value, field: &str) -> Result<bool, String> {
    payload.get(field).and_then(|v| v.as_bool()).ok_or_else(|| format!("payload.{field} 缺失或不是 true/false"))
}

/// The largest payload a message may carry, serialised, in bytes.
pub const PAYLOAD_MAX_BYTES: usize = 4096;

/// Checks a message's kind and payload against the kind of device that sent it.
pub fn parse(device: DeviceKind, kind: &str, payload: &serde_json::Value) -> Result<Parsed, String> {
    use DeviceKind as D;
    if !(payload.is_object() || payload.is_null()) {
        return Err("payload 必须是 JSON 对象".into());
    }
    // What is stored is what was sent: a payload is bounded like every other field.
    let size = payload.to_string().len();
    if size > PAYLOAD_MAX_BYTES {
        return Err(format!("payload 过大（{size} 字节，最多 {PAYLOAD_MAX_BYTES} 字节）"));
    }
    let reading = match (kind, device) {
        ("heartbeat", _) => Reading::Heartbeat,
        ("door", D::DoorSensor) => Reading::Door { open: flag(payload, "open")? },
        ("smoke", D::SmokeDetector) => Reading::Smoke { alarm: flag(payload, "alarm")? },
        ("temperature", D::SmokeDetector) => {
            let celsius = number(payload, "celsius")?;
            if !(-50.0..=300.0).contains(&celsius) {
                return Err(format!("payload.celsius {celsius} 超出量程（-50–300 ℃）"));
            }
            Reading::Temperature { celsius }
        }
        ("water_level", D::WaterLevelGauge) => {
            let metres = number(payload, "metres")?;
            if !(100.0..=250.0).contains(&metres) {
                return Err(format!("payload.metres {metres} 超出量程（100–250 米，吴淞高程）"));
            }
            Reading::WaterLevel { metres }
        }
        ("ai_event", D::Camera) => {
            let event = payload
                .get("event")
                .cloned()
                .and_then(|v| serde_json::from_value::<AiEvent>(v).ok())
                .ok_or("payload.event 应为 crowd、fire、smoke 或 fall")?;
            let confidence = number(payload, "confidence")?;
            if !(0.0..=1.0).contains(&confidence) {
                return Err(format!("payload.confidence {confidence} 应在 0–1 之间"));
            }
            let count = match payload.get("count") {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => Some(v.as_u64().filter(|c| *c <= 100_000).ok_or("payload.count 应为人数（非负整数）")? as u32),
            };
            if event == AiEvent::Crowd && count.is_none() {
                return Err("人员聚集事件需要 payload.count（人数）".into());
            }
            Reading::AiEvent { event, confidence, count }
        }
        ("door" | "smoke" | "temperature" | "water_level" | "ai_event", _) => {
            return Err(format!("{}不会发送「{kind}」消息", device.name_zh()));
        }
        _ => return Err(format!("未知的消息类型「{kind}」")),
    };
    let battery = match payload.get("battery") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(v.as_u64().filter(|b| *b <= 100).ok_or("payload.battery 应为 0–100 的电量百分比")? as u8),
    };
    Ok(Parsed { reading, battery })
}

/// Checks the envelope of a message: its id and its timestamp.
pub fn check_envelope(m: &WireMessage, now: i64) -> Result<(), String> {
    if m.msg_id.is_empty() || m.msg_id.len() > MAX_MSG_ID {
        return Err(format!("msg_id 不能为空，且不超过 {MAX_MSG_ID} 个字符"));
    }
    if m.ts <= 0 {
        return Err("ts 应为毫秒时间戳".into());
    }
    if m.ts > now + MAX_CLOCK_AHEAD {
        return Err(format!("ts 比服务器时间晚 {} 分钟，请校准设备时钟", (m.ts - now) / MINUTE));
    }
    Ok(())
}

/// The rules an alarm can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Smoke,
    Temperature,
    WaterLevel,
    /// 独居老人门磁长时间无开门记录
    NoActivity,
    Offline,
    LowBattery,
    AiCrowd,
    AiFire,
    AiSmoke,
    AiFall,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::Smoke,
        Rule::Temperature,
        Rule::WaterLevel,
        Rule::NoActivity,
        Rule::Offline,
        Rule::LowBattery,
        Rule::AiCrowd,
        Rule::AiFire,
        Rule::AiSmoke,
        Rule::AiFall,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::Smoke => "smoke",
            Rule::Temperature => "temperature",
            Rule::WaterLevel => "water_level",
            Rule::NoActivity => "no_activity",
            Rule::Offline => "offline",
            Rule::LowBattery => "low_battery",
            Rule::AiCrowd => "ai_crowd",
            Rule::AiFire => "ai_fire",
            Rule::AiSmoke => "ai_smoke",
            Rule::AiFall => "ai_fall",
        }
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Rule::Smoke => "烟感报警",
            Rule::Temperature => "温度过高",
            Rule::WaterLevel => "水位超警",
            Rule::NoActivity => "独居老人无活动",
            Rule::Offline => "设备离线",
            Rule::LowBattery => "电量低",
            Rule::AiCrowd => "人员聚集",
            Rule::AiFire => "AI 识别火情",
            Rule::AiSmoke => "AI 识别烟雾",
            Rule::AiFall => "人员倒地",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Rule::Smoke => "Smoke alarm",
            Rule::Temperature => "High temperature",
            Rule::WaterLevel => "Water level",
            Rule::NoActivity => "No activity (elderly alone)",
            Rule::Offline => "Device offline",
            Rule::LowBattery => "Low battery",
            Rule::AiCrowd => "Crowd gathering",
            Rule::AiFire => "Fire (AI)",
            Rule::AiSmoke => "Smoke (AI)",
            Rule::AiFall => "Person fallen",
        }
    }

    /// The case category an alarm of this rule opens, or `None` for maintenance alarms
    /// (offline, low battery), which go to the device list, not to the command board.
    pub fn case_category(self) -> Option<&'static str> {
        match self {
            Rule::Smoke => Some("fire.smoke"),
            Rule::Temperature => Some("fire.hazard"),
            Rule::WaterLevel => Some("flood.water_level"),
            Rule::NoActivity => Some("care.elderly_alone"),
            Rule::AiCrowd => Some("order.crowd"),
            Rule::AiFire | Rule::AiSmoke => Some("fire.fire"),
            Rule::AiFall => Some("care.fall"),
            Rule::Offline | Rule::LowBattery => None,
        }
    }

    fn of_ai(e: AiEvent) -> Rule {
        match e {
            AiEvent::Crowd => Rule::AiCrowd,
            AiEvent::Fire => Rule::AiFire,
            AiEvent::Smoke => Rule::AiSmoke,
            AiEvent::Fall => Rule::AiFall,
        }
    }
}

/// Which rules apply to a device and with what limits. Each device names one profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub kind: DeviceKind,
    /// Offline after this long without any message.
    pub offline_after: i64,
    /// Low-battery alarm below this percentage, cleared again at `battery_ok`.
    pub battery_low: u8,
    pub battery_ok: u8,
    /// Temperature alarm at or above, cleared below `temp_alarm - temp_hysteresis`.
    pub temp_alarm: f64,
    pub temp_hysteresis: f64,
    /// Water level: warning and danger levels, metres; hysteresis on the way down.
    pub water_warning: f64,
    pub water_danger: f64,
    pub water_hysteresis: f64,
    /// Camera AI: the least confidence that raises an alarm, and the least head count of a
    /// crowd.
    pub ai_confidence: f64,
    pub crowd_min: u32,
    /// A camera alarm clears when the AI has not seen it again for this long.
    pub ai_quiet: i64,
}

const BASE: Profile = Profile {
    code: "",
    name_zh: "",
    kind: DeviceKind::SmokeDetector,
    offline_after: 25 * HOUR,
    battery_low: 20,
    battery_ok: 30,
    temp_alarm: 60.0,
    temp_hysteresis: 10.0,
    // 嘉陵江磁器口段参照寸滩站：警戒水位 180.5 米，保证水位 183.5 米。
    water_warning: 180.5,
    water_danger: 183.5,
    water_hysteresis: 0.3,
    ai_confidence: 0.6,
    crowd_min: 50,
    ai_quiet: 10 * MINUTE,
};

/// The profiles a device may have.
pub const PROFILES: [Profile; 4] = [
    // NB-IoT smoke detectors report every few hours and at once on alarm.
    Profile { code: "smoke-nb", name_zh: "NB-IoT 独立式烟感", kind: DeviceKind::SmokeDetector, offline_after: 25 * HOUR, ..BASE },
    // Door sensors send a heartbeat every hour.
    Profile { code: "door-care", name_zh: "关爱门磁（每小时心跳）", kind: DeviceKind::DoorSensor, offline_after: 3 * HOUR, ..BASE },
    Profile { code: "camera-ai", name_zh: "AI 摄像头", kind: DeviceKind::Camera, offline_after: 10 * MINUTE, ..BASE },
    Profile { code: "gauge-river", name_zh: "江边水位计（每 5 分钟）", kind: DeviceKind::WaterLevelGauge, offline_after: 30 * MINUTE, ..BASE },
];

/// The profile with `code`.
pub fn profile(code: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.code == code)
}

/// The standard profile for a kind of device.
pub fn default_profile(kind: DeviceKind) -> &'static Profile {
    PROFILES.iter().find(|p| p.kind == kind).expect("every kind has a profile")
}

/// The default for how long a resident in care may go without opening their door.
pub const DEFAULT_ABSENCE_HOURS: i64 = 24;

/// What the rules need to know about a device besides its state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Watch {
    pub kind: DeviceKind,
    pub profile: &'static Profile,
    /// For a door sensor on the home of a resident tagged 独居老人: the hours without an
    /// opening that raise a care alarm.
    pub absence_hours: Option<i64>,
}

/// An alarm that is open on a device.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenAlarm {
    pub rule: Rule,
    pub level: Urgency,
    pub since: i64,
}

/// What the server remembers about a device between messages. Stored as JSON with the device
/// and written in the same transaction as the messages that changed it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceState {
    /// When the server last received any message from it (the server's clock: a device's
    /// clock cannot make it look online).
    #[serde(default)]
    pub last_heard: Option<i64>,
    /// The newest message timestamp.
    #[serde(default)]
    pub last_ts: Option<i64>,
    /// The first message timestamp: where an absence count starts before any opening.
    #[serde(default)]
    pub first_ts: Option<i64>,
    #[serde(default)]
    pub battery: Option<u8>,
    #[serde(default)]
    pub battery_ts: i64,
    /// The newest door opening.
    #[serde(default)]
    pub last_open: Option<i64>,
    /// The newest value of the device's main measurement (temperature, water level) and
    /// when it was measured.
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub value_ts: i64,
    #[serde(default)]
    pub smoke: bool,
    #[serde(default)]
    pub smoke_ts: i64,
    /// The newest AI detection at or above the threshold, per camera rule.
    #[serde(default)]
    pub ai_seen: Vec<(Rule, i64)>,
    #[serde(default)]
    pub open: Vec<OpenAlarm>,
    #[serde(default)]
    pub messages: u64,
}

impl DeviceState {
    /// The open alarm of `rule`, if any.
    pub fn open_alarm(&self, rule: Rule) -> Option<&OpenAlarm> {
        self.open.iter().find(|a| a.rule == rule)
    }

    /// Whether the device has been heard within its profile's limit at `now`.
    pub fn online(&self, profile: &Profile, now: i64) -> bool {
        self.last_heard.is_some_and(|t| now - t <= profile.offline_after)
    }
}

/// Why an alarm ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The case was handled and closed.
    Handled,
    /// 误报: closed as a false alarm, with the reason.
    FalseAlarm,
    /// The case was not registered (不予立案).
    Rejected,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Handled => "handled",
            Outcome::FalseAlarm => "false_alarm",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        [Outcome::Handled, Outcome::FalseAlarm, Outcome::Rejected].into_iter().find(|o| o.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Outcome::Handled => "已处置",
            Outcome::FalseAlarm => "误报",
            Outcome::Rejected => "不予立案",
        }
    }
}
