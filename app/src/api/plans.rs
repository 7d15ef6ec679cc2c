//! Server functions for contingency plans and their activations.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::plan::{ActivationBrief, ActivationChange, ActivationView, CheckItem, NewActivation, PlanSave, PlanView};

/// Every plan at its current version.
#[server(prefix = "/fn")]
pub async fn get_plans() -> Result<Vec<PlanView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.plans(&me).await.map_err(crate::backend::fail)
}

/// Activates plan `plan_id`.
#[server(prefix = "/fn", input = Json)]
pub async fn activate_plan(plan_id: i64, new: NewActivation) -> Result<ActivationView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.activate_plan(&me, plan_id, new).await.map_err(crate::backend::fail)
}

/// Activations, newest first (running ones only, or all).
#[server(prefix = "/fn")]
pub async fn get_activations(running_only: bool) -> Result<Vec<ActivationBrief>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.activations(&me, running_only).await.map_err(crate::backend::fail)
}

/// One activation, for the incident view.
#[server(prefix = "/fn")]
pub async fn get_activation(id: i64) -> Result<ActivationView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.activation(&me, id).await.map_err(crate::backend::fail)
}

/// Raises or lowers the level, stands down, or writes the review.
#[server(prefix = "/fn", input = Json)]
pub async fn change_activation(id: i64, change: ActivationChange) -> Result<ActivationView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.change_activation(&me, id, change).await.map_err(crate::backend::fail)
}

/// Ticks or unticks a checklist item of a plan task.
#[server(prefix = "/fn", input = Json)]
pub async fn tick_item(id: i64, check: CheckItem) -> Result<ActivationView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.check_item(&me, id, check).await.map_err(crate::backend::fail)
}

/// Saves a plan: a new one (`id` `None`) or a new version of one edited from version `seen`.
#[server(prefix = "/fn", input = Json)]
pub async fn save_plan(id: Option<i64>, seen: Option<i64>, save: PlanSave) -> Result<PlanView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.save_plan(&me, id, seen, save).await.map_err(crate::backend::fail)
}

/// Activates plan `plan_id` from a page and opens the new incident view; on a refusal, says why
/// in `error` and frees the button (`busy`).
pub fn activate_and_open(plan_id: i64, new: NewActivation, busy: RwSignal<bool>, error: RwSignal<Option<String>>) {
    busy.set(true);
    error.set(None);
    leptos::task::spawn_local(async move {
        match activate_plan(plan_id, new).await {
            Ok(v) => crate::browser::go(&format!("/activations/{}", v.brief.id)),
            Err(e) => {
                error.set(Some(crate::api::error_text(&e)));
                busy.set(false);
            }
        }
    });
}
