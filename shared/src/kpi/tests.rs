//! A small history built by hand, and every indicator's numerator and denominator checked
//! against the definitions: returns, rework, a suspension, a rejection, a false alarm, an
//! escalated dispute and a drill.

use super::*;
use crate::case::CaseState as S;

const M: i64 = 60_000;

fn step(at_min: i64, kind: &str, from: S, to: S, task: Option<i64>) -> StepFact {
    StepFact { at: at_min * M, kind: kind.into(), from, to, task_id: task }
}

fn case(id: i64, category: &str, source: Source, state: S, steps: Vec<StepFact>, tasks: Vec<(i64, i64, i64)>) -> CaseFacts {
    CaseFacts {
        id,
        category: category.into(),
        source,
        grid_id: Some(1),
        drill: false,
        created_at: 0,
        state,
        steps,
        tasks: tasks.into_iter().map(|(id, post, due_min)| TaskFact { id, holder: Holder::Post(post), deadline: due_min * M }).collect(),
        rating: None,
    }
}

/// Broken branches (accept 10 + dispatch 20 min, handle 4 h, verify 4 h), a smoke alarm, an
/// overcharging dispute, a crowd seen by a camera, and a drill.
fn history() -> Vec<CaseFacts> {
    let a = case(1, "greening.branch", Source::Patrol, S::Closed, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(5, "dispatch", S::Reported, S::Dispatched, Some(11)),
        step(20, "accept_task", S::Dispatched, S::Handling, Some(11)),
        step(100, "report_back", S::Handling, S::Verifying, Some(11)),
        step(150, "verify", S::Verifying, S::Verified, None),
        step(160, "close", S::Verified, S::Closed, None),
    ], vec![(11, 14, 245)]);
    let b = case(2, "greening.branch", Source::Resident, S::Closed, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(45, "dispatch", S::Reported, S::Dispatched, Some(21)),
        step(50, "return_task", S::Dispatched, S::Registered, Some(21)),
        step(60, "dispatch", S::Registered, S::Dispatched, Some(22)),
        step(100, "suspend", S::Dispatched, S::Suspended, None),
        step(130, "resume", S::Suspended, S::Dispatched, None),
        step(400, "report_back", S::Dispatched, S::Verifying, Some(22)),
        step(420, "rework", S::Verifying, S::Handling, None),
        step(450, "report_back", S::Handling, S::Verifying, Some(22)),
        step(460, "verify", S::Verifying, S::Verified, None),
        step(470, "close", S::Verified, S::Closed, None),
    ], vec![(21, 14, 285), (22, 18, 300)]);
    let c = case(3, "greening.branch", Source::Patrol, S::Rejected, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(5, "reject", S::Reported, S::Rejected, None),
    ], vec![]);
    let d = case(4, "fire.smoke", Source::Iot, S::Closed, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(3, "false_alarm", S::Reported, S::Closed, None),
    ], vec![]);
    let e = case(5, "consumer.overcharge", Source::Hotline, S::Escalated, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(60, "escalate", S::Registered, S::Escalated, None),
    ], vec![]);
    let mut f = a.clone();
    f.id = 6;
    f.drill = true;
    let g = case(7, "order.crowd", Source::CameraAi, S::Handling, vec![
        step(0, "report", S::Reported, S::Reported, None),
        step(2, "dispatch", S::Reported, S::Dispatched, Some(71)),
        step(4, "accept_task", S::Dispatched, S::Handling, Some(71)),
    ], vec![(71, 16, 62)]);
    vec![a, b, c, d, e, f, g]
}

fn names() -> Names {
    Names {
        posts: vec![(14, "城市管理".into(), "民生".into()), (16, "平安建设".into(), "平安法治".into()), (18, "综合执法".into(), "平安法治".into())],
        grids: vec![(1, "磁南网格".into(), "磁南社区".into())],
    }
}

fn get(g: &GroupFigures, i: Indicator) -> &Figure {
    g.figures.iter().find(|f| f.indicator == i).unwrap()
}

