//! The street's figures beside the cases': device health (设备在线率), from the alarm log's
//! offline spells, and enterprise credit grade changes (企业信用等级变动), from the grade
//! history. Both are street-wide (not by post or grid) and, like the case figures, computed
//! from append-only records when asked.

use serde::{Deserialize, Serialize};

const MINUTE: i64 = 60_000;

/// The two figures' definitions, in Chinese and English, as the page shows them.
pub static HEALTH_DEFINITIONS: [(&str, (&str, &str), (&str, &str), (&str, &str)); 2] = [
    (
        "device_availability",
        ("设备在线率", "Device availability"),
        (
            "在网设备在周期内的在线时长：在网时长减去离线告警持续的时长（从判定离线——超过该型号的心跳间隔——到恢复通信）",
            "the online time of devices in service in the period: their time in service less the time their offline alarms lasted (from being found offline — longer silent than the model's heartbeat interval — until heard again)",
        ),
        (
            "在网设备在周期内的在网时长（已登记、未退役、至少收到过一条消息的设备；本期只算到此刻）",
            "the time in service of devices in the period (registered, not retired, heard at least once; the current period only up to now)",
        ),
    ),
    (
        "grade_changes",
        ("企业信用等级变动", "Enterprise grade changes"),
        ("周期内调升（如 C→B）与调降（如 B→C）的次数", "grades raised (e.g. C→B) and lowered (e.g. B→C) in the period"),
        ("周期内记录的全部评级（含初评），每次评级都写明理由和依据", "every grading recorded in the period (first gradings included), each with its reason and evidence"),
    ),
];

/// A device in service, as the figure reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInService {
    pub id: i64,
    pub code: String,
    /// The kind's code (`smoke_detector`, …).
    pub kind: String,
    pub registered_at: i64,
    pub retired_at: Option<i64>,
}

/// An offline alarm: raised, and cleared when the device was heard again (`None`: still open).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OfflineSpell {
    pub device_id: i64,
    pub raised_at: i64,
    pub cleared_at: Option<i64>,
}

/// A device that was offline in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceDown {
    pub id: i64,
    pub code: String,
    pub kind: String,
    /// Minutes offline within the period.
    pub minutes: i64,
    /// Offline alarms overlapping the period.
    pub spells: i64,
}

/// Devices shown at most in a figure's list (the worst first).
pub const DOWN_SHOWN: usize = 50;

/// 设备在线率 over a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceHealth {
    /// Devices in service during the period.
    pub devices: i64,
    /// Device-minutes in service (the denominator) and online (the numerator).
    pub minutes: i64,
    pub online_minutes: i64,
    /// A percentage; `None` without a device in service.
    pub value: Option<f64>,
    /// Devices with an offline spell in the period.
    pub offline_devices: i64,
    /// The first [`DOWN_SHOWN`] of them, longest offline first.
    pub offline: Vec<DeviceDown>,
}

/// Overlap of `[a, b)` with `[from, to)`, in milliseconds.
fn overlap(a: i64, b: i64, from: i64, to: i64) -> i64 {
    (b.min(to) - a.max(from)).max(0)
}

/// 设备在线率 over `[from, to)`, counted up to `now` at most (a current period's future is not
/// yet in service). Spells of a device overlapping each other count once.
pub fn device_health(devices: &[DeviceInService], spells: &[OfflineSpell], from: i64, to: i64, now: i64) -> DeviceHealth {
    let to = to.min(now);
    let mut out = DeviceHealth::default();
    if to <= from {
        return out;
    }
    let mut total = 0;
    let mut offline_total = 0;
    for d in devices {
        let start = d.registered_at.max(from);
        let end = d.retired_at.unwrap_or(i64::MAX).min(to);
        if end <= start {
            continue;
        }
        out.devices += 1;
        total += end - start;
        let mut mine: Vec<(i64, i64)> = spells
            .iter()
            .filter(|s| s.device_id == d.id)
            .map(|s| (s.raised_at.max(start), s.cleared_at.unwrap_or(end).min(end)))
            .filter(|(a, b)| b > a)
            .collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_unstable();
        // Merge overlapping spells: a minute offline counts once.
        let (mut down, mut reach) = (0, i64::MIN);
        for &(a, b) in &mine {
            down += overlap(a.max(reach), b, start, end);
            reach = reach.max(b);
        }
        offline_total += down;
        out.offline_devices += 1;
        out.offline.push(DeviceDown { id: d.id, code: d.code.clone(), kind: d.kind.clone(), minutes: down / MINUTE, spells: mine.len() as i64 });
    }
    out.minutes = total / MINUTE;
    out.online_minutes = (total - offline_total) / MINUTE;
    out.value = (total > 0).then(|| (total - offline_total) as f64 * 100.0 / total as f64);
    out.offline.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.code.cmp(&b.code)));
    out.offline.truncate(DOWN_SHOWN);
    out
}

