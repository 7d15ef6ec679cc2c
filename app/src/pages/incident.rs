//! The incident view (`/activations/{id}`): one activated contingency plan on the command
//! screen — time since activation, every task with its holder, deadline and state (overdue in
//! red), the district's items and answers, one timeline, the level and stand-down controls,
//! and after stand-down the review. It follows the live stream like the board.

use crate::api::error_text;
use crate::api::plans::{change_activation, get_activation};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::{countdown, short_time};
use crate::components::clock::use_now;
use crate::components::district_map::{DistrictMap, MapMode};
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::{step_name, Holder, TaskState};
use zhizhi_shared::plan::{review, ActivationChange, ActivationState, ActivationTask, ActivationView};
use zhizhi_shared::time::beijing_datetime;

/// The page at `/activations/{id}`.
#[component]
pub fn IncidentPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <IncidentScreen me/> }/> }
}

#[component]
fn IncidentScreen(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, get_activation);
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="incident-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(v) => view! { <LiveIncident me=me.clone() view=v/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

/// Minutes and seconds since `from`, e.g. 「12 分 05 秒」.
fn elapsed(from: i64, now: i64) -> String {
    let s = (now - from).max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        pick(&format!("{h} 小时 {m:02} 分"), &format!("{h} h {m:02} min")).to_string()
    } else {
        pick(&format!("{m} 分 {s:02} 秒"), &format!("{m} min {s:02} s")).to_string()
    }
}

#[component]
fn LiveIncident(me: Principal, view: ActivationView) -> impl IntoView {
    let id = view.brief.id;
    let case_id = view.brief.case_id;
    let cursor = view.cursor;
    let current = RwSignal::new(view);
    let connected = RwSignal::new(false);
    let now = use_now(std::time::Duration::from_secs(1));
    browser::follow_live(
        cursor,
        connected,
        move |case| {
            if case.id == case_id {
                spawn_local(async move {
                    if let Ok(v) = get_activation(id).await {
                        current.set(v);
                    }
                });
            }
        },
        move || browser::go(&format!("/activations/{id}")),
    );
    let command = me.has(Role::Command);
    let admin = me.has(Role::Admin);
    // The map is drawn once: the place does not change, and a live refresh must not redraw it.
    let map = place_map(&current.get_untracked());
    view! {
        <section class="panel incident" data-testid="incident" data-live=move || connected.get().then_some("1")
            data-state=move || current.with(|v| v.brief.state.code())>
            {move || {
                let v = current.get();
                let head = incident_head(&v, now).into_any();
                let controls = (command && v.brief.state == ActivationState::Running).then(|| controls(&v, current).into_any());
                view! { {head} {controls} }
            }}
            {map}
            {move || {
                let v = current.get();
                let tasks = task_table(&v, now).into_any();
                let after = (v.brief.state == ActivationState::StoodDown).then(|| after_action(&v, command, admin, current).into_any());
                let timeline = timeline(&v).into_any();
                view! { {tasks} {after} {timeline} }
            }}
        </section>
    }
}

fn incident_head(v: &ActivationView, now: RwSignal<Option<i64>>) -> impl IntoView + use<> {
    let b = v.brief.clone();
    let running = b.state == ActivationState::Running;
    let end = v.stood_down_at;
    view! {
        {b.drill.then(|| view! { <div class="drill-banner" data-testid="drill-banner">{bi("演练 · 非真实事件", "Drill · not a real incident")}</div> })}
        <header class="incident-head">
            <span class=format!("level-chip lv-{}", b.level.colour()) data-testid="incident-level">{pick(b.level.name_zh(), b.level.name_en()).to_string()}</span>
            <h2 data-testid="incident-plan">{b.plan_name.clone()}</h2>
            <span class="pill" data-testid="incident-state">
                {if running { bi("响应中", "Responding") } else { bi("已终止响应", "Stood down") }}
            </span>
            <span class="elapsed" data-testid="elapsed">
                {bi("已响应 ", "Running for ")}
                {move || now.get().map(|n| elapsed(b.activated_at, end.unwrap_or(n)))}
            </span>
        </header>
        <dl class="case-facts">
            <div><dt>{bi("事件", "Case")}</dt><dd><a href=format!("/cases/{}", b.case_id) data-testid="incident-case">{v.case_number.clone()}</a></dd></div>
            <div><dt>{bi("地点", "Place")}</dt><dd>{v.address.clone()}</dd></div>
            <div><dt>{bi("启动", "Activated")}</dt><dd>{format!("{} · {}", beijing_datetime(b.activated_at), v.activated_by)}</dd></div>
            <div><dt>{bi("预案版本", "Plan version")}</dt><dd>{pick(&format!("第 {} 版 · {}", b.version, v.kind), &format!("version {} · {}", b.version, v.kind)).to_string()}</dd></div>
            {(!v.notify.is_empty()).then(|| view! { <div><dt>{bi("通知", "Notified")}</dt><dd>{v.notify.join(pick("、", ", "))}</dd></div> })}
        </dl>
    }
}