#[test]
fn the_street_figures_count_what_each_definition_says() {
    let rows = compute(&history(), &names(), Grouping::Street, &[]);
    assert_eq!(rows.len(), 1);
    let s = &rows[0];
    let nd = |i| {
        let f = get(s, i);
        (f.numerator, f.denominator, f.misses.clone())
    };
    use Indicator::*;
    assert_eq!(nd(OnTimeDispatch), (2, 3, vec![2]), "B was dispatched 45 min after its report, 30 allowed");
    assert_eq!(nd(DispatchAccuracy), (2, 3, vec![2]), "B's first task was returned");
    assert_eq!(nd(OnTimeHandling), (1, 2, vec![2]), "B's task reported back after its deadline");
    assert_eq!(nd(Closure), (3, 5, vec![5, 7]), "the rejected report and the drill are not counted; the false alarm is closed");
    assert_eq!(nd(OnTimeClosure), (3, 3, vec![]), "B's 30 min suspended do not count against it");
    assert_eq!(nd(OnTimeVerification), (2, 2, vec![]), "B verified 10 min after reaching verification again");
    assert_eq!(nd(Rework), (1, 2, vec![2]));
    assert_eq!(nd(ValidReport), (1, 2, vec![3]));
    assert_eq!(nd(DisputeResolution), (0, 1, vec![5]), "the escalated dispute is not resolved by the street");
    assert_eq!(nd(FalseAlarm), (1, 2, vec![4]));
    let t = get(s, ReportToDispatch);
    assert_eq!((t.value, t.p90, t.denominator, t.misses.clone()), (Some(5.0), Some(45.0), 3, vec![2]));
    assert_eq!(get(s, OnTimeDispatch).value.map(|v| (v * 10.0).round() / 10.0), Some(66.7));
    assert_eq!(get(s, Rework).value, Some(50.0));
}

#[test]
fn a_post_is_judged_on_its_own_tasks() {
    let rows = compute(&history(), &names(), Grouping::Post, &[]);
    let post = |name: &str| rows.iter().find(|r| r.name == name).unwrap();
    use Indicator::*;
    let city = post("城市管理");
    assert_eq!((get(city, DispatchAccuracy).numerator, get(city, DispatchAccuracy).denominator), (1, 2), "its task on B was returned");
    assert_eq!((get(city, OnTimeHandling).numerator, get(city, OnTimeHandling).denominator), (1, 1), "it reported back nothing on B");
    let law = post("综合执法");
    assert_eq!((get(law, DispatchAccuracy).numerator, get(law, DispatchAccuracy).denominator), (1, 1));
    assert_eq!((get(law, OnTimeHandling).numerator, get(law, OnTimeHandling).denominator, get(law, OnTimeHandling).misses.clone()), (0, 1, vec![2]));
    // Scores weigh the rates: every rate of 城市管理 is whole but its accuracy.
    assert!(city.score.unwrap() > law.score.unwrap(), "{:?} vs {:?}", city.score, law.score);
    assert_eq!(rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["城市管理", "平安建设", "综合执法"], "most cases first, then by key");
}

