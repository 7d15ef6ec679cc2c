//! Storage of IoT: the device registry as the rules need it, the message log (each
//! `(device_id, msg_id)` once), device state and alarms. The SQL is shared by both engines.

use async_trait::async_trait;
use zhizhi_shared::case::Urgency;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{AlarmView, DeviceState, FalseAlarmRate, MessageView, Rule};

/// A device with what the rules and the lists need.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceRecord {
    pub id: i64,
    pub code: String,
    pub kind: DeviceKind,
    pub model: String,
    /// '' = the standard profile of its kind.
    pub profile: String,
    pub micro_grid_id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub building_id: Option<i64>,
    pub floor: Option<i32>,
    pub household_id: Option<i64>,
    /// 「磁南街27号 3单元」 or the coordinates.
    pub address: String,
    pub resident_id: Option<i64>,
    /// The resident's name (unmasked: the server masks it before it leaves).
    pub resident_name: Option<String>,
    /// The resident is tagged 独居老人.
    pub in_care: bool,
    pub absence_hours: Option<i64>,
    pub secret_hash: Option<String>,
    pub retired: bool,
    pub lon: f64,
    pub lat: f64,
    pub state: DeviceState,
}

/// A message to store.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub device_id: i64,
    pub msg_id: String,
    pub ts: i64,
    pub received_at: i64,
    pub kind: String,
    pub payload: String,
}

/// An alarm raised by the rules.
#[derive(Clone, Debug)]
pub struct NewAlarm {
    pub device_id: i64,
    pub rule: Rule,
    pub level: Urgency,
    pub detail: String,
    pub at: i64,
    pub wants_case: bool,
}

/// What the rules decided about a batch of new messages (or a timer run), written in the
/// same transaction as the messages.
#[derive(Clone, Debug, Default)]
pub struct Evaluated {
    /// The new state of every device the batch touched, as JSON.
    pub states: Vec<(i64, String)>,
    pub raises: Vec<NewAlarm>,
    /// (device, rule, level, detail)
    pub levels: Vec<(i64, Rule, Urgency, String)>,
    /// (device, rule, at)
    pub clears: Vec<(i64, Rule, i64)>,
}

/// Which alarms to list.
#[derive(Clone, Debug, Default)]
pub struct AlarmFilter {
    pub open_only: bool,
    pub device_id: Option<i64>,
    pub rule: Option<Rule>,
    pub limit: i64,
}

/// A device row to write (registry changes by administrators).
#[derive(Clone, Debug)]
pub struct DeviceRow {
    pub code: String,
    pub kind: DeviceKind,
    pub model: String,
    pub profile: String,
    pub micro_grid_id: i64,
    pub building_id: Option<i64>,
    pub floor: Option<i32>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub lon: f64,
    pub lat: f64,
}

/// IoT, as every engine stores it.
#[async_trait]
pub trait IotStore {
    /// Every device (retired ones too), with its place and state.
    async fn device_records(&self, id: Option<i64>) -> super::Result<Vec<DeviceRecord>>;

    /// Stores `msgs` (which must not repeat a key among themselves), skipping those already
    /// stored, then asks `eval` — given, for each message, whether it was new — what the rules
    /// make of them, and writes that too; all in one transaction. Returns the new-flags and
    /// the ids of the raised alarms, in order.
    async fn ingest(
        &self,
        msgs: &[StoredMessage],
        eval: &mut (dyn for<'b> FnMut(&'b [bool]) -> Evaluated + Send),
    ) -> super::Result<(Vec<bool>, Vec<i64>)>;

    /// The newest messages of a device.
    async fn recent_messages(&self, device_id: i64, limit: i64) -> super::Result<Vec<MessageView>>;

    /// Whether a message is stored.
    async fn has_message(&self, device_id: i64, msg_id: &str) -> super::Result<bool>;

    /// Alarms, newest first.
    async fn alarms(&self, f: &AlarmFilter) -> super::Result<Vec<AlarmView>>;

    /// Alarms that should have a case and have none (raised just before a crash).
    async fn alarms_without_case(&self) -> super::Result<Vec<AlarmView>>;

    /// The open case of an earlier alarm of the same device and rule, if any.
    async fn open_alarm_case(&self, device_id: i64, rule: Rule) -> super::Result<Option<i64>>;

    /// False alarms per rule, and the devices with the most.
    async fn false_alarm_rates(&self) -> super::Result<(Vec<FalseAlarmRate>, Vec<FalseAlarmRate>)>;

    /// Registers devices (new codes) or changes them (known codes), in one transaction.
    /// Returns their ids.
    async fn save_devices(&self, rows: &[DeviceRow], now: i64) -> super::Result<Vec<i64>>;

    /// Takes a device out of service (or back into it with `None`).
    async fn set_device_retired(&self, id: i64, at: Option<i64>) -> super::Result<bool>;

    /// Stores the hash of a device's new secret.
    async fn set_device_secret(&self, id: i64, hash: &str) -> super::Result<bool>;

    /// Sets how many hours a resident in care may go without opening their door.
    async fn set_absence_hours(&self, resident_id: i64, hours: Option<i64>) -> super::Result<bool>;

    /// Deletes messages received before `before`; returns how many.
    async fn prune_messages(&self, before: i64) -> super::Result<u64>;

    /// Copies committed pages back from the write-ahead log (SQLite, which does not do it on
    /// commit here); nothing on PostgreSQL.
    async fn checkpoint(&self) -> super::Result<()>;
}

