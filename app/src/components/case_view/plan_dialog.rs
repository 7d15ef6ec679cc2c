//! The activation dialog: the plans that match the case's category come first and the first
//! of them is chosen at its lowest level, so activating it is one more click.

use crate::api::error_text;
use crate::api::plans::{activate_and_open, get_plans};
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::plan::{Level, NewActivation, PlanView};

/// Plans matching `category` first, retired ones left out.
fn offered(mut plans: Vec<PlanView>, category: &str) -> Vec<PlanView> {
    plans.retain(|p| !p.retired);
    plans.sort_by_key(|p| !p.body.matches(category));
    plans
}

/// The dialog that activates a plan for `case`.
#[component]
pub(super) fn PlanDialog(case: CaseSummary, on_cancel: Callback<()>) -> impl IntoView {
    let category = case.category.clone();
    let plans = Resource::new(|| (), |_| get_plans());
    let chosen = RwSignal::new(None::<(i64, i64)>);
    let level = RwSignal::new(None::<Level>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let case_id = case.id;
    let confirm = move |_| {
        let Some((plan_id, version)) = chosen.get_untracked() else { return };
        let new = NewActivation { level: level.get_untracked(), case_id: Some(case_id), version: Some(version), ..Default::default() };
        activate_and_open(plan_id, new, busy, error);
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
            <div class="dialog plan-dialog" role="dialog" aria-modal="true" aria-labelledby="plan-title" data-testid="plan-dialog"
                on:click=|e| e.stop_propagation()>
                <h3 id="plan-title">{bi("启动应急预案", "Activate a contingency plan")}" · "{case.number.clone()}</h3>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || plans.get().map(|r| match r {
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(list) => {
                            let list = offered(list, &category);
                            if chosen.get_untracked().is_none() {
                                if let Some(p) = list.first().filter(|p| p.body.matches(&category)) {
                                    chosen.set(Some((p.id, p.version)));
                                    level.set(p.body.first_level());
                                }
                            }
                            let cat = category.clone();
                            view! {
                                <ul class="plan-choices" data-testid="plan-choices">
                                    {list.into_iter().map(|p| plan_choice(p, &cat, chosen, level)).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    })}
                </Suspense>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="plan-error">{e}</p> })}
                <div class="actions">
                    <button class="act danger" data-testid="confirm-activation" disabled=move || busy.get() || chosen.get().is_none()
                        on:click=confirm>
                        {move || match level.get() {
                            Some(l) => pick(&format!("确认启动 {}响应", l.name_zh()), &format!("Activate at {}", l.name_en())).to_string(),
                            None => pick("确认启动", "Activate").to_string(),
                        }}
                    </button>
                    <button class="act" data-testid="cancel-activation" on:click=move |_| on_cancel.run(())>{bi("取消", "Cancel")}</button>
                </div>
            </div>
        </div>
    }
}

fn plan_choice(p: PlanView, category: &str, chosen: RwSignal<Option<(i64, i64)>>, level: RwSignal<Option<Level>>) -> impl IntoView + use<> {
    let (id, version) = (p.id, p.version);
    let matched = p.body.matches(category);
    let first = p.body.first_level();
    let levels: Vec<Level> = p.body.levels.iter().map(|l| l.level).collect();
    let is_chosen = move || chosen.get().is_some_and(|c| c.0 == id);
    view! {
        <li class="plan-choice" class:chosen=is_chosen class:matched=matched data-testid="plan-choice" data-name=p.body.name.clone()>
            <button type="button" class="plan-pick" aria-pressed=move || is_chosen().to_string()
                on:click=move |_| { chosen.set(Some((id, version))); level.set(first); }>
                <strong>{p.body.name.clone()}</strong>
                {matched.then(|| view! { <small class="tag">{bi("匹配本事件", "matches this case")}</small> })}
                <span class="plan-kind">{p.body.kind.clone()}" · "{pick(&format!("第 {version} 版"), &format!("version {version}")).to_string()}</span>
            </button>
            {move || is_chosen().then(|| {
                let levels = levels.clone();
                view! {
                    <div class="level-pick" role="radiogroup" aria-label=bi("响应级别", "Response level")>
                        {levels.into_iter().map(|l| view! {
                            <button type="button" class=format!("level-chip lv-{}", l.colour()) class:chosen=move || level.get() == Some(l)
                                data-testid="level-chip" data-level=l.code() on:click=move |_| level.set(Some(l))>
                                {pick(l.name_zh(), l.name_en()).to_string()}
                            </button>
                        }).collect_view()}
                    </div>
                }
            })}
        </li>
    }
}
