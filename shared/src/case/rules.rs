//! The rule book: what each action does to a case, who may take it, and the deadlines it sets.

use super::{Action, Case, CaseState, Category, Holder, Task, TaskState, Timeliness};
use crate::auth::{Principal, Role};

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
            Holder::District => self.has(Role::District),
        }
    }
}

/// Decides what `action` by `me` does to `case` at `now`.
pub fn decide(case: &Case, me: &Principal, action: &Action, now: i64) -> Result<Decision, Refusal> {
    use CaseState as S;
    if let Some((field, text)) = action.text()
        && text.chars().count() > super::ACTION_TEXT_MAX
    {
        return Err(Refusal::Invalid { field, message: format!("内容不能超过 {} 字", super::ACTION_TEXT_MAX) });
    }
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
        Action::Comment { note } => {
            // Command staff, or whoever holds one of its tasks (done or not). The case stays as
            // it is.
            if !command && !case.tasks.iter().any(|t| me.holds(t.holder)) {
                return Err(not_allowed("为此事件补充说明（须为指挥中心或承办人员）"));
            }
            need("note", note, "补充说明的内容")?;
            step(&mut out, "comment", case.state, None, None, note);
        }
        Action::FalseAlarm { reason } => {
            if !matches!(case.source, super::Source::Iot | super::Source::CameraAi) {
                return Err(Refusal::WrongState("只有物联感知或视频 AI 报警的事件可以误报结案".into()));
            }
            if case.state.is_final() || case.state == S::Escalated {
                return Err(wrong(case, "误报结案"));
            }
            // Command staff, or whoever holds an open task and stands on the scene.
            let mine = case.tasks.iter().any(|t| t.state.is_open() && me.holds(t.holder));
            if !command && !mine {
                return Err(not_allowed("对此事件作误报结案（须为指挥中心或承办该任务的人员）"));
            }
            need("reason", reason, "误报原因（例如：老人在家，安全）")?;
            for t in case.tasks.iter().filter(|t| t.state.is_open()) {
                let state = if me.holds(t.holder) { TaskState::Done } else { TaskState::Cancelled };
                out.task_changes.push(TaskChange { task_id: t.id, state, deadline: t.deadline, extension_hours: None });
            }
            step(&mut out, "false_alarm", S::Closed, None, None, reason);
        }
    }
    if out.stage_changed {
        out.stage_deadline = stage_deadline(case.category, out.state, now);
    }
    Ok(out)
}
