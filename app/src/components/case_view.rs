//! Cases on screen: queue cards, the detail with its actions and timeline, and the dispatch
//! dialog. Which actions are offered is decided by the same rule book the server enforces
//! (`zhizhi_shared::case::decide`), so a button is shown exactly when the server would accept
//! the action (the server still checks every request).

mod actions;
mod contact;
mod detail;
mod dispatch;
mod plan_dialog;
mod satisfaction;

pub use detail::CaseDetailView;
pub use satisfaction::{stars, StarPicker};

use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::case::{CaseState, TaskState, Timeliness};
use zhizhi_shared::time::beijing_datetime;

/// A state's name in the current language.
pub fn state_name(s: CaseState) -> String {
    pick(s.name_zh(), s.name_en()).to_string()
}

/// `MM-DD HH:MM` in Beijing time.
pub fn short_time(ms: i64) -> String {
    let full = beijing_datetime(ms);
    full.get(5..16).unwrap_or(&full).to_string()
}

/// How long until (or since) a deadline, e.g. 「剩 2 小时 5 分」 or 「超时 12 分」.
pub fn countdown(deadline: i64, now: i64) -> String {
    let minutes = (deadline - now).abs() / 60_000;
    let (days, hours, min) = (minutes / 1440, minutes / 60, minutes % 60);
    let text = if minutes >= 24 * 60 {
        pick(&format!("{days} 天 {} 小时", hours % 24), &format!("{days} d {} h", hours % 24)).to_string()
    } else if minutes >= 60 {
        pick(&format!("{hours} 小时 {min} 分"), &format!("{hours} h {min} min")).to_string()
    } else {
        pick(&format!("{minutes} 分"), &format!("{minutes} min")).to_string()
    };
    if deadline >= now {
        pick(&format!("剩 {text}"), &format!("{text} left")).to_string()
    } else {
        pick(&format!("超时 {text}"), &format!("{text} overdue")).to_string()
    }
}

/// The timeliness chip of a case, once the browser's time is known.
pub(super) fn timeliness_chip(case: &CaseSummary, now: Option<i64>) -> impl IntoView + use<> {
    let chip = now.and_then(|now| {
        let t = case.timeliness(now);
        let deadline = case.stage_deadline?;
        let class = match t {
            Timeliness::Overdue => "due overdue",
            Timeliness::NearDeadline => "due near",
            Timeliness::OnTime => "due ok",
            Timeliness::Stopped => return None,
        };
        Some(view! { <span class=class data-testid="due">{countdown(deadline, now)}</span> })
    });
    chip
}

/// A case in a queue.
#[component]
pub fn CaseCard(
    case: CaseSummary,
    #[prop(into)] selected: Signal<bool>,
    #[prop(into)] fresh: Signal<bool>,
    now: RwSignal<Option<i64>>,
    on_pick: Callback<i64>,
) -> impl IntoView {
    let id = case.id;
    let urgency = case.urgency;
    let c2 = case.clone();
    let holders = case.tasks.iter().filter(|t| t.state != TaskState::Cancelled).map(|t| t.holder_name.clone()).collect::<Vec<_>>();
    let holders = holders.join(pick("、", ", "));
    view! {
        <li>
            <button class=format!("case-card sv-{}", urgency.colour()) class:selected=selected class:fresh=fresh
                data-testid="case-card" data-case-id=id data-state=case.state.code()
                on:click=move |_| on_pick.run(id)>
                <div class="case-card-head">
                    <span class=format!("urgency u-{}", urgency.colour())>{move || pick(urgency.name_zh(), urgency.name_en()).to_string()}</span>
                    <span class="case-cat">{category_label(&case)}</span>
                    <span class=format!("pill st-{}", case.state.code())>{state_name(case.state)}</span>
                    {plan_badges(&case)}
                </div>
                <div class="case-card-addr">{case.address.clone()}</div>
                <div class="case-card-desc">{case.description.clone()}</div>
                <div class="case-card-foot">
                    <span class="case-no">{case.number.clone()}</span>
                    <span>{short_time(case.created_at)}</span>
                    {(!holders.is_empty()).then(|| view! { <span class="case-holders">{holders}</span> })}
                    {move || timeliness_chip(&c2, now.get())}
                </div>
            </button>
        </li>
    }
}


/// A drill's mark and the running plan's level, on cards and the detail's head.
pub fn plan_badges(case: &CaseSummary) -> impl IntoView + use<> {
    let drill = case.drill.then(|| view! { <span class="badge drill" data-testid="drill-badge">{bi("演练", "Drill")}</span> });
    let plan = case.activation.as_ref().filter(|a| a.state == zhizhi_shared::plan::ActivationState::Running).map(|a| {
        let text = pick(&format!("预案 {}", a.level.name_zh()), &format!("Plan · {}", a.level.name_en())).to_string();
        view! { <span class=format!("badge plan lv-{}", a.level.colour()) data-testid="plan-badge" title=a.plan_name.clone()>{text}</span> }
    });
    (drill, plan)
}

/// A case's category in the current language.
pub fn category_label(case: &CaseSummary) -> impl Fn() -> String + Send + Sync + use<> {
    let (zh, en) = case.category_names();
    let lang = crate::i18n::use_lang();
    move || {
        lang.track();
        pick(&zh, &en).to_string()
    }
}
