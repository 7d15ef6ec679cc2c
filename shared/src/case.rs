//! Cases (事件) and their flow, after GB/T 30428 (数字化城市管理信息系统):
//! 上报 → 受理 → 立案 → 派遣 → 处置 → 核查 → 结案, with 退回, 返工, 延期, 挂起, 不予立案 and
//! 上报区级.
//!
//! [`decide`] is the whole rule book: given a case as it stands, who is acting and what they
//! ask for, it answers what happens (the new state, task changes, timeline steps and the next
//! deadline) or why not. It is pure; the server stores what it decides and nothing else, and
//! every step is appended to the case's timeline. Nothing edits history.

pub mod category;
pub mod view;

use crate::auth::{Principal, Role};
use serde::{Deserialize, Serialize};

pub use category::{category, Category, CATEGORIES, GROUPS};

/// Where a case came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 居民上报
    Resident,
    /// 网格员巡查
    Patrol,
    /// 12345 热线
    Hotline,
    /// 区级交办
    District,
    /// 物联感知
    Iot,
    /// 视频 AI
    CameraAi,
}

/// The state of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 待受理: reported, nobody has looked at it yet.
    Reported,
    /// 已受理
    Accepted,
    /// 已立案: a case to be handled, waiting for dispatch.
    Registered,
    /// 已派遣: tasks sent to posts, none accepted yet.
    Dispatched,
    /// 处置中
    Handling,
    /// 待核查: every task has reported back.
    Verifying,
    /// 已核查, waiting for closure.
    Verified,
    /// 已结案
    Closed,
    /// 不予立案
    Rejected,
    /// 挂起: the clock stops until it is resumed.
    Suspended,
    /// 已上报区级: waiting for the district's answer.
    Escalated,
}

/// The state of one post's task within a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// 待签收
    Pending,
    /// 处置中
    Accepted,
    /// 已反馈
    Done,
    /// 已退回
    Returned,
    /// 已撤销
    Cancelled,
}

/// How urgent a case is, shown everywhere in the command centre's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// 特急 (red)
    Critical,
    /// 紧急 (orange)
    High,
    /// 较急 (yellow)
    Medium,
    /// 一般 (blue)
    Normal,
}

/// Whether a case (or task) is within its current stage's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    /// Less than a quarter of the stage's time is left.
    NearDeadline,
    Overdue,
    /// The clock is stopped (suspended, escalated, finished).
    Stopped,
}

macro_rules! codes {
    ($ty:ty { $($variant:ident => $code:literal, $zh:literal, $en:literal;)* }) => {
        impl $ty {
            /// Every value.
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];
            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str { match self { $(<$ty>::$variant => $code),* } }
            /// Parses a code.
            pub fn from_code(code: &str) -> Option<Self> { match code { $($code => Some(<$ty>::$variant),)* _ => None } }
            /// The Chinese name.
            pub fn name_zh(self) -> &'static str { match self { $(<$ty>::$variant => $zh),* } }
            /// The English name.
            pub fn name_en(self) -> &'static str { match self { $(<$ty>::$variant => $en),* } }
        }
    };
}

codes!(Source {
    Resident => "resident", "居民上报", "Resident";
    Patrol => "patrol", "网格巡查", "Grid patrol";
    Hotline => "hotline", "12345热线", "12345 hotline";
    District => "district", "区级交办", "District";
    Iot => "iot", "物联感知", "IoT sensor";
    CameraAi => "camera_ai", "视频AI", "Camera AI";
});

codes!(CaseState {
    Reported => "reported", "待受理", "Reported";
    Accepted => "accepted", "已受理", "Accepted";
    Registered => "registered", "待派遣", "Registered";
    Dispatched => "dispatched", "已派遣", "Dispatched";
    Handling => "handling", "处置中", "In handling";
    Verifying => "verifying", "待核查", "To verify";
    Verified => "verified", "待结案", "Verified";
    Closed => "closed", "已结案", "Closed";
    Rejected => "rejected", "不予立案", "Rejected";
    Suspended => "suspended", "已挂起", "Suspended";
    Escalated => "escalated", "已上报区级", "Escalated";
});

