//! Performance indicators (考核指标) of digital city management, after GB/T 30428.4 and
//! CJ/T 292, and the article's own (矛盾纠纷化解率, 一分钟派遣): each defined once here —
//! numerator, denominator, which cases count — and computed from the case timeline (the
//! append-only steps), so that every figure can be recomputed and drills down to its cases.
//!
//! Rules every indicator shares: a case belongs to the period in which it was reported; drills
//! (演练) count nowhere; a case counts once per group it falls in (a case worked by two posts
//! counts for each, with only that post's tasks judged where tasks are judged).

use crate::case::{self, CaseState, Holder, Source};
use serde::{Deserialize, Serialize};

mod chart;
mod definitions;
mod health;
mod period;
mod weights;
#[cfg(test)]
mod tests;

pub use chart::{hours, trend, HourRow};
pub use period::{period_of, KpiQuery, Period, PeriodKind};
pub use definitions::DEFINITIONS;
pub use health::{device_health, grade_changes, DeviceDown, DeviceHealth, DeviceInService, GradeChangeRow, GradeChanges, Health, OfflineSpell, DOWN_SHOWN, HEALTH_DEFINITIONS};
pub use weights::{check_weights, weights_in_force, IndicatorWeight};

const MINUTE: i64 = 60_000;

/// The steps the indicators judge, as an SQL condition on `kind`, `from_state` and
/// `to_state`: the others (reports, acceptance, photos …) change no figure, and a store need
/// not read them. `judge` reads nothing else (a test keeps the two in step).
pub const STEPS_JUDGED_SQL: &str = "kind IN ('dispatch', 'return_task', 'report_back', 'verify', 'rework', 'escalate', 'false_alarm') \
     OR to_state IN ('verifying', 'closed', 'suspended') OR from_state = 'suspended'";

/// Whether the indicators judge a step (the same condition as [`STEPS_JUDGED_SQL`]).
pub fn judged_step(s: &StepFact) -> bool {
    matches!(s.kind.as_str(), "dispatch" | "return_task" | "report_back" | "verify" | "rework" | "escalate" | "false_alarm")
        || matches!(s.to, CaseState::Verifying | CaseState::Closed | CaseState::Suspended)
        || s.from == CaseState::Suspended
}

/// A step's fields as a store joins them into one text (`s` the step's table), read back by
/// [`parse_steps`]: `seq,at,kind,from,to[,task]` (`concat_ws` leaves out a NULL task).
pub const STEP_FIELDS_SQL: &str = "concat_ws(',', s.seq, s.at, s.kind, s.from_state, s.to_state, s.task_id)";

/// A task's fields as a store joins them into one text (`t` the task's table), read back by
/// [`parse_tasks`]: `id,post,grid,district,deadline`, post and grid empty when none.
pub const TASK_FIELDS_SQL: &str =
    "concat_ws(',', t.id, COALESCE(CAST(t.post_id AS TEXT), ''), COALESCE(CAST(t.grid_id AS TEXT), ''), t.district, t.deadline)";

/// Reads a case's judged steps as a store joins them ([`STEP_FIELDS_SQL`], separated by `;`,
/// in any order), in the timeline's order.
pub fn parse_steps(joined: &str) -> Result<Vec<StepFact>, String> {
    let state = |s: &str| CaseState::from_code(s).ok_or_else(|| format!("unknown state {s:?}"));
    let number = |step: &str, what: &str, v: &str| v.parse::<i64>().map_err(|e| format!("step {step:?}: {what}: {e}"));
    let mut steps = joined
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|step| {
            let f: Vec<&str> = step.split(',').collect();
            let (seq, at, kind, from, to, task) = match f[..] {
                [seq, at, kind, from, to] => (seq, at, kind, from, to, None),
                [seq, at, kind, from, to, task] => (seq, at, kind, from, to, Some(task)),
                _ => return Err(format!("step {step:?} has {} fields, not 5 or 6", f.len())),
            };
            let task_id = task.map(|t| number(step, "task", t)).transpose()?;
            let fact = StepFact { at: number(step, "time", at)?, kind: kind.to_string(), from: state(from)?, to: state(to)?, task_id };
            Ok((number(step, "seq", seq)?, fact))
        })
        .collect::<Result<Vec<(i64, StepFact)>, String>>()?;
    steps.sort_unstable_by_key(|s| s.0);
    Ok(steps.into_iter().map(|s| s.1).collect())
}

