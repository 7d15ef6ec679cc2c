//! Contingency plans (应急预案) and their activations (预案启动): the "141" system's scene
//! dispatch (综合场景调度).
//!
//! A plan is versioned: every save makes a new version and an activation keeps the version it
//! used. A plan has response levels Ⅳ (lowest) → Ⅰ; each level *adds* tasks and district items
//! to those of the levels below it, so that raising the level adds tasks and lowering it
//! withdraws those of the higher levels. Tasks are case tasks: activating a plan dispatches
//! them on one case (the incident's), so posts work plan tasks in the inbox where they work
//! every other task; district items are tasks held by the district (`Holder::District`).
//!
//! Everything here is pure: [`PlanBody::check`] validates a plan against the street's posts,
//! [`tasks_between`] says what a level change adds, [`stand_down`] whether an activation may
//! end, [`review`] the after-action timings.

pub mod demo;

use crate::case::{Holder, TaskState};
use serde::{Deserialize, Serialize};

/// A response level. Ⅳ is the lowest (blue), Ⅰ the highest (red).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Ⅳ级 (一般, blue)
    #[serde(rename = "iv")]
    Iv,
    /// Ⅲ级 (较大, yellow)
    #[serde(rename = "iii")]
    Iii,
    /// Ⅱ级 (重大, orange)
    #[serde(rename = "ii")]
    Ii,
    /// Ⅰ级 (特别重大, red)
    #[serde(rename = "i")]
    I,
}

impl Level {
    /// From the lowest to the highest.
    pub const ALL: [Level; 4] = [Level::Iv, Level::Iii, Level::Ii, Level::I];

    pub fn code(self) -> &'static str {
        match self {
            Level::Iv => "iv",
            Level::Iii => "iii",
            Level::Ii => "ii",
            Level::I => "i",
        }
    }

    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }

    /// 「Ⅳ级响应」's first part: 「Ⅳ级」.
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::Iv => "Ⅳ级",
            Level::Iii => "Ⅲ级",
            Level::Ii => "Ⅱ级",
            Level::I => "Ⅰ级",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Level::Iv => "Level IV",
            Level::Iii => "Level III",
            Level::Ii => "Level II",
            Level::I => "Level I",
        }
    }

    /// The command centre's colour: blue, yellow, orange, red.
    pub fn colour(self) -> &'static str {
        match self {
            Level::Iv => "blue",
            Level::Iii => "yellow",
            Level::Ii => "orange",
            Level::I => "red",
        }
    }
}

/// Who a plan task goes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Target {
    /// A post of the street, by name (e.g. 「城市管理」).
    Post(String),
    /// The grid worker of the grid where the incident is.
    PlaceGrid,
}

/// One task of a level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    pub target: Target,
    /// What to do, as the post will read it.
    pub instruction: String,
    /// Minutes after activation by which it must be reported back.
    pub due_minutes: i64,
    /// Points to check off while doing it.
    #[serde(default)]
    pub checklist: Vec<String>,
}

/// What goes up to the district operations centre (区城运中心).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictItem {
    /// E.g. 「食品质量检测」.
    pub title: String,
    /// What is asked of the district.
    pub ask: String,
    pub due_minutes: i64,
}

/// What a level adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelPlan {
    pub level: Level,
    /// When this level applies, in words.
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub tasks: Vec<PlanTask>,
    #[serde(default)]
    pub district: Vec<DistrictItem>,
}

/// A plan as written (one version of it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBody {
    /// E.g. 「重大旅游消费纠纷处置预案」.
    pub name: String,
    /// The kind of emergency, e.g. 「社会安全」, 「自然灾害」.
    pub kind: String,
    /// The case categories (codes or groups) for which the board offers this plan.
    #[serde(default)]
    pub categories: Vec<String>,
    /// When to activate it, in words.
    pub trigger: String,
    /// Levels with what each adds, lowest first.
    pub levels: Vec<LevelPlan>,
    /// Who is told when it is activated (leaders, units), in words.
    #[serde(default)]
    pub notify: Vec<String>,
}