/// The place on the district map: framed about 250 m around the incident, the case glowing
/// among the street's open cases. Kept across the live refreshes (one map per page).
fn place_map(v: &ActivationView) -> impl IntoView + use<> {
    let (Some(lon), Some(lat)) = (v.lon, v.lat) else {
        return view! { <p class="state empty">{bi("这起事件没有坐标，无法在地图上标出。", "This incident has no coordinates to show on the map.")}</p> }.into_any();
    };
    const D: f64 = 0.0025;
    let fit = ([lon - D, lat - D], [lon + D, lat + D]);
    let address = v.address.clone();
    view! {
        <section class="incident-map" data-testid="incident-map" aria-label=bi("事发地点", "Where it happens")>
            <DistrictMap id="incident-map" mode=MapMode::Command fit>
                <p class="map-note">{address}</p>
            </DistrictMap>
        </section>
    }
    .into_any()
}

fn task_row(t: &ActivationTask, now: RwSignal<Option<i64>>) -> impl IntoView + use<> {
    let t = t.clone();
    let state = t.state;
    let (deadline, done_at) = (t.deadline, t.done_at);
    let t2 = t.clone();
    view! {
        <tr class=format!("ts-{}", state.code()) class:overdue=move || now.get().is_some_and(|n| t2.late(n))
            data-testid="incident-task" data-holder=t.holder_name.clone() data-state=state.code()>
            <td><span class=format!("badge plan lv-{}", t.level.colour())>{pick(t.level.name_zh(), t.level.name_en()).to_string()}</span></td>
            <td><strong>{t.holder_name.clone()}</strong></td>
            <td class="instruction">{t.instruction.clone()}
                {(!t.checklist.is_empty()).then(|| {
                    let (k, n) = (t.checked.len(), t.checklist.len());
                    let missed: Vec<String> = t.checklist.iter().enumerate().filter(|(i, _)| !t.checked.contains(&(*i as u32))).map(|(_, c)| c.clone()).collect();
                    let missed = (!missed.is_empty()).then(|| format!("{}{}", pick("未勾选：", "Not ticked: "), missed.join(pick("、", ", "))));
                    view! {
                        <span class="check-count" class:partial=k < n && state == TaskState::Done data-testid="check-count" title=missed>
                            {pick(&format!("检查项 {k}/{n}"), &format!("checks {k}/{n}")).to_string()}
                        </span>
                    }
                })}
                {(!t.result.is_empty()).then(|| view! { <p class="result" data-testid="task-result">{t.result.clone()}</p> })}
            </td>
            <td><span class=format!("pill ts-{}", state.code())>{pick(state.name_zh(), state.name_en()).to_string()}</span></td>
            <td class="due-cell">{move || match (done_at, now.get()) {
                (Some(d), _) => short_time(d),
                (None, Some(n)) if state.is_open() => countdown(deadline, n),
                _ => "—".to_string(),
            }}</td>
        </tr>
    }
}

fn task_table(v: &ActivationView, now: RwSignal<Option<i64>>) -> impl IntoView + use<> {
    let (district, posts): (Vec<&ActivationTask>, Vec<&ActivationTask>) = v.tasks.iter().partition(|t| t.holder == Holder::District);
    let live: Vec<&&ActivationTask> = posts.iter().filter(|t| t.state != TaskState::Cancelled).collect();
    let done = live.iter().filter(|t| t.state == TaskState::Done).count();
    let head = || view! { <thead><tr><th>{bi("级别", "Level")}</th><th>{bi("承办", "Holder")}</th><th>{bi("任务", "Task")}</th><th>{bi("状态", "State")}</th><th>{bi("时限 / 完成", "Due / done")}</th></tr></thead> };
    view! {
        <section class="incident-tasks">
            <h3>{bi("处置任务", "Tasks")}<span class="progress" data-testid="task-progress">{format!(" {done}/{}", live.len())}</span></h3>
            <table class="tasks-table" data-testid="incident-tasks">{head()}<tbody>{posts.iter().map(|t| task_row(t, now)).collect_view()}</tbody></table>
            {(!district.is_empty()).then(|| view! {
                <h3>{bi("上报区级事项", "Items for the district")}</h3>
                <table class="tasks-table" data-testid="district-items">{head()}<tbody>{district.iter().map(|t| task_row(t, now)).collect_view()}</tbody></table>
            })}
        </section>
    }
}

fn controls(v: &ActivationView, current: RwSignal<ActivationView>) -> impl IntoView + use<> {
    let id = v.brief.id;
    let level_now = v.brief.level;
    let open = v.tasks.iter().filter(|t| t.state.is_open()).count();
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let send = move |change: ActivationChange| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match change_activation(id, change).await {
                Ok(v) => current.set(v),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="incident-controls no-print" data-testid="incident-controls">
            <div class="level-pick" role="group" aria-label=bi("调整响应级别", "Change the response level")>
                {v.levels.iter().copied().map(|l| view! {
                    <button class=format!("level-chip lv-{}", l.colour()) class:chosen=l == level_now data-testid="set-level" data-level=l.code()
                        disabled=move || busy.get() || l == level_now
                        on:click=move |_| send(ActivationChange::Level { level: l, reason: String::new() })>
                        {pick(l.name_zh(), l.name_en()).to_string()}
                    </button>
                }).collect_view()}
            </div>
            {(open > 0).then(|| view! {
                <input class="reason" data-testid="stand-down-reason" placeholder=pick(&format!("还有 {open} 项任务未完成：提前终止须说明理由"), &format!("{open} tasks still open: say why you stand down early")).to_string()
                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
            })}
            <button class="act danger" data-testid="stand-down" disabled=move || busy.get()
                on:click=move |_| send(ActivationChange::StandDown { reason: reason.get_untracked() })>{bi("终止响应", "Stand down")}</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="incident-error">{e}</p> })}
        </div>
    }
}