/// Reads a case's tasks as a store joins them ([`TASK_FIELDS_SQL`], separated by `;`, in any
/// order; district `0` or `1`), in id order.
pub fn parse_tasks(joined: &str) -> Result<Vec<TaskFact>, String> {
    let number = |task: &str, what: &str, v: &str| v.parse::<i64>().map_err(|e| format!("task {task:?}: {what}: {e}"));
    let mut tasks = joined
        .split(';')
        .filter(|t| !t.is_empty())
        .map(|task| {
            let f: Vec<&str> = task.split(',').collect();
            let [id, post, grid, district, deadline] = f[..] else { return Err(format!("task {task:?} has {} fields, not 5", f.len())) };
            let holder = match (post, grid, district) {
                ("", "", "0") => return Err(format!("task {task:?} has no holder")),
                ("", "", _) => Holder::District,
                ("", g, _) => Holder::Grid(number(task, "grid", g)?),
                (p, _, _) => Holder::Post(number(task, "post", p)?),
            };
            Ok(TaskFact { id: number(task, "id", id)?, holder, deadline: number(task, "deadline", deadline)? })
        })
        .collect::<Result<Vec<TaskFact>, String>>()?;
    tasks.sort_unstable_by_key(|t| t.id);
    Ok(tasks)
}

/// One case as the indicators see it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFacts {
    pub id: i64,
    pub category: String,
    pub source: Source,
    pub grid_id: Option<i64>,
    pub drill: bool,
    pub created_at: i64,
    pub state: CaseState,
    /// The timeline, in order.
    pub steps: Vec<StepFact>,
    pub tasks: Vec<TaskFact>,
    /// The satisfaction rating of the outcome (the resident's or a callback's), 1–5.
    pub rating: Option<u8>,
}

/// A step of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct StepFact {
    pub at: i64,
    pub kind: String,
    pub from: CaseState,
    pub to: CaseState,
    pub task_id: Option<i64>,
}

/// A task: who held it and by when it was due (after any approved extension).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskFact {
    pub id: i64,
    pub holder: Holder,
    pub deadline: i64,
}

/// The indicators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    OnTimeDispatch,
    DispatchAccuracy,
    OnTimeHandling,
    Closure,
    OnTimeClosure,
    OnTimeVerification,
    Rework,
    ValidReport,
    DisputeResolution,
    FalseAlarm,
    Satisfaction,
    ReportToDispatch,
}

/// How an indicator's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// numerator / denominator, shown as a percentage.
    Percent,
    /// Minutes: the median over the denominator's cases (and the 90th percentile beside it).
    Minutes,
}

/// What an indicator means, in Chinese and English, as shown next to its figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Definition {
    pub indicator: Indicator,
    pub code: &'static str,
    pub name: (&'static str, &'static str),
    pub numerator: (&'static str, &'static str),
    pub denominator: (&'static str, &'static str),
    pub unit: Unit,
    /// Whether a higher value is better (a rework rate is better low).
    pub higher_is_better: bool,
    /// Its weight in a post's or grid's score (考核得分), out of the weights of the
    /// indicators the group has a figure for.
    pub weight: u32,
}


impl Indicator {
    pub fn definition(self) -> &'static Definition {
        DEFINITIONS.iter().find(|d| d.indicator == self).expect("every indicator is defined")
    }

    pub fn code(self) -> &'static str {
        self.definition().code
    }

    pub fn from_code(code: &str) -> Option<Indicator> {
        DEFINITIONS.iter().find(|d| d.code == code).map(|d| d.indicator)
    }
}

/// How figures are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// The whole street.
    #[default]
    Street,
    Board,
    Post,
    Grid,
    Community,
    /// The category's group (市容环境, 园林绿化, …).
    Category,
    Source,
}

impl Grouping {
    pub const ALL: [Grouping; 7] = [Grouping::Street, Grouping::Board, Grouping::Post, Grouping::Grid, Grouping::Community, Grouping::Category, Grouping::Source];

