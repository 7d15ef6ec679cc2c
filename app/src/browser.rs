//! What only the browser can do: the live stream, photo uploads, the phone's location, a
//! chime, and fetching what MapLibre draws, timers and page timing (these last three exist
//! only in the browser build). On the server (SSR) the rest do nothing; they run after
//! hydration.

use crate::i18n::pick;
use leptos::prelude::*;
use zhizhi_shared::case::view::CaseSummary;

/// A message handler of the live stream.
#[cfg(feature = "hydrate")]
type OnEvent = wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>;

/// Opens `/api/v1/stream` at `url` with the handlers `listeners` (by event name); `connected`
/// follows the connection, and when the session ends (signed out elsewhere, password changed,
/// account disabled, expired: `end`) the stream closes and the user signs in again. Closed with
/// the component.
#[cfg(feature = "hydrate")]
fn open_stream(url: &str, connected: RwSignal<bool>, mut listeners: Vec<(&'static str, OnEvent)>) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new(url) else {
        return;
    };
    let closing = source.clone();
    let on_end: OnEvent = Closure::new(move |_: web_sys::MessageEvent| {
        closing.close();
        connected.set(false);
        go("/login");
    });
    let on_open = Closure::<dyn Fn()>::new(move || connected.set(true));
    let on_error = Closure::<dyn Fn()>::new(move || connected.set(false));
    listeners.push(("end", on_end));
    for (name, f) in &listeners {
        let _ = source.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
    }
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let keep = send_wrapper::SendWrapper::new((source, listeners, on_open, on_error));
    on_cleanup(move || keep.0.close());
}

/// Follows the live stream after `cursor`: `on_case` for every case event, `on_reset` when the
/// server says what we asked for is no longer kept (reload). `connected` tells whether the
/// stream is open. The browser's EventSource reconnects by itself and sends `Last-Event-ID`,
/// so nothing is missed across a dropped connection.
pub fn follow_live(cursor: i64, connected: RwSignal<bool>, on_case: impl Fn(CaseSummary) + 'static, on_reset: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let on_case: OnEvent = wasm_bindgen::closure::Closure::new(move |e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string()
                && let Ok(case) = serde_json::from_str::<CaseSummary>(&text)
            {
                on_case(case);
            }
        });
        let on_reset: OnEvent = wasm_bindgen::closure::Closure::new(move |_: web_sys::MessageEvent| on_reset());
        open_stream(&format!("/api/v1/stream?after={cursor}"), connected, vec![("case", on_case), ("reset", on_reset)]);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (cursor, connected, on_case, on_reset);
    }
}

/// Follows one topic's changes on the live stream (from now on): `on_change` whenever a
/// `flood` or `supervision` event says the screen would read differently. `connected` tells
/// whether the stream is open.
pub fn follow_topic(event: &'static str, connected: RwSignal<bool>, on_change: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let on_event: OnEvent = wasm_bindgen::closure::Closure::new(move |_: web_sys::MessageEvent| on_change());
        open_stream("/api/v1/stream", connected, vec![(event, on_event)]);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, connected, on_change);
    }
}

/// Follows the signed-in user's video calls on a stream of their own (`?only=call`):
/// `on_call` gets each `call` event's JSON text.
pub fn follow_calls(connected: RwSignal<bool>, on_call: impl Fn(String) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let on_event: OnEvent = wasm_bindgen::closure::Closure::new(move |e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                on_call(text);
            }
        });
        open_stream("/api/v1/stream?only=call", connected, vec![("call", on_event)]);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (connected, on_call);
    }
}

