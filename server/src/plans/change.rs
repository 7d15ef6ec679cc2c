//! Changing a running activation: its level, standing down, and the review afterwards.

use super::{command_only, step, Plans};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::plans::ActivationWrite;
use crate::storage::{CaseUpdate, CaseWrite, CaseWriteKind};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::case::{self, CaseState, TaskChange, TaskState};
use zhizhi_shared::plan::{self, ActivationChange, ActivationState, ActivationView, Level};

impl Plans {
    /// Changes a running activation (its level, standing down) or writes its review.
    pub async fn change(
        &self,
        me: &Principal,
        id: i64,
        change: &ActivationChange,
        now: i64,
    ) -> ServiceResult<ActivationView> {
        command_only(me)?;
        let record = self.record(id).await?;
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
        self.view(me, id).await
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
}
