//! The browser side of the district map: creating it, its click handlers, and applying live
//! case events to exactly the features they change.

use super::{MapMode, PickedCase};
use crate::api::cases::get_cases;
use crate::i18n::pick;
use crate::mapgl::{self, get, handler, js, json, with_map, Map};
use leptos::prelude::*;
use serde_json::json;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use wasm_bindgen::JsValue;
use zhizhi_shared::case::view::{CaseList, CaseQuery, CaseSummary};
use zhizhi_shared::geo::{LonLat, Polygon};
use zhizhi_shared::map::{case_feature, floor_feature_id, ids};

/// The signals the map reports to.
#[derive(Clone, Copy)]
pub struct Signals {
    pub ready: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub live: RwSignal<bool>,
    pub selected: RwSignal<Option<(i64, i32)>>,
    pub picked: RwSignal<Option<PickedCase>>,
}

/// Per map: the cases on it, and the floor each glows.
#[derive(Default)]
struct Live {
    cases: HashSet<i64>,
    glowing: HashMap<i64, i64>,
    selected_floor: Option<i64>,
}

thread_local! {
    static LIVE: RefCell<HashMap<String, Live>> = RefCell::new(HashMap::new());
}

fn with_live<R>(id: &str, f: impl FnOnce(&mut Live) -> R) -> R {
    LIVE.with(|l| f(l.borrow_mut().entry(id.to_string()).or_default()))
}

/// Loads MapLibre and the style, creates the map in the container `id` and wires it up.
/// `cases` are the open cases when the page already has them (with the cursor the live stream
/// continues from); without them the map reads them itself.
pub async fn start(
    id: &'static str,
    mode: MapMode,
    fit: Option<(LonLat, LonLat)>,
    labels: Vec<(String, LonLat)>,
    focus: Vec<i64>,
    cases: Option<CaseList>,
    s: Signals,
) {
    let owner = Owner::current();
    if let Err(e) = mapgl::load().await {
        s.error.set(Some(e));
        return;
    }
    let mut style: serde_json::Value = match crate::browser::fetch_json("/api/v1/map/style.json").await {
        Ok(v) => v,
        Err(e) => {
            s.error.set(Some(pick(&format!("地图样式加载失败：{e}"), &format!("The map style failed to load: {e}")).to_string()));
            return;
        }
    };
    let mut fit = fit;
    if mode != MapMode::Command {
        style["pitch"] = json!(0);
        style["bearing"] = json!(0);
    }
    // Hot spots are of past cases, seen from above: the live cases, the devices and the
    // extruded buildings would only hide them (the grid lines stay for orientation).
    if mode == MapMode::Heat
        && let Some(layers) = style["layers"].as_array_mut()
    {
        let hidden = [ids::CASE_LAYER, ids::CASE_GLOW_LAYER, ids::DEVICE_LAYER, ids::FLOOR_LAYER];
        for l in layers.iter_mut().filter(|l| hidden.contains(&l["id"].as_str().unwrap_or_default())) {
            l["layout"] = json!({ "visibility": "none" });
        }
    }
    if !focus.is_empty()
        && let Ok(areas) = crate::browser::fetch_json::<serde_json::Value>("/api/v1/map/areas.geojson").await
    {
        fit = focus_bounds(&areas, &focus).or(fit);
    }
    let options = json!({ "container": id, "style": style, "attributionControl": false, "maxPitch": 70, "fadeDuration": 0 });
    let map = match Map::new(&js(&options)) {
        Ok(m) => m,
        Err(e) => {
            let why = get(&e, "message").as_string().unwrap_or_default();
            s.error.set(Some(pick(&format!("此浏览器无法显示三维地图（需要 WebGL）：{why}"),
                &format!("This browser cannot show the 3D map (WebGL needed): {why}")).to_string()));
            return;
        }
    };
    map.add_control(&mapgl::NavigationControl::new(&js(&json!({ "visualizePitch": true }))).into(), "top-right");
    mapgl::keep(id, map.clone());
    // A hook for diagnostics and the end-to-end tests.
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"zhizhiMap".into(), &map);
    }

    let first_idle = std::rc::Rc::new(std::cell::Cell::new(false));
    map.on(
        "idle",
        &handler(move |_| {
            if !first_idle.replace(true) {
                let ms = crate::browser::since_start();
                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
                    let _ = el.set_attribute("data-first-render-ms", &format!("{ms:.0}"));
                }
                s.ready.set(true);
            }
        }),
    );
    let mut cases = cases;
    map.on(
        "load",
        &handler(move |_| {
            with_map(id, |m| {
                if let Some((sw, ne)) = fit {
                    m.fit_bounds(&js(&json!([sw, ne])), &js(&json!({ "padding": 24, "duration": 0 })));
                }
                for (name, at) in &labels {
                    if let Some(doc) = web_sys::window().and_then(|w| w.document())
                        && let Ok(el) = doc.create_element("div")
                    {
                        el.set_class_name("map-label");
                        el.set_text_content(Some(name));
                        let options = js_sys::Object::new();
                        let _ = js_sys::Reflect::set(&options, &"element".into(), &el);
                        mapgl::Marker::new(&options).set_lng_lat(&js(&json!(at))).add_to(m);
                    }
                }
            });
            if mode == MapMode::Heat {
                return;
            }
            let owner = owner.clone();
            let given = cases.take();
            leptos::task::spawn_local(async move {
                let list = match given {
                    Some(list) => Some(list),
                    None => open_cases().await,
                };
                let Some(list) = list else { return };
                let cursor = show_cases(id, &list);
                let follow = move || {
                    crate::browser::follow_live(cursor, s.live, move |c: CaseSummary| apply_case(id, &c), move || {
                        leptos::task::spawn_local(async move {
                            if let Some(list) = open_cases().await {
                                show_cases(id, &list);
                            }
                        })
                    })
                };
                match &owner {
                    Some(o) => o.with(follow),
                    None => follow(),
                }
            });
        }),
    );
    map.on_layer(
        "click",
        ids::FLOOR_LAYER,
        &handler(move |e| {
            // A case marker on top of the building takes the click.
            let on_case = with_map(id, |m| m.query_rendered_features(&get(&e, "point"), &js(&json!({ "layers": [ids::CASE_LAYER] }))).length() > 0);
            if on_case == Some(true) {
                return;
            }
            let f = get(&e, "features.0");
            let (Some(b), Some(floor)) = (get(&f, "properties.building_id").as_f64(), get(&f, "properties.floor").as_f64()) else { return };
            select_floor(id, b as i64, floor as i32);
            s.selected.set(Some((b as i64, floor as i32)));
        }),
    );
    map.on_layer(
        "click",
        ids::CASE_LAYER,
        &handler(move |e| {
            let f = json(&get(&e, "features.0"));
            let p = &f["properties"];
            let at = [f["geometry"]["coordinates"][0].as_f64().unwrap_or_default(), f["geometry"]["coordinates"][1].as_f64().unwrap_or_default()];
            s.picked.set(Some(PickedCase {
                id: p["case_id"].as_i64().unwrap_or_default(),
                number: p["number"].as_str().unwrap_or_default().into(),
                category: p["category"].as_str().unwrap_or_default().into(),
                address: p["address"].as_str().unwrap_or_default().into(),
                urgency: p["urgency"].as_str().unwrap_or_default().into(),
                at,
            }));
        }),
    );
    for layer in [ids::FLOOR_LAYER, ids::CASE_LAYER] {
        map.on_layer("mouseenter", layer, &handler(move |_| set_cursor(id, "pointer")));
        map.on_layer("mouseleave", layer, &handler(move |_| set_cursor(id, "")));
    }
}

