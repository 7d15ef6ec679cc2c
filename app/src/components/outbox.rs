//! The phone's outbox (`/outbox.js`): what a grid worker does without a signal waits on the
//! phone and is sent when the signal returns. [`OutboxBar`] shows how it stands on every phone
//! page (online or not, what waits, what the server refused, the last sync) and starts it; the
//! pages queue their work here when the network fails ([`queue_report`], [`queue_action`],
//! [`queue_photo`]).

use crate::i18n::{bi, pick};
use leptos::prelude::*;
use serde::Deserialize;
use zhizhi_shared::case::view::NewCase;
use zhizhi_shared::case::Action;

/// How the outbox stands, as `/outbox.js` reports it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct OutboxState {
    pub online: bool,
    #[serde(default)]
    pub sending: bool,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub waiting: Vec<Item>,
    #[serde(default)]
    pub conflicts: Vec<Item>,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub last_sync: Option<f64>,
}

/// One queued item.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Item {
    pub seq: i64,
    pub label: String,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub may_report_new: bool,
    #[serde(default)]
    pub may_comment: bool,
}

/// Whether a server function failed because the request never got an answer (no signal), so
/// the work should wait in the outbox rather than be shown as refused.
pub fn is_network_failure(e: &ServerFnError) -> bool {
    matches!(e, ServerFnError::Request(_)) || !online()
}

/// Whether the browser thinks it has a network.
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}

/// A fresh id for a write (a UUID).
pub fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut b = [0u8; 16];
        if let Some(c) = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"crypto".into()).ok()) {
            let arr = js_sys::Uint8Array::new_with_length(16);
            if let Ok(f) = js_sys::Reflect::get(&c, &"getRandomValues".into()).and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).map_err(Into::into)) {
                let _ = f.call1(&c, &arr);
                arr.copy_to(&mut b);
            }
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// An argument of a call into `/outbox.js` (read only in the browser build).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Arg {
    Text(String),
    Number(i64),
    /// JSON text, passed parsed.
    Json(String),
}

fn text(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

/// What the page says when work waits on the phone: 「what」 is kept and sent later.
pub fn queued_note(what_zh: &str, what_en: &str) -> String {
    pick(&format!("无信号：「{what_zh}」已存入手机，恢复信号后自动提交"), &format!("No signal: “{what_en}” is kept on the phone and sent when the signal returns")).to_string()
}

/// Queues a new case and the photo chosen in the file input `photo_input`.
pub async fn queue_report(new: &NewCase, photo_input: &str, label: &str) -> Result<(), String> {
    let json = serde_json::to_string(new).map_err(|e| e.to_string())?;
    js::call("queueReport", vec![Arg::Text(json), text(photo_input), text(label)]).await
}

/// Queues an action on case `id` under the id it was first tried with; `meta` (category and
/// place, JSON) lets a refused one be reported as a new case.
pub async fn queue_action(id: i64, action: &Action, label: &str, meta: &str, client_id: &str) -> Result<(), String> {
    let mut json = serde_json::to_value(action).map_err(|e| e.to_string())?;
    if !client_id.is_empty() {
        json["client_id"] = client_id.into();
    }
    js::call("queueAction", vec![Arg::Number(id), Arg::Text(json.to_string()), text(label), text(meta)]).await
}

/// Queues a JSON POST to `url` (a write whose resend changes nothing, such as a household's
/// evacuation mark).
pub async fn queue_json(url: &str, json: &str, label: &str) -> Result<(), String> {
    js::call("queueJson", vec![text(url), text(json), text(label)]).await
}

/// Queues the photo chosen in `photo_input` for case `id`.
pub async fn queue_photo(id: i64, photo_input: &str, label: &str) -> Result<(), String> {
    js::call("queuePhoto", vec![Arg::Number(id), text(photo_input), text(label)]).await
}

/// Tells the phone's service worker to forget the pages it kept of this session (signing out).
pub fn forget_kept() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok().filter(|v| v.is_object());
        let Some(w) = web_sys::window() else { return };
        let Some(controller) = get(&w.navigator(), "serviceWorker").and_then(|sw| get(&sw, "controller")) else { return };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"erase".into());
        if let Some(post) = js_sys::Reflect::get(&controller, &"postMessage".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = post.call1(&controller, &msg);
        }
    }
}

