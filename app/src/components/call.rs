//! Video calls on every signed-in page: the phone rings when the centre calls, the worker
//! answers with the rear camera; at the centre the call window shows the scene, takes
//! snapshots onto the case and hangs up. The media themselves are `/call.js`'s (WebRTC); this
//! layer follows the call on the user's stream (`?only=call`) and shows where it stands.

use crate::api::calls::{answer_call, get_my_calls, hang_up_call};
use crate::api::error_text;
use crate::browser;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::call::{duration_zh, CallEvent, CallState, CallView};

pub mod dialog;
mod js;

/// What the page's call layer shares with the buttons that start or join a call.
///
/// A user may have several pages open (the board on the wall and on the desk, the phone): the
/// call rings on every one, but only the page that started, answered or joined it runs its
/// media and shows it — that page *owns* the call (kept in the tab's session storage, so that
/// a reload picks it up again).
#[derive(Clone, Copy)]
pub struct CallCtx {
    /// The call this page shows (ringing, active, or just ended), as the server last told.
    pub call: RwSignal<Option<CallView>>,
    /// The call this page owns.
    owned: RwSignal<Option<i64>>,
    /// A call this page just took (started or joined), for the layer to show.
    taken: RwSignal<Option<CallView>>,
}

impl CallCtx {
    /// A page's call context, provided to everything rendered after it.
    pub fn provide() -> CallCtx {
        let ctx = CallCtx { call: RwSignal::new(None), owned: RwSignal::new(None), taken: RwSignal::new(None) };
        provide_context(ctx);
        ctx
    }

    /// This page started or joined `c`: it owns the call and shows it.
    pub fn take(&self, c: CallView) {
        self.own(Some(c.id));
        self.taken.set(Some(c));
    }

    fn own(&self, id: Option<i64>) {
        js::own(id);
        self.owned.set(id);
    }
}

/// The page's call layer, if it has one.
pub fn use_call() -> Option<CallCtx> {
    use_context::<CallCtx>()
}

/// How the media connection stands, as `/call.js` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
enum Link {
    #[default]
    Connecting,
    Connected,
    /// The first frame of the worker's camera is on screen.
    Playing,
    Reconnecting,
    Lost,
}

/// The layer's own state.
#[derive(Clone, Copy)]
struct Ui {
    me: i64,
    ctx: CallCtx,
    link: RwSignal<Link>,
    /// Camera, microphone on (this browser's own).
    media: RwSignal<(bool, bool)>,
    mic: RwSignal<bool>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// The worker's camera was refused: the browser's reason.
    denied: RwSignal<Option<String>>,
    /// The call whose media this page runs.
    running: RwSignal<Option<i64>>,
    snapshots: RwSignal<u32>,
}

/// Draws the call window of `ctx`; mounted once per signed-in page.
#[component]
pub fn CallLayer(me: Principal, ctx: CallCtx) -> impl IntoView {
    let ui = Ui {
        me: me.user_id,
        ctx,
        link: RwSignal::new(Link::default()),
        media: RwSignal::new((false, false)),
        mic: RwSignal::new(true),
        busy: RwSignal::new(false),
        error: RwSignal::new(None),
        denied: RwSignal::new(None),
        running: RwSignal::new(None),
        snapshots: RwSignal::new(0),
    };
    let ready = RwSignal::new(false);
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        if ready.get_untracked() {
            return;
        }
        browser::follow_calls(connected, move |text| {
            if let Ok(e) = serde_json::from_str::<CallEvent>(&text) {
                ui.event(e);
            }
        });
        spawn_local(async move {
            // `/call.js` first: it keeps which call this tab owns, and runs the media.
            if js::load().await.is_ok() {
                js::on_status(move |kind, detail| ui.status(&kind, &detail));
                ctx.owned.set(js::owned());
            }
            if let Ok(calls) = get_my_calls().await {
                for c in calls {
                    ui.show(c);
                }
            }
            ready.set(true);
        });
    });
    // A call this page started or joined.
    Effect::new(move |_| {
        if let Some(c) = ctx.taken.get() {
            ui.show(c);
        }
    });
    // The phone rings while a call waits for this user's answer (once per call).
    let ringing = Memo::new(move |_| ui.incoming().map(|c| c.id));
    Effect::new(move |_| {
        if ringing.get().is_some() {
            ring(ui);
        }
    });
    let shown = move || ui.ctx.call.get().is_some();
    view! {
        <div class="call-layer" data-testid="call-layer" data-ready=move || ready.get().then_some("1")
            data-live=move || connected.get().then_some("1") class:shown=shown>
            {move || ui.incoming().map(|c| incoming_view(ui, c))}
            <section class="call-window" data-testid="call-window"
                class:worker=move || ui.ctx.call.get().is_some_and(|c| c.callee.user_id == ui.me)
                style:display=move || if ui.ctx.call.get().is_some_and(|c| ui.incoming().is_none() || c.state != CallState::Ringing) { "flex" } else { "none" }>
                <header class="call-head">
                    <span class="call-title" data-testid="call-title">{move || ui.ctx.call.get().map(|c| title(ui.me, &c))}</span>
                    <span class="call-state" data-testid="call-state">{move || ui.ctx.call.get().map(|c| ui.state_text(&c))}</span>
                </header>
                <div class="call-media" style:display=move || if ui.ctx.call.get().is_some_and(|c| c.state == CallState::Ended) { "none" } else { "block" }>
                    <video id="zz-call-remote" data-testid="call-video" autoplay playsinline
                        style:display=move || if ui.is_watcher() { "block" } else { "none" }></video>
                    <video id="zz-call-local" data-testid="call-preview" autoplay playsinline muted
                        style:display=move || if ui.is_watcher() { "none" } else { "block" }></video>
                </div>
                {move || on_air(ui)}
                {move || ui.error.get().map(|e| view! { <p class="state error" role="alert" data-testid="call-error">{e}</p> })}
                <footer class="call-buttons">{move || buttons(ui)}</footer>
            </section>
        </div>
    }
}