fn set_cursor(id: &str, cursor: &str) {
    let canvas = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(&format!("#{id} canvas")).ok().flatten());
    if let Some(c) = canvas {
        let _ = c.set_attribute("style", &format!("cursor:{cursor}"));
    }
}

/// Marks the selected floor (and unmarks the previous one).
fn select_floor(id: &str, building: i64, floor: i32) {
    let fid = floor_feature_id(building, floor);
    let previous = with_live(id, |l| l.selected_floor.replace(fid));
    with_map(id, |m| {
        if let Some(p) = previous {
            m.set_feature_state(&js(&json!({ "source": ids::FLOORS, "id": p })), &js(&json!({ "selected": false })));
        }
        m.set_feature_state(&js(&json!({ "source": ids::FLOORS, "id": fid })), &js(&json!({ "selected": true })));
    });
}

/// The open cases the user may see, through the same server function as the case screens.
async fn open_cases() -> Option<CaseList> {
    get_cases(CaseQuery { state: Some("open".into()), limit: Some(1000), ..Default::default() }).await.ok()
}

/// Puts the open ones of `list`'s cases on the map; returns the stream cursor they reflect.
fn show_cases(id: &str, list: &CaseList) -> i64 {
    let features: Vec<serde_json::Value> = list.cases.iter().filter_map(case_feature).collect();
    let ids: HashSet<i64> = features.iter().filter_map(|f| f["id"].as_i64()).collect();
    with_map(id, |m| {
        if let Some(src) = m.get_source(ids::CASES) {
            src.set_data(&js(&json!({ "type": "FeatureCollection", "features": features })));
        }
    });
    with_live(id, |l| l.cases = ids);
    list.cursor
}