codes!(TaskState {
    Pending => "pending", "待签收", "To accept";
    Accepted => "accepted", "处置中", "In handling";
    Done => "done", "已反馈", "Reported back";
    Returned => "returned", "已退回", "Returned";
    Cancelled => "cancelled", "已撤销", "Cancelled";
});

codes!(Urgency {
    Critical => "critical", "特急", "Critical";
    High => "high", "紧急", "Urgent";
    Medium => "medium", "较急", "Pressing";
    Normal => "normal", "一般", "Normal";
});

impl Urgency {
    /// The command centre's colour for this urgency: red, orange, yellow, blue.
    pub fn colour(self) -> &'static str {
        match self {
            Urgency::Critical => "red",
            Urgency::High => "orange",
            Urgency::Medium => "yellow",
            Urgency::Normal => "blue",
        }
    }
}

impl CaseState {
    /// Whether the case is finished (closed or rejected).
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Rejected)
    }
}

impl TaskState {
    /// Whether the task still waits for its post.
    pub fn is_open(self) -> bool {
        matches!(self, TaskState::Pending | TaskState::Accepted)
    }
}

/// Who holds a task: a post (岗位), or the grid worker of a grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Holder {
    Post(i64),
    Grid(i64),
}

/// A task as the rule book sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub holder: Holder,
    pub state: TaskState,
    /// Milliseconds since the Unix epoch.
    pub deadline: i64,
    /// An extension asked for and not yet answered, in hours.
    pub extension_hours: Option<i64>,
}

/// A case as the rule book sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub state: CaseState,
    /// The state a suspended case returns to.
    pub suspended_from: Option<CaseState>,
    pub category: &'static Category,
    pub grid_id: Option<i64>,
    /// The current stage's deadline, `None` while the clock is stopped.
    pub stage_deadline: Option<i64>,
    pub tasks: Vec<Task>,
}

