//! The charts' figures: the street's trend through a period (by day, or by week for long
//! periods) and the heat table of cases by category group and hour of the day.

use super::{figure, grade, score, CaseFacts, Figure, GroupFigures, Indicator, Member, Period, PeriodKind, DEFINITIONS};
use crate::case;
use serde::{Deserialize, Serialize};

/// The street's figures bucket by bucket through `period`: Beijing days (weeks from Monday
/// when the period is longer than 62 days), every bucket listed, the empty ones without
/// values. The key is the bucket's first date (`2026-11-03`).
pub fn trend(cases: &[CaseFacts], period: &Period, weights: &[(Indicator, u32)]) -> Vec<GroupFigures> {
    const DAY: i64 = 86_400_000;
    let step = if period.to - period.from > 62 * DAY { 7 * DAY } else { DAY };
    let mut start = if step == DAY { period.from } else { Period::containing(PeriodKind::Week, period.from).from };
    let mut out = Vec::new();
    while start < period.to {
        let end = start + step;
        let members: Vec<Member> = cases.iter().filter(|c| !c.drill && c.created_at >= start.max(period.from) && c.created_at < end).map(|case| Member { case, holder: None }).collect();
        let figures: Vec<Figure> = DEFINITIONS
            .iter()
            .map(|d| Figure { misses: Vec::new(), ..figure(d.indicator, &members) })
            .collect();
        let score = score(&figures, weights);
        let date = crate::time::beijing_date(start.max(period.from));
        out.push(GroupFigures { name: date[5..].replace('-', "/"), key: date, cases: members.len() as i64, grade: score.map(|s| grade(s).0.to_string()), score, figures });
        start = end;
    }
    out
}

/// Cases of a category group by the Beijing hour they were reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HourRow {
    /// The group's code (`order`) and name (街面秩序).
    pub key: String,
    pub name: String,
    pub counts: [i64; 24],
}

/// The heat table: each category group's cases by hour of the day (drills left out), the
/// groups in the forms' order, those without a case left out.
pub fn hours(cases: &[CaseFacts]) -> Vec<HourRow> {
    case::category::GROUPS
        .iter()
        .filter_map(|g| {
            let mut counts = [0i64; 24];
            for c in cases.iter().filter(|c| !c.drill && case::category(&c.category).is_some_and(|k| k.group == g.code)) {
                let hour = (c.created_at + 8 * 3_600_000).rem_euclid(86_400_000) / 3_600_000;
                counts[hour as usize] += 1;
            }
            counts.iter().any(|n| *n > 0).then(|| HourRow { key: g.code.to_string(), name: g.name_zh.to_string(), counts })
        })
        .collect()
}