/// The file input with `input_id`, after hydration.
#[cfg(feature = "hydrate")]
fn file_input(input_id: &str) -> Result<web_sys::HtmlInputElement, String> {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(input_id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .ok_or_else(|| "no photo field".to_string())
}

/// Sends one file as the raw body of a POST to `url`: the answer's text, or the server's
/// error message.
#[cfg(feature = "hydrate")]
async fn send_file(url: &str, file: &web_sys::File) -> Result<String, String> {
    send_labelled(url, file, ("照片上传", "Photo upload")).await
}

/// [`send_file`], its failures named after `what` (Chinese, English).
#[cfg(feature = "hydrate")]
async fn send_labelled(url: &str, file: &web_sys::File, what: (&str, &str)) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let headers = web_sys::Headers::new().map_err(|_| "headers")?;
    let _ = headers.set("content-type", &file.type_());
    init.set_headers(&headers);
    let resp: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| pick(&format!("{}失败：网络不通", what.0), &format!("{} failed: no network", what.1)).to_string())?
        .dyn_into()
        .map_err(|_| pick(&format!("{}失败", what.0), &format!("{} failed", what.1)).to_string())?;
    let text = match resp.text() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if resp.ok() {
        return Ok(text);
    }
    let message = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["error"].as_str().map(String::from));
    Err(message.unwrap_or_else(|| pick(&format!("{}失败（{}）", what.0, resp.status()), &format!("{} failed ({})", what.1, resp.status())).to_string()))
}

/// Uploads the photo chosen in the file input with `input_id` to a case: the case's new
/// version, `None` when no file was chosen.
pub async fn upload_photo(case_id: i64, input_id: &str) -> Result<Option<i64>, String> {
    #[cfg(feature = "hydrate")]
    {
        let input = file_input(input_id)?;
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return Ok(None);
        };
        let text = send_file(&format!("/api/v1/cases/{case_id}/photos"), &file).await?;
        input.set_value("");
        // The photo is a step of the case: it has a new version now.
        let version = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["case"]["version"].as_i64());
        Ok(Some(version.unwrap_or(0)))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (case_id, input_id);
        Ok(None)
    }
}

/// Sends the file chosen in the file input with `input_id` as the raw body of a POST to `url`
/// with its name appended as `&file_name=`: the answer's text, `None` when no file was chosen.
pub async fn upload_file(url: &str, input_id: &str) -> Result<Option<String>, String> {
    #[cfg(feature = "hydrate")]
    {
        let Some(file) = file_input(input_id)?.files().and_then(|f| f.get(0)) else {
            return Ok(None);
        };
        let name = String::from(js_sys::encode_uri_component(&file.name()));
        send_labelled(&format!("{url}&file_name={name}"), &file, ("上传", "Upload")).await.map(Some)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, input_id);
        Ok(None)
    }
}

/// How many files are chosen in the file input with `input_id`.
pub fn chosen_files(input_id: &str) -> u32 {
    #[cfg(feature = "hydrate")]
    {
        file_input(input_id).ok().and_then(|i| i.files()).map_or(0, |f| f.length())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = input_id;
        0
    }
}

/// Sends the first `max` files chosen in the file input with `input_id`, one after the other,
/// each as the raw body of a POST to `url`; `progress(sent, of)` after each. The number sent.
pub async fn upload_files(url: &str, input_id: &str, max: u32, progress: impl Fn(u32, u32)) -> Result<u32, String> {
    #[cfg(feature = "hydrate")]
    {
        let Some(files) = file_input(input_id)?.files() else { return Ok(0) };
        let of = files.length().min(max);
        for i in 0..of {
            let Some(file) = files.get(i) else { break };
            send_file(url, &file).await?;
            progress(i + 1, of);
        }
        Ok(of)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, input_id, max, progress);
        Ok(0)
    }
}