impl Ui {
    fn call(&self) -> Option<CallView> {
        self.ctx.call.get()
    }

    /// A call ringing for this user.
    fn incoming(&self) -> Option<CallView> {
        self.call().filter(|c| c.state == CallState::Ringing && c.callee.user_id == self.me)
    }

    fn is_watcher(&self) -> bool {
        self.call().is_some_and(|c| c.callee.user_id != self.me)
    }

    fn state_text(&self, c: &CallView) -> String {
        match c.state {
            CallState::Ringing if c.callee.user_id == self.me => pick("来电", "Incoming").to_string(),
            CallState::Ringing => pick(&format!("正在呼叫 {}…", c.callee.name), &format!("Calling {}…", c.callee.name)).to_string(),
            CallState::Active => match self.link.get() {
                Link::Connecting => pick("正在接通画面…", "Connecting the picture…").to_string(),
                Link::Connected | Link::Playing => pick("通话中", "In call").to_string(),
                Link::Reconnecting => pick("信号不稳，正在重新连接…", "Weak signal, reconnecting…").to_string(),
                Link::Lost => pick("信号中断，通话结束", "Signal lost, call ended").to_string(),
            },
            CallState::Ended => {
                let why = c.end_reason.map(|r| pick(r.name_zh(), r.name_en()).to_string()).unwrap_or_default();
                match c.answered_at {
                    Some(_) => pick(&format!("通话已结束（{why}）· 通话 {}", duration_zh(c.talk_ms(c.ended_at.unwrap_or(c.started_at)))),
                        &format!("Call ended ({why}) · {} s", c.talk_ms(c.ended_at.unwrap_or(c.started_at)) / 1000)).to_string(),
                    None => pick(&format!("未接通：{why}"), &format!("Not connected: {why}")).to_string(),
                }
            }
        }
    }

    /// Shows `c` as this page's call, and runs or ends its media accordingly: a call that rings
    /// for this user on every page, otherwise only on the page that owns it.
    fn show(self, c: CallView) {
        let owned = self.ctx.owned.get_untracked() == Some(c.id);
        let rings_here = c.state == CallState::Ringing && c.callee.user_id == self.me;
        if !owned && !rings_here {
            // Another page of this user has it (or it rang here and was answered elsewhere).
            if self.ctx.call.get_untracked().is_some_and(|cur| cur.id == c.id) {
                self.ctx.call.set(None);
            }
            return;
        }
        let current = self.ctx.call.get_untracked();
        // Another call's news does not replace one under way here.
        if let Some(cur) = &current
            && cur.id != c.id
            && cur.state != CallState::Ended
        {
            return;
        }
        if current.as_ref().is_none_or(|cur| cur.id != c.id) {
            self.snapshots.set(0);
            self.link.set(Link::Connecting);
            self.error.set(None);
            self.denied.set(None);
        }
        self.ctx.call.set(Some(c.clone()));
        match c.state {
            CallState::Active if self.running.get_untracked() == Some(c.id) => {
                if c.callee.user_id == self.me {
                    js::watchers(&c.watchers());
                }
            }
            // A watcher's media start once the worker answered (the worker's own on answering).
            CallState::Active if c.callee.user_id != self.me && c.has_party(self.me) => {
                self.running.set(Some(c.id));
                spawn_local(async move {
                    if js::load().await.is_ok() {
                        js::start(c.id, self.me, c.callee.user_id, &[], "watcher", false).await;
                    }
                });
            }
            // The worker's page was reloaded during the call: the camera again (allowed before),
            // and the watchers are asked to connect anew.
            CallState::Active if c.callee.user_id == self.me => {
                self.running.set(Some(c.id));
                spawn_local(async move {
                    if js::load().await.is_err() {
                        return;
                    }
                    let refused = js::prepare(c.audio_only).await;
                    if refused.is_empty() {
                        js::start(c.id, self.me, self.me, &c.watchers(), "worker", true).await;
                    } else {
                        self.error.set(Some(pick(&format!("未能重新打开摄像头（{refused}），请挂断后请指挥中心重新呼叫"),
                            &format!("The camera could not be reopened ({refused}); hang up and ask the centre to call again")).to_string()));
                    }
                });
            }
            CallState::Ended => {
                self.stop();
                // The window shows how it ended until closed; a reload shows nothing.
                js::own(None);
            }
            _ => {}
        }
    }