/// A stored plan: its current version and whether it is retired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: i64,
    pub version: i64,
    pub retired: bool,
    pub updated_at: i64,
    pub updated_by: String,
    /// The activation whose review led to this version, if any.
    pub lessons_from: Option<i64>,
    pub body: PlanBody,
}

/// A plan to save: a new plan, or a new version of one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSave {
    pub body: PlanBody,
    /// Retire (or restore) the plan: a retired plan cannot be activated.
    #[serde(default)]
    pub retired: bool,
    /// The activation whose review this revision answers.
    #[serde(default)]
    pub lessons_from: Option<i64>,
}

/// Where a task or item of a plan sits: its level and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub level: Level,
    /// The task's index within its level (district items count after the tasks).
    pub index: usize,
}

/// A task ready to dispatch: whom it goes to, what it says, when it is due.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    pub slot: Slot,
    pub holder: Holder,
    pub instruction: String,
    pub checklist: Vec<String>,
    pub due_minutes: i64,
}

/// Why a plan cannot be saved or activated as asked: the field and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError {
        field,
        message: message.into(),
    }
}

impl PlanBody {
    /// Checks the plan: names and words present, levels in order without repeats, every post
    /// known to the street (`posts`), sensible deadlines.
    pub fn check(&self, posts: &[&str]) -> Result<(), PlanError> {
        let len = |s: &str| s.trim().chars().count();
        if !(2..=60).contains(&len(&self.name)) {
            return Err(bad("name", "预案名称应为 2–60 个字"));
        }
        if !(2..=20).contains(&len(&self.kind)) {
            return Err(bad("kind", "请填写预案类型（2–20 个字）"));
        }
        if !(2..=500).contains(&len(&self.trigger)) {
            return Err(bad("trigger", "请填写启动条件（2–500 个字）"));
        }
        for c in &self.categories {
            if crate::case::category(c).is_none() && crate::case::category::group(c).is_none() {
                return Err(bad("categories", format!("没有事件类别「{c}」")));
            }
        }
        if self.levels.is_empty() {
            return Err(bad("levels", "预案至少要有一个响应级别"));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if i > 0 && self.levels[i - 1].level >= l.level {
                return Err(bad("levels", "响应级别应从低到高（Ⅳ→Ⅰ）排列，且不重复"));
            }
            if l.tasks.len() + l.district.len() > 40 {
                return Err(bad(
                    "levels",
                    format!("{}任务过多（最多 40 项）", l.level.name_zh()),
                ));
            }
            for t in &l.tasks {
                if let Target::Post(p) = &t.target {
                    if !posts.contains(&p.as_str()) {
                        return Err(bad(
                            "levels",
                            format!("{}：本街道没有「{p}」岗位", l.level.name_zh()),
                        ));
                    }
                }
                if !(2..=500).contains(&len(&t.instruction)) {
                    return Err(bad(
                        "levels",
                        format!("{}：每项任务都要写明要求（2–500 个字）", l.level.name_zh()),
                    ));
                }
                if !(1..=7 * 24 * 60).contains(&t.due_minutes) {
                    return Err(bad(
                        "levels",
                        format!("{}：任务时限应为 1 分钟到 7 天", l.level.name_zh()),
                    ));
                }
                if t.checklist.len() > 20
                    || t.checklist.iter().any(|c| !(1..=200).contains(&len(c)))
                {
                    return Err(bad(
                        "levels",
                        format!("{}：检查项最多 20 条，每条 1–200 个字", l.level.name_zh()),
                    ));
                }
            }
            for d in &l.district {
                if len(&d.title) < 2
                    || len(&d.ask) < 2
                    || !(1..=7 * 24 * 60).contains(&d.due_minutes)
                {
                    return Err(bad(
                        "levels",
                        format!("{}：上报区级事项要写明事项、请求和时限", l.level.name_zh()),
                    ));
                }
            }
        }
        if self.first_level().is_some_and(|first| {
            self.levels
                .iter()
                .all(|l| l.level > first || l.tasks.is_empty())
        }) {
            return Err(bad("levels", "最低响应级别至少要有一项任务"));
        }
        Ok(())
    }