/// Asks the phone to keep these pages for use without a signal.
pub fn warm(paths: Vec<String>) {
    leptos::task::spawn_local(async move {
        let _ = js::call("warm", vec![Arg::Json(serde_json::to_string(&paths).unwrap_or_default())]).await;
    });
}

/// The outbox's state line and its refused items, on every phone page; starts the outbox for
/// `user` (items are theirs, sent only in their session).
#[component]
pub fn OutboxBar(user: String) -> impl IntoView {
    let state = RwSignal::new(None::<OutboxState>);
    Effect::new(move |_| {
        let user = user.clone();
        js::listen(move |json| {
            if let Ok(s) = serde_json::from_str::<OutboxState>(&json) {
                state.set(Some(s));
            }
        });
        leptos::task::spawn_local(async move {
            let _ = js::call("start", vec![Arg::Text(user)]).await;
        });
    });
    let act = move |name: &'static str, seq: i64| {
        leptos::task::spawn_local(async move {
            let _ = js::call(name, vec![Arg::Number(seq)]).await;
        });
    };
    let flush = move |_| {
        leptos::task::spawn_local(async move {
            let _ = js::call("flush", vec![]).await;
        });
    };
    view! {
        <section class="outbox" data-testid="outbox" data-ready=move || state.get().map(|_| "1")
            data-waiting=move || state.get().map(|s| s.waiting.len().to_string())
            data-conflicts=move || state.get().map(|s| s.conflicts.len().to_string())>
            {move || state.get().map(|s| {
                let waiting = s.waiting.len();
                let (class, text) = match (s.online, s.problem.as_str()) {
                    (false, _) => ("off", pick("无信号 · 操作先存手机，恢复后自动提交", "No signal · work is kept on the phone and sent later").to_string()),
                    (true, "signed-out") => ("warn", pick("登录已失效，请重新登录后自动提交", "Signed out: sign in again to send").to_string()),
                    (true, "server") => ("warn", pick("服务器暂时无法接收，稍后自动重试", "The server cannot take it now; retrying").to_string()),
                    (true, "other-user") => ("warn", pick("本机现由其他账号登录：您的待发送内容将在您重新登录后提交", "Another account is signed in here: your items are sent when you sign in again").to_string()),
                    _ => ("on", pick("在线", "Online").to_string()),
                };
                // Beijing time, `HH:MM`.
                let last = s.last_sync.map(|ms| zhizhi_shared::time::beijing_datetime(ms as i64)[11..16].to_string()).unwrap_or_default();
                view! {
                    <p class=format!("outbox-line {class}") data-testid="outbox-line" data-online=s.online.then_some("1")>
                        <span class="dot"></span>{text}
                        {(!last.is_empty()).then(|| view! { <small class="last-sync" data-testid="outbox-last-sync">{pick(&format!("最近同步 {last}"), &format!("last sync {last}")).to_string()}</small> })}
                    </p>
                    {(waiting > 0).then(|| view! {
                        <p class="outbox-count">
                            <strong data-testid="outbox-waiting">{pick(&format!("{waiting} 项待发送"), &format!("{waiting} waiting")).to_string()}</strong>
                            <button type="button" class="act small" data-testid="outbox-send" disabled=s.sending on:click=flush>
                                {if s.sending { pick("正在发送…", "Sending…") } else { pick("立即发送", "Send now") }}
                            </button>
                        </p>
                    })}
                    {(!s.waiting.is_empty()).then(|| view! {
                        <ul class="outbox-waiting" data-testid="outbox-waiting-list">
                            {s.waiting.iter().map(|i| view! { <li><span class="tag">{bi("待发送", "Waiting")}</span>{i.label.clone()}</li> }).collect_view()}
                        </ul>
                    })}
                    {(!s.conflicts.is_empty()).then(|| view! {
                        <ul class="outbox-conflicts" data-testid="outbox-conflicts">
                            {s.conflicts.iter().map(|i| {
                                let seq = i.seq;
                                view! {
                                    <li class="conflict" data-testid="outbox-conflict">
                                        <strong>{i.label.clone()}</strong>
                                        <span class="why">{pick(&format!("未能提交：{}", i.error), &format!("Not accepted: {}", i.error)).to_string()}</span>
                                        <span class="choices">
                                            {i.may_comment.then(|| view! {
                                                <button type="button" class="act" data-testid="outbox-as-comment" on:click=move |_| act("asComment", seq)>{bi("保留为补充说明", "Keep as a note")}</button>
                                            })}
                                            {i.may_report_new.then(|| view! {
                                                <button type="button" class="act" data-testid="outbox-as-new" on:click=move |_| act("asNew", seq)>{bi("作为新事件上报", "Report as new")}</button>
                                            })}
                                            <button type="button" class="act" data-testid="outbox-discard" on:click=move |_| act("discard", seq)>{bi("放弃", "Discard")}</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                }
            })}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    async fn api() -> Result<JsValue, String> {
        crate::browser::load_script("zz-outbox-js", "/outbox.js", "zzOutbox").await.map_err(|_| crate::i18n::pick("手机端离线模块未能加载", "The phone's offline module did not load").to_string())?;
        let w = web_sys::window().ok_or("no window")?;
        js_sys::Reflect::get(&w, &"zzOutbox".into()).map_err(|_| "no outbox".to_string())
    }

    /// Calls `zzOutbox[name](...args)`, waiting for the promise it returns.
    pub(super) async fn call(name: &str, args: Vec<super::Arg>) -> Result<(), String> {
        let api = api().await?;
        let args: Vec<JsValue> = args
            .into_iter()
            .map(|a| match a {
                super::Arg::Text(s) => JsValue::from(s),
                super::Arg::Number(n) => JsValue::from(n as f64),
                super::Arg::Json(s) => js_sys::JSON::parse(&s).unwrap_or(JsValue::NULL),
            })
            .collect();
        let f: js_sys::Function = js_sys::Reflect::get(&api, &name.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or("no such function")?;
        let out = f.apply(&api, &args.into_iter().collect::<js_sys::Array>()).map_err(|e| format!("{e:?}"))?;
        if let Ok(p) = out.dyn_into::<js_sys::Promise>() {
            wasm_bindgen_futures::JsFuture::from(p).await.map_err(|e| e.as_string().unwrap_or_else(|| crate::i18n::pick("保存到手机失败", "Could not keep it on the phone").to_string()))?;
        }
        Ok(())
    }

    /// Hands every `zz-outbox` event's state (JSON) to `f`, for the page's life.
    pub fn listen(f: impl Fn(String) + 'static) {
        let Some(w) = web_sys::window() else { return };
        let cb = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            if let Some(s) = e.detail().as_string() {
                f(s);
            }
        });
        let _ = w.add_event_listener_with_callback("zz-outbox", cb.as_ref().unchecked_ref());
        let keep = send_wrapper::SendWrapper::new(cb);
        leptos::prelude::on_cleanup(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.remove_event_listener_with_callback("zz-outbox", keep.as_ref().unchecked_ref());
            }
        });
    }
}

#[cfg(not(feature = "hydrate"))]
mod js {
    pub(super) async fn call(_name: &str, _args: Vec<super::Arg>) -> Result<(), String> {
        Err("only in the browser".into())
    }

    pub fn listen(_f: impl Fn(String) + 'static) {}
}
