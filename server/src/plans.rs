//! The plans service: contingency plans (administrators write them, everyone on duty reads
//! them) and their activations by the command centre. An activation dispatches its tasks on
//! one case, in one write with the activation's row, so that posts find plan tasks in their
//! inbox like every other task and every change reaches open screens as the case's live event.

use crate::cases::Cases;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::{NewStep, Store};
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::CaseState;
use zhizhi_shared::plan::{ActivationBrief, PlanError, PlanSave, PlanView};

mod activate;
mod change;
mod check;
mod view;

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
        let list = self.store.activations(running_only, 200).await?;
        if me.street_id.is_none() {
            return Ok(list);
        }
        // A street's staff: the responses to their street's cases.
        let ids = list.iter().map(|a| a.case_id).collect();
        let cases = self.store.cases(&crate::storage::CaseFilter { ids, limit: 200, ..Default::default() }).await?;
        let seen: Vec<i64> = cases.iter().filter(|c| me.may_see_case(&c.visibility())).map(|c| c.id).collect();
        Ok(list.into_iter().filter(|a| seen.contains(&a.case_id)).collect())
    }
}