    /// The lowest level the plan has.
    pub fn first_level(&self) -> Option<Level> {
        self.levels.first().map(|l| l.level)
    }

    /// Whether the plan has `level`.
    pub fn has_level(&self, level: Level) -> bool {
        self.levels.iter().any(|l| l.level == level)
    }

    /// Whether the board should offer this plan for a case of `category`.
    pub fn matches(&self, category: &str) -> bool {
        self.categories.iter().any(|c| {
            c == category
                || category
                    .strip_prefix(c.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    }
}

/// The tasks (and district items) of the levels above `from` up to and including `to`, ready
/// to dispatch: all of them from `None` (a new activation). The grid task goes to `grid` (the
/// incident's grid); without one it is skipped. `posts` maps post names to ids.
pub fn tasks_between(
    body: &PlanBody,
    from: Option<Level>,
    to: Level,
    posts: &[(i64, &str)],
    grid: Option<i64>,
) -> Vec<Dispatch> {
    let mut out = Vec::new();
    for l in body
        .levels
        .iter()
        .filter(|l| from.is_none_or(|f| l.level > f) && l.level <= to)
    {
        for (index, t) in l.tasks.iter().enumerate() {
            let holder = match &t.target {
                Target::Post(name) => posts
                    .iter()
                    .find(|p| p.1 == name)
                    .map(|p| Holder::Post(p.0)),
                Target::PlaceGrid => grid.map(Holder::Grid),
            };
            if let Some(holder) = holder {
                let slot = Slot {
                    level: l.level,
                    index,
                };
                out.push(Dispatch {
                    slot,
                    holder,
                    instruction: t.instruction.clone(),
                    checklist: t.checklist.clone(),
                    due_minutes: t.due_minutes,
                });
            }
        }
        for (i, d) in l.district.iter().enumerate() {
            out.push(Dispatch {
                slot: Slot {
                    level: l.level,
                    index: l.tasks.len() + i,
                },
                holder: Holder::District,
                instruction: format!("【上报区级】{}：{}", d.title, d.ask),
                checklist: vec![],
                due_minutes: d.due_minutes,
            });
        }
    }
    out
}

/// The state of an activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationState {
    /// 响应中
    Running,
    /// 已终止响应
    StoodDown,
}

impl ActivationState {
    pub fn code(self) -> &'static str {
        match self {
            ActivationState::Running => "running",
            ActivationState::StoodDown => "stood_down",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [ActivationState::Running, ActivationState::StoodDown]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Whether a running activation may stand down now: when every task is finished, or earlier
/// with a stated reason (its open tasks are then withdrawn).
pub fn stand_down(open_tasks: usize, reason: &str) -> Result<(), PlanError> {
    if open_tasks > 0 && reason.trim().chars().count() < 2 {
        return Err(bad(
            "reason",
            format!("还有 {open_tasks} 项任务未完成：提前终止响应须说明理由"),
        ));
    }
    Ok(())
}

/// An activation in lists and on case cards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationBrief {
    pub id: i64,
    pub plan_id: i64,
    pub plan_name: String,
    pub version: i64,
    pub level: Level,
    pub drill: bool,
    pub state: ActivationState,
    pub case_id: i64,
    pub activated_at: i64,
}

/// One task of an activation as the incident view shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationTask {
    pub task_id: i64,
    pub level: Level,
    pub holder: Holder,
    pub holder_name: String,
    pub instruction: String,
    pub checklist: Vec<String>,
    /// The checklist items ticked, by index.
    #[serde(default)]
    pub checked: Vec<u32>,
    pub state: TaskState,
    pub deadline: i64,
    /// When it was signed for (签收 or on-scene check-in), if it was.
    pub accepted_at: Option<i64>,
    /// When it was reported back, and what was said.
    pub done_at: Option<i64>,
    pub result: String,
}

impl ActivationTask {
    /// Whether it was (or is, at `now`) late: reported back after its deadline, or still open
    /// past it.
    pub fn late(&self, now: i64) -> bool {
        match self.done_at {
            Some(done) => done > self.deadline,
            None => self.state.is_open() && now > self.deadline,
        }
    }
}

/// An activation with everything the incident view shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationView {
    pub brief: ActivationBrief,
    pub kind: String,
    pub activated_by: String,
    pub case_number: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub notify: Vec<String>,
    /// The levels this plan version has.
    pub levels: Vec<Level>,
    pub tasks: Vec<ActivationTask>,
    pub stood_down_at: Option<i64>,
    pub stand_down_reason: String,
    /// The after-action review's lessons, once written.
    pub lessons: String,
    /// The plan version that took up the lessons, if one has.
    pub revised_in: Option<i64>,
    /// The case's timeline: every action of the incident, who, what, when.
    pub steps: Vec<crate::case::view::StepView>,
    /// The newest event id when this was read (see `CaseDetail::cursor`).
    pub cursor: i64,
}

/// An activation asked for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewActivation {
    pub level: Option<Level>,
    /// The case it responds to; without one a case is opened for it at the place given.
    #[serde(default)]
    pub case_id: Option<i64>,
    /// An exercise (演练): always on its own case, never counted.
    #[serde(default)]
    pub drill: bool,
    /// The plan version the user saw; refused if it is no longer current.
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub building_id: Option<i64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub note: String,
}

