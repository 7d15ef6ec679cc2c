//! MapLibre GL JS, driven from Rust: a small `wasm-bindgen` extern block over the parts of its
//! API we use, and the loader that brings the script from our own server (`/vendor/maplibre/`,
//! copied from the npm package at build time; never a CDN). Fetching the style and layers it
//! draws, and the other browser helpers, are in [`crate::browser`].
//!
//! The maps of a page live in a thread-local table keyed by their container's id, so that
//! event handlers and buttons reach them without sending JavaScript objects across threads
//! (there is one thread in the browser). On the server everything here is a no-op.

#[cfg(feature = "hydrate")]
pub use imp::*;

#[cfg(feature = "hydrate")]
mod imp {
    use crate::i18n::pick;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    #[wasm_bindgen]
    extern "C" {
        /// `maplibregl.Map`
        #[wasm_bindgen(js_namespace = maplibregl)]
        #[derive(Clone)]
        pub type Map;
        #[wasm_bindgen(constructor, js_namespace = maplibregl, catch)]
        pub fn new(options: &JsValue) -> Result<Map, JsValue>;
        #[wasm_bindgen(method)]
        pub fn on(this: &Map, event: &str, f: &js_sys::Function);
        #[wasm_bindgen(method, js_name = on)]
        pub fn on_layer(this: &Map, event: &str, layer: &str, f: &js_sys::Function);
        #[wasm_bindgen(method, js_name = getSource)]
        pub fn get_source(this: &Map, id: &str) -> Option<GeoJsonSource>;
        #[wasm_bindgen(method, js_name = getContainer)]
        pub fn get_container(this: &Map) -> web_sys::HtmlElement;
        #[wasm_bindgen(method, js_name = setFeatureState)]
        pub fn set_feature_state(this: &Map, feature: &JsValue, state: &JsValue);
        #[wasm_bindgen(method, js_name = setLayoutProperty)]
        pub fn set_layout_property(this: &Map, layer: &str, name: &str, value: &JsValue);
        #[wasm_bindgen(method, js_name = flyTo)]
        pub fn fly_to(this: &Map, options: &JsValue);
        #[wasm_bindgen(method, js_name = fitBounds)]
        pub fn fit_bounds(this: &Map, bounds: &JsValue, options: &JsValue);
        #[wasm_bindgen(method, js_name = querySourceFeatures)]
        pub fn query_source_features(this: &Map, source: &str, options: &JsValue) -> js_sys::Array;
        #[wasm_bindgen(method, js_name = queryRenderedFeatures)]
        pub fn query_rendered_features(this: &Map, at: &JsValue, options: &JsValue) -> js_sys::Array;
        #[wasm_bindgen(method, js_name = addControl)]
        pub fn add_control(this: &Map, control: &JsValue, position: &str);
        #[wasm_bindgen(method)]
        pub fn remove(this: &Map);

        /// A GeoJSON source.
        pub type GeoJsonSource;
        #[wasm_bindgen(method, js_name = setData)]
        pub fn set_data(this: &GeoJsonSource, data: &JsValue);
        #[wasm_bindgen(method, js_name = updateData)]
        pub fn update_data(this: &GeoJsonSource, diff: &JsValue);

        /// `maplibregl.Marker`, for the few labels that need text (no glyph server offline).
        #[wasm_bindgen(js_namespace = maplibregl)]
        pub type Marker;
        #[wasm_bindgen(constructor, js_namespace = maplibregl)]
        pub fn new(options: &JsValue) -> Marker;
        #[wasm_bindgen(method, js_name = setLngLat)]
        pub fn set_lng_lat(this: &Marker, at: &JsValue) -> Marker;
        #[wasm_bindgen(method, js_name = addTo)]
        pub fn add_to(this: &Marker, map: &Map) -> Marker;

        /// `maplibregl.NavigationControl` (zoom, rotate, tilt).
        #[wasm_bindgen(js_namespace = maplibregl)]
        pub type NavigationControl;
        #[wasm_bindgen(constructor, js_namespace = maplibregl)]
        pub fn new(options: &JsValue) -> NavigationControl;
    }

    thread_local! {
        static MAPS: RefCell<HashMap<String, Map>> = RefCell::new(HashMap::new());
    }

    /// Keeps `map` under `key` (its container's id).
    pub fn keep(key: &str, map: Map) {
        MAPS.with(|m| m.borrow_mut().insert(key.to_string(), map));
    }

    /// Forgets and removes the map under `key`.
    pub fn drop_map(key: &str) {
        if let Some(map) = MAPS.with(|m| m.borrow_mut().remove(key)) {
            map.remove();
        }
    }

    /// Runs `f` on the map under `key`, if it exists.
    pub fn with_map<R>(key: &str, f: impl FnOnce(&Map) -> R) -> Option<R> {
        let map = MAPS.with(|m| m.borrow().get(key).cloned())?;
        Some(f(&map))
    }

    /// A JSON value as a JavaScript object.
    pub fn js(v: &serde_json::Value) -> JsValue {
        js_sys::JSON::parse(&v.to_string()).unwrap_or(JsValue::NULL)
    }

    /// A JavaScript value as JSON.
    pub fn json(v: &JsValue) -> serde_json::Value {
        js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()).and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
    }

    /// `obj.a.b…` by a dotted path.
    pub fn get(obj: &JsValue, path: &str) -> JsValue {
        path.split('.').fold(obj.clone(), |o, k| js_sys::Reflect::get(&o, &k.into()).unwrap_or(JsValue::UNDEFINED))
    }

    /// Calls `obj.<path>()` (e.g. `dragPan.disable` on a map, `preventDefault` on an event).
    pub fn call0(obj: &JsValue, path: &str) {
        let (owner, method) = match path.rsplit_once('.') {
            Some((o, m)) => (get(obj, o), m),
            None => (obj.clone(), path),
        };
        if let Ok(f) = js_sys::Reflect::get(&owner, &method.into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = f.call0(&owner);
        }
    }

    /// An event handler that lives as long as the page.
    pub fn handler(f: impl FnMut(JsValue) + 'static) -> js_sys::Function {
        Closure::<dyn FnMut(JsValue)>::new(f).into_js_value().unchecked_into()
    }

    /// Loads MapLibre's script and stylesheet from our server, once per page.
    pub async fn load() -> Result<(), String> {
        let window = web_sys::window().ok_or("no window")?;
        if js_sys::Reflect::has(&window, &"maplibregl".into()).unwrap_or(false) {
            return Ok(());
        }
        let doc = window.document().ok_or("no document")?;
        let head = doc.head().ok_or("no head")?;
        if doc.get_element_by_id("maplibre-css").is_none() {
            let link = doc.create_element("link").map_err(|_| "link")?;
            let _ = link.set_attribute("id", "maplibre-css");
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", "/vendor/maplibre/maplibre-gl.css");
            let _ = head.append_child(&link);
        }
        crate::browser::load_script("maplibre-js", "/vendor/maplibre/maplibre-gl.js", "maplibregl")
            .await
            .map_err(|_| pick("地图组件加载失败", "The map component failed to load").to_string())?;
        Ok(())
    }
}
