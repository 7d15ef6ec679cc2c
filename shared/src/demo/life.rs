//! The demo street's life: how many cases a day brings (more in the summer rains and at the
//! weekends' tourist peaks), of which kinds, from whom, and how each goes through the case
//! flow — most on time; some dispatched late, returned, handled late, suspended, reworked,
//! escalated to the district; some alarms false. Pure and deterministic: the server plays
//! each plan's moves through the real case service, with the clock each move names.

use super::rng::Rng;
use crate::case::{self, Source};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// One move of a case's life, made by the command centre, the post holding the open task, or
/// the district.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// 派遣 to the category's post.
    Dispatch,
    /// 派遣 again after a return, to the street's coordination post.
    Redispatch,
    AcceptTask,
    CheckIn,
    /// The post returns its task (not its duty).
    ReturnTask,
    ReportBack,
    Rework,
    Verify,
    Close,
    Reject,
    FalseAlarm,
    Escalate,
    DistrictResolve,
    Suspend,
    Resume,
    /// 回访: the command centre calls the reporter back after closure; their rating, 1–5.
    Callback(u8),
    /// 差评复核: the command centre concludes the review a low rating opened.
    Review,
}

/// A case to report at `at` and the moves of its life, each at its own time (in order).
#[derive(Clone, Debug, PartialEq)]
pub struct CasePlan {
    pub at: i64,
    pub category: &'static str,
    pub source: Source,
    pub description: &'static str,
    pub moves: Vec<(i64, Move)>,
}

/// How a case usually reads, by category.
fn description(category: &str, rng: &mut Rng) -> &'static str {
    let options: &[&'static str] = match category {
        "environment.litter" => &["巷口垃圾桶满溢，周边散落生活垃圾", "游客集中区域地面有成堆暴露垃圾", "河边步道有建筑垃圾堆放"],
        "environment.facility" => &["人行道地砖松动翘起，行人易绊倒", "路灯不亮，夜间通行不便", "护栏损坏，有安全隐患"],
        "environment.manhole" => &["井盖缺失，已临时放置锥桶", "雨水井盖破损下陷"],
        "greening.branch" => &["大风后行道树断枝悬挂在人行道上方", "树木枯枝掉落砸到路边摊位雨棚"],
        "greening.damage" => &["绿化带被踩踏，草坪裸露", "花箱被损毁"],
        "order.stall" => &["古镇入口有流动摊贩占道经营", "商户在店外摆放货架占用通道"],
        "order.parking" => &["机动车停放在消防通道入口", "景区路口车辆乱停，堵塞交通"],
        "order.crowd" => &["古镇牌坊处人员聚集，通行缓慢", "码头步道游客拥堵"],
        "order.dispute" => &["楼上漏水引发邻里争吵", "两户因楼道堆物发生纠纷"],
        "consumer.overcharge" => &["游客反映商铺标价不清、结账多收费", "麻花店称重缺斤短两引发争执"],
        "consumer.food" => &["游客反映购买的食品变质", "小吃摊操作不规范，无健康证"],
        "fire.smoke" => &["烟感报警，需现场确认"],
        "fire.fire" => &["商铺后厨起火，已用灭火器扑灭"],
        "fire.hazard" => &["楼道内电动车充电，私拉电线", "商铺灭火器过期"],
        "fire.passage" => &["消防通道被杂物堵塞", "消防车通道被车辆占用"],
        "flood.water_level" => &["嘉陵江水位接近警戒，需巡查沿江商户"],
        "flood.waterlogging" => &["暴雨后下穿道路积水约 30 厘米", "石板路低洼处积水，行人难以通过"],
        "livelihood.water_power" => &["整栋楼停水，居民反映未接到通知", "单元楼道灯和电表箱故障"],
        "livelihood.noise" => &["夜间酒吧音响声音过大", "工地夜间施工扰民"],
        "livelihood.social" => &["低保户申请临时救助", "困难家庭咨询医疗救助办理"],
        "care.elderly_alone" => &["独居老人门磁长时间无开启记录"],
        "care.fall" => &["老人在台阶处跌倒，需要协助"],
        _ => &["其他帮扶需求：行动不便老人需代购药品"],
    };
    *rng.pick(options)
}

