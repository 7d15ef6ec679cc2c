//! The detail of a case: its summary, tasks, the actions its viewer may take (offered exactly
//! when the rule book would accept them) and its timeline.

use super::actions::{action_form, Form};
use super::dispatch::DispatchDialog;
use super::plan_dialog::PlanDialog;
use super::{short_time, state_name, timeliness_chip};
use crate::api::cases::case_action;
use crate::api::error_text;
use crate::browser;
use crate::components::outbox;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::auth::Role;
use crate::api::plans::tick_item;
use zhizhi_shared::case::view::{CaseDetail, PlanTaskNote, PostRef, StepView, TaskBrief};
use zhizhi_shared::plan::{ActivationState, CheckItem};
use zhizhi_shared::case::{self, decide, step_name, Action, Holder, Refusal, TaskState};
use zhizhi_shared::time::beijing_datetime;

/// Whether the rule book would let `me` try `action` now (a missing reason still counts: the
/// form asks for it).
pub(super) fn offered(core: &case::Case, me: &Principal, action: &Action, now: i64) -> bool {
    matches!(decide(core, me, action, now), Ok(_) | Err(Refusal::Invalid { .. }))
}


/// What the action buttons of one case share: whether a request is under way, the last error,
/// the open form, and how an action is sent.
#[derive(Clone, Copy)]
pub(super) struct Controls<R> {
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    form: RwSignal<Option<Form>>,
    run: R,
}

impl<R: Fn(Action) + Copy + Send + Sync + 'static> Controls<R> {
    /// A button that sends `action` at once.
    fn act(self, label: (&'static str, &'static str), testid: &'static str, action: Action, primary: bool) -> AnyView {
        let (busy, run) = (self.busy, self.run);
        view! {
            <button class=if primary { "act primary" } else { "act" } data-testid=testid disabled=move || busy.get()
                on:click=move |_| run(action.clone())>{bi(label.0, label.1)}</button>
        }
        .into_any()
    }

    /// A button that opens the form `f`, which asks for a reason, a note or hours first.
    fn ask(self, label: (&'static str, &'static str), testid: &'static str, f: Form, primary: bool) -> AnyView {
        let (busy, error, form) = (self.busy, self.error, self.form);
        view! {
            <button class=if primary { "act primary" } else { "act" } data-testid=testid disabled=move || busy.get()
                on:click=move |_| { error.set(None); form.set(Some(f)); }>{bi(label.0, label.1)}</button>
        }
        .into_any()
    }
}