    pub fn code(self) -> &'static str {
        match self {
            Grouping::Street => "street",
            Grouping::Board => "board",
            Grouping::Post => "post",
            Grouping::Grid => "grid",
            Grouping::Community => "community",
            Grouping::Category => "category",
            Grouping::Source => "source",
        }
    }

    pub fn from_code(code: &str) -> Option<Grouping> {
        Grouping::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Grouping::Street => ("全街道", "Whole street"),
            Grouping::Board => ("板块", "Board"),
            Grouping::Post => ("岗位", "Post"),
            Grouping::Grid => ("网格", "Grid"),
            Grouping::Community => ("社区", "Community"),
            Grouping::Category => ("事件大类", "Category"),
            Grouping::Source => ("来源", "Source"),
        }
    }
}

/// The names the groups need: posts with their boards, grids with their communities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// (post id, post name, board name)
    pub posts: Vec<(i64, String, String)>,
    /// (grid id, grid name, community name)
    pub grids: Vec<(i64, String, String)>,
}

/// One figure of one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub indicator: Indicator,
    pub numerator: i64,
    pub denominator: i64,
    /// A percentage (0–100) or minutes; `None` when the denominator is empty.
    pub value: Option<f64>,
    /// For minutes: the 90th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
    /// The cases of the denominator that the numerator does not count (for a rate better
    /// high: the late, returned or unresolved ones; better low: the reworked or false
    /// alarms), so that a figure drills down to what lowers it. For minutes: the cases
    /// slower than the median. Not sent with a report: `GET /api/v1/kpis/cases` lists them.
    #[serde(skip)]
    pub misses: Vec<i64>,
}

impl Figure {
    /// Whether some case lowers the figure (or raises a figure better low): whether its
    /// drill-down has cases to list.
    pub fn has_misses(&self) -> bool {
        let def = self.indicator.definition();
        match def.unit {
            Unit::Minutes => self.value.is_some_and(|m| self.p90.is_some_and(|p| p > m)),
            Unit::Percent if def.higher_is_better => self.numerator < self.denominator,
            Unit::Percent => self.numerator > 0,
        }
    }
}

/// The figures of one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// The group's key (a post's id, a category group's code, …; `street` for the street).
    pub key: String,
    pub name: String,
    /// The cases the group holds in the period.
    pub cases: i64,
    pub figures: Vec<Figure>,
    /// The weighted score out of 100 (考核得分) over the rate indicators with a figure.
    pub score: Option<f64>,
    /// 优秀 / 良好 / 合格 / 待改进 by the score.
    pub grade: Option<String>,
}

/// A group's cases: which it holds, and for task-judged indicators, the holder whose tasks
/// count (a post or a grid's worker).
struct Member<'a> {
    case: &'a CaseFacts,
    holder: Option<Holder>,
}

fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| (n as f64) * 100.0 / (d as f64))
}

fn first(c: &CaseFacts, kind: &str) -> Option<i64> {
    c.steps.iter().find(|s| s.kind == kind).map(|s| s.at)
}

fn has(c: &CaseFacts, kind: &str) -> bool {
    c.steps.iter().any(|s| s.kind == kind)
}

/// Time the case spent suspended before `until`.
fn suspended_before(c: &CaseFacts, until: i64) -> i64 {
    let (mut total, mut since) = (0, None);
    for s in c.steps.iter().take_while(|s| s.at <= until) {
        if s.to == CaseState::Suspended && s.from != CaseState::Suspended {
            since = Some(s.at);
        } else if s.from == CaseState::Suspended && s.to != CaseState::Suspended {
            if let Some(from) = since.take() {
                total += s.at - from;
            }
        }
    }
    total + since.map_or(0, |from| until - from)
}

