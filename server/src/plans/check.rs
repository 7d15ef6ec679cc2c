//! Ticking a plan task's checklist (检查项): the post holding the task ticks what it has done,
//! so that the incident view shows each task's progress before it is reported back.

use super::{step, Plans};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::{CaseUpdate, CaseWrite, CaseWriteKind};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::plan::{self, ActivationState, ActivationView, CheckItem};

/// How often a tick is tried again when another post's change to the same case came first.
const TRIES: usize = 4;

impl Plans {
    /// Ticks or unticks one item of a task of activation `id`, for the holder of the task
    /// while the task is open and the response running. Another post's change to the case in
    /// the meantime is not a conflict for the user: the tick is applied to the case as it now
    /// stands.
    pub async fn check(&self, me: &Principal, id: i64, check: &CheckItem, now: i64) -> ServiceResult<ActivationView> {
        let record = self.record(id).await?;
        if record.brief.state != ActivationState::Running {
            return Err(ServiceError::Conflict("响应已终止，检查项不能再改".into()));
        }
        for _ in 0..TRIES {
            let case = self.cases.visible(me, record.brief.case_id).await?;
            let task = case
                .tasks
                .iter()
                .find(|t| t.id == check.task_id && t.plan.as_ref().is_some_and(|p| p.activation_id == id))
                .ok_or(ServiceError::NotFound("这次预案启动没有这项任务"))?;
            let note = task.plan.as_ref().expect("found by its plan");
            if !me.holds(task.holder) {
                return Err(ServiceError::Denied("只有承办这项任务的岗位可以勾选检查项".into()));
            }
            if !task.state.is_open() {
                return Err(ServiceError::Conflict(format!("任务当前为「{}」，检查项不能再改", task.state.name_zh())));
            }
            let checked = plan::tick(&note.checklist, &note.checked, check)?;
            let text = &note.checklist[check.item as usize];
            let said = if check.done { format!("已完成：{text}（{}/{}）", checked.len(), note.checklist.len()) } else { format!("取消勾选：{text}") };
            let mut s = step(me, now, "plan_check", case.state, case.state, said);
            s.task_id = Some(task.id);
            let write = CaseWrite {
                checks: vec![(task.id, checked)],
                ..CaseWrite::one_step(CaseWriteKind::Update(CaseUpdate::keeping(&case, now)), s)
            };
            match self.cases.publish(&write).await {
                Ok(_) => return self.view(me, id).await,
                Err(ServiceError::Storage(crate::storage::Error::Stale)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ServiceError::Storage(crate::storage::Error::Stale))
    }
}
