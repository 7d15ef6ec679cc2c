//! The periods the indicators are reported for: Beijing days, weeks (Monday to Sunday),
//! calendar months and custom ranges, each with the period before it; and the query that
//! names one.

use serde::{Deserialize, Serialize};

/// The length of a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    #[default]
    Month,
    /// From one Beijing date to another, both included.
    Custom,
}

impl PeriodKind {
    pub fn from_code(code: &str) -> Option<PeriodKind> {
        match code {
            "day" => Some(PeriodKind::Day),
            "week" => Some(PeriodKind::Week),
            "month" => Some(PeriodKind::Month),
            "custom" => Some(PeriodKind::Custom),
            _ => None,
        }
    }
}

/// A period in Beijing time: `[from, to)` in milliseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: i64,
    pub to: i64,
}

const DAY: i64 = 86_400_000;

impl Period {
    /// The day, the week (Monday to Sunday) or the calendar month holding `at`, in Beijing.
    pub fn containing(kind: PeriodKind, at: i64) -> Period {
        use crate::time::{beijing_day_start, beijing_midnight};
        let (day, (y, m, _)) = beijing_day_start(at);
        let (from, to) = match kind {
            PeriodKind::Day | PeriodKind::Custom => (day, day + DAY),
            PeriodKind::Week => {
                // 1970-01-01 was a Thursday: Monday is three days on.
                let monday = day - ((day + 8 * 3_600_000) / DAY - 4).rem_euclid(7) * DAY;
                (monday, monday + 7 * DAY)
            }
            PeriodKind::Month => {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                (beijing_midnight(y, m, 1), beijing_midnight(ny, nm, 1))
            }
        };
        Period { kind: if kind == PeriodKind::Custom { PeriodKind::Day } else { kind }, from, to }
    }

    /// The period of the same kind just before this one (for a custom period, as long).
    pub fn previous(&self) -> Period {
        match self.kind {
            PeriodKind::Month => Period::containing(PeriodKind::Month, self.from - 1),
            _ => Period { kind: self.kind, from: self.from - (self.to - self.from), to: self.from },
        }
    }

    /// 「2026-11」, 「2026-12-01」, or 「2026-11-30 – 2026-12-06」.
    pub fn label(&self) -> String {
        use crate::time::beijing_date;
        match self.kind {
            PeriodKind::Month => beijing_date(self.from)[..7].to_string(),
            PeriodKind::Day => beijing_date(self.from),
            PeriodKind::Week | PeriodKind::Custom => format!("{} – {}", beijing_date(self.from), beijing_date(self.to - 1)),
        }
    }
}

/// What `GET /api/v1/kpis` is asked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiQuery {
    /// `day`, `week`, `month` (the default) or `custom` (with `from` and `to`).
    #[serde(default)]
    pub period: Option<String>,
    /// A moment inside the period (milliseconds; default: now).
    #[serde(default)]
    pub at: Option<i64>,
    /// A custom period's first and last Beijing dates, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// `street` (the default), `board`, `post`, `grid`, `community`, `category`, `source`.
    #[serde(default)]
    pub by: Option<String>,
}

/// The period a query asks for, or what is wrong with it (the field and a message).
pub fn period_of(q: &KpiQuery, now: i64) -> Result<Period, (&'static str, String)> {
    let kind = match q.period.as_deref() {
        None | Some("") => PeriodKind::Month,
        Some(p) => PeriodKind::from_code(p).ok_or(("period", format!("没有「{p}」这种统计周期：可选 day、week、month、custom")))?,
    };
    if kind != PeriodKind::Custom {
        return Ok(Period::containing(kind, q.at.unwrap_or(now)));
    }
    let date = |field: &'static str, v: &Option<String>| -> Result<i64, (&'static str, String)> {
        let v = v.as_deref().ok_or((field, "自定义周期要给出起止日期（YYYY-MM-DD）".to_string()))?;
        let parts: Vec<&str> = v.split('-').collect();
        let bad = || (field, format!("「{v}」不是日期：请写成 YYYY-MM-DD"));
        let [y, m, d] = parts.as_slice() else { return Err(bad()) };
        let (y, m, d) = (y.parse::<i64>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?, d.parse::<u32>().map_err(|_| bad())?);
        if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(bad());
        }
        Ok(crate::time::beijing_midnight(y, m, d))
    };
    let (from, last) = (date("from", &q.from)?, date("to", &q.to)?);
    if last < from {
        return Err(("to", "结束日期早于开始日期".into()));
    }
    if last - from > 366 * DAY {
        return Err(("to", "自定义周期最长一年".into()));
    }
    Ok(Period { kind: PeriodKind::Custom, from, to: last + DAY })
}