/// Whether the case counts for `indicator` (`None`: not in the denominator) and whether the
/// numerator counts it. `holder` narrows task-judged indicators to one holder's tasks.
fn judge(indicator: Indicator, c: &CaseFacts, holder: Option<Holder>) -> Option<bool> {
    let category = case::category(&c.category)?;
    let d = category.deadlines;
    let mine = |task: Option<i64>| match holder {
        None => true,
        Some(h) => task.and_then(|t| c.tasks.iter().find(|x| x.id == t)).is_some_and(|t| t.holder == h),
    };
    match indicator {
        Indicator::OnTimeDispatch => {
            let at = first(c, "dispatch")?;
            Some(at <= c.created_at + (d.accept + d.dispatch) * MINUTE)
        }
        Indicator::DispatchAccuracy => {
            first(c, "dispatch")?;
            if holder.is_some() && !c.tasks.iter().any(|t| Some(t.holder) == holder) {
                return None;
            }
            Some(!c.steps.iter().any(|s| s.kind == "return_task" && mine(s.task_id)))
        }
        Indicator::OnTimeHandling => {
            let reports: Vec<&StepFact> = c.steps.iter().filter(|s| s.kind == "report_back" && mine(s.task_id)).collect();
            if reports.is_empty() {
                return None;
            }
            Some(reports.iter().all(|s| s.task_id.and_then(|t| c.tasks.iter().find(|x| x.id == t)).is_none_or(|t| s.at <= t.deadline)))
        }
        Indicator::Closure => (c.state != CaseState::Rejected).then_some(c.state == CaseState::Closed),
        Indicator::OnTimeClosure => {
            let closed = c.steps.iter().rev().find(|s| s.to == CaseState::Closed && s.from != CaseState::Closed)?.at;
            if c.state != CaseState::Closed {
                return None;
            }
            let allowed = (d.accept + d.dispatch + d.handle + d.verify) * MINUTE;
            Some(closed - c.created_at - suspended_before(c, closed) <= allowed)
        }
        Indicator::OnTimeVerification => {
            let at = first(c, "verify")?;
            let reached = c.steps.iter().take_while(|s| s.at <= at).filter(|s| s.to == CaseState::Verifying && s.from != CaseState::Verifying).last()?.at;
            Some(at <= reached + d.verify * MINUTE)
        }
        Indicator::Rework => (has(c, "verify") || has(c, "rework")).then(|| !has(c, "rework")),
        Indicator::ValidReport => (c.source == Source::Patrol).then_some(c.state != CaseState::Rejected),
        Indicator::DisputeResolution => {
            if category.group != "consumer" || !(c.state == CaseState::Closed || has(c, "escalate")) {
                return None;
            }
            Some(c.state == CaseState::Closed && !has(c, "escalate"))
        }
        Indicator::FalseAlarm => matches!(c.source, Source::Iot | Source::CameraAi).then(|| !has(c, "false_alarm")),
        Indicator::Satisfaction => c.rating.map(|r| r >= crate::case::follow::SATISFIED_RATING),
        Indicator::ReportToDispatch => first(c, "dispatch").map(|_| true),
    }
}

/// The figure of `indicator` over `members`.
fn figure(indicator: Indicator, members: &[Member]) -> Figure {
    let def = indicator.definition();
    if def.unit == Unit::Minutes {
        let mut times: Vec<(f64, i64)> = members
            .iter()
            .filter_map(|m| first(m.case, "dispatch").map(|at| ((at - m.case.created_at) as f64 / MINUTE as f64, m.case.id)))
            .collect();
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        let pct = |p: f64| (!times.is_empty()).then(|| times[((times.len() as f64 - 1.0) * p).round() as usize].0);
        let median = pct(0.5);
        let misses = times.iter().filter(|t| median.is_some_and(|m| t.0 > m)).map(|t| t.1).collect();
        return Figure { indicator, numerator: times.len() as i64, denominator: times.len() as i64, value: median, p90: pct(0.9), misses };
    }
    // `judge` answers whether the outcome was good; a better-low rate counts the bad ones.
    let judged: Vec<(i64, bool)> = members.iter().filter_map(|m| judge(indicator, m.case, m.holder).map(|good| (m.case.id, good))).collect();
    let d = judged.len() as i64;
    let good = judged.iter().filter(|j| j.1).count() as i64;
    let n = if def.higher_is_better { good } else { d - good };
    let misses = judged.iter().filter(|j| !j.1).map(|j| j.0).collect();
    Figure { indicator, numerator: n, denominator: d, value: rate(n, d), p90: None, misses }
}

/// The grade of a score: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 待改进.
pub fn grade(score: f64) -> (&'static str, &'static str) {
    if score >= 90.0 {
        ("优秀", "Excellent")
    } else if score >= 80.0 {
        ("良好", "Good")
    } else if score >= 60.0 {
        ("合格", "Adequate")
    } else {
        ("待改进", "Needs improvement")
    }
}

