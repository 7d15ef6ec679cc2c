//! `/call.js` (the camera, microphone and peer connections) from Rust. On the server, nothing.

#[cfg(feature = "hydrate")]
pub(super) use browser_side::*;
#[cfg(not(feature = "hydrate"))]
pub(super) use server_side::*;

#[cfg(feature = "hydrate")]
mod browser_side {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use zhizhi_shared::call::SignalKind;

    fn api() -> Option<JsValue> {
        let w = web_sys::window()?;
        js_sys::Reflect::get(&w, &"ZhizhiCall".into()).ok().filter(|v| v.is_object())
    }

    fn call(name: &str, args: &[JsValue]) -> Option<JsValue> {
        let api = api()?;
        let f: js_sys::Function = js_sys::Reflect::get(&api, &name.into()).ok()?.dyn_into().ok()?;
        f.apply(&api, &args.iter().collect::<js_sys::Array>()).ok()
    }

    async fn call_async(name: &str, args: &[JsValue]) -> JsValue {
        match call(name, args).and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
            Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.unwrap_or(JsValue::UNDEFINED),
            None => JsValue::UNDEFINED,
        }
    }

    pub async fn load() -> Result<(), ()> {
        crate::browser::load_script("zz-call-js", "/call.js", "ZhizhiCall").await
    }

    /// Asks for the camera and microphone: `""` when granted, else the browser's reason.
    pub async fn prepare(audio_only: bool) -> String {
        call_async("prepare", &[audio_only.into()]).await.as_string().unwrap_or_else(|| "Error".into())
    }

    pub async fn start(id: i64, me: i64, worker: i64, watchers: &[i64], role: &str, rejoin: bool) {
        let cfg = serde_json::json!({
            "id": id, "me": me, "worker": worker, "watchers": watchers, "role": role, "rejoin": rejoin,
            "localVideo": "zz-call-local", "remoteVideo": "zz-call-remote",
        });
        let cfg = js_sys::JSON::parse(&cfg.to_string()).unwrap_or(JsValue::NULL);
        call_async("start", &[cfg]).await;
    }

    pub fn signal(call_id: i64, from: i64, kind: SignalKind, data: &str) {
        let kind = match kind {
            SignalKind::Offer => "offer",
            SignalKind::Answer => "answer",
            SignalKind::Ice => "ice",
            SignalKind::Hello => "hello",
        };
        call("signal", &[(call_id as f64).into(), (from as f64).into(), kind.into(), data.into()]);
    }

    pub fn watchers(list: &[i64]) {
        let arr: js_sys::Array = list.iter().map(|w| JsValue::from(*w as f64)).collect();
        call("watchers", &[arr.into()]);
    }

    pub fn set_mic(on: bool) {
        call("setMic", &[on.into()]);
    }

    /// Stores a still of the worker's camera on the case: the HTTP status.
    pub async fn snapshot() -> u16 {
        call_async("snapshot", &[]).await.as_f64().unwrap_or(0.0) as u16
    }

    pub fn stop() {
        call("stop", &[]);
    }

    /// Hands `/call.js`'s status reports to `f` (once the script is loaded).
    pub fn on_status(f: impl Fn(String, String) + 'static) {
        let f = Closure::<dyn Fn(JsValue, JsValue)>::new(move |k: JsValue, d: JsValue| f(k.as_string().unwrap_or_default(), d.as_string().unwrap_or_default()));
        if let Some(api) = api() {
            let _ = js_sys::Reflect::set(&api, &"onstatus".into(), &f.into_js_value());
        }
    }

    /// This tab owns call `id` (or none).
    pub fn own(id: Option<i64>) {
        call("own", &[id.map_or(JsValue::NULL, |i| JsValue::from(i as f64))]);
    }

    /// The call this tab owns, if any (kept across reloads).
    pub fn owned() -> Option<i64> {
        call("owned", &[]).and_then(|v| v.as_f64()).map(|v| v as i64)
    }

    /// A system notification, when the user allowed them (the ringing page may be hidden).
    pub fn notify(title: &str, body: &str) {
        let Some(w) = web_sys::window() else { return };
        let Ok(n) = js_sys::Reflect::get(&w, &"Notification".into()) else { return };
        let granted = js_sys::Reflect::get(&n, &"permission".into()).ok().and_then(|p| p.as_string()).is_some_and(|p| p == "granted");
        if let (true, Ok(ctor)) = (granted, n.dyn_into::<js_sys::Function>()) {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"body".into(), &body.into());
            let _ = js_sys::Reflect::construct(&ctor, &[JsValue::from(title), opts.into()].iter().collect::<js_sys::Array>());
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod server_side {
    use zhizhi_shared::call::SignalKind;
    pub async fn load() -> Result<(), ()> {
        Err(())
    }
    pub async fn prepare(_: bool) -> String {
        String::new()
    }
    pub async fn start(_: i64, _: i64, _: i64, _: &[i64], _: &str, _: bool) {}
    pub fn signal(_: i64, _: i64, _: SignalKind, _: &str) {}
    pub fn watchers(_: &[i64]) {}
    pub fn set_mic(_: bool) {}
    pub async fn snapshot() -> u16 {
        0
    }
    pub fn stop() {}
    pub fn on_status(_: impl Fn(String, String) + 'static) {}
    pub fn own(_: Option<i64>) {}
    pub fn owned() -> Option<i64> {
        None
    }
}