/// Where a case of `category` usually comes from.
fn source_of(category: &str, rng: &mut Rng) -> Source {
    match category {
        "fire.smoke" | "care.elderly_alone" | "flood.water_level" => Source::Iot,
        "order.crowd" if rng.chance(0.8) => Source::CameraAi,
        "fire.fire" | "care.fall" => Source::Hotline,
        _ => {
            let x = rng.unit();
            if x < 0.45 {
                Source::Patrol
            } else if x < 0.75 {
                Source::Hotline
            } else if x < 0.95 {
                Source::Resident
            } else {
                Source::District
            }
        }
    }
}

/// The month (1–12) and weekday (0 = Monday) of a Beijing day starting at `day_start`.
fn month_and_weekday(day_start: i64) -> (u32, i64) {
    let (_, (_, month, _)) = crate::time::beijing_day_start(day_start);
    let days = (day_start + 8 * HOUR).div_euclid(DAY);
    (month, (days + 3).rem_euclid(7))
}

/// How often each category comes up in `month`, at a weekend or not (relative weights).
fn weights(month: u32, weekend: bool) -> Vec<(&'static str, f64)> {
    let summer = (6..=9).contains(&month);
    let rainy = (5..=9).contains(&month);
    let windy = matches!(month, 3 | 4 | 7 | 8);
    let tourists = if weekend { 2.2 } else { 1.0 } * if matches!(month, 5 | 10) { 1.5 } else { 1.0 };
    case::category::CATEGORIES
        .iter()
        .map(|c| {
            let w = match c.code {
                "environment.litter" => 10.0 * (0.6 + 0.4 * tourists),
                "environment.facility" => 5.0,
                "environment.manhole" => 0.8,
                "greening.branch" => if windy { 3.0 } else { 0.8 },
                "greening.damage" => 1.5 * (0.7 + 0.3 * tourists),
                "order.stall" => 7.0 * tourists,
                "order.parking" => 6.0 * tourists,
                "order.crowd" => 1.0 * tourists * tourists,
                "order.dispute" => 2.5,
                "consumer.overcharge" => 2.5 * tourists,
                "consumer.food" => 1.2 * tourists,
                "fire.smoke" => if summer { 1.0 } else { 1.8 },
                "fire.fire" => 0.15,
                "fire.hazard" => 2.0,
                "fire.passage" => 1.5,
                "flood.water_level" => if rainy { 0.5 } else { 0.0 },
                "flood.waterlogging" => if rainy { 3.0 } else { 0.2 },
                "livelihood.water_power" => 2.5,
                "livelihood.noise" => if summer { 3.5 } else { 2.0 },
                "livelihood.social" => 1.5,
                "care.elderly_alone" => if summer { 0.5 } else { 0.9 },
                "care.fall" => 0.4,
                _ => 1.0,
            };
            (c.code, w)
        })
        .collect()
}