/// The alarm columns, as [`alarm_from_row`](portable_iot) reads them.
pub(super) const ALARM_SELECT: &str = "SELECT a.id, a.device_id, d.code, d.kind, a.rule, a.level, a.detail, a.raised_at, a.cleared_at,
        a.case_id, c.number, a.outcome, a.outcome_note, COALESCE(b.address, '')
     FROM alarms a JOIN devices d ON d.id = a.device_id LEFT JOIN buildings b ON b.id = d.building_id
     LEFT JOIN cases c ON c.id = a.case_id";

pub(super) type AlarmRow = (i64, i64, String, String, String, String, String, i64, Option<i64>, Option<i64>, Option<String>, Option<String>, String, String);

pub(super) fn alarm_from_row(r: AlarmRow) -> super::Result<AlarmView> {
    use super::portable::parse_code;
    let id = r.0;
    Ok(AlarmView {
        id,
        device_id: r.1,
        device_code: r.2,
        device_kind: parse_code("alarms", id, &r.3, DeviceKind::from_code)?,
        rule: parse_code("alarms", id, &r.4, Rule::from_code)?,
        level: parse_code("alarms", id, &r.5, Urgency::from_code)?,
        detail: r.6,
        raised_at: r.7,
        cleared_at: r.8,
        case_id: r.9,
        case_number: r.10,
        outcome: r.11.map(|o| parse_code("alarms", id, &o, zhizhi_shared::iot::Outcome::from_code)).transpose()?,
        outcome_note: r.12,
        address: r.13,
    })
}

/// The device columns, as [`device_from_row`] reads them.
pub(super) const DEVICE_SELECT: &str = "SELECT d.id, d.code, d.kind, d.model, d.profile, d.micro_grid_id, m.grid_id, g.name,
        d.building_id, CAST(d.floor AS BIGINT), d.household_id, b.address, h.unit, d.resident_id, r.name, r.care_tags, r.absence_hours,
        d.secret_hash, d.retired_at, d.lon, d.lat, s.state
     FROM devices d JOIN micro_grids m ON m.id = d.micro_grid_id JOIN grids g ON g.id = m.grid_id
     LEFT JOIN buildings b ON b.id = d.building_id LEFT JOIN households h ON h.id = d.household_id
     LEFT JOIN residents r ON r.id = d.resident_id LEFT JOIN device_state s ON s.device_id = d.id";

/// A device row's columns as selected by [`DEVICE_SELECT`].
pub(super) struct DeviceCols {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub model: String,
    pub profile: String,
    pub micro_grid_id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub building_id: Option<i64>,
    pub floor: Option<i64>,
    pub household_id: Option<i64>,
    pub address: Option<String>,
    pub unit: Option<String>,
    pub resident_id: Option<i64>,
    pub resident_name: Option<String>,
    pub tags: Option<String>,
    pub absence_hours: Option<i64>,
    pub secret_hash: Option<String>,
    pub retired_at: Option<i64>,
    pub lon: f64,
    pub lat: f64,
    pub state: Option<String>,
}

pub(super) fn device_from_row(r: DeviceCols) -> super::Result<DeviceRecord> {
    use super::portable::parse_code;
    let id = r.id;
    let address = match (r.address, r.unit) {
        (Some(a), Some(u)) if !u.is_empty() => format!("{a} {u}"),
        (Some(a), _) => match r.floor {
            Some(f) => format!("{a} {f}层"),
            None => a,
        },
        (None, _) => format!("{:.5}, {:.5}", r.lon, r.lat),
    };
    let state = match r.state {
        Some(json) => serde_json::from_str(&json).map_err(|e| super::Error::Corrupt { table: "device_state", id, detail: e.to_string() })?,
        None => DeviceState::default(),
    };
    Ok(DeviceRecord {
        id,
        code: r.code,
        kind: parse_code("devices", id, &r.kind, DeviceKind::from_code)?,
        model: r.model,
        profile: r.profile,
        micro_grid_id: r.micro_grid_id,
        grid_id: r.grid_id,
        grid_name: r.grid_name,
        building_id: r.building_id,
        floor: r.floor.map(|f| f as i32),
        household_id: r.household_id,
        address,
        resident_id: r.resident_id,
        resident_name: r.resident_name,
        in_care: r.tags.is_some_and(|t| super::portable::split(&t).any(|c| c == "elderly_alone")),
        absence_hours: r.absence_hours,
        secret_hash: r.secret_hash,
        retired: r.retired_at.is_some(),
        lon: r.lon,
        lat: r.lat,
        state,
    })
}

mod sql;
pub(crate) use sql::portable_iot;
