//! Starting and joining calls from a case: the 「视频通话」 button with its choice of whom to
//! call (the grid worker first, then the posts with a task), and the calls under way on the
//! case that other command staff may join to watch.

use super::use_call;
use crate::api::calls::{get_case_calls, join_call, start_call};
use crate::api::error_text;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::call::{CallState, CaseCalls};

/// The case's calls and the button that starts one (command staff on an open case).
#[component]
pub fn CaseCallBar(case_id: i64, me: i64, may_call: bool) -> impl IntoView {
    let Some(ctx) = use_call() else { return ().into_any() };
    let data = RwSignal::new(None::<CaseCalls>);
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            match get_case_calls(case_id).await {
                Ok(d) => data.set(Some(d)),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    // Read in the browser only (this view is inside the case's own boundary on the server).
    Effect::new(move |_| {
        // Again whenever this page's call changes (it started, was answered, ended).
        ctx.call.track();
        load();
    });
    let call = move |callee: i64| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match start_call(case_id, callee).await {
                Ok(c) => {
                    open.set(false);
                    ctx.take(c);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let join = move |id: i64| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match join_call(id).await {
                Ok(c) => ctx.take(c),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    // Calls under way that this user is not in: command staff may watch.
    let under_way = move || {
        data.get().map(|d| {
            d.calls
                .into_iter()
                .filter(|c| c.state == CallState::Active && !c.has_party(me))
                .map(|c| {
                    let id = c.id;
                    view! {
                        <p class="call-under-way" data-testid="call-under-way">
                            {pick(&format!("视频通话中：{} ↔ {}", c.caller.name, c.callee.name), &format!("Video call: {} ↔ {}", c.caller.name, c.callee.name)).to_string()}
                            {may_call.then(|| view! {
                                <button class="act" data-testid="join-call" disabled=move || busy.get() on:click=move |_| join(id)>{bi("观看", "Watch")}</button>
                            })}
                        </p>
                    }
                })
                .collect_view()
        })
    };
    view! {
        {under_way}
        {may_call.then(|| view! {
            <button class="act" data-testid="video-call" disabled=move || busy.get() || ctx.call.get().is_some_and(|c| c.state != CallState::Ended)
                on:click=move |_| { error.set(None); open.set(true); load(); }>{bi("视频通话", "Video call")}</button>
        })}
        {move || (!open.get()).then(|| error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> }))}
        {move || open.get().then(|| view! {
            <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                <div class="dialog call-pick" data-testid="call-pick" role="dialog" on:click=|e| e.stop_propagation()>
                    <h3>{bi("呼叫现场人员", "Call someone at the scene")}</h3>
                    <p class="hint">{bi("对方接听后打开后置摄像头，您可看到现场、与其通话并截图存入事件。", "Once they answer with the rear camera you see the scene, talk, and store snapshots on the case.")}</p>
                    {move || match data.get() {
                        None => view! { <p class="state loading">{bi("正在读取…", "Loading…")}</p> }.into_any(),
                        Some(d) if d.candidates.is_empty() => view! {
                            <p class="state empty" data-testid="no-callee">{bi("这起事件没有可呼叫的人员：请先派遣给网格或岗位。", "Nobody to call on this case: dispatch it to a grid or post first.")}</p>
                        }.into_any(),
                        Some(d) => d.candidates.into_iter().map(|c| {
                            let id = c.user_id;
                            view! {
                                <div class="call-candidate" data-testid="call-candidate">
                                    <span class="name">{c.name.clone()}</span>
                                    <span class="duty">{c.duty.clone()}</span>
                                    {c.busy.then(|| view! { <span class="pill busy">{bi("占线", "Busy")}</span> })}
                                    <button class="act primary" data-testid="call-this" disabled=move || busy.get() on:click=move |_| call(id)>{bi("呼叫", "Call")}</button>
                                </div>
                            }
                        }).collect_view().into_any(),
                    }}
                    {move || error.get().map(|e| view! { <p class="state error" role="alert" data-testid="call-pick-error">{e}</p> })}
                    <div class="dialog-buttons">
                        <button class="act" on:click=move |_| open.set(false)>{bi("取消", "Cancel")}</button>
                    </div>
                </div>
            </div>
        })}
    }
    .into_any()
}