/// The weighted score out of 100 of a group's rate figures (a better-low rate scores
/// 100 − its value), over the indicators with a weight and a figure; `weights` overrides the
/// defaults by indicator.
pub fn score(figures: &[Figure], weights: &[(Indicator, u32)]) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0u32);
    for f in figures {
        let def = f.indicator.definition();
        let w = weights.iter().find(|w| w.0 == f.indicator).map_or(def.weight, |w| w.1);
        if w == 0 || def.unit != Unit::Percent {
            continue;
        }
        if let Some(v) = f.value {
            sum += f64::from(w) * if def.higher_is_better { v } else { 100.0 - v };
            total += w;
        }
    }
    (total > 0).then(|| sum / f64::from(total))
}

/// The figures of every group of `cases` (drills left out), each with its score and grade,
/// groups with the most cases first (the street first of all).
pub fn compute(cases: &[CaseFacts], names: &Names, grouping: Grouping, weights: &[(Indicator, u32)]) -> Vec<GroupFigures> {
    use std::collections::BTreeMap;
    fn add<'a>(groups: &mut BTreeMap<String, (String, Vec<Member<'a>>)>, key: String, name: String, m: Member<'a>) {
        groups.entry(key).or_insert_with(|| (name, Vec::new())).1.push(m);
    }
    let mut groups: BTreeMap<String, (String, Vec<Member>)> = BTreeMap::new();
    for c in cases.iter().filter(|c| !c.drill) {
        match grouping {
            Grouping::Street => add(&mut groups, "street".into(), "全街道".into(), Member { case: c, holder: None }),
            Grouping::Post | Grouping::Board => {
                let mut seen: Vec<String> = Vec::new();
                for t in &c.tasks {
                    let Holder::Post(p) = t.holder else { continue };
                    let Some((_, post, board)) = names.posts.iter().find(|x| x.0 == p) else { continue };
                    let (key, name) = if grouping == Grouping::Post { (p.to_string(), post.clone()) } else { (board.clone(), board.clone()) };
                    if !seen.contains(&key) {
                        seen.push(key.clone());
                        // A board's figures judge the tasks of all its posts: no one holder.
                        let holder = (grouping == Grouping::Post).then_some(t.holder);
                        add(&mut groups, key, name, Member { case: c, holder });
                    }
                }
            }
            Grouping::Grid | Grouping::Community => {
                let Some(g) = c.grid_id else { continue };
                let Some((_, grid, community)) = names.grids.iter().find(|x| x.0 == g) else { continue };
                if grouping == Grouping::Grid {
                    add(&mut groups, g.to_string(), grid.clone(), Member { case: c, holder: None });
                } else {
                    add(&mut groups, community.clone(), community.clone(), Member { case: c, holder: None });
                }
            }
            Grouping::Category => {
                let group = case::category(&c.category).map_or("other", |k| k.group);
                let name = case::category::group(group).map_or("其他".to_string(), |g| g.name_zh.to_string());
                add(&mut groups, group.to_string(), name, Member { case: c, holder: None });
            }
            Grouping::Source => {
                add(&mut groups, c.source.code().to_string(), c.source.name_zh().to_string(), Member { case: c, holder: None });
            }
        }
    }
    let mut out: Vec<GroupFigures> = groups
        .into_iter()
        .map(|(key, (name, members))| {
            let figures: Vec<Figure> = DEFINITIONS.iter().map(|d| figure(d.indicator, &members)).collect();
            let score = score(&figures, weights);
            GroupFigures { key, name, cases: members.len() as i64, grade: score.map(|s| grade(s).0.to_string()), score, figures }
        })
        .collect();
    out.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.key.cmp(&b.key)));
    out
}

/// The figures of a period and of the one before it, by a grouping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    pub period: Period,
    pub previous: Period,
    pub grouping: Grouping,
    /// Cases reported in the period (drills left out).
    pub cases: i64,
    pub rows: Vec<GroupFigures>,
    /// The previous period's figures, by the same groups' keys.
    pub previous_rows: Vec<GroupFigures>,
    /// The street's figures by day (or week) of the period: the trend.
    #[serde(default)]
    pub trend: Vec<GroupFigures>,
    /// The heat table: cases by category group and hour of the day.
    #[serde(default)]
    pub hours: Vec<HourRow>,
    /// The weights the scores were computed with.
    #[serde(default)]
    pub weights: Vec<IndicatorWeight>,
    /// Device health and enterprise grade changes over the period, and over the one before.
    #[serde(default)]
    pub health: Health,
    #[serde(default)]
    pub previous_health: Health,
    /// While the demo's history is being played: cases played and planned (the figures are
    /// still changing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo_history: Option<[i64; 2]>,
}