/// The detail of a case with the actions its viewer may take.
#[component]
pub fn CaseDetailView(
    me: Principal,
    detail: CaseDetail,
    posts: Vec<PostRef>,
    on_changed: Callback<CaseDetail>,
    now: RwSignal<Option<i64>>,
) -> impl IntoView {
    let case = detail.case.clone();
    let id = case.id;
    let version = case.version;
    // The version actions are decided on: a photo added before a report moves it on.
    let version_now = RwSignal::new(version);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let form = RwSignal::new(None::<Form>);
    let dispatching = RwSignal::new(false);
    let activating = RwSignal::new(false);
    let core = case.core();
    // Decisions are made at the browser's time once known; the server's answer decides anyway.
    let t = case.updated_at;

    // Without a signal an action waits on the phone (the outbox) and is sent when it returns;
    // the rule book above offered only what the case allowed as the phone last saw it.
    let queued = RwSignal::new(None::<String>);
    // What a queued action is called, and the case's kind and place (a refused one may be
    // reported anew there). Stored, so that `run` stays `Copy`.
    let about = StoredValue::new((
        case.number.clone(),
        serde_json::json!({ "category": case.category, "lon": case.lon, "lat": case.lat, "address": case.address }).to_string(),
    ));
    // The detail may be drawn anew (a live event) while a photo goes first: this view's
    // signals are then gone, so they are only ever tried, and the action is still sent; the
    // page, which outlives the view, takes the answer (`on_changed`).
    let run = move |action: Action| {
        let _ = busy.try_set(true);
        let _ = error.try_set(None);
        let (number, meta) = about.try_get_value().unwrap_or_default();
        // One id for this action however often it is sent (the answer lost, or the outbox).
        let client_id = outbox::new_client_id();
        spawn_local(async move {
            // The detail may have been redrawn (a live event) while a photo uploaded: then send
            // no version and let the rule book decide on the case as it stands.
            match case_action(id, action.clone(), version_now.try_get_untracked(), Some(client_id.clone()).filter(|c| !c.is_empty())).await {
                Ok(d) => {
                    let _ = form.try_set(None);
                    let _ = dispatching.try_set(false);
                    on_changed.run(d);
                }
                Err(e) if outbox::is_network_failure(&e) => {
                    let (zh, en) = case::step_name(action.code());
                    let label = format!("{zh} · {number}");
                    match outbox::queue_action(id, &action, &label, &meta, &client_id).await {
                        Ok(()) => {
                            let _ = form.try_set(None);
                            let _ = queued.try_set(Some(outbox::queued_note(zh, en)));
                        }
                        Err(m) => {
                            let _ = error.try_set(Some(m));
                        }
                    }
                }
                Err(e) => {
                    let _ = error.try_set(Some(error_text(&e)));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let mut buttons: Vec<AnyView> = Vec::new();
    if let Some(core) = &core {
        let controls = Controls { busy, error, form, run };
        let simple = |label, testid, action, primary| controls.act(label, testid, action, primary);
        let ask = |label, testid, f, primary| controls.ask(label, testid, f, primary);
        let any_post = Holder::Post(posts.first().map(|p| p.id).unwrap_or(0));
        if offered(core, &me, &Action::Dispatch { holders: vec![any_post], note: String::new() }, t) {
            buttons.push(view! {
                <button class="act primary" data-testid="dispatch" disabled=move || busy.get()
                    on:click=move |_| { error.set(None); dispatching.set(true); }>{bi("派遣", "Dispatch")}</button>
            }.into_any());
        }
        let running = case.activation.as_ref().filter(|a| a.state == ActivationState::Running);
        if let Some(a) = running {
            let href = format!("/activations/{}", a.id);
            buttons.push(view! {
                <a class="act primary" data-testid="open-incident" href=href>{bi("指挥视图", "Incident view")}</a>
            }.into_any());
        } else if me.has(Role::Command) && !case.drill && !case.state.is_final()
            && !matches!(case.state, case::CaseState::Suspended | case::CaseState::Escalated)
        {
            buttons.push(view! {
                <button class="act danger" data-testid="activate-plan" disabled=move || busy.get()
                    on:click=move |_| { error.set(None); activating.set(true); }>{bi("启动预案", "Activate plan")}</button>
            }.into_any());
        }
        if offered(core, &me, &Action::Accept, t) {
            buttons.push(simple(("受理", "Accept"), "accept", Action::Accept, false));
        }
        if offered(core, &me, &Action::Register, t) {
            buttons.push(simple(("立案", "Register"), "register", Action::Register, false));
        }
        if offered(core, &me, &Action::Verify { note: String::new() }, t) {
            buttons.push(simple(("核查通过", "Verified"), "verify", Action::Verify { note: String::new() }, true));
        }
        if offered(core, &me, &Action::Close { note: String::new() }, t) {
            buttons.push(ask(("结案", "Close"), "close", Form::Close, true));
        }
        if offered(core, &me, &Action::Rework { reason: String::new() }, t) {
            buttons.push(ask(("返工", "Rework"), "rework", Form::Rework, false));
        }
        if offered(core, &me, &Action::Conclude { reason: String::new() }, t) {
            buttons.push(ask(("终止处置", "Conclude"), "conclude", Form::Conclude, false));
        }
        if offered(core, &me, &Action::Reject { reason: String::new() }, t) {
            buttons.push(ask(("不予立案", "Reject"), "reject", Form::Reject, false));
        }
        if offered(core, &me, &Action::Escalate { reason: String::new() }, t) {
            buttons.push(ask(("上报区级", "Escalate"), "escalate", Form::Escalate, false));
        }
        if offered(core, &me, &Action::Suspend { reason: String::new() }, t) {
            buttons.push(ask(("挂起", "Suspend"), "suspend", Form::Suspend, false));
        }
        if offered(core, &me, &Action::FalseAlarm { reason: String::new() }, t) {
            buttons.push(ask(("误报结案", "False alarm"), "false-alarm", Form::FalseAlarm, false));
        }
        if offered(core, &me, &Action::Comment { note: String::new() }, t) {
            buttons.push(ask(("补充说明", "Add a note"), "comment", Form::Comment, false));
        }
        if offered(core, &me, &Action::Resume, t) {
            buttons.push(simple(("恢复", "Resume"), "resume", Action::Resume, true));
        }
        if offered(core, &me, &Action::DistrictResolve { note: String::new() }, t) {
            buttons.push(ask(("区级办结", "Resolved"), "district-resolve", Form::DistrictResolve, true));
            buttons.push(ask(("退回街道", "Return"), "district-return", Form::DistrictReturn, false));
        }
    }

    if me.has(Role::Command) {
        let may_call = !case.state.is_final() && !case.drill;
        buttons.push(view! { <crate::components::call::dialog::CaseCallBar case_id=id me=me.user_id may_call/> }.into_any());
    }

    let tasks = case.tasks.clone();
    let task_rows = tasks
        .iter()
        .map(|task| task_row(task, core.as_ref(), &me, t, busy, error, form, run).into_any())
        .collect_view();
    let photos_of_report: Vec<i64> = detail.steps.iter().flat_map(|s| s.attachments.clone()).collect();
    let suggested = detail.suggested_post.clone();
    let case_for_dialog = case.clone();
    let c_due = case.clone();

    // Each part is type-erased: one view type for the whole detail would be too deep for the
    // compiler.
    let head = view! {
        <header class="case-detail-head">
            <div>
                <span class=format!("urgency u-{}", case.urgency.colour())>{pick(case.urgency.name_zh(), case.urgency.name_en()).to_string()}</span>
                <h2>{super::category_label(&case)}</h2>
                <span class=format!("pill st-{}", case.state.code()) data-testid="case-state">{state_name(case.state)}</span>
                {super::plan_badges(&case)}
                {move || timeliness_chip(&c_due, now.get())}
            </div>
            <a class="case-no" href=format!("/cases/{id}") data-testid="case-link">{case.number.clone()}</a>
        </header>
        <p class="case-desc">{case.description.clone()}</p>
    }
    .into_any();
    let facts = view! {
        <dl class="case-facts">
            <div><dt>{bi("地点", "Place")}</dt><dd data-testid="case-address">{case.address.clone()}
                {case.lon.zip(case.lat).map(|(x, y)| view! {
                    " "<a class="go-there" data-testid="go-there" href=format!("geo:{y:.6},{x:.6}?q={y:.6},{x:.6}")>{bi("导航前往", "Go there")}</a>
                })}
            </dd></div>
            <div><dt>{bi("网格", "Grid")}</dt><dd>{case.place.clone()}</dd></div>
            <div>
                <dt>{bi("网格员", "Grid worker")}</dt>
                <dd>{if case.grid_worker.is_empty() { "—".to_string() } else { case.grid_worker.clone() }}</dd>
            </div>
            <div>
                <dt>{bi("来源", "Source")}</dt>
                <dd>{format!("{} · {}", pick(case.source.name_zh(), case.source.name_en()), case.reporter_name)}</dd>
            </div>
            {super::contact::may_call_back(&me, &case).then(|| view! { <super::contact::ReporterContact id=case.id/> })}
            <div><dt>{bi("上报时间", "Reported")}</dt><dd>{beijing_datetime(case.created_at)}</dd></div>
            {suggested.clone().map(|(_, name)| view! { <div><dt>{bi("建议岗位", "Suggested post")}</dt><dd>{name}</dd></div> })}
        </dl>
    }
    .into_any();
    let photos = (!photos_of_report.is_empty()).then(|| {
        view! {
            <div class="photos" data-testid="case-photos">
                {photos_of_report.iter().map(|p| view! {
                    <a href=format!("/api/v1/photos/{p}") target="_blank"><img src=format!("/api/v1/photos/{p}")
                        alt=bi("现场照片", "Photo from the scene") loading="lazy"/></a>
                }).collect_view()}
            </div>
        }
        .into_any()
    });
    let task_list = (!tasks.is_empty()).then(|| {
        view! {
            <section class="tasks">
                <h3>{bi("处置任务", "Tasks")}</h3>
                <ul data-testid="tasks">{task_rows}</ul>
            </section>
        }
        .into_any()
    });
    let timeline = view! {
        <section class="timeline-box">
            <h3>{bi("流转记录", "Timeline")}</h3>
            <ol class="timeline" data-testid="timeline">
                {detail.steps.iter().map(|s| step_item(s, &tasks).into_any()).collect_view()}
            </ol>
        </section>
    }
    .into_any();
    let satisfaction = super::satisfaction::satisfaction(&me, &detail, on_changed);
    let case_for_plan = case.clone();
    let plan_dialog = move || {
        activating.get().then(|| {
            view! { <PlanDialog case=case_for_plan.clone() on_cancel=Callback::new(move |_| activating.set(false))/> }.into_any()
        })
    };
    let dialog = move || {
        dispatching.get().then(|| {
            view! {
                <DispatchDialog case=case_for_dialog.clone() posts=posts.clone() suggested=suggested.clone().map(|s| s.0)
                    busy on_cancel=Callback::new(move |_| dispatching.set(false))
                    on_dispatch=Callback::new(move |(holders, note): (Vec<Holder>, String)| run(Action::Dispatch { holders, note }))/>
            }
            .into_any()
        })
    };

    view! {
        <article class="case-detail" data-testid="case-detail" data-state=case.state.code() data-version=version>
            {head}
            {facts}
            {photos}
            {task_list}
            {satisfaction}
            <div class="actions no-print" data-testid="actions">{buttons}</div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="action-error">{e}</p> })}
            {move || queued.get().map(|m| view! { <p class="note queued" role="status" data-testid="action-queued">{m}</p> })}
            {move || form.get().map(|f| action_form(f, id, busy, form, version_now, run).into_any())}
            {dialog}
            {plan_dialog}
            {timeline}
        </article>
    }
}

#[allow(clippy::too_many_arguments)]

fn task_row<R: Fn(Action) + Copy + Send + Sync + 'static>(
    task: &TaskBrief,
    core: Option<&case::Case>,
    me: &Principal,
    t: i64,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    form: RwSignal<Option<Form>>,
    run: R,
) -> impl IntoView + use<R> {
    let task_id = task.id;
    let mut buttons: Vec<AnyView> = Vec::new();
    if let Some(core) = core {
        let controls = Controls { busy, error, form, run };
        let simple = |label, testid, action, primary| controls.act(label, testid, action, primary);
        let ask = |label, testid, f, primary| controls.ask(label, testid, f, primary);
        if task.state == TaskState::Pending && offered(core, me, &Action::AcceptTask { task_id }, t) {
            buttons.push(simple(("签收", "Accept task"), "accept-task", Action::AcceptTask { task_id }, true));
        }
        if offered(core, me, &Action::CheckIn { task_id, lon: None, lat: None }, t) {
            buttons.push(view! {
                <button class="act" data-testid="check-in" disabled=move || busy.get() on:click=move |_| {
                    busy.set(true);
                    spawn_local(async move {
                        let (lon, lat) = match browser::current_position().await { Ok((a, b)) => (Some(a), Some(b)), Err(_) => (None, None) };
                        busy.set(false);
                        run(Action::CheckIn { task_id, lon, lat });
                    });
                }>{bi("到场签到", "Check in")}</button>
            }.into_any());
        }
        if offered(core, me, &Action::ReportBack { task_id, note: String::new() }, t) {
            buttons.push(ask(("处置反馈", "Report back"), "report-back", Form::ReportBack(task_id), true));
            buttons.push(ask(("退回", "Return"), "return-task", Form::ReturnTask(task_id), false));
        }
        if offered(core, me, &Action::RequestExtension { task_id, hours: 24, reason: String::new() }, t) {
            buttons.push(ask(("申请延期", "More time"), "request-extension", Form::Extension(task_id), false));
        }
        if offered(core, me, &Action::ApproveExtension { task_id }, t) {
            buttons.push(simple(("批准延期", "Approve"), "approve-extension", Action::ApproveExtension { task_id }, true));
            buttons.push(ask(("驳回延期", "Deny"), "deny-extension", Form::DenyExtension(task_id), false));
        }
    }
    let state = task.state;
    view! {
        <li class=format!("task ts-{}", state.code()) data-testid="task" data-holder=task.holder_name.clone()>
            <div class="task-head">
                <strong>{task.holder_name.clone()}</strong>
                <span class=format!("pill ts-{}", state.code())>{pick(state.name_zh(), state.name_en()).to_string()}</span>
                <span class="task-due">{bi("时限 ", "Due ")}{short_time(task.deadline)}</span>
                {task.extension_hours.map(|h| view! { <span class="due near">{pick(&format!("申请延期 {h} 小时"),
                    &format!("{h} more hours asked for")).to_string()}</span> })}
            </div>
            {task.plan.as_ref().map(|p| view! {
                <div class="plan-task" data-testid="plan-task">
                    <span class=format!("badge plan lv-{}", p.level.colour())>{pick(p.level.name_zh(), p.level.name_en()).to_string()}</span>
                    <p class="instruction" data-testid="instruction">{p.instruction.clone()}</p>
                    {(!p.checklist.is_empty()).then(|| checklist(p, task_id, me.holds(task.holder) && task.state.is_open(), error))}
                </div>
            })}
            {(!buttons.is_empty()).then(|| view! { <div class="actions">{buttons}</div> })}
        </li>
    }
}

/// A plan task's checklist (检查项): the holder ticks each item as it is done, and the command
/// centre sees the progress on the incident view.
fn checklist(p: &PlanTaskNote, task_id: i64, may_tick: bool, error: RwSignal<Option<String>>) -> impl IntoView + use<> {
    let activation = p.activation_id;
    let total = p.checklist.len();
    let ticked = RwSignal::new(p.checked.clone());
    let busy = RwSignal::new(false);
    let items = p.checklist.iter().enumerate().map(|(i, text)| {
        let item = i as u32;
        let on = move || ticked.with(|t| t.contains(&item));
        let flip = move |_| {
            let done = !on();
            busy.set(true);
            spawn_local(async move {
                match tick_item(activation, CheckItem { task_id, item, done }).await {
                    Ok(v) => {
                        if let Some(t) = v.tasks.iter().find(|t| t.task_id == task_id) {
                            ticked.set(t.checked.clone());
                        }
                    }
                    Err(e) => error.set(Some(crate::api::error_text(&e))),
                }
                busy.set(false);
            });
        };
        view! {
            <li class:done=on data-testid="check-item" data-done=move || on().to_string()>
                <label>
                    <input type="checkbox" prop:checked=on disabled=move || !may_tick || busy.get() on:change=flip/>
                    <span>{text.clone()}</span>
                </label>
            </li>
        }
    }).collect_view();
    view! {
        <div class="checklist-box">
            <span class="checklist-progress" data-testid="checklist-progress">
                {move || pick(&format!("检查项 {}/{total}", ticked.with(Vec::len)), &format!("Checks {}/{total}", ticked.with(Vec::len))).to_string()}
            </span>
            <ul class="checklist" class:tickable=may_tick>{items}</ul>
        </div>
    }
}

fn step_item(s: &StepView, tasks: &[TaskBrief]) -> impl IntoView + use<> {
    let (zh, en) = step_name(&s.kind);
    let holder = s.task_id.and_then(|id| tasks.iter().find(|t| t.id == id)).map(|t| t.holder_name.clone());
    let moved = s.from != s.to;
    view! {
        <li class=format!("step k-{}", s.kind) data-testid="step" data-kind=s.kind.clone()>
            <time>{beijing_datetime(s.at)}</time>
            <div class="step-body">
                <strong>{bi(zh, en)}</strong>
                {holder.map(|h| view! { <span class="step-holder">" → "{h}</span> })}
                <span class="step-actor">{s.actor_name.clone()}</span>
                {moved.then(|| view! { <span class="step-move">{state_name(s.from)}" → "{state_name(s.to)}</span> })}
                {(!s.note.is_empty()).then(|| view! { <p class="step-note">{s.note.clone()}</p> })}
                {(!s.attachments.is_empty()).then(|| view! {
                    <div class="photos small">{s.attachments.iter().map(|p| view! {
                        <a href=format!("/api/v1/photos/{p}") target="_blank"><img src=format!("/api/v1/photos/{p}") alt=bi("照片", "Photo")
                            loading="lazy"/></a>
                    }).collect_view()}</div>
                })}
            </div>
        </li>
    }
}