/// What a user asks to do to a case. Serialised with the action's code in `action`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 受理
    Accept,
    /// 立案
    Register,
    /// 不予立案
    Reject { reason: String },
    /// 派遣 to one or more holders at once (跨板块协同). From a fresh case this also accepts
    /// and registers it; on a case in handling it adds holders (加派).
    Dispatch { holders: Vec<Holder>, #[serde(default)] note: String },
    /// 签收 a task.
    AcceptTask { task_id: i64 },
    /// 到场签到: the holder is on the scene.
    CheckIn { task_id: i64, #[serde(default)] lon: Option<f64>, #[serde(default)] lat: Option<f64> },
    /// 处置反馈: the holder reports the task done.
    ReportBack { task_id: i64, note: String },
    /// 退回 a task to the coordinator, with a reason.
    ReturnTask { task_id: i64, reason: String },
    /// 申请延期
    RequestExtension { task_id: i64, hours: i64, reason: String },
    /// 批准延期
    ApproveExtension { task_id: i64 },
    /// 驳回延期
    DenyExtension { task_id: i64, reason: String },
    /// The coordinator moves the case to verification without waiting for the open tasks,
    /// which are cancelled.
    Conclude { reason: String },
    /// 核查通过
    Verify { #[serde(default)] note: String },
    /// 返工: verification failed; the reported tasks are handled again.
    Rework { reason: String },
    /// 结案
    Close { #[serde(default)] note: String },
    /// 挂起
    Suspend { reason: String },
    /// 恢复
    Resume,
    /// 上报区级
    Escalate { reason: String },
    /// The district sends the case back to the street with an instruction.
    DistrictReturn { reason: String },
    /// The district has resolved the case; the street verifies and closes it.
    DistrictResolve { note: String },
}

impl Action {
    /// The action's code, as in the API.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Register => "register",
            Action::Reject { .. } => "reject",
            Action::Dispatch { .. } => "dispatch",
            Action::AcceptTask { .. } => "accept_task",
            Action::CheckIn { .. } => "check_in",
            Action::ReportBack { .. } => "report_back",
            Action::ReturnTask { .. } => "return_task",
            Action::RequestExtension { .. } => "request_extension",
            Action::ApproveExtension { .. } => "approve_extension",
            Action::DenyExtension { .. } => "deny_extension",
            Action::Conclude { .. } => "conclude",
            Action::Verify { .. } => "verify",
            Action::Rework { .. } => "rework",
            Action::Close { .. } => "close",
            Action::Suspend { .. } => "suspend",
            Action::Resume => "resume",
            Action::Escalate { .. } => "escalate",
            Action::DistrictReturn { .. } => "district_return",
            Action::DistrictResolve { .. } => "district_resolve",
        }
    }
}

/// The kinds of timeline steps: every action, plus the report that opens a case and the
/// photos added to it.
pub const STEP_NAMES: &[(&str, &str, &str)] = &[
    ("report", "上报", "Reported"),
    ("accept", "受理", "Accepted"),
    ("register", "立案", "Registered"),
    ("reject", "不予立案", "Rejected"),
    ("dispatch", "派遣", "Dispatched"),
    ("accept_task", "签收", "Task accepted"),
    ("check_in", "到场签到", "Checked in on scene"),
    ("report_back", "处置反馈", "Reported back"),
    ("return_task", "退回", "Returned"),
    ("request_extension", "申请延期", "Extension requested"),
    ("approve_extension", "批准延期", "Extension approved"),
    ("deny_extension", "驳回延期", "Extension denied"),
    ("conclude", "终止处置", "Handling concluded"),
    ("verify", "核查通过", "Verified"),
    ("rework", "返工", "Sent back for rework"),
    ("close", "结案", "Closed"),
    ("suspend", "挂起", "Suspended"),
    ("resume", "恢复", "Resumed"),
    ("escalate", "上报区级", "Escalated to the district"),
    ("district_return", "区级退回", "Returned by the district"),
    ("district_resolve", "区级办结", "Resolved by the district"),
    ("attach", "上传照片", "Photo added"),
];

/// The Chinese and English names of a step kind.
pub fn step_name(kind: &str) -> (&'static str, &'static str) {
    STEP_NAMES.iter().find(|s| s.0 == kind).map(|s| (s.1, s.2)).unwrap_or(("其他", "Other"))
}

/// One entry the decision appends to the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// A code from [`STEP_NAMES`].
    pub kind: &'static str,
    pub from: CaseState,
    pub to: CaseState,
    /// The task concerned (an index into [`Decision::new_tasks`] is not known yet, so new
    /// tasks are named by their holder instead).
    pub task_id: Option<i64>,
    pub holder: Option<Holder>,
    pub note: String,
}

/// A change to an existing task.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskChange {
    pub task_id: i64,
    pub state: TaskState,
    pub deadline: i64,
    pub extension_hours: Option<i64>,
}

/// What an action does.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub state: CaseState,
    pub suspended_from: Option<CaseState>,
    /// The current stage's deadline after the action, `None` while the clock is stopped.
    pub stage_deadline: Option<i64>,
    /// The case entered a new stage: its stage clock restarts now.
    pub stage_changed: bool,
    pub new_tasks: Vec<(Holder, i64)>,
    pub task_changes: Vec<TaskChange>,
    pub steps: Vec<Step>,
}

/// Why an action was refused. The message says it in Chinese, as a coordinator would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The user's role or scope does not allow it.
    NotAllowed(String),
    /// The case (or task) is not in a state where this can happen.
    WrongState(String),
    /// A required field is missing or wrong; names the field.
    Invalid { field: &'static str, message: String },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotAllowed(m) | Refusal::WrongState(m) => f.write_str(m),
            Refusal::Invalid { field, message } => write!(f, "{field}：{message}"),
        }
    }
}