    fn stop(&self) {
        if self.running.get_untracked().is_some() {
            js::stop();
            self.running.set(None);
        }
    }

    fn event(self, e: CallEvent) {
        match e {
            CallEvent::Call { call } => self.show(call),
            CallEvent::Signal { call_id, from, kind, data } => {
                if self.running.get_untracked() == Some(call_id) {
                    js::signal(call_id, from, kind, &data);
                }
            }
        }
    }

    fn status(self, kind: &str, detail: &str) {
        match kind {
            "media" => {
                let on: Vec<&str> = detail.split(',').collect();
                self.media.set((on.contains(&"camera"), on.contains(&"mic")));
            }
            "connected" if self.link.get_untracked() != Link::Playing => self.link.set(Link::Connected),
            "first-frame" => self.link.set(Link::Playing),
            "reconnecting" => self.link.set(Link::Reconnecting),
            "lost" => {
                self.link.set(Link::Lost);
                if let Some(c) = self.ctx.call.get_untracked() {
                    self.hang_up(c.id);
                }
            }
            "ended" => {
                if let Some(c) = self.ctx.call.get_untracked() {
                    spawn_local(async move {
                        if let Ok(calls) = get_my_calls().await
                            && !calls.iter().any(|x| x.id == c.id)
                        {
                            self.stop();
                        }
                    });
                }
            }
            _ => {}
        }
    }

    /// The worker answers: the camera (or the microphone alone) first, then the server.
    fn answer(self, id: i64, audio_only: bool) {
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            if js::load().await.is_err() {
                self.error.set(Some(pick("通话组件加载失败，请刷新页面", "The call component failed to load; reload the page").to_string()));
                self.busy.set(false);
                return;
            }
            let refused = js::prepare(audio_only).await;
            if !refused.is_empty() {
                self.denied.set(Some(refused));
                self.busy.set(false);
                return;
            }
            self.denied.set(None);
            self.ctx.own(Some(id));
            // This page runs the call's media from now on (the stream may tell of the answer
            // before the server function returns).
            self.running.set(Some(id));
            match answer_call(id, audio_only).await {
                Ok(c) => {
                    let watchers = c.watchers();
                    self.show(c.clone());
                    // Answered: the buttons are free again while the media connect (a call
                    // hung up before they do must not leave the next ring unanswerable).
                    self.busy.set(false);
                    js::start(c.id, self.me, self.me, &watchers, "worker", false).await;
                }
                Err(e) => {
                    js::stop();
                    self.running.set(None);
                    self.ctx.own(None);
                    self.error.set(Some(error_text(&e)));
                    self.busy.set(false);
                }
            }
        });
    }

    fn hang_up(self, id: i64) {
        self.busy.set(true);
        spawn_local(async move {
            match hang_up_call(id).await {
                Ok(c) => {
                    self.stop();
                    // A viewer who left sees the call as it goes on without them: closed here.
                    if c.state != CallState::Ended && c.callee.user_id != self.me && !c.has_party(self.me) {
                        self.ctx.own(None);
                        self.ctx.call.set(None);
                    } else {
                        self.show(c);
                    }
                }
                Err(e) => self.error.set(Some(error_text(&e))),
            }
            self.busy.set(false);
        });
    }
}

/// 「指挥中心值班员 → 磁南街网格员 · 事件 ZZ-…」
fn title(me: i64, c: &CallView) -> String {
    let other = if c.callee.user_id == me { &c.caller.name } else { &c.callee.name };
    pick(&format!("视频通话 · {other} · 事件 {}", c.case_number), &format!("Video call · {other} · case {}", c.case_number)).to_string()
}

