//! The public form's small map: opened on demand (MapLibre is not loaded for residents who type
//! an address), flat, with the basemap and the buildings' footprints only; a tap picks the
//! place, and a pin shows the place chosen by any means.

use super::Place;
use crate::i18n::bi;
use leptos::prelude::*;

/// The map's container.
const CONTAINER: &str = "pick-map";

#[component]
pub fn PickMap(place: RwSignal<Place>, on_pick: impl Fn(f64, f64) + Copy + Send + Sync + 'static) -> impl IntoView {
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        // Opened: load MapLibre and the public style, then wire the tap.
        Effect::new(move |started: Option<bool>| {
            if started == Some(true) || !open.get() {
                return started.unwrap_or(false);
            }
            leptos::task::spawn_local(imp::start(on_pick, error, loaded));
            true
        });
        // The pin follows the place, whichever way it was chosen.
        Effect::new(move |_| {
            let at = place.with(Place::lon_lat);
            if loaded.get() {
                imp::pin(at);
            }
        });
        on_cleanup(|| {
            imp::forget_pin();
            crate::mapgl::drop_map(CONTAINER);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (place, on_pick);
    view! {
        <button type="button" class="act big-button" data-testid="open-map" on:click=move |_| open.update(|o| *o = !*o)>
            {move || if open.get() { bi("收起地图", "Hide the map") } else { bi("在地图上点选位置", "Tap the place on a map") }}
        </button>
        // Hidden, not removed, when closed: the map keeps its element.
        <div class="pick-map-box" style:display=move || if open.get() { "block" } else { "none" }>
            <p class="note">{bi("点一下问题所在的位置（可双指缩放）。", "Tap where the problem is (pinch to zoom).")}</p>
            <div id=CONTAINER class="pick-map" data-testid="pick-map" data-loaded=move || loaded.get().then_some("1")></div>
            {move || error.get().map(|e| view! { <p class="form-error">{e}</p> })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::CONTAINER;
    use crate::i18n::pick;
    use crate::mapgl::{self, get, handler, js, Map};
    use leptos::prelude::*;
    use serde_json::json;
    use std::cell::RefCell;

    thread_local! {
        static PIN: RefCell<Option<mapgl::Marker>> = const { RefCell::new(None) };
    }

    pub async fn start(on_pick: impl Fn(f64, f64) + 'static, error: RwSignal<Option<String>>, loaded: RwSignal<bool>) {
        if let Err(e) = mapgl::load().await {
            error.set(Some(e));
            return;
        }
        let options = json!({ "container": CONTAINER, "style": "/api/v1/public/map/style.json", "attributionControl": false,
            "zoom": 16, "dragRotate": false, "pitchWithRotate": false, "fadeDuration": 0 });
        let map = match Map::new(&js(&options)) {
            Ok(m) => m,
            Err(e) => {
                let why = get(&e, "message").as_string().unwrap_or_default();
                error.set(Some(pick(&format!("此浏览器无法显示地图：{why}。请输入地址。"), &format!("This browser cannot show the map: {why}. Type the address.")).to_string()));
                return;
            }
        };
        map.on(
            "click",
            &handler(move |e| {
                let (lon, lat) = (get(&e, "lngLat.lng").as_f64(), get(&e, "lngLat.lat").as_f64());
                if let (Some(lon), Some(lat)) = (lon, lat) {
                    on_pick(lon, lat);
                }
            }),
        );
        map.on("load", &handler(move |_| loaded.set(true)));
        // A hook for the end-to-end tests (to tap a known address).
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"zhizhiPickMap".into(), &map);
        }
        mapgl::keep(CONTAINER, map);
    }

    /// Forgets the pin (its map is gone).
    pub fn forget_pin() {
        PIN.with(|p| p.borrow_mut().take());
    }

    /// Moves the pin to `at` (a new pin the first time; none while nothing is chosen).
    pub fn pin(at: Option<(f64, f64)>) {
        let Some((lon, lat)) = at else { return };
        mapgl::with_map(CONTAINER, |m| {
            PIN.with(|p| {
                let mut p = p.borrow_mut();
                let marker = p.get_or_insert_with(|| mapgl::Marker::new(&js(&json!({ "color": "#ff4d4f" }))).set_lng_lat(&js(&json!([lon, lat]))).add_to(m));
                marker.set_lng_lat(&js(&json!([lon, lat])));
            });
            m.fly_to(&js(&json!({ "center": [lon, lat], "zoom": 17, "duration": 300 })));
        });
    }
}