const MINUTE: i64 = 60_000;

/// The deadline of the stage a case enters at `now` in `state`, or `None` if its clock stops.
pub fn stage_deadline(category: &Category, state: CaseState, now: i64) -> Option<i64> {
    let d = category.deadlines;
    let minutes = match state {
        CaseState::Reported => d.accept,
        CaseState::Accepted | CaseState::Registered => d.dispatch,
        CaseState::Dispatched | CaseState::Handling => d.handle,
        CaseState::Verifying | CaseState::Verified => d.verify,
        CaseState::Closed | CaseState::Rejected | CaseState::Suspended | CaseState::Escalated => return None,
    };
    Some(now + minutes * MINUTE)
}

/// Whether something started at `started` with `deadline` is on time at `now`.
pub fn timeliness(started: i64, deadline: Option<i64>, now: i64) -> Timeliness {
    let Some(deadline) = deadline else { return Timeliness::Stopped };
    if now > deadline {
        Timeliness::Overdue
    } else if (deadline - now) * 4 < (deadline - started).max(1) {
        Timeliness::NearDeadline
    } else {
        Timeliness::OnTime
    }
}

fn need(field: &'static str, text: &str, what: &str) -> Result<(), Refusal> {
    if text.trim().chars().count() < 2 {
        return Err(Refusal::Invalid { field, message: format!("请填写{what}（至少 2 个字）") });
    }
    Ok(())
}

fn wrong(case: &Case, doing: &str) -> Refusal {
    Refusal::WrongState(format!("事件当前为「{}」，不能{doing}", case.state.name_zh()))
}

fn not_allowed(doing: &str) -> Refusal {
    Refusal::NotAllowed(format!("您的岗位无权{doing}"))
}

impl Principal {
    /// Whether the user may act on a task held by `holder`: post staff for their own post, a
    /// grid worker for their own grids.
    pub fn holds(&self, holder: Holder) -> bool {
        match holder {
            Holder::Post(p) => self.has(Role::Post) && self.post_id == Some(p),
            Holder::Grid(g) => self.has(Role::GridWorker) && self.grid_ids.contains(&g),
        }
    }
}