#[test]
fn drills_count_nowhere_and_every_group_adds_up_to_the_street() {
    let mut h = history();
    let street = compute(&h, &names(), Grouping::Street, &[]);
    h.retain(|c| !c.drill);
    assert_eq!(compute(&h, &names(), Grouping::Street, &[]), street, "the drill changes no figure");
    for g in [Grouping::Category, Grouping::Source, Grouping::Grid, Grouping::Community] {
        let rows = compute(&h, &names(), g, &[]);
        for i in DEFINITIONS.iter().filter(|d| d.unit == Unit::Percent).map(|d| d.indicator) {
            let (n, d): (i64, i64) = rows.iter().map(|r| (get(r, i).numerator, get(r, i).denominator)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            assert_eq!((n, d), (get(&street[0], i).numerator, get(&street[0], i).denominator), "{g:?} {i:?}");
        }
    }
}

#[test]
fn scores_and_grades_follow_the_weights() {
    let f = |i, v| Figure { indicator: i, numerator: 0, denominator: 1, value: Some(v), p90: None, misses: vec![] };
    let figures = [f(Indicator::OnTimeDispatch, 100.0), f(Indicator::Rework, 20.0), f(Indicator::ReportToDispatch, 9.0)];
    // 20 × 100 + 10 × (100 − 20) over 30; minutes never score.
    assert_eq!(score(&figures, &[]).map(|s| s.round()), Some(93.0));
    assert_eq!(score(&figures, &[(Indicator::Rework, 30)]).map(|s| s.round()), Some(88.0));
    assert_eq!(score(&figures, &[(Indicator::OnTimeDispatch, 0), (Indicator::Rework, 0)]), None);
    assert_eq!(grade(93.0).0, "优秀");
    assert_eq!(grade(88.0).0, "良好");
    assert_eq!(grade(60.0).0, "合格");
    assert_eq!(grade(59.9).0, "待改进");
    for d in DEFINITIONS {
        assert_eq!(Indicator::from_code(d.code), Some(d.indicator));
        assert!(!d.name.1.is_empty() && !d.numerator.1.is_empty() && !d.denominator.1.is_empty());
    }
}

#[test]
fn periods_are_beijing_days_weeks_and_months_and_bad_ones_are_named() {
    use crate::time::{beijing_datetime, beijing_midnight};
    let at = beijing_midnight(2026, 12, 2) + 10 * 3_600_000; // Wednesday 10:00
    let month = Period::containing(PeriodKind::Month, at);
    assert_eq!((month.from, month.to), (beijing_midnight(2026, 12, 1), beijing_midnight(2027, 1, 1)));
    assert_eq!(month.label(), "2026-12");
    assert_eq!(month.previous().label(), "2026-11");
    assert_eq!(Period::containing(PeriodKind::Month, beijing_midnight(2027, 1, 5)).previous().from, beijing_midnight(2026, 12, 1));
    let week = Period::containing(PeriodKind::Week, at);
    assert_eq!(beijing_datetime(week.from), "2026-11-30 00:00:00", "weeks start on Monday");
    assert_eq!(week.label(), "2026-11-30 – 2026-12-06");
    assert_eq!(week.previous().label(), "2026-11-23 – 2026-11-29");
    assert_eq!(Period::containing(PeriodKind::Day, beijing_midnight(2026, 12, 2) - 1).label(), "2026-12-01");
    let q = |from: &str, to: &str| KpiQuery { period: Some("custom".into()), from: Some(from.into()), to: Some(to.into()), ..Default::default() };
    let p = period_of(&q("2026-11-01", "2026-11-15"), at).unwrap();
    assert_eq!((p.from, p.to), (beijing_midnight(2026, 11, 1), beijing_midnight(2026, 11, 16)));
    assert_eq!(p.previous().label(), "2026-10-17 – 2026-10-31");
    assert_eq!(period_of(&q("2026-11-15", "2026-11-01"), at).unwrap_err().0, "to");
    assert_eq!(period_of(&q("2026/11/01", "2026-11-02"), at).unwrap_err(), ("from", "「2026/11/01」不是日期：请写成 YYYY-MM-DD".to_string()));
    let bad = KpiQuery { period: Some("quarter".into()), ..Default::default() };
    assert_eq!(period_of(&bad, at).unwrap_err().0, "period");
    assert_eq!(period_of(&KpiQuery::default(), at).unwrap(), month);
}

#[test]
fn the_steps_a_store_may_leave_out_change_no_figure() {
    let all = history();
    let mut judged = all.clone();
    for c in &mut judged {
        c.steps.retain(judged_step);
    }
    assert!(judged.iter().map(|c| c.steps.len()).sum::<usize>() < all.iter().map(|c| c.steps.len()).sum::<usize>());
    for g in Grouping::ALL {
        assert_eq!(compute(&judged, &names(), g, &[]), compute(&all, &names(), g, &[]), "{g:?}");
    }
    // The SQL condition names the same kinds and states.
    for kind in ["dispatch", "return_task", "report_back", "verify", "rework", "escalate", "false_alarm"] {
        assert!(STEPS_JUDGED_SQL.contains(&format!("'{kind}'")), "{kind}");
    }
    for state in [CaseState::Verifying, CaseState::Closed, CaseState::Suspended] {
        assert!(STEPS_JUDGED_SQL.contains(&format!("'{}'", state.code())));
    }
}

#[test]
fn joined_steps_read_back_in_timeline_order_and_bad_ones_are_named() {
    // As `concat_ws` joins them: a step without a task has five fields; any order.
    let steps = parse_steps("9,120000,verify,verifying,verified;4,60000,dispatch,registered,dispatched,7").unwrap();
    assert_eq!(steps, vec![step(1, "dispatch", S::Registered, S::Dispatched, Some(7)), step(2, "verify", S::Verifying, S::Verified, None)]);
    assert_eq!(parse_steps("").unwrap(), vec![]);
    assert!(parse_steps("1,60000,dispatch,registered").unwrap_err().contains("not 5 or 6"));
    assert!(parse_steps("1,60000,dispatch,registered,flying").unwrap_err().contains("flying"));
    assert!(parse_steps("1,x,dispatch,registered,dispatched").unwrap_err().contains("time"));
    assert!(parse_steps("1,60000,dispatch,registered,dispatched,seven").unwrap_err().contains("task"));
}

#[test]
fn the_trend_lists_every_day_and_the_heat_table_counts_by_beijing_hour() {
    const DAY: i64 = 86_400_000;
    let week = Period::containing(PeriodKind::Week, crate::time::beijing_midnight(2026, 11, 18));
    // Case 1 on Monday 09:30 Beijing, case 2 on Wednesday 23:10, the drill on Monday too.
    let mut cases = history();
    cases.retain(|c| [1, 2, 6].contains(&c.id));
    let at = |c: &mut CaseFacts, t: i64| {
        for s in c.steps.iter_mut() {
            s.at += t;
        }
        for x in c.tasks.iter_mut() {
            x.deadline += t;
        }
        c.created_at = t;
    };
    at(&mut cases[0], week.from + 9 * 3_600_000 + 30 * M);
    at(&mut cases[1], week.from + 2 * DAY + 23 * 3_600_000 + 10 * M);
    at(&mut cases[2], week.from + 10 * 3_600_000);
    let t = trend(&cases, &week, &[]);
    assert_eq!(t.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(), ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"]);
    assert_eq!(t.iter().map(|g| g.cases).collect::<Vec<_>>(), [1, 0, 1, 0, 0, 0, 0], "the drill counts nowhere");
    assert_eq!(get(&t[0], Indicator::OnTimeDispatch).value, Some(100.0));
    assert_eq!(get(&t[2], Indicator::OnTimeDispatch).value, Some(0.0), "case 2 was dispatched after 45 minutes");
    assert_eq!(get(&t[1], Indicator::OnTimeDispatch).value, None);
    assert_eq!(t[0].name, "11/16");
    // A quarter goes by weeks from Monday.
    let quarter = Period { kind: PeriodKind::Custom, from: crate::time::beijing_midnight(2026, 9, 1), to: crate::time::beijing_midnight(2026, 12, 1) };
    let q = trend(&cases, &quarter, &[]);
    assert_eq!(q[0].key, "2026-09-01", "the first week starts with the period");
    assert_eq!(q[1].key, "2026-09-07", "then Mondays");
    assert_eq!(q.iter().find(|g| g.key == "2026-11-16").map(|g| g.cases), Some(2), "the week of both cases");
    assert_eq!(q.iter().map(|g| g.cases).sum::<i64>(), 2);
    assert_eq!(q.len(), 14, "Sep 1 and the thirteen Mondays to Nov 30");
    let h = hours(&cases);
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].key.as_str(), h[0].name.as_str()), ("greening", "园林绿化"));
    assert_eq!((h[0].counts[9], h[0].counts[23], h[0].counts.iter().sum::<i64>()), (1, 1, 2));
}

