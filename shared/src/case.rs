//! Cases (事件) and their flow, after GB/T 30428 (数字化城市管理信息系统):
//! 上报 → 受理 → 立案 → 派遣 → 处置 → 核查 → 结案, with 退回, 返工, 延期, 挂起, 不予立案 and
//! 上报区级.
//!
//! [`decide`] (in `case/rules.rs`) is the whole rule book: given a case as it stands, who is acting and what they
//! ask for, it answers what happens (the new state, task changes, timeline steps and the next
//! deadline) or why not. It is pure; the server stores what it decides and nothing else, and
//! every step is appended to the case's timeline. Nothing edits history.

pub mod category;
pub mod follow;
mod rules;
pub mod view;

use crate::auth::{Principal, Role};
use serde::{Deserialize, Serialize};

pub use category::{category, Category, CATEGORIES, GROUPS};
pub use rules::{decide, stage_deadline, timeliness, Decision, Refusal, Step, TaskChange};

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

/// Who holds a task: a post (岗位), the grid worker of a grid, or the district operations
/// centre (区城运中心: a contingency plan's items that go up to the district).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Holder {
    Post(i64),
    Grid(i64),
    District,
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
    pub source: Source,
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
    /// 误报结案: a sensor's or camera's alarm turned out false on the scene; closes the case
    /// with the reason, which the alarm records.
    FalseAlarm { reason: String },
    /// 补充说明: words added to the timeline, changing nothing else — also what a phone keeps
    /// of an action the case moved past while it had no signal.
    Comment { note: String },
}

/// The longest note or reason an action carries, in characters.
pub const ACTION_TEXT_MAX: usize = 2000;

impl Action {
    /// The words the action carries, with their field: `("note", …)` or `("reason", …)`.
    pub fn text(&self) -> Option<(&'static str, &str)> {
        use Action as A;
        match self {
            A::Dispatch { note, .. }
            | A::ReportBack { note, .. }
            | A::Verify { note }
            | A::Close { note }
            | A::DistrictResolve { note }
            | A::Comment { note } => Some(("note", note)),
            A::Reject { reason }
            | A::ReturnTask { reason, .. }
            | A::RequestExtension { reason, .. }
            | A::DenyExtension { reason, .. }
            | A::Conclude { reason }
            | A::Rework { reason }
            | A::Suspend { reason }
            | A::Escalate { reason }
            | A::DistrictReturn { reason }
            | A::FalseAlarm { reason } => Some(("reason", reason)),
            _ => None,
        }
    }

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
            Action::FalseAlarm { .. } => "false_alarm",
            Action::Comment { .. } => "comment",
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
    ("call", "视频通话", "Video call"),
    ("false_alarm", "误报结案", "Closed as a false alarm"),
    ("comment", "补充说明", "Note added"),
    ("alarm_again", "再次报警", "Alarm raised again"),
    ("plan_activate", "启动预案", "Plan activated"),
    ("plan_level", "调整响应级别", "Response level changed"),
    ("plan_stand_down", "终止响应", "Response stood down"),
    ("plan_review", "复盘", "After-action review"),
    ("plan_check", "检查项", "Checklist item"),
    ("rate", "群众评价", "Resident's rating"),
    ("callback", "回访", "Callback"),
    ("review", "差评复核", "Review of a low rating"),
];

/// The Chinese and English names of a step kind.
pub fn step_name(kind: &str) -> (&'static str, &'static str) {
    STEP_NAMES.iter().find(|s| s.0 == kind).map(|s| (s.1, s.2)).unwrap_or(("其他", "Other"))
}

/// What decides who sees a case: its grid, the holders of its tasks, who reported it, and
/// whether it ever went to the district.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Visibility {
    pub grid_id: Option<i64>,
    pub holders: Vec<Holder>,
    pub reporter_id: Option<i64>,
    pub escalated: bool,
    /// The street the case was reported in.
    pub street_id: Option<i64>,
}

impl Principal {
    /// Whether the user may see a case: command staff every case of their street (of every
    /// street for the district's), post staff the cases of their street their post has a task
    /// in (a post is a kind of post: each street has its own members), grid workers their
    /// grids' cases, the district the cases escalated to it, anyone their own reports.
    /// Administrators manage the system, not cases.
    pub fn may_see_case(&self, v: &Visibility) -> bool {
        let my_street = self.covers_street(v.street_id);
        (self.has(Role::Command) && my_street)
            || v.holders.iter().any(|h| self.holds(*h) && (my_street || !matches!(h, Holder::Post(_))))
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
