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

/// Implements [`IotStore`] for `$store`. `$begin` starts a writing transaction.
macro_rules! portable_iot {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::iot::IotStore for $store {
            async fn device_records(&self, id: Option<i64>) -> $crate::storage::Result<Vec<$crate::storage::iot::DeviceRecord>> {
                use $crate::storage::iot::{device_from_row, DeviceCols, DEVICE_SELECT};
                let mut qb = sqlx::QueryBuilder::<$db>::new(DEVICE_SELECT);
                if let Some(id) = id {
                    qb.push(" WHERE d.id = ").push_bind(id);
                }
                qb.push(" ORDER BY d.id");
                let mut out = Vec::new();
                for r in qb.build().fetch_all(&self.pool).await? {
                    use sqlx::Row;
                    out.push(device_from_row(DeviceCols {
                        id: r.try_get(0)?, code: r.try_get(1)?, kind: r.try_get(2)?, model: r.try_get(3)?, profile: r.try_get(4)?,
                        micro_grid_id: r.try_get(5)?, grid_id: r.try_get(6)?, grid_name: r.try_get(7)?, building_id: r.try_get(8)?,
                        floor: r.try_get(9)?, household_id: r.try_get(10)?, address: r.try_get(11)?, unit: r.try_get(12)?,
                        resident_id: r.try_get(13)?, resident_name: r.try_get(14)?, tags: r.try_get(15)?, absence_hours: r.try_get(16)?,
                        secret_hash: r.try_get(17)?, retired_at: r.try_get(18)?, lon: r.try_get(19)?, lat: r.try_get(20)?, state: r.try_get(21)?,
                    })?);
                }
                Ok(out)
            }

            #[tracing::instrument(skip_all, fields(n = msgs.len()))]
            async fn ingest(
                &self,
                msgs: &[$crate::storage::iot::StoredMessage],
                eval: &mut (dyn for<'b> FnMut(&'b [bool]) -> $crate::storage::iot::Evaluated + Send),
            ) -> $crate::storage::Result<(Vec<bool>, Vec<i64>)> {
                use $crate::storage::portable::CHUNK;
                use sqlx::Row;
                use std::collections::HashSet;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let mut fresh: HashSet<(i64, String)> = HashSet::new();
                for chunk in msgs.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO device_messages (device_id, msg_id, ts, received_at, kind, payload) ");
                    qb.push_values(chunk, |mut b, m| {
                        b.push_bind(m.device_id).push_bind(m.msg_id.as_str()).push_bind(m.ts).push_bind(m.received_at)
                            .push_bind(m.kind.as_str()).push_bind(m.payload.as_str());
                    });
                    qb.push(" ON CONFLICT DO NOTHING RETURNING device_id, msg_id");
                    for r in qb.build().fetch_all(&mut *tx).await? {
                        fresh.insert((r.try_get(0)?, r.try_get(1)?));
                    }
                }
                let new: Vec<bool> = msgs.iter().map(|m| fresh.contains(&(m.device_id, m.msg_id.clone()))).collect();
                let e = eval(&new);
                for chunk in e.states.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO device_state (device_id, state) ");
                    qb.push_values(chunk, |mut b, (id, s)| {
                        b.push_bind(*id).push_bind(s.as_str());
                    });
                    qb.push(" ON CONFLICT (device_id) DO UPDATE SET state = excluded.state");
                    qb.build().execute(&mut *tx).await?;
                }
                for (device, rule, at) in &e.clears {
                    sqlx::query("UPDATE alarms SET cleared_at = $3 WHERE device_id = $1 AND rule = $2 AND cleared_at IS NULL")
                        .bind(device).bind(rule.code()).bind(at).execute(&mut *tx).await?;
                }
                for (device, rule, level, detail) in &e.levels {
                    sqlx::query("UPDATE alarms SET level = $3, detail = $4 WHERE device_id = $1 AND rule = $2 AND cleared_at IS NULL")
                        .bind(device).bind(rule.code()).bind(level.code()).bind(detail).execute(&mut *tx).await?;
                }
                let mut raised = Vec::with_capacity(e.raises.len());
                for a in &e.raises {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO alarms (device_id, rule, level, detail, raised_at, wants_case) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(a.device_id).bind(a.rule.code()).bind(a.level.code()).bind(&a.detail).bind(a.at).bind(i64::from(a.wants_case))
                    .fetch_one(&mut *tx).await?;
                    raised.push(id);
                }
                tx.commit().await?;
                Ok((new, raised))
            }

            async fn recent_messages(&self, device_id: i64, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::iot::MessageView>> {
                let rows: Vec<(String, i64, i64, String, String)> = sqlx::query_as(
                    "SELECT msg_id, ts, received_at, kind, payload FROM device_messages WHERE device_id = $1 ORDER BY ts DESC, received_at DESC LIMIT $2",
                )
                .bind(device_id).bind(limit).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| zhizhi_shared::iot::MessageView { msg_id: r.0, ts: r.1, received_at: r.2, kind: r.3, payload: r.4 }).collect())
            }

            async fn has_message(&self, device_id: i64, msg_id: &str) -> $crate::storage::Result<bool> {
                let r: Option<(i64,)> = sqlx::query_as("SELECT device_id FROM device_messages WHERE device_id = $1 AND msg_id = $2")
                    .bind(device_id).bind(msg_id).fetch_optional(&self.pool).await?;
                Ok(r.is_some())
            }

            async fn alarms(&self, f: &$crate::storage::iot::AlarmFilter) -> $crate::storage::Result<Vec<zhizhi_shared::iot::AlarmView>> {
                use $crate::storage::iot::{alarm_from_row, AlarmRow, ALARM_SELECT};
                let mut qb = sqlx::QueryBuilder::<$db>::new(ALARM_SELECT);
                qb.push(" WHERE 1 = 1");
                if f.open_only {
                    qb.push(" AND a.cleared_at IS NULL");
                }
                if let Some(d) = f.device_id {
                    qb.push(" AND a.device_id = ").push_bind(d);
                }
                if let Some(r) = f.rule {
                    qb.push(" AND a.rule = ").push_bind(r.code());
                }
                qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(f.limit);
                let rows: Vec<AlarmRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(alarm_from_row).collect()
            }

            async fn alarms_without_case(&self) -> $crate::storage::Result<Vec<zhizhi_shared::iot::AlarmView>> {
                use $crate::storage::iot::{alarm_from_row, AlarmRow, ALARM_SELECT};
                let sql = format!("{ALARM_SELECT} WHERE a.wants_case = 1 AND a.case_id IS NULL ORDER BY a.id");
                let rows: Vec<AlarmRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.into_iter().map(alarm_from_row).collect()
            }

            async fn open_alarm_case(&self, device_id: i64, rule: zhizhi_shared::iot::Rule) -> $crate::storage::Result<Option<i64>> {
                let r: Option<(i64,)> = sqlx::query_as(
                    "SELECT c.id FROM alarms a JOIN cases c ON c.id = a.case_id
                     WHERE a.device_id = $1 AND a.rule = $2 AND c.state NOT IN ('closed', 'rejected') ORDER BY a.id DESC LIMIT 1",
                )
                .bind(device_id).bind(rule.code()).fetch_optional(&self.pool).await?;
                Ok(r.map(|r| r.0))
            }

            async fn false_alarm_rates(&self) -> $crate::storage::Result<(Vec<zhizhi_shared::iot::FalseAlarmRate>, Vec<zhizhi_shared::iot::FalseAlarmRate>)> {
                use zhizhi_shared::iot::{FalseAlarmRate, Rule};
                let by_rule: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT rule, COUNT(outcome), COALESCE(SUM(CASE WHEN outcome = 'false_alarm' THEN 1 ELSE 0 END), 0)
                     FROM alarms WHERE wants_case = 1 GROUP BY rule ORDER BY rule",
                )
                .fetch_all(&self.pool).await?;
                let by_device: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT d.code, d.kind, COUNT(a.outcome), SUM(CASE WHEN a.outcome = 'false_alarm' THEN 1 ELSE 0 END) AS f
                     FROM alarms a JOIN devices d ON d.id = a.device_id WHERE a.outcome IS NOT NULL
                     GROUP BY d.code, d.kind HAVING SUM(CASE WHEN a.outcome = 'false_alarm' THEN 1 ELSE 0 END) > 0
                     ORDER BY f DESC, d.code LIMIT 20",
                )
                .fetch_all(&self.pool).await?;
                Ok((
                    by_rule
                        .into_iter()
                        .map(|(r, concluded, false_alarms)| FalseAlarmRate {
                            name: Rule::from_code(&r).map(|r| r.name_zh().to_string()).unwrap_or_else(|| r.clone()),
                            key: r,
                            concluded,
                            false_alarms,
                        })
                        .collect(),
                    by_device
                        .into_iter()
                        .map(|(code, kind, concluded, false_alarms)| FalseAlarmRate {
                            name: zhizhi_shared::device::DeviceKind::from_code(&kind).map(|k| k.name_zh().to_string()).unwrap_or(kind),
                            key: code,
                            concluded,
                            false_alarms,
                        })
                        .collect(),
                ))
            }

            async fn save_devices(&self, rows: &[$crate::storage::iot::DeviceRow], now: i64) -> $crate::storage::Result<Vec<i64>> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let mut ids = Vec::with_capacity(rows.len());
                for d in rows {
                    let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM devices WHERE code = $1").bind(&d.code).fetch_optional(&mut *tx).await?;
                    let id = match known {
                        Some((id,)) => {
                            sqlx::query(
                                "UPDATE devices SET kind = $2, model = $3, profile = $4, micro_grid_id = $5, building_id = $6, floor = $7,
                                    household_id = $8, resident_id = $9, lon = $10, lat = $11 WHERE id = $1",
                            )
                            .bind(id).bind(d.kind.code()).bind(&d.model).bind(&d.profile).bind(d.micro_grid_id).bind(d.building_id)
                            .bind(d.floor).bind(d.household_id).bind(d.resident_id).bind(d.lon).bind(d.lat)
                            .execute(&mut *tx).await?;
                            id
                        }
                        None => {
                            let (id,): (i64,) = sqlx::query_as(
                                "INSERT INTO devices (id, code, kind, model, profile, micro_grid_id, building_id, floor, household_id, resident_id, lon, lat, registered_at)
                                 VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM devices), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                            )
                            .bind(&d.code).bind(d.kind.code()).bind(&d.model).bind(&d.profile).bind(d.micro_grid_id).bind(d.building_id)
                            .bind(d.floor).bind(d.household_id).bind(d.resident_id).bind(d.lon).bind(d.lat).bind(now)
                            .fetch_one(&mut *tx).await?;
                            id
                        }
                    };
                    ids.push(id);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn set_device_retired(&self, id: i64, at: Option<i64>) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE devices SET retired_at = $2 WHERE id = $1").bind(id).bind(at).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn set_device_secret(&self, id: i64, hash: &str) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE devices SET secret_hash = $2 WHERE id = $1").bind(id).bind(hash).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn set_absence_hours(&self, resident_id: i64, hours: Option<i64>) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE residents SET absence_hours = $2 WHERE id = $1").bind(resident_id).bind(hours).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn checkpoint(&self) -> $crate::storage::Result<()> {
                if <Self as $crate::storage::Store>::engine(self) == "sqlite" {
                    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(self.writer()).await?;
                }
                Ok(())
            }

            async fn prune_messages(&self, before: i64) -> $crate::storage::Result<u64> {
                let r = sqlx::query("DELETE FROM device_messages WHERE received_at < $1").bind(before).execute(&self.pool).await?;
                Ok(r.rows_affected())
            }
        }
    };
}
pub(crate) use portable_iot;
