//! Cases on screen: queue cards, the detail with its actions and timeline, and the dispatch
//! dialog. Which actions are offered is decided by the same rule book the server enforces
//! (`zhizhi_shared::case::decide`), so a button is shown exactly when the server would accept
//! the action (the server still checks every request).

use crate::api::cases::case_action;
use crate::api::error_text;
use crate::browser;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{CaseDetail, CaseSummary, PostRef, StepView, TaskBrief};
use zhizhi_shared::case::{self, decide, step_name, Action, CaseState, Holder, Refusal, TaskState, Timeliness};
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
fn timeliness_chip(case: &CaseSummary, now: Option<i64>) -> impl IntoView + use<> {
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
pub fn CaseCard(case: CaseSummary, #[prop(into)] selected: Signal<bool>, #[prop(into)] fresh: Signal<bool>, now: RwSignal<Option<i64>>, on_pick: Callback<i64>) -> impl IntoView {
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
                    <span class="case-cat">{case.category_name().to_string()}</span>
                    <span class=format!("pill st-{}", case.state.code())>{state_name(case.state)}</span>
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

/// Whether the rule book would let `me` try `action` now (a missing reason still counts: the
/// form asks for it).
fn offered(core: &case::Case, me: &Principal, action: &Action, now: i64) -> bool {
    matches!(decide(core, me, action, now), Ok(_) | Err(Refusal::Invalid { .. }))
}

/// An action that needs words (and maybe hours or a photo) before it is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Form {
    Reject,
    Suspend,
    Escalate,
    Conclude,
    Rework,
    Close,
    DistrictReturn,
    DistrictResolve,
    FalseAlarm,
    ReportBack(i64),
    ReturnTask(i64),
    Extension(i64),
    DenyExtension(i64),
}

impl Form {
    fn title(self) -> (&'static str, &'static str) {
        match self {
            Form::Reject => ("不予立案", "Reject"),
            Form::Suspend => ("挂起事件", "Suspend"),
            Form::Escalate => ("上报区级", "Escalate to the district"),
            Form::Conclude => ("终止处置", "Conclude handling"),
            Form::Rework => ("核查不通过，返工", "Send back for rework"),
            Form::Close => ("结案", "Close"),
            Form::DistrictReturn => ("退回街道", "Return to the street"),
            Form::DistrictResolve => ("区级办结", "Resolved by the district"),
            Form::FalseAlarm => ("误报结案", "Close as a false alarm"),
            Form::ReportBack(_) => ("处置反馈", "Report back"),
            Form::ReturnTask(_) => ("退回任务", "Return the task"),
            Form::Extension(_) => ("申请延期", "Ask for more time"),
            Form::DenyExtension(_) => ("驳回延期", "Deny the extension"),
        }
    }

    fn placeholder(self) -> (&'static str, &'static str) {
        match self {
            Form::ReportBack(_) => ("处置情况，例如：断枝已锯除并清运，现场已恢复通行", "What was done, e.g. the broken branch was sawn off and removed"),
            Form::Close => ("结案意见（可不填）", "Closing note (optional)"),
            Form::Extension(_) => ("延期理由", "Why more time is needed"),
            Form::FalseAlarm => ("误报原因，例如：老人在家，安全", "Why it was a false alarm, e.g. the resident is home and safe"),
            _ => ("请填写理由", "Please give a reason"),
        }
    }

    fn action(self, text: String, hours: i64) -> Action {
        match self {
            Form::Reject => Action::Reject { reason: text },
            Form::Suspend => Action::Suspend { reason: text },
            Form::Escalate => Action::Escalate { reason: text },
            Form::Conclude => Action::Conclude { reason: text },
            Form::Rework => Action::Rework { reason: text },
            Form::Close => Action::Close { note: text },
            Form::DistrictReturn => Action::DistrictReturn { reason: text },
            Form::DistrictResolve => Action::DistrictResolve { note: text },
            Form::FalseAlarm => Action::FalseAlarm { reason: text },
            Form::ReportBack(task_id) => Action::ReportBack { task_id, note: text },
            Form::ReturnTask(task_id) => Action::ReturnTask { task_id, reason: text },
            Form::Extension(task_id) => Action::RequestExtension { task_id, hours, reason: text },
            Form::DenyExtension(task_id) => Action::DenyExtension { task_id, reason: text },
        }
    }
}

/// What the action buttons of one case share: whether a request is under way, the last error,
/// the open form, and how an action is sent.
#[derive(Clone, Copy)]
struct Controls<R> {
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
pub fn CaseDetailView(me: Principal, detail: CaseDetail, posts: Vec<PostRef>, on_changed: Callback<CaseDetail>, now: RwSignal<Option<i64>>) -> impl IntoView {
    let case = detail.case.clone();
    let id = case.id;
    let version = case.version;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let form = RwSignal::new(None::<Form>);
    let dispatching = RwSignal::new(false);
    let core = case.core();
    // Decisions are made at the browser's time once known; the server's answer decides anyway.
    let t = case.updated_at;

    let run = move |action: Action| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match case_action(id, action, Some(version)).await {
                Ok(d) => {
                    form.set(None);
                    dispatching.set(false);
                    on_changed.run(d);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
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
        if offered(core, &me, &Action::Resume, t) {
            buttons.push(simple(("恢复", "Resume"), "resume", Action::Resume, true));
        }
        if offered(core, &me, &Action::DistrictResolve { note: String::new() }, t) {
            buttons.push(ask(("区级办结", "Resolved"), "district-resolve", Form::DistrictResolve, true));
            buttons.push(ask(("退回街道", "Return"), "district-return", Form::DistrictReturn, false));
        }
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
                <h2>{case.category_name().to_string()}</h2>
                <span class=format!("pill st-{}", case.state.code()) data-testid="case-state">{state_name(case.state)}</span>
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
            <div><dt>{bi("网格员", "Grid worker")}</dt><dd>{if case.grid_worker.is_empty() { "—".to_string() } else { case.grid_worker.clone() }}</dd></div>
            <div><dt>{bi("来源", "Source")}</dt><dd>{format!("{} · {}", pick(case.source.name_zh(), case.source.name_en()), case.reporter_name)}</dd></div>
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
            <div class="actions no-print" data-testid="actions">{buttons}</div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="action-error">{e}</p> })}
            {move || form.get().map(|f| action_form(f, id, busy, form, run).into_any())}
            {dialog}
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
            {(!buttons.is_empty()).then(|| view! { <div class="actions">{buttons}</div> })}
        </li>
    }
}