fn weighted(rng: &mut Rng, items: &[(&'static str, f64)]) -> &'static str {
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut x = rng.unit() * total;
    for (code, w) in items {
        if x < *w {
            return code;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// The time of day a case is reported: most from 8:00 to 22:00, peaks late morning and
/// afternoon; alarms at any hour.
fn time_of_day(rng: &mut Rng, source: Source) -> i64 {
    if matches!(source, Source::Iot) {
        return rng.range(0, DAY - 1);
    }
    const HOURS: [f64; 24] = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 3.4, 3.0, 2.0, 2.2, 3.0, 3.2, 3.0, 2.6, 2.0, 2.0, 1.8, 1.4, 0.8, 0.4];
    let total: f64 = HOURS.iter().sum();
    let mut x = rng.unit() * total;
    let mut hour = 23;
    for (h, w) in HOURS.iter().enumerate() {
        if x < *w {
            hour = h as i64;
            break;
        }
        x -= w;
    }
    hour * HOUR + rng.range(0, HOUR - 1)
}

/// The cases a Beijing day starting at `day_start` brings, `per_day` on an ordinary weekday
/// (more at weekends and in the rains), in the order they are reported.
pub fn day(rng: &mut Rng, day_start: i64, per_day: f64) -> Vec<CasePlan> {
    let (month, weekday) = month_and_weekday(day_start);
    let weekend = weekday >= 5;
    let w = weights(month, weekend);
    let mean = per_day * if weekend { 1.4 } else { 1.0 } * if (6..=8).contains(&month) { 1.2 } else { 1.0 };
    let n = (mean * (0.75 + 0.5 * rng.unit())).round() as usize;
    let mut out: Vec<CasePlan> = (0..n)
        .map(|_| {
            let category = weighted(rng, &w);
            let source = source_of(category, rng);
            let at = day_start + time_of_day(rng, source);
            life(rng, at, category, source)
        })
        .collect();
    out.sort_by_key(|p| p.at);
    out
}

/// The life of one case reported at `at`.
pub fn life(rng: &mut Rng, at: i64, category: &'static str, source: Source) -> CasePlan {
    let cat = case::category(category).expect("demo categories exist");
    let d = cat.deadlines;
    let mut t = at;
    let mut moves = Vec::new();
    let go = |moves: &mut Vec<(i64, Move)>, t: &mut i64, after: i64, m: Move| {
        *t += after.max(1_000);
        moves.push((*t, m));
    };
    let description = description(category, rng);
    let alarm = matches!(source, Source::Iot | Source::CameraAi);
    // Reports a coordinator turns down (not the street's business, a duplicate).
    if !alarm && rng.chance(0.04) {
        go(&mut moves, &mut t, rng.range(2 * MINUTE, 20 * MINUTE), Move::Reject);
        return CasePlan { at, category, source, description, moves };
    }
    // Consumer disputes the street cannot settle go to the district.
    if cat.group == "consumer" && rng.chance(0.03) {
        go(&mut moves, &mut t, rng.range(5 * MINUTE, 30 * MINUTE), Move::Escalate);
        go(&mut moves, &mut t, rng.range(6 * HOUR, 3 * DAY), Move::DistrictResolve);
        go(&mut moves, &mut t, rng.range(10 * MINUTE, d.verify * MINUTE), Move::Verify);
        go(&mut moves, &mut t, rng.range(2 * MINUTE, 30 * MINUTE), Move::Close);
        return CasePlan { at, category, source, description, moves };
    }
    // Dispatch: most within a minute or two ("一分钟派遣"), some late.
    let in_time = (d.accept + d.dispatch) * MINUTE;
    let dispatch = if rng.chance(0.07) { in_time + rng.range(MINUTE, 2 * HOUR) } else { rng.range(20_000, (3 * MINUTE).min(in_time)) };
    go(&mut moves, &mut t, dispatch, Move::Dispatch);
    if rng.chance(0.04) {
        go(&mut moves, &mut t, rng.range(5 * MINUTE, 40 * MINUTE), Move::ReturnTask);
        go(&mut moves, &mut t, rng.range(MINUTE, 15 * MINUTE), Move::Redispatch);
    }
    let dispatched = t;
    go(&mut moves, &mut t, rng.range(MINUTE, 10 * MINUTE), Move::AcceptTask);
    go(&mut moves, &mut t, rng.range(5 * MINUTE, (d.handle * MINUTE / 4).max(6 * MINUTE)), Move::CheckIn);
    if alarm && rng.chance(0.15) {
        go(&mut moves, &mut t, rng.range(2 * MINUTE, 15 * MINUTE), Move::FalseAlarm);
        return CasePlan { at, category, source, description, moves };
    }
    if rng.chance(0.02) {
        go(&mut moves, &mut t, rng.range(10 * MINUTE, HOUR), Move::Suspend);
        go(&mut moves, &mut t, rng.range(2 * HOUR, DAY), Move::Resume);
    }
    // Reported back within the time allowed, or late now and then.
    let handle = d.handle * MINUTE;
    let back = if rng.chance(0.08) { handle + rng.range(10 * MINUTE, handle / 2 + HOUR) } else { rng.range(handle / 5, handle * 9 / 10) };
    let back_at = (dispatched + back).max(t + MINUTE);
    let after = back_at - t;
    go(&mut moves, &mut t, after, Move::ReportBack);
    if rng.chance(0.06) {
        go(&mut moves, &mut t, rng.range(10 * MINUTE, 2 * HOUR), Move::Rework);
        go(&mut moves, &mut t, rng.range(30 * MINUTE, handle / 2 + 30 * MINUTE), Move::ReportBack);
    }
    let verify = d.verify * MINUTE;
    let verified = if rng.chance(0.05) { verify + rng.range(10 * MINUTE, 4 * HOUR) } else { rng.range(5 * MINUTE, verify * 3 / 4) };
    go(&mut moves, &mut t, verified, Move::Verify);
    go(&mut moves, &mut t, rng.range(2 * MINUTE, 30 * MINUTE), Move::Close);
    // Callers are called back (回访) and say how satisfied they are; a low rating is reviewed.
    if matches!(source, Source::Hotline | Source::Resident) && rng.chance(0.7) {
        let x = rng.unit();
        let score = if x < 0.55 { 5 } else if x < 0.8 { 4 } else if x < 0.9 { 3 } else if x < 0.96 { 2 } else { 1 };
        go(&mut moves, &mut t, rng.range(2 * HOUR, DAY), Move::Callback(score));
        if score <= crate::case::follow::LOW_RATING {
            go(&mut moves, &mut t, rng.range(HOUR, 2 * DAY), Move::Review);
        }
    }
    CasePlan { at, category, source, description, moves }
}

/// The year before `now`: `days` Beijing days of cases ending with yesterday, `per_day` an
/// ordinary weekday's cases.
pub fn history(seed: u64, days: i64, per_day: f64, now: i64) -> Vec<CasePlan> {
    let (today, _) = crate::time::beijing_day_start(now);
    let mut rng = Rng::new(seed);
    (1..=days).rev().flat_map(|back| day(&mut rng, today - back * DAY, per_day)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_has_seasons_weekends_and_every_kind_of_life() {
        let now = crate::time::beijing_midnight(2026, 12, 2);
        let year = history(141, 365, 20.0, now);
        println!("a year: {} cases", year.len());
        assert!((6_000..10_000).contains(&year.len()), "{} cases", year.len());
        assert!(year.windows(2).all(|w| w[0].at <= w[1].at), "in the order reported");
        assert!(year.iter().all(|p| p.moves.windows(2).all(|w| w[0].0 < w[1].0) && p.moves[0].0 > p.at), "moves in order, after the report");
        let count = |f: &dyn Fn(&CasePlan) -> bool| year.iter().filter(|p| f(p)).count();
        let has = |p: &CasePlan, m: Move| p.moves.iter().any(|x| x.1 == m);
        // The rains bring waterlogging; the winter almost none.
        let in_month = |p: &CasePlan, m: u32| month_and_weekday(p.at).0 == m;
        let flood = |m: u32| count(&|p| in_month(p, m) && p.category == "flood.waterlogging");
        assert!(flood(7) > 5 * flood(1).max(1), "July {} vs January {}", flood(7), flood(1));
        // Weekends are busier with tourists' disputes than weekdays.
        let weekend = count(&|p| month_and_weekday(p.at).1 >= 5 && p.category == "consumer.overcharge") as f64 / 2.0;
        let weekday = count(&|p| month_and_weekday(p.at).1 < 5 && p.category == "consumer.overcharge") as f64 / 5.0;
        assert!(weekend > 1.5 * weekday, "a weekend day {weekend} vs a weekday {weekday}");
        for m in [Move::Reject, Move::ReturnTask, Move::Rework, Move::FalseAlarm, Move::Escalate, Move::Suspend, Move::Review] {
            assert!(count(&|p| has(p, m)) > 5, "{m:?}");
        }
        // Most closed on time, a few dispatched late.
        let late = count(&|p| {
            let d = case::category(p.category).unwrap().deadlines;
            p.moves.iter().find(|m| m.1 == Move::Dispatch).is_some_and(|m| m.0 - p.at > (d.accept + d.dispatch) * MINUTE)
        });
        assert!(late * 100 / year.len() < 12 && late > 100, "{late} dispatched late");
        // Callers rate most outcomes well; every low rating is reviewed.
        let rated: Vec<u8> = year.iter().flat_map(|p| p.moves.iter().filter_map(|m| if let Move::Callback(s) = m.1 { Some(s) } else { None })).collect();
        let satisfied = rated.iter().filter(|s| **s >= 3).count() * 100 / rated.len();
        assert!((85..95).contains(&satisfied) && rated.len() > 1_000, "{satisfied} % of {} satisfied", rated.len());
        assert_eq!(rated.iter().filter(|s| **s <= 2).count(), count(&|p| has(p, Move::Review)));
        // False alarms only of alarms.
        assert!(year.iter().filter(|p| has(p, Move::FalseAlarm)).all(|p| matches!(p.source, Source::Iot | Source::CameraAi)));
        assert_eq!(history(141, 30, 20.0, now), history(141, 30, 20.0, now), "deterministic");
    }
}