/// Decides what `action` by `me` does to `case` at `now`.
pub fn decide(case: &Case, me: &Principal, action: &Action, now: i64) -> Result<Decision, Refusal> {
    use CaseState as S;
    let command = me.has(Role::Command);
    let mut out = Decision {
        state: case.state,
        suspended_from: case.suspended_from,
        stage_deadline: case.stage_deadline,
        stage_changed: false,
        new_tasks: Vec::new(),
        task_changes: Vec::new(),
        steps: Vec::new(),
    };
    // Moves the case to `to`, appending a step.
    let step = |out: &mut Decision, kind: &'static str, to: CaseState, task_id: Option<i64>, holder: Option<Holder>, note: &str| {
        out.steps.push(Step { kind, from: out.state, to, task_id, holder, note: note.trim().to_string() });
        if out.state != to {
            out.state = to;
            out.stage_changed = true;
        }
    };
    let task = |task_id: i64| case.tasks.iter().find(|t| t.id == task_id).ok_or(Refusal::Invalid { field: "task_id", message: format!("本事件没有任务 {task_id}") });
    let require_command = |doing: &str| if command { Ok(()) } else { Err(not_allowed(doing)) };
    let in_states = |states: &[CaseState], doing: &str| if states.contains(&case.state) { Ok(()) } else { Err(wrong(case, doing)) };

    match action {
        Action::Accept => {
            require_command("受理事件")?;
            in_states(&[S::Reported], "受理")?;
            step(&mut out, "accept", S::Accepted, None, None, "");
        }
        Action::Register => {
            require_command("立案")?;
            in_states(&[S::Accepted], "立案")?;
            step(&mut out, "register", S::Registered, None, None, "");
        }
        Action::Reject { reason } => {
            require_command("作不予立案处理")?;
            in_states(&[S::Reported, S::Accepted, S::Registered], "作不予立案处理")?;
            need("reason", reason, "不予立案的理由")?;
            step(&mut out, "reject", S::Rejected, None, None, reason);
        }
        Action::Dispatch { holders, note } => {
            require_command("派遣事件")?;
            in_states(&[S::Reported, S::Accepted, S::Registered, S::Dispatched, S::Handling], "派遣")?;
            if holders.is_empty() {
                return Err(Refusal::Invalid { field: "holders", message: "请至少选择一个处置岗位".into() });
            }
            for (i, h) in holders.iter().enumerate() {
                if holders[..i].contains(h) {
                    return Err(Refusal::Invalid { field: "holders", message: "同一岗位选择了两次".into() });
                }
                if case.tasks.iter().any(|t| t.holder == *h && t.state.is_open()) {
                    return Err(Refusal::Invalid { field: "holders", message: "所选岗位已有未完成的任务".into() });
                }
            }
            if case.state == S::Reported {
                step(&mut out, "accept", S::Accepted, None, None, "");
            }
            if matches!(out.state, S::Accepted) {
                step(&mut out, "register", S::Registered, None, None, "");
            }
            let deadline = now + case.category.deadlines.handle * MINUTE;
            let to = if out.state == S::Handling { S::Handling } else { S::Dispatched };
            for h in holders {
                out.new_tasks.push((*h, deadline));
                step(&mut out, "dispatch", to, None, Some(*h), note);
            }
        }
        Action::AcceptTask { task_id } | Action::CheckIn { task_id, .. } => {
            let t = task(*task_id)?;
            if !me.holds(t.holder) {
                return Err(not_allowed("处理其他岗位的任务"));
            }
            in_states(&[S::Dispatched, S::Handling], "签收任务")?;
            let kind = if matches!(action, Action::AcceptTask { .. }) { "accept_task" } else { "check_in" };
            match t.state {
                TaskState::Pending => {
                    out.task_changes.push(TaskChange { task_id: t.id, state: TaskState::Accepted, deadline: t.deadline, extension_hours: t.extension_hours });
                    if kind == "check_in" {
                        step(&mut out, "accept_task", S::Handling, Some(t.id), Some(t.holder), "");
                    }
                }
                TaskState::Accepted if kind == "check_in" => {}
                _ => return Err(Refusal::WrongState(format!("任务当前为「{}」，不能{}", t.state.name_zh(), if kind == "check_in" { "签到" } else { "签收" }))),
            }
            let note = match action {
                Action::CheckIn { lon: Some(lon), lat: Some(lat), .. } => format!("位置 {lon:.5}, {lat:.5}"),
                _ => String::new(),
            };
            step(&mut out, kind, S::Handling, Some(t.id), Some(t.holder), &note);
        }
        Action::ReportBack { task_id, note } => {
            let t = task(*task_id)?;
            if !me.holds(t.holder) {
                return Err(not_allowed("处理其他岗位的任务"));
            }
            in_states(&[S::Dispatched, S::Handling], "反馈")?;
            if !t.state.is_open() {
                return Err(Refusal::WrongState(format!("任务当前为「{}」，不能反馈", t.state.name_zh())));
            }
            need("note", note, "处置情况")?;
            if t.state == TaskState::Pending {
                step(&mut out, "accept_task", S::Handling, Some(t.id), Some(t.holder), "");
            }
            out.task_changes.push(TaskChange { task_id: t.id, state: TaskState::Done, deadline: t.deadline, extension_hours: None });
            let open_left = case.tasks.iter().any(|o| o.id != t.id && o.state.is_open());
            let to = if open_left { S::Handling } else { S::Verifying };
            step(&mut out, "report_back", to, Some(t.id), Some(t.holder), note);
        }
        Action::ReturnTask { task_id, reason } => {
            let t = task(*task_id)?;
            if !me.holds(t.holder) {
                return Err(not_allowed("处理其他岗位的任务"));
            }
            in_states(&[S::Dispatched, S::Handling], "退回")?;
            if !t.state.is_open() {
                return Err(Refusal::WrongState(format!("任务当前为「{}」，不能退回", t.state.name_zh())));
            }
            need("reason", reason, "退回理由")?;
            out.task_changes.push(TaskChange { task_id: t.id, state: TaskState::Returned, deadline: t.deadline, extension_hours: None });
            let others: Vec<&Task> = case.tasks.iter().filter(|o| o.id != t.id).collect();
            let to = if others.iter().any(|o| o.state.is_open()) {
                case.state
            } else if others.iter().any(|o| o.state == TaskState::Done) {
                S::Verifying
            } else {
                S::Registered
            };
            step(&mut out, "return_task", to, Some(t.id), Some(t.holder), reason);
        }
        Action::RequestExtension { task_id, hours, reason } => {
            let t = task(*task_id)?;
            if !me.holds(t.holder) {
                return Err(not_allowed("处理其他岗位的任务"));
            }
            if !t.state.is_open() || !matches!(case.state, S::Dispatched | S::Handling) {
                return Err(Refusal::WrongState("只有处置中的任务可以申请延期".into()));
            }
            if t.extension_hours.is_some() {
                return Err(Refusal::WrongState("已有一项延期申请待审批".into()));
            }
            if !(1..=720).contains(hours) {
                return Err(Refusal::Invalid { field: "hours", message: "延期时长应为 1–720 小时".into() });
            }
            need("reason", reason, "延期理由")?;
            out.task_changes.push(TaskChange { task_id: t.id, state: t.state, deadline: t.deadline, extension_hours: Some(*hours) });
            step(&mut out, "request_extension", case.state, Some(t.id), Some(t.holder), &format!("{hours} 小时：{}", reason.trim()));
        }
        Action::ApproveExtension { task_id } | Action::DenyExtension { task_id, .. } => {
            require_command("审批延期")?;
            let t = task(*task_id)?;
            let Some(hours) = t.extension_hours else {
                return Err(Refusal::WrongState("该任务没有待审批的延期申请".into()));
            };
            if let Action::DenyExtension { reason, .. } = action {
                need("reason", reason, "驳回理由")?;
                out.task_changes.push(TaskChange { task_id: t.id, state: t.state, deadline: t.deadline, extension_hours: None });
                step(&mut out, "deny_extension", case.state, Some(t.id), Some(t.holder), reason);
            } else {
                let deadline = t.deadline.max(now) + hours * 60 * MINUTE;
                out.task_changes.push(TaskChange { task_id: t.id, state: t.state, deadline, extension_hours: None });
                step(&mut out, "approve_extension", case.state, Some(t.id), Some(t.holder), &format!("延期 {hours} 小时"));
                // The case's handling deadline is its latest open task's.
                let latest = case.tasks.iter().filter(|o| o.id != t.id && o.state.is_open()).map(|o| o.deadline).fold(deadline, i64::max);
                out.stage_deadline = Some(latest);
            }
        }
        Action::Conclude { reason } => {
            require_command("终止处置")?;
            in_states(&[S::Dispatched, S::Handling], "终止处置")?;
            need("reason", reason, "理由")?;
            for t in case.tasks.iter().filter(|t| t.state.is_open()) {
                out.task_changes.push(TaskChange { task_id: t.id, state: TaskState::Cancelled, deadline: t.deadline, extension_hours: None });
            }
            step(&mut out, "conclude", S::Verifying, None, None, reason);
        }
        Action::Verify { note } => {
            let grid_worker_here = case.grid_id.is_some_and(|g| me.has(Role::GridWorker) && me.grid_ids.contains(&g));
            if !command && !grid_worker_here {
                return Err(not_allowed("核查此事件"));
            }
            in_states(&[S::Verifying], "核查")?;
            step(&mut out, "verify", S::Verified, None, None, note);
        }
        Action::Rework { reason } => {
            require_command("要求返工")?;
            in_states(&[S::Verifying], "要求返工")?;
            need("reason", reason, "返工理由")?;
            let deadline = now + case.category.deadlines.handle * MINUTE;
            let done: Vec<&Task> = case.tasks.iter().filter(|t| t.state == TaskState::Done).collect();
            if done.is_empty() {
                return Err(Refusal::WrongState("没有已反馈的任务可以返工，请重新派遣".into()));
            }
            for t in done {
                out.task_changes.push(TaskChange { task_id: t.id, state: TaskState::Accepted, deadline, extension_hours: None });
            }
            step(&mut out, "rework", S::Handling, None, None, reason);
        }
        Action::Close { note } => {
            require_command("结案")?;
            in_states(&[S::Verified], "结案（须先派遣、处置并核查）")?;
            step(&mut out, "close", S::Closed, None, None, note);
        }
        Action::Suspend { reason } => {
            require_command("挂起事件")?;
            if case.state.is_final() || matches!(case.state, S::Suspended | S::Escalated) {
                return Err(wrong(case, "挂起"));
            }
            need("reason", reason, "挂起理由")?;
            out.suspended_from = Some(case.state);
            step(&mut out, "suspend", S::Suspended, None, None, reason);
        }
        Action::Resume => {
            require_command("恢复事件")?;
            in_states(&[S::Suspended], "恢复")?;
            let back = case.suspended_from.unwrap_or(S::Registered);
            out.suspended_from = None;
            step(&mut out, "resume", back, None, None, "");
        }
        Action::Escalate { reason } => {
            require_command("上报区级")?;
            in_states(&[S::Reported, S::Accepted, S::Registered], "上报区级")?;
            need("reason", reason, "上报理由")?;
            step(&mut out, "escalate", S::Escalated, None, None, reason);
        }
        Action::DistrictReturn { reason } | Action::DistrictResolve { note: reason } => {
            if !me.has(Role::District) {
                return Err(not_allowed("答复上报区级的事件"));
            }
            in_states(&[S::Escalated], "答复")?;
            if matches!(action, Action::DistrictReturn { .. }) {
                need("reason", reason, "退回意见")?;
                step(&mut out, "district_return", S::Registered, None, None, reason);
            } else {
                need("note", reason, "办结情况")?;
                step(&mut out, "district_resolve", S::Verifying, None, None, reason);
            }
        }
    }
    if out.stage_changed {
        out.stage_deadline = stage_deadline(case.category, out.state, now);
    }
    Ok(out)
}

/// What decides who sees a case: its grid, the holders of its tasks, who reported it, and
/// whether it ever went to the district.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Visibility {
    pub grid_id: Option<i64>,
    pub holders: Vec<Holder>,
    pub reporter_id: Option<i64>,
    pub escalated: bool,
}

impl Principal {
    /// Whether the user may see a case: command staff every case, post staff the cases their
    /// post has a task in, grid workers their grids' cases and their own reports, the district
    /// the cases escalated to it. Administrators manage the system, not cases.
    pub fn may_see_case(&self, v: &Visibility) -> bool {
        self.has(Role::Command)
            || v.holders.iter().any(|h| self.holds(*h))
            || (self.has(Role::GridWorker) && v.grid_id.is_some_and(|g| self.grid_ids.contains(&g)))
            || v.reporter_id == Some(self.user_id)
            || (self.has(Role::District) && v.escalated)
    }

    /// Whether the user may report a new case.
    pub fn may_report_case(&self) -> bool {
        self.has(Role::Command) || self.has(Role::GridWorker)
    }
}

#[cfg(test)]
mod tests;
