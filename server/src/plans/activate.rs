//! Activating a plan: the level's tasks, dispatched on the incident's case (or a case opened
//! for it) in one write with the activation's row.

use super::{command_only, step, Plans, MINUTE};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::plans::{ActivationWrite, TaskPlan};
use crate::storage::{CaseUpdate, CaseWrite, CaseWriteKind, NewStep};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{CaseSummary, NewCase};
use zhizhi_shared::case::{self, CaseState, Source};
use zhizhi_shared::plan::{self, ActivationState, ActivationView, Dispatch, Level, NewActivation, PlanView};

impl Plans {
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
        self.view(me, id).await
    }

    /// The tasks between two levels, with the street's post ids and the incident's grid.
    pub(super) async fn dispatches(
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
    pub(super) fn dispatch_write(
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
        // A fresh case is accepted and registered on its way to dispatch, as a dispatch does.
        if to == CaseState::Dispatched && state == CaseState::Reported {
            steps.push(step(me, now, "accept", CaseState::Reported, CaseState::Accepted, String::new()));
        }
        if to == CaseState::Dispatched && matches!(state, CaseState::Reported | CaseState::Accepted) {
            steps.push(step(me, now, "register", CaseState::Accepted, CaseState::Registered, String::new()));
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