#[test]
fn weights_an_administrator_sets_are_checked_and_fill_in_the_defaults() {
    let w = |indicator, weight| IndicatorWeight { indicator, weight };
    let set = [w(Indicator::Rework, 40)];
    let force = weights_in_force(&set);
    assert_eq!(force.len(), DEFINITIONS.len());
    assert_eq!(force.iter().find(|x| x.indicator == Indicator::Rework).unwrap().weight, 40);
    assert_eq!(force.iter().find(|x| x.indicator == Indicator::OnTimeHandling).unwrap().weight, 25, "the default");
    assert!(check_weights(&set).is_ok());
    assert!(check_weights(&[w(Indicator::Rework, 101)]).unwrap_err().1.contains("0–100"));
    assert!(check_weights(&[w(Indicator::Rework, 1), w(Indicator::Rework, 2)]).unwrap_err().1.contains("两次"));
    assert!(check_weights(&[w(Indicator::ReportToDispatch, 5)]).unwrap_err().1.contains("分钟"));
    let zero: Vec<IndicatorWeight> = DEFINITIONS.iter().map(|d| w(d.indicator, 0)).collect();
    assert_eq!(check_weights(&zero).unwrap_err().0, "weights");
}

#[test]
fn satisfaction_counts_rated_cases_three_stars_and_up() {
    let rated = |id: i64, r: Option<u8>| CaseFacts { rating: r, ..case(id, "greening.branch", Source::Resident, S::Closed, vec![], vec![(id * 10, 4, 60)]) };
    let cases = vec![rated(1, Some(5)), rated(2, Some(3)), rated(3, Some(2)), rated(4, None)];
    let names = Names { posts: vec![(4, "城市管理".into(), "城市管理板块".into())], grids: vec![] };
    let street = &compute(&cases, &names, Grouping::Street, &[])[0];
    let f = street.figures.iter().find(|f| f.indicator == Indicator::Satisfaction).unwrap();
    assert_eq!((f.numerator, f.denominator), (2, 3), "the unrated case is not in the denominator");
    assert_eq!(f.misses, vec![3], "the drill-down lists the unsatisfied case");
    let post = &compute(&cases, &names, Grouping::Post, &[])[0];
    assert_eq!(post.figures.iter().find(|f| f.indicator == Indicator::Satisfaction).unwrap().denominator, 3);
}

#[test]
fn a_stores_joined_tasks_read_back_with_their_holders() {
    use crate::case::Holder;
    let tasks = parse_tasks("8,,12,0,2000;7,3,,0,1000;9,,,1,3000").unwrap();
    assert_eq!(tasks.iter().map(|t| (t.id, t.holder, t.deadline)).collect::<Vec<_>>(), vec![(7, Holder::Post(3), 1000), (8, Holder::Grid(12), 2000), (9, Holder::District, 3000)]);
    assert_eq!(parse_tasks("").unwrap(), vec![]);
    assert!(parse_tasks("7,,,0,1000").unwrap_err().contains("no holder"));
    assert!(parse_tasks("7,3,0,1000").unwrap_err().contains("not 5"));
    assert!(parse_tasks("x,3,,0,1000").unwrap_err().contains("id"));
}