/// The phone's position as `(lon, lat)`.
pub async fn current_position() -> Result<(f64, f64), String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;
        let cannot = pick("此设备不能定位", "This device cannot locate itself");
        let geo = web_sys::window().ok_or("no window")?.navigator().geolocation().map_err(|_| cannot.to_string())?;
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            // Read through Reflect: web-sys marks the typed position API unstable.
            let ok = Closure::once_into_js(move |p: JsValue| {
                let coords = js_sys::Reflect::get(&p, &"coords".into()).unwrap_or(JsValue::NULL);
                let lon = js_sys::Reflect::get(&coords, &"longitude".into()).unwrap_or(JsValue::NULL);
                let lat = js_sys::Reflect::get(&coords, &"latitude".into()).unwrap_or(JsValue::NULL);
                let _ = resolve.call1(&JsValue::NULL, &js_sys::Array::of2(&lon, &lat));
            });
            let err = Closure::once_into_js(move |e: JsValue| {
                let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
            });
            let options = web_sys::PositionOptions::new();
            options.set_enable_high_accuracy(true);
            options.set_timeout(15_000);
            let _ = geo.get_current_position_with_error_callback_and_options(ok.unchecked_ref(), Some(err.unchecked_ref()), &options);
        });
        let v = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| {
            let why = e.as_string().unwrap_or_default();
            pick(&format!("无法获取位置：{why}"), &format!("Cannot get the location: {why}")).to_string()
        })?;
        let a: js_sys::Array = v.dyn_into().map_err(|_| pick("位置无效", "Invalid location"))?;
        Ok((a.get(0).as_f64().unwrap_or_default(), a.get(1).as_f64().unwrap_or_default()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Err(pick("定位只能在浏览器中使用", "Location works only in the browser").into())
    }
}

/// A short two-tone chime for a new case (when the user has turned sound on).
pub fn chime() {
    #[cfg(feature = "hydrate")]
    {
        let Ok(ctx) = web_sys::AudioContext::new() else { return };
        let now = ctx.current_time();
        for (i, freq) in [880.0f32, 1320.0].into_iter().enumerate() {
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
            osc.frequency().set_value(freq);
            gain.gain().set_value(0.15);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let start = now + i as f64 * 0.18;
            let _ = osc.start_with_when(start);
            let _ = osc.stop_with_when(start + 0.15);
        }
    }
}

/// Opens the browser's print dialog (an event handler of ours: the page's policy allows no
/// inline `onclick`).
pub fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Navigates to `path` with a full page load (after a change that many parts of the page show).
pub fn go(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// GETs `url` as JSON `T`; an error answer's message otherwise. Only for what MapLibre draws
/// (the style, the GeoJSON layers): a screen's own data comes through server functions.
#[cfg(feature = "hydrate")]
pub async fn fetch_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| pick("网络不通，请稍后重试", "No network; try again later").to_string())?
        .unchecked_into();
    let text = match resp.text() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let status = resp.status();
    if status != 200 {
        return Err(v["error"].as_str().map(String::from).unwrap_or_else(|| pick(&format!("加载失败（{status}）"),
            &format!("Loading failed ({status})")).to_string()));
    }
    serde_json::from_value(v).map_err(|e| pick(&format!("数据格式有误：{e}"), &format!("Unexpected data: {e}")).to_string())
}

/// Runs `f` after `ms` milliseconds.
#[cfg(feature = "hydrate")]
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    if let Some(w) = web_sys::window() {
        let cb = Closure::once_into_js(f);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
    }
}

/// Milliseconds since the page started loading.
#[cfg(feature = "hydrate")]
pub fn since_start() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

/// Loads the script at `src` from our server once per page (its element's id `id`), resolving
/// once the global `global` it defines exists.
#[cfg(feature = "hydrate")]
pub async fn load_script(id: &str, src: &str, global: &str) -> Result<(), ()> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or(())?;
    let defined = || js_sys::Reflect::has(&window, &global.into()).unwrap_or(false);
    if defined() {
        return Ok(());
    }
    let doc = window.document().ok_or(())?;
    let head = doc.head().ok_or(())?;
    let script: web_sys::HtmlScriptElement = match doc.get_element_by_id(id) {
        Some(s) => s.unchecked_into(),
        None => {
            let s: web_sys::HtmlScriptElement = doc.create_element("script").map_err(|_| ())?.unchecked_into();
            s.set_id(id);
            s.set_src(src);
            let _ = head.append_child(&s);
            s
        }
    };
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = script.add_event_listener_with_callback("load", &resolve);
        let _ = script.add_event_listener_with_callback("error", &reject);
    });
    // The script may have loaded between the check above and now.
    if !defined() {
        wasm_bindgen_futures::JsFuture::from(done).await.map_err(|_| ())?;
    }
    Ok(())
}
