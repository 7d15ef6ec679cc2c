//! The plans service: contingency plans (administrators write them, everyone on duty reads
//! them) and their activations by the command centre. An activation dispatches its tasks on
//! one case, in one write with the activation's row, so that posts find plan tasks in their
//! inbox like every other task and every change reaches open screens as the case's live event.

use crate::cases::Cases;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::plans::{ActivationRecord, ActivationWrite, TaskPlan};
use crate::storage::{CaseUpdate, CaseWrite, CaseWriteKind, NewStep, Store};
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{CaseSummary, NewCase};
use zhizhi_shared::case::{self, CaseState, Source, TaskChange, TaskState};
use zhizhi_shared::plan::{
    self, ActivationBrief, ActivationChange, ActivationState, ActivationTask, ActivationView,
    Dispatch, Level, NewActivation, PlanError, PlanSave, PlanView,
};

const MINUTE: i64 = 60_000;

/// Plans and activations over a store; activations write through the case service.
#[derive(Clone)]
pub struct Plans {
    pub store: Arc<dyn Store>,
    pub cases: Cases,
}

impl From<PlanError> for ServiceError {
    fn from(e: PlanError) -> Self {
        ServiceError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

fn command_only(me: &Principal) -> ServiceResult<()> {
    if me.has(Role::Command) {
        Ok(())
    } else {
        Err(ServiceError::Denied(
            "只有指挥中心值班人员可以启动和指挥预案".into(),
        ))
    }
}

fn step(
    me: &Principal,
    now: i64,
    kind: &str,
    from: CaseState,
    to: CaseState,
    note: String,
) -> NewStep {
    NewStep {
        at: now,
        actor: me.username.clone(),
        actor_name: me.display_name.clone(),
        kind: kind.into(),
        from,
        to,
        task_id: None,
        new_task_holder: None,
        note,
    }
}

impl Plans {
    /// Every plan at its current version: for every signed-in member of staff.
    pub async fn list(&self, _me: &Principal) -> ServiceResult<Vec<PlanView>> {
        Ok(self.store.plans().await?)
    }

    /// One plan.
    pub async fn get(&self, _me: &Principal, id: i64) -> ServiceResult<PlanView> {
        self.store
            .plan(id)
            .await?
            .ok_or(ServiceError::NotFound("没有这个预案"))
    }

    /// Writes a new plan (`id` `None`) or a new version of one: administrators only. `seen` is
    /// the version the administrator edited.
    pub async fn save(
        &self,
        me: &Principal,
        id: Option<i64>,
        seen: Option<i64>,
        save: &PlanSave,
        now: i64,
    ) -> ServiceResult<PlanView> {
        if !me.has(Role::Admin) {
            return Err(ServiceError::Denied("只有系统管理员可以编辑预案".into()));
        }
        let boards = self.store.boards().await?;
        let posts: Vec<&str> = boards
            .iter()
            .flat_map(|b| &b.posts)
            .map(|p| p.name.as_str())
            .collect();
        save.body.check(&posts)?;
        if let Some(a) = save.lessons_from {
            let found = self.store.activation(a).await?;
            if found.is_none_or(|r| Some(r.brief.plan_id) != id) {
                return Err(ServiceError::invalid(
                    "lessons_from",
                    format!("本预案没有第 {a} 号启动记录"),
                ));
            }
        }
        match self
            .store
            .save_plan(id, seen, save, &me.username, now)
            .await
        {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(ServiceError::NotFound("没有这个预案")),
            Err(crate::storage::Error::Stale) => Err(ServiceError::Conflict(
                "预案已被他人修订，请刷新后在新版本上修改".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Activations, newest first (running ones only, or all): command staff and the district.
    pub async fn activations(
        &self,
        me: &Principal,
        running_only: bool,
    ) -> ServiceResult<Vec<ActivationBrief>> {
        if !me.has(Role::Command) && !me.has(Role::District) {
            return Err(ServiceError::Forbidden);
        }
        Ok(self.store.activations(running_only, 200).await?)
    }

    /// Activates plan `plan_id`: on the case given, or on a case opened for it at the place
    /// given (always so for a drill). Every task of the level reaches its holder at once.
    pub async fn activate(
        &self,
        me: &Principal,
        plan_id: i64,
        new: &NewActivation,
        now: i64,
    ) -> ServiceResult<ActivationView> {
        command_only(me)?;
        let plan = self
            .store
            .plan(plan_id)
            .await?
            .ok_or(ServiceError::NotFound("没有这个预案"))?;
        if plan.retired {
            return Err(ServiceError::Conflict(format!(
                "预案「{}」已停用，不能启动",
                plan.body.name
            )));
        }
        if let Some(v) = new.version.filter(|v| *v != plan.version) {
            return Err(ServiceError::Conflict(format!(
                "预案第 {v} 版已被第 {} 版取代，请按现行版本启动",
                plan.version
            )));
        }
        let level = new
            .level
            .or(plan.body.first_level())
            .ok_or_else(|| ServiceError::invalid("level", "预案没有响应级别"))?;
        if !plan.body.has_level(level) {
            return Err(ServiceError::invalid(
                "level",
                format!("预案「{}」没有{}响应", plan.body.name, level.name_zh()),
            ));
        }
        let mut steps = Vec::new();
        let (kind, case) = match new.case_id {
            Some(_) if new.drill => {
                return Err(ServiceError::invalid(
                    "case_id",
                    "演练不能关联真实事件：演练会单独立一个演练事件",
                ));
            }
            Some(id) => {
                let case = self.cases.visible(me, id).await?;
                if let Some(a) = case
                    .activation
                    .as_ref()
                    .filter(|a| a.state == ActivationState::Running)
                {
                    return Err(ServiceError::Conflict(format!(
                        "该事件已启动「{}」{}响应",
                        a.plan_name,
                        a.level.name_zh()
                    )));
                }
                if case.state.is_final()
                    || matches!(case.state, CaseState::Suspended | CaseState::Escalated)
                {
                    return Err(ServiceError::Conflict(format!(
                        "事件当前为「{}」，不能启动预案",
                        case.state.name_zh()
                    )));
                }
                (
                    CaseWriteKind::Update(CaseUpdate::keeping(&case, now)),
                    Some(case),
                )
            }
            None => {
                let category = category_for(&plan)?;
                let tag = if new.drill { "【演练】" } else { "" };
                let mut description =
                    format!("{tag}启动「{}」{}响应", plan.body.name, level.name_zh());
                if !new.note.trim().is_empty() {
                    description = format!("{description}：{}", new.note.trim());
                }
                let ask = NewCase {
                    category,
                    description,
                    building_id: new.building_id,
                    lon: new.lon,
                    lat: new.lat,
                    source: Some(Source::Hotline),
                    ..NewCase::default()
                };
                let (mut row, report) = self
                    .cases
                    .prepare_case(me, ask, Source::Hotline, now)
                    .await?;
                row.drill = new.drill;
                steps.push(report);
                (CaseWriteKind::Create(row), None)
            }
        };
        let (state, grid) = match &case {
            Some(c) => (c.state, c.grid_id),
            None => match &kind {
                CaseWriteKind::Create(row) => (CaseState::Reported, row.grid_id),
                CaseWriteKind::Update(_) => unreachable!("an update always has its case"),
            },
        };
        let tasks = self.dispatches(&plan.body, None, level, grid).await?;
        let drill = if new.drill { "（演练）" } else { "" };
        let note = format!(
            "启动「{}」{}响应{drill}，第 {} 版，派发 {} 项任务",
            plan.body.name,
            level.name_zh(),
            plan.version,
            tasks.len()
        );
        let write = self.dispatch_write(
            me,
            kind,
            case.as_ref(),
            state,
            &tasks,
            ("plan_activate", note),
            steps,
            now,
        );
        let start = ActivationWrite::Start {
            plan_id,
            version: plan.version,
            plan_name: plan.body.name.clone(),
            level,
            drill: new.drill,
            by: me.display_name.clone(),
        };
        let detail = self
            .cases
            .publish(&CaseWrite {
                activation: Some(start),
                ..write
            })
            .await?;
        let id = detail
            .case
            .activation
            .as_ref()
            .map(|a| a.id)
            .ok_or(ServiceError::NotFound("启动记录未能保存"))?;
        self.view(me, id, now).await
    }

    /// The tasks between two levels, with the street's post ids and the incident's grid.
    async fn dispatches(
        &self,
        body: &plan::PlanBody,
        from: Option<Level>,
        to: Level,
        grid: Option<i64>,
    ) -> ServiceResult<Vec<Dispatch>> {
        let boards = self.store.boards().await?;
        let posts: Vec<(i64, &str)> = boards
            .iter()
            .flat_map(|b| &b.posts)
            .map(|p| (p.id, p.name.as_str()))
            .collect();
        Ok(plan::tasks_between(body, from, to, &posts, grid))
    }

    /// A write that sends `tasks`, moving the case on to 已派遣 (or keeping it in handling)
    /// with the plan's step first and one dispatch step per task, whose note is its instruction.
    #[allow(clippy::too_many_arguments)]
    fn dispatch_write(
        &self,
        me: &Principal,
        kind: CaseWriteKind,
        case: Option<&CaseSummary>,
        state: CaseState,
        tasks: &[Dispatch],
        (plan_kind, note): (&str, String),
        mut steps: Vec<NewStep>,
        now: i64,
    ) -> CaseWrite {
        let to = match state {
            CaseState::Handling | CaseState::Verifying | CaseState::Verified
                if !tasks.is_empty() =>
            {
                CaseState::Handling
            }
            CaseState::Reported
            | CaseState::Accepted
            | CaseState::Registered
            | CaseState::Dispatched
                if !tasks.is_empty() =>
            {
                CaseState::Dispatched
            }
            s => s,
        };
        steps.push(step(me, now, plan_kind, state, state, note));
        if matches!(state, CaseState::Reported) && to == CaseState::Dispatched {
            steps.push(step(
                me,
                now,
                "accept",
                CaseState::Reported,
                CaseState::Accepted,
                String::new(),
            ));
            steps.push(step(
                me,
                now,
                "register",
                CaseState::Accepted,
                CaseState::Registered,
                String::new(),
            ));
        } else if matches!(state, CaseState::Accepted) && to == CaseState::Dispatched {
            steps.push(step(
                me,
                now,
                "register",
                CaseState::Accepted,
                CaseState::Registered,
                String::new(),
            ));
        }
        let from = steps.last().map(|s| s.to).unwrap_or(state);
        for t in tasks {
            let mut s = step(me, now, "dispatch", from, to, t.instruction.clone());
            s.new_task_holder = Some(t.holder);
            steps.push(s);
        }
        let deadline = tasks.iter().map(|t| now + t.due_minutes * MINUTE).max();
        let kind = match kind {
            CaseWriteKind::Create(mut row) => {
                row.state = to;
                row.stage_deadline = deadline.or(row.stage_deadline);
                CaseWriteKind::Create(row)
            }
            CaseWriteKind::Update(mut u) => {
                if to != state {
                    u.state = to;
                    u.stage_changed = true;
                    u.stage_deadline = deadline.or(u.stage_deadline);
                } else if let (Some(d), Some(c)) = (deadline, case) {
                    u.stage_deadline = Some(c.stage_deadline.map_or(d, |old| old.max(d)));
                }
                CaseWriteKind::Update(u)
            }
        };
        CaseWrite {
            new_tasks: tasks
                .iter()
                .map(|t| (t.holder, now + t.due_minutes * MINUTE))
                .collect(),
            task_plans: tasks
                .iter()
                .map(|t| {
                    Some(TaskPlan {
                        level: t.slot.level,
                        instruction: t.instruction.clone(),
                        checklist: t.checklist.clone(),
                    })
                })
                .collect(),
            steps,
            ..CaseWrite::one_step(kind, step(me, now, "", state, state, String::new()))
        }
    }

    /// Changes a running activation (its level, standing down) or writes its review.
    pub async fn change(
        &self,
        me: &Principal,
        id: i64,
        change: &ActivationChange,
        now: i64,
    ) -> ServiceResult<ActivationView> {
        command_only(me)?;
        let record = self
            .store
            .activation(id)
            .await?
            .ok_or(ServiceError::NotFound("没有这次预案启动"))?;
        let case = self.cases.visible(me, record.brief.case_id).await?;
        let brief = &record.brief;
        let mine = |t: &&zhizhi_shared::case::view::TaskBrief| {
            t.plan.as_ref().is_some_and(|p| p.activation_id == id)
        };
        let running = brief.state == ActivationState::Running;
        let update = |level: Level,
                      state: ActivationState,
                      stood_down_at: Option<i64>,
                      reason: &str,
                      lessons: &str| ActivationWrite::Update {
            id,
            level,
            state,
            stood_down_at,
            stand_down_reason: reason.trim().to_string(),
            lessons: lessons.trim().to_string(),
        };
        let write = match change {
            ActivationChange::Level { level, reason } => {
                if !running {
                    return Err(ServiceError::Conflict("响应已终止，不能再调整级别".into()));
                }
                if case.state.is_final() || matches!(case.state, CaseState::Suspended | CaseState::Escalated) {
                    return Err(ServiceError::Conflict(format!("事件当前为「{}」，不能再调整响应级别，请终止响应", case.state.name_zh())));
                }
                let body = self
                    .store
                    .plan_version(brief.plan_id, brief.version)
                    .await?
                    .ok_or(ServiceError::NotFound("预案版本已不存在"))?;
                if !body.has_level(*level) {
                    return Err(ServiceError::invalid(
                        "level",
                        format!("预案「{}」没有{}响应", body.name, level.name_zh()),
                    ));
                }
                if *level == brief.level {
                    return Err(ServiceError::invalid(
                        "level",
                        format!("当前已是{}响应", level.name_zh()),
                    ));
                }
                let note = format!(
                    "{} → {}{}",
                    brief.level.name_zh(),
                    level.name_zh(),
                    if reason.trim().is_empty() {
                        String::new()
                    } else {
                        format!("：{}", reason.trim())
                    }
                );
                let act = update(*level, ActivationState::Running, None, "", "");
                if *level > brief.level {
                    let tasks = self
                        .dispatches(&body, Some(brief.level), *level, case.grid_id)
                        .await?;
                    let w = self.dispatch_write(
                        me,
                        CaseWriteKind::Update(CaseUpdate::keeping(&case, now)),
                        Some(&case),
                        case.state,
                        &tasks,
                        ("plan_level", note),
                        vec![],
                        now,
                    );
                    CaseWrite {
                        activation: Some(act),
                        ..w
                    }
                } else {
                    let withdraw: Vec<i64> = case
                        .tasks
                        .iter()
                        .filter(mine)
                        .filter(|t| {
                            t.state.is_open() && t.plan.as_ref().is_some_and(|p| p.level > *level)
                        })
                        .map(|t| t.id)
                        .collect();
                    self.withdraw(me, &case, &withdraw, ("plan_level", note), act, now)
                }
            }
            ActivationChange::StandDown { reason } => {
                if !running {
                    return Err(ServiceError::Conflict("响应已经终止".into()));
                }
                let open: Vec<i64> = case
                    .tasks
                    .iter()
                    .filter(mine)
                    .filter(|t| t.state.is_open())
                    .map(|t| t.id)
                    .collect();
                plan::stand_down(open.len(), reason)?;
                let note = if reason.trim().is_empty() {
                    "各项任务已完成".to_string()
                } else {
                    reason.trim().to_string()
                };
                let act = update(
                    brief.level,
                    ActivationState::StoodDown,
                    Some(now),
                    reason,
                    "",
                );
                self.withdraw(me, &case, &open, ("plan_stand_down", note), act, now)
            }
            ActivationChange::Review { lessons } => {
                if running {
                    return Err(ServiceError::Conflict("终止响应后才能复盘".into()));
                }
                let n = lessons.trim().chars().count();
                if !(2..=2000).contains(&n) {
                    return Err(ServiceError::invalid(
                        "lessons",
                        "请写下复盘的经验教训（2–2000 个字）",
                    ));
                }
                let act = update(
                    brief.level,
                    ActivationState::StoodDown,
                    record.stood_down_at,
                    &record.stand_down_reason,
                    lessons,
                );
                let s = step(
                    me,
                    now,
                    "plan_review",
                    case.state,
                    case.state,
                    lessons.trim().to_string(),
                );
                CaseWrite {
                    activation: Some(act),
                    ..CaseWrite::one_step(CaseWriteKind::Update(CaseUpdate::keeping(&case, now)), s)
                }
            }
        };
        self.cases.publish(&write).await?;
        self.view(me, id, now).await
    }

    /// A write that cancels `tasks` (withdrawn by a lower level or a stand-down); a case left
    /// with no open task and some reported back moves on to verification.
    fn withdraw(
        &self,
        me: &Principal,
        case: &CaseSummary,
        tasks: &[i64],
        (kind, note): (&str, String),
        act: ActivationWrite,
        now: i64,
    ) -> CaseWrite {
        let changes: Vec<TaskChange> = case
            .tasks
            .iter()
            .filter(|t| tasks.contains(&t.id))
            .map(|t| TaskChange {
                task_id: t.id,
                state: TaskState::Cancelled,
                deadline: t.deadline,
                extension_hours: None,
            })
            .collect();
        let still_open = case
            .tasks
            .iter()
            .any(|t| t.state.is_open() && !tasks.contains(&t.id));
        let some_done = case.tasks.iter().any(|t| t.state == TaskState::Done);
        let mut update = CaseUpdate::keeping(case, now);
        let to = if matches!(case.state, CaseState::Dispatched | CaseState::Handling)
            && !still_open
            && some_done
        {
            update.state = CaseState::Verifying;
            update.stage_changed = true;
            update.stage_deadline = case
                .core()
                .and_then(|c| case::stage_deadline(c.category, CaseState::Verifying, now));
            CaseState::Verifying
        } else {
            case.state
        };
        let s = step(me, now, kind, case.state, to, note);
        CaseWrite {
            task_changes: changes,
            activation: Some(act),
            ..CaseWrite::one_step(CaseWriteKind::Update(update), s)
        }
    }

    /// An activation with its tasks, their times and the incident's timeline: for whoever may
    /// see its case.
    pub async fn view(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<ActivationView> {
        let _ = now;
        let (_, cursor) = self.store.event_range().await?;
        let record = self
            .store
            .activation(id)
            .await?
            .ok_or(ServiceError::NotFound("没有这次预案启动"))?;
        let case = self.cases.visible(me, record.brief.case_id).await?;
        let body = self
            .store
            .plan_version(record.brief.plan_id, record.brief.version)
            .await?;
        let steps = self.store.case_steps(case.id).await?;
        Ok(assemble(record, case, body, steps, cursor))
    }
}

/// The category of a case opened for an activation: the plan's first (a group's first).
fn category_for(plan: &PlanView) -> ServiceResult<String> {
    let code = plan.body.categories.iter().find_map(|c| {
        case::category(c).map(|c| c.code).or_else(|| {
            case::CATEGORIES
                .iter()
                .find(|k| k.group == c)
                .map(|k| k.code)
        })
    });
    code.map(str::to_string).ok_or_else(|| {
        ServiceError::invalid("case_id", "该预案没有对应的事件类别：请从一个事件启动")
    })
}

/// Puts an activation's view together from its record, its case, its plan version and the
/// case's timeline.
fn assemble(
    record: ActivationRecord,
    case: CaseSummary,
    body: Option<plan::PlanBody>,
    steps: Vec<zhizhi_shared::case::view::StepView>,
    cursor: i64,
) -> ActivationView {
    let id = record.brief.id;
    let tasks = case
        .tasks
        .iter()
        .filter_map(|t| {
            let p = t.plan.as_ref().filter(|p| p.activation_id == id)?;
            let accepted_at = steps
                .iter()
                .find(|s| {
                    s.task_id == Some(t.id) && matches!(s.kind.as_str(), "accept_task" | "check_in")
                })
                .map(|s| s.at);
            let done = steps
                .iter()
                .rev()
                .find(|s| s.task_id == Some(t.id) && s.kind == "report_back");
            Some(ActivationTask {
                task_id: t.id,
                level: p.level,
                holder: t.holder,
                holder_name: t.holder_name.clone(),
                instruction: p.instruction.clone(),
                checklist: p.checklist.clone(),
                state: t.state,
                deadline: t.deadline,
                accepted_at,
                done_at: done.filter(|_| t.state == TaskState::Done).map(|s| s.at),
                result: done.map(|s| s.note.clone()).unwrap_or_default(),
            })
        })
        .collect();
    let (kind, notify, levels) = match body {
        Some(b) => (b.kind, b.notify, b.levels.iter().map(|l| l.level).collect()),
        None => (String::new(), vec![], vec![record.brief.level]),
    };
    ActivationView {
        brief: record.brief,
        kind,
        activated_by: record.activated_by,
        case_number: case.number,
        address: case.address,
        lon: case.lon,
        lat: case.lat,
        notify,
        levels,
        tasks,
        stood_down_at: record.stood_down_at,
        stand_down_reason: record.stand_down_reason,
        lessons: record.lessons,
        revised_in: record.revised_in,
        steps,
        cursor,
    }
}
