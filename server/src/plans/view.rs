//! The incident view's data: an activation with its tasks, their times and the case's timeline.

use super::Plans;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::plans::ActivationRecord;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::case::TaskState;
use zhizhi_shared::plan::{self, ActivationTask, ActivationView};

impl Plans {
    /// The stored activation `id`, or 404.
    pub(super) async fn record(&self, id: i64) -> ServiceResult<ActivationRecord> {
        self.store.activation(id).await?.ok_or(ServiceError::NotFound("没有这次预案启动"))
    }

    /// An activation with its tasks, their times and the incident's timeline: for whoever may
    /// see its case.
    pub async fn view(&self, me: &Principal, id: i64) -> ServiceResult<ActivationView> {
        let (_, cursor) = self.store.event_range().await?;
        let record = self.record(id).await?;
        let case = self.cases.visible(me, record.brief.case_id).await?;
        let body = self
            .store
            .plan_version(record.brief.plan_id, record.brief.version)
            .await?;
        let steps = self.store.case_steps(case.id).await?;
        Ok(assemble(record, case, body, steps, cursor))
    }
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
                checked: p.checked.clone(),
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