/// Applies one case event: adds, replaces or removes that one feature, makes it glow, and
/// lights the floor it is on.
pub fn apply_case(id: &str, c: &CaseSummary) {
    let feature = case_feature(c);
    let known = with_live(id, |l| l.cases.contains(&c.id));
    let diff = match (&feature, known) {
        (Some(f), true) => json!({ "remove": [c.id], "add": [f] }),
        (Some(f), false) => json!({ "add": [f] }),
        (None, true) => json!({ "remove": [c.id] }),
        (None, false) => return,
    };
    with_live(id, |l| {
        if feature.is_some() {
            l.cases.insert(c.id);
        } else {
            l.cases.remove(&c.id);
        }
    });
    with_map(id, |m| {
        if let Some(src) = m.get_source(ids::CASES) {
            src.update_data(&js(&diff));
        }
    });
    let floor = feature.as_ref().and_then(|_| c.lon.zip(c.lat)).and_then(|(x, y)| floor_at(id, [x, y], &c.address));
    let old = with_live(id, |l| match floor {
        Some(f) => l.glowing.insert(c.id, f),
        None => l.glowing.remove(&c.id),
    });
    with_map(id, |m| {
        if let Some(o) = old.filter(|o| Some(*o) != floor) {
            m.set_feature_state(&js(&json!({ "source": ids::FLOORS, "id": o })), &js(&json!({ "alarm": false })));
        }
        if let Some(f) = floor {
            m.set_feature_state(&js(&json!({ "source": ids::FLOORS, "id": f })), &js(&json!({ "alarm": true })));
        }
        if feature.is_some() {
            m.set_feature_state(&js(&json!({ "source": ids::CASES, "id": c.id })), &js(&json!({ "fresh": true })));
        }
    });
    if feature.is_some() {
        let (key, case_id) = (id.to_string(), c.id);
        crate::browser::after(20_000, move || {
            with_map(&key, |m| m.set_feature_state(&js(&json!({ "source": ids::CASES, "id": case_id })), &js(&json!({ "fresh": false }))));
        });
    }
}

/// The floor feature a case at `at` is on: the building whose footprint holds the point, and
/// the floor of a door number like 「3-1」 in the address (else the ground floor).
fn floor_at(id: &str, at: LonLat, address: &str) -> Option<i64> {
    let features = with_map(id, |m| m.query_source_features(ids::FLOORS, &js(&json!({ "filter": ["==", ["get", "floor"], 1] })))).unwrap_or_default();
    let building = features.iter().find_map(|f| {
        let f = json(&f);
        let ring: Vec<LonLat> = serde_json::from_value(f["geometry"]["coordinates"][0].clone()).ok()?;
        Polygon(ring).contains(at).then(|| (f["properties"]["building_id"].as_i64(), f["properties"]["floors"].as_i64()))
    })?;
    let (b, floors) = (building.0?, building.1.unwrap_or(1));
    let floor = address
        .split_whitespace()
        .last()
        .and_then(|u| u.split('-').next())
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| (1..=floors).contains(n))
        .unwrap_or(1);
    Some(floor_feature_id(b, floor as i32))
}

/// Draws the heat layer's points (the KPI page's hot spots). The source is updated from a
/// task of its own: MapLibre may call back into our handlers while it takes new data, which
/// must not happen inside the reactive effect that asked for it (the update was lost).
pub fn show_heat(id: &str, points: &[LonLat]) {
    let features: Vec<serde_json::Value> =
        points.iter().map(|p| json!({ "type": "Feature", "properties": {}, "geometry": { "type": "Point", "coordinates": p } })).collect();
    let data = js(&json!({ "type": "FeatureCollection", "features": features }));
    let (key, count) = (id.to_string(), points.len().to_string());
    crate::browser::after(0, move || {
        with_map(&key, |m| {
            if let Some(src) = m.get_source(ids::HEAT) {
                src.set_data(&data);
            }
            // For the end-to-end tests: how many points the layer holds (on the map's own
            // element, which the page may have moved meanwhile).
            let _ = m.get_container().set_attribute("data-heat-points", &count);
        });
    });
}

/// Shows or hides a group of layers.
pub fn show_group(id: &str, key: &str, on: bool) {
    let Some((_, layers)) = ids::TOGGLES.iter().find(|(k, _)| *k == key) else { return };
    with_map(id, |m| {
        for l in layers.iter() {
            m.set_layout_property(l, "visibility", &JsValue::from_str(if on { "visible" } else { "none" }));
        }
    });
}

/// Flies to `at`.
pub fn fly(id: &str, at: LonLat, zoom: f64) {
    with_map(id, |m| m.fly_to(&js(&json!({ "center": at, "zoom": zoom, "pitch": 55, "essential": true }))));
}

/// The bounding box of the grids `focus` in an areas collection.
fn focus_bounds(areas: &serde_json::Value, focus: &[i64]) -> Option<(LonLat, LonLat)> {
    let (mut sw, mut ne) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for f in areas["features"].as_array()? {
        let p = &f["properties"];
        if p["level"] != "grid" || !p["area_id"].as_i64().is_some_and(|id| focus.contains(&id)) {
            continue;
        }
        let ring: Vec<LonLat> = serde_json::from_value(f["geometry"]["coordinates"][0].clone()).ok()?;
        let (a, b) = Polygon(ring).bbox();
        sw = [sw[0].min(a[0]), sw[1].min(a[1])];
        ne = [ne[0].max(b[0]), ne[1].max(b[1])];
    }
    sw[0].is_finite().then_some((sw, ne))
}