fn action_form(f: Form, case_id: i64, busy: RwSignal<bool>, form: RwSignal<Option<Form>>, run: impl Fn(Action) + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let hours = RwSignal::new(24i64);
    let photo_error = RwSignal::new(None::<String>);
    let (zh, en) = f.title();
    let with_photo = matches!(f, Form::ReportBack(_));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let action = f.action(text.get_untracked(), hours.get_untracked());
        if with_photo {
            // The photo goes first, so that it stands before the report in the timeline.
            busy.set(true);
            spawn_local(async move {
                match browser::upload_photo(case_id, "action-photo").await {
                    Ok(_) => {
                        busy.set(false);
                        run(action);
                    }
                    Err(e) => {
                        busy.set(false);
                        photo_error.set(Some(e));
                    }
                }
            });
        } else {
            run(action);
        }
    };
    view! {
        <form class="action-form" data-testid="action-form" on:submit=submit>
            <h4>{bi(zh, en)}</h4>
            {matches!(f, Form::Extension(_)).then(|| view! {
                <label>{bi("延期时长（小时）", "Hours")}
                    <input type="number" min="1" max="720" data-testid="hours" prop:value=move || hours.get().to_string()
                        on:input=move |e| hours.set(event_target_value(&e).parse().unwrap_or(0))/>
                </label>
            })}
            <textarea data-testid="action-text" rows="3" placeholder=bi(f.placeholder().0, f.placeholder().1) prop:value=move || text.get()
                on:input=move |e| text.set(event_target_value(&e))></textarea>
            {with_photo.then(|| view! {
                <label class="photo-field">{bi("现场照片（可选）", "Photo (optional)")}
                    <input id="action-photo" type="file" accept="image/jpeg,image/png,image/webp" capture="environment" data-testid="action-photo"/>
                </label>
            })}
            {move || photo_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="submit" class="act primary" data-testid="action-submit" disabled=move || busy.get()>{bi("确认", "Confirm")}</button>
                <button type="button" class="act" on:click=move |_| form.set(None)>{bi("取消", "Cancel")}</button>
            </div>
        </form>
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

/// The dispatch dialog: the suggested post is already chosen, so dispatching it is one click.
#[component]
fn DispatchDialog(case: CaseSummary, posts: Vec<PostRef>, suggested: Option<i64>, busy: RwSignal<bool>, on_cancel: Callback<()>, on_dispatch: Callback<(Vec<Holder>, String)>) -> impl IntoView {
    let chosen = RwSignal::new(suggested.map(Holder::Post).into_iter().collect::<Vec<_>>());
    let note = RwSignal::new(String::new());
    let busy_holders: Vec<Holder> = case.tasks.iter().filter(|t| t.state.is_open()).map(|t| t.holder).collect();
    let toggle = move |h: Holder| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == h) { c.remove(i); } else { c.push(h); });
    let mut boards: Vec<(String, String, Vec<PostRef>)> = Vec::new();
    for p in posts {
        match boards.iter_mut().find(|b| b.0 == p.board) {
            Some(b) => b.2.push(p),
            None => boards.push((p.board.clone(), p.board_code.clone(), vec![p])),
        }
    }
    let chip = move |h: Holder, label: String, is_suggested: bool, taken: bool| {
        view! {
            <button type="button" class="post-chip" class:suggested=is_suggested class:chosen=move || chosen.get().contains(&h)
                disabled=taken aria-pressed=move || chosen.get().contains(&h).to_string()
                data-testid="post-chip" data-name=label.clone() on:click=move |_| toggle(h)>
                {label.clone()}
                {is_suggested.then(|| view! { <small>{bi("建议", "suggested")}</small> })}
            </button>
        }
    };
    let grid_chip = case.grid_id.map(|g| {
        let taken = busy_holders.contains(&Holder::Grid(g));
        let name = pick(&format!("网格员 {}", case.grid_worker), &format!("Grid worker {}", case.grid_worker)).to_string();
        chip(Holder::Grid(g), name, false, taken)
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dispatch-title" data-testid="dispatch-dialog"
                on:click=|e| e.stop_propagation()>
                <h3 id="dispatch-title">{bi("派遣", "Dispatch")}" · "{case.number.clone()}</h3>
                <p class="note">{bi("可同时选择多个岗位，各岗位并行处置，全部反馈后进入核查。", "Choose one or more posts; they work in parallel, and the case goes to verification when all have reported back.")}</p>
                {boards.into_iter().map(|(name, code, posts)| view! {
                    <fieldset class=format!("board-group board-{code}")>
                        <legend>{name}</legend>
                        {posts.into_iter().map(|p| {
                            let h = Holder::Post(p.id);
                            chip(h, p.name.clone(), Some(p.id) == suggested, busy_holders.contains(&h))
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
                {grid_chip.map(|c| view! { <fieldset class="board-group"><legend>{bi("网格", "Grid")}</legend>{c}</fieldset> })}
                <label class="dispatch-note">{bi("派遣意见（可选）", "Instruction (optional)")}
                    <input type="text" data-testid="dispatch-note" prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e))/>
                </label>
                <div class="actions">
                    <button class="act primary" data-testid="dispatch-confirm" disabled=move || busy.get() || chosen.get().is_empty()
                        on:click=move |_| on_dispatch.run((chosen.get_untracked(), note.get_untracked()))>
                        {move || {
                            let n = chosen.get().len();
                            pick(&format!("确认派遣（{n}）"), &format!("Dispatch ({n})")).to_string()
                        }}
                    </button>
                    <button class="act" on:click=move |_| on_cancel.run(())>{bi("取消", "Cancel")}</button>
                </div>
            </div>
        </div>
    }
}