/// The ringing screen on the worker's phone.
fn incoming_view(ui: Ui, c: CallView) -> AnyView {
    let id = c.id;
    let denied = ui.denied;
    view! {
        <div class="call-incoming" data-testid="incoming-call" role="alertdialog" aria-live="assertive">
            <p class="call-from">{bi("指挥中心来电", "The command centre is calling")}</p>
            <h2 data-testid="incoming-caller">{c.caller.name.clone()}</h2>
            <p>{pick(&format!("事件 {}：请打开后置摄像头，让指挥中心看到现场", c.case_number),
                &format!("Case {}: show the command centre the scene with the rear camera", c.case_number)).to_string()}</p>
            {move || denied.get().map(|why| view! {
                <p class="state error" role="alert" data-testid="camera-denied">
                    {pick(&format!("未能打开摄像头（{why}）。请点地址栏左侧的锁形图标，允许使用摄像头和麦克风后点「重试」；或先仅用语音接听。"),
                        &format!("The camera could not be opened ({why}). Allow the camera and microphone from the padlock left of the address, then Retry; or answer with audio only.")).to_string()}
                </p>
            })}
            <div class="call-answer-buttons">
                <button class="call-btn decline" data-testid="decline-call" disabled=move || ui.busy.get()
                    on:click=move |_| ui.hang_up(id)>{bi("拒接", "Decline")}</button>
                <button class="call-btn audio" data-testid="answer-audio" disabled=move || ui.busy.get()
                    on:click=move |_| ui.answer(id, true)>{bi("仅语音", "Audio only")}</button>
                <button class="call-btn accept" data-testid="answer-call" disabled=move || ui.busy.get()
                    on:click=move |_| ui.answer(id, false)>{move || if denied.get().is_some() { bi("重试", "Retry") } else { bi("接听", "Answer") }}</button>
            </div>
        </div>
    }
    .into_any()
}

/// What this browser sends: the camera and microphone, said plainly while they are on.
fn on_air(ui: Ui) -> Option<AnyView> {
    let (camera, mic) = ui.media.get();
    (camera || mic).then(|| {
        view! {
            <p class="on-air" data-testid="on-air" role="status">
                {camera.then(|| view! { <span class="rec" data-testid="camera-on">{bi("● 摄像头已开启", "● Camera on")}</span> })}
                {mic.then(|| view! { <span class="rec" data-testid="mic-on">{bi("● 麦克风已开启", "● Microphone on")}</span> })}
            </p>
        }
        .into_any()
    })
}

/// The call window's buttons for where the call stands.
fn buttons(ui: Ui) -> Option<AnyView> {
    let c = ui.call()?;
    let id = c.id;
    let busy = ui.busy;
    if c.state == CallState::Ended {
        return Some(view! {
            <button class="act" data-testid="call-close" on:click=move |_| ui.ctx.call.set(None)>{bi("关闭", "Close")}</button>
        }.into_any());
    }
    let watcher = c.callee.user_id != ui.me;
    let main = c.caller.user_id == ui.me || c.callee.user_id == ui.me;
    let hang_label = if main { bi("挂断", "Hang up") } else { bi("离开", "Leave") };
    let mic = ui.mic;
    let active = c.state == CallState::Active;
    let snapshots = ui.snapshots;
    Some(view! {
        {(watcher && active).then(|| view! {
            <button class="act" data-testid="call-snapshot" disabled=move || busy.get() || ui.link.get() != Link::Playing
                on:click=move |_| {
                    busy.set(true);
                    spawn_local(async move {
                        match js::snapshot().await {
                            201 => { snapshots.update(|n| *n += 1); ui.error.set(None); }
                            s => ui.error.set(Some(pick(&format!("截图未保存（{s}）"), &format!("Snapshot not saved ({s})")).to_string())),
                        }
                        busy.set(false);
                    });
                }>{bi("截图存入事件", "Snapshot to case")}</button>
            <span class="snapshots" data-testid="snapshot-count">{move || match snapshots.get() {
                0 => String::new(),
                n => pick(&format!("已存 {n} 张"), &format!("{n} saved")).to_string(),
            }}</span>
        })}
        {active.then(|| view! {
            <button class="act" data-testid="call-mic" aria-pressed=move || (!mic.get()).to_string()
                on:click=move |_| { let on = !mic.get(); mic.set(on); js::set_mic(on); }>
                {move || if mic.get() { bi("静音", "Mute") } else { bi("取消静音", "Unmute") }}
            </button>
        })}
        <button class="act danger" data-testid="hang-up" disabled=move || busy.get() on:click=move |_| ui.hang_up(id)>{hang_label}</button>
    }.into_any())
}

/// Rings (a chime every 1.5 s, and a notification once) while the call waits for an answer.
fn ring(ui: Ui) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(c) = ui.incoming() {
            js::notify(&pick(&format!("{} 视频来电", c.caller.name), &format!("Video call from {}", c.caller.name)), &c.case_number);
        }
        fn again(ui: Ui) {
            if ui.ctx.call.try_get_untracked().flatten().is_some_and(|c| c.state == CallState::Ringing && c.callee.user_id == ui.me) {
                browser::chime();
                browser::after(1500, move || again(ui));
            }
        }
        again(ui);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ui;
}