/// One grading of an enterprise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeChangeRow {
    pub enterprise_id: i64,
    pub name: String,
    /// The grade before (`None`: a first grading).
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub at: i64,
}

impl GradeChangeRow {
    /// +1 raised (C→B), −1 lowered (B→C), 0 a first grading or the same grade. A is best.
    pub fn direction(&self) -> i8 {
        match &self.from {
            Some(f) if f.as_str() > self.to.as_str() => 1,
            Some(f) if f.as_str() < self.to.as_str() => -1,
            _ => 0,
        }
    }
}

/// 企业信用等级变动 over a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GradeChanges {
    /// Every grading in the period (the denominator).
    pub gradings: i64,
    pub raised: i64,
    pub lowered: i64,
    /// The gradings, newest first.
    pub changes: Vec<GradeChangeRow>,
}

/// Counts the period's gradings (`rows` as the store read them, any order).
pub fn grade_changes(mut rows: Vec<GradeChangeRow>) -> GradeChanges {
    rows.sort_by(|a, b| b.at.cmp(&a.at).then(b.enterprise_id.cmp(&a.enterprise_id)));
    GradeChanges {
        gradings: rows.len() as i64,
        raised: rows.iter().filter(|r| r.direction() > 0).count() as i64,
        lowered: rows.iter().filter(|r| r.direction() < 0).count() as i64,
        changes: rows,
    }
}

/// The street's figures beside the cases'.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub devices: DeviceHealth,
    pub grades: GradeChanges,
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 60 * MINUTE;

    fn device(id: i64, registered_at: i64, retired_at: Option<i64>) -> DeviceInService {
        DeviceInService { id, code: format!("D{id}"), kind: "smoke_detector".into(), registered_at, retired_at }
    }

    #[test]
    fn availability_is_online_time_over_time_in_service() {
        // A 10-hour period: device 1 in service throughout, offline 2 h; device 2 registered
        // half-way, never offline; device 3 retired before the period; device 4 offline from
        // before the period and still offline.
        let devices = [device(1, 0, None), device(2, 5 * H, None), device(3, -10 * H, Some(-H)), device(4, -5 * H, None)];
        let spells = [
            OfflineSpell { device_id: 1, raised_at: 3 * H, cleared_at: Some(5 * H) },
            OfflineSpell { device_id: 4, raised_at: -2 * H, cleared_at: None },
        ];
        let h = device_health(&devices, &spells, 0, 10 * H, 100 * H);
        assert_eq!(h.devices, 3);
        assert_eq!(h.minutes, (10 + 5 + 10) * 60);
        assert_eq!(h.online_minutes, (8 + 5) * 60);
        assert_eq!(h.value, Some(13.0 * 100.0 / 25.0));
        assert_eq!(h.offline_devices, 2);
        assert_eq!(h.offline.iter().map(|d| (d.code.as_str(), d.minutes)).collect::<Vec<_>>(), vec![("D4", 600), ("D1", 120)]);
    }

    #[test]
    fn overlapping_spells_count_once_and_the_future_not_at_all() {
        let devices = [device(1, 0, None)];
        let spells = [
            OfflineSpell { device_id: 1, raised_at: H, cleared_at: Some(4 * H) },
            OfflineSpell { device_id: 1, raised_at: 2 * H, cleared_at: Some(3 * H) },
            OfflineSpell { device_id: 1, raised_at: 3 * H, cleared_at: None },
        ];
        // Now is 6 h into a 24-hour period: 6 h in service, offline from 1 h on.
        let h = device_health(&devices, &spells, 0, 24 * H, 6 * H);
        assert_eq!((h.minutes, h.online_minutes), (360, 60));
        assert_eq!(h.offline[0].spells, 3);
        // A period entirely in the future has nothing in service.
        assert_eq!(device_health(&devices, &spells, 24 * H, 48 * H, 6 * H).value, None);
    }

    #[test]
    fn grade_changes_count_raised_and_lowered_a_first_grading_neither() {
        let row = |from: Option<&str>, to: &str, at: i64| GradeChangeRow {
            enterprise_id: at,
            name: "店".into(),
            from: from.map(str::to_string),
            to: to.into(),
            reason: "年度评价".into(),
            at,
        };
        let g = grade_changes(vec![row(Some("C"), "B", 1), row(Some("B"), "D", 2), row(None, "A", 3), row(Some("B"), "B", 4)]);
        assert_eq!((g.gradings, g.raised, g.lowered), (4, 1, 1));
        assert_eq!(g.changes.iter().map(|c| c.at).collect::<Vec<_>>(), vec![4, 3, 2, 1]);
    }
}