fn after_action(v: &ActivationView, command: bool, admin: bool, current: RwSignal<ActivationView>) -> impl IntoView + use<> {
    let id = v.brief.id;
    let rows = review(v, v.stood_down_at.unwrap_or(v.brief.activated_at));
    let minutes = |m: Option<i64>| m.map(|m| pick(&format!("{m} 分"), &format!("{m} min")).to_string()).unwrap_or_else(|| "—".into());
    let lessons = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let save = move |_| {
        spawn_local(async move {
            match change_activation(id, ActivationChange::Review { lessons: lessons.get_untracked() }).await {
                Ok(v) => current.set(v),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    view! {
        <section class="review" data-testid="review">
            <h3>{bi("复盘", "After-action review")}</h3>
            {(!v.stand_down_reason.is_empty()).then(|| view! { <p>{bi("终止理由：", "Why stood down: ")}{v.stand_down_reason.clone()}</p> })}
            <table class="tasks-table" data-testid="review-table">
                <thead><tr><th>{bi("承办", "Holder")}</th><th>{bi("签收用时", "Accepted after")}</th><th>{bi("完成用时", "Done after")}</th><th>{bi("时限", "Allowed")}</th><th>{bi("结果", "Result")}</th></tr></thead>
                <tbody>{rows.into_iter().map(|r| view! {
                    <tr class:overdue=r.late data-testid="review-row" data-late=r.late.to_string()>
                        <td>{r.holder_name.clone()}</td><td>{minutes(r.accepted_after)}</td><td>{minutes(r.done_after)}</td>
                        <td>{minutes(Some(r.due_after))}</td>
                        <td>{if r.late { pick("超时", "Late").to_string() } else if r.state == TaskState::Done { pick("按时", "On time").to_string() } else { pick(r.state.name_zh(), r.state.name_en()).to_string() }}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            {if v.lessons.is_empty() && command {
                view! {
                    <div class="lessons-form">
                        <textarea data-testid="lessons" placeholder=pick("经验教训：哪些环节慢了、预案要怎样修订", "Lessons: what was slow, how the plan should change").to_string()
                            prop:value=move || lessons.get() on:input=move |e| lessons.set(event_target_value(&e))></textarea>
                        <button class="act primary" data-testid="save-review" on:click=save>{bi("保存复盘", "Save the review")}</button>
                        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    </div>
                }.into_any()
            } else {
                view! {
                    <p class="lessons" data-testid="lessons-text">{v.lessons.clone()}</p>
                    {v.revised_in.map(|n| view! { <p>{pick(&format!("已据此修订为第 {n} 版预案"), &format!("Taken up in plan version {n}")).to_string()}</p> })}
                    {(admin && v.revised_in.is_none() && !v.lessons.is_empty()).then(|| view! {
                        <a class="act" data-testid="revise-plan" href=format!("/plans/{}/edit?lessons_from={id}", v.brief.plan_id)>{bi("据此修订预案", "Revise the plan from this review")}</a>
                    })}
                }.into_any()
            }}
        </section>
    }
}

fn timeline(v: &ActivationView) -> impl IntoView + use<> {
    view! {
        <section class="timeline-box">
            <h3>{bi("指挥记录", "Timeline")}</h3>
            <ol class="timeline" data-testid="timeline">
                {v.steps.iter().rev().map(|s| {
                    let (zh, en) = step_name(&s.kind);
                    let holder = s.task_id.and_then(|id| v.tasks.iter().find(|t| t.task_id == id)).map(|t| t.holder_name.clone());
                    view! {
                        <li class=format!("step k-{}", s.kind) data-kind=s.kind.clone()>
                            <time>{beijing_datetime(s.at)}</time>
                            <div class="step-body">
                                <strong>{bi(zh, en)}</strong>
                                {holder.map(|h| view! { <span class="step-holder">" → "{h}</span> })}
                                <span class="step-actor">{s.actor_name.clone()}</span>
                                {(!s.note.is_empty()).then(|| view! { <p class="step-note">{s.note.clone()}</p> })}
                                {(!s.attachments.is_empty()).then(|| view! {
                                    <div class="photos small">{s.attachments.iter().map(|p| view! {
                                        <a href=format!("/api/v1/photos/{p}") target="_blank"><img src=format!("/api/v1/photos/{p}") alt=bi("照片", "Photo") loading="lazy"/></a>
                                    }).collect_view()}</div>
                                })}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