/// A change to a running activation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActivationChange {
    /// Raise or lower the response level.
    Level {
        level: Level,
        #[serde(default)]
        reason: String,
    },
    /// 终止响应.
    StandDown {
        #[serde(default)]
        reason: String,
    },
    /// The after-action review's lessons (复盘), once stood down.
    Review { lessons: String },
}

/// A post ticks (or unticks) an item of its task's checklist (检查项) while it works the task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub task_id: i64,
    /// The item's index in the task's checklist, from 0.
    pub item: u32,
    /// Ticked (`true`) or unticked.
    pub done: bool,
}

/// The ticked items after `check` is applied to `checked`, kept in index order; an error
/// names what is wrong (an item the checklist does not have, or no change at all).
pub fn tick(checklist: &[String], checked: &[u32], check: &CheckItem) -> Result<Vec<u32>, PlanError> {
    let Some(text) = checklist.get(check.item as usize) else {
        return Err(PlanError {
            field: "item",
            message: if checklist.is_empty() { "这项任务没有检查项".into() } else { format!("检查项只有 {} 条，没有第 {} 条", checklist.len(), check.item + 1) },
        });
    };
    let had = checked.contains(&check.item);
    if had == check.done {
        return Err(PlanError { field: "done", message: format!("检查项「{text}」{}", if had { "已经勾选" } else { "本来就未勾选" }) });
    }
    let mut out: Vec<u32> = checked.iter().copied().filter(|i| *i != check.item).collect();
    if check.done {
        out.push(check.item);
    }
    out.sort_unstable();
    Ok(out)
}

/// The after-action timings of one task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskTiming {
    pub holder_name: String,
    pub instruction: String,
    /// Minutes from activation to signing for it.
    pub accepted_after: Option<i64>,
    /// Minutes from activation to reporting back.
    pub done_after: Option<i64>,
    pub due_after: i64,
    pub late: bool,
    pub state: TaskState,
}

/// The review's figures: every task's times and which were late.
pub fn review(v: &ActivationView, now: i64) -> Vec<TaskTiming> {
    let start = v.brief.activated_at;
    let minutes = |t: i64| (t - start).max(0) / 60_000;
    v.tasks
        .iter()
        .map(|t| TaskTiming {
            holder_name: t.holder_name.clone(),
            instruction: t.instruction.clone(),
            accepted_after: t.accepted_at.map(minutes),
            done_after: t.done_at.map(minutes),
            due_after: minutes(t.deadline),
            late: t.late(v.stood_down_at.unwrap_or(now)),
            state: t.state,
        })
        .collect()
}

#[cfg(test)]
mod tests;
