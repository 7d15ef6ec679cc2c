//! The grid editor's map: the working copy drawn as polygons with draggable vertices, and the
//! mouse handling (drag with snapping, click by tool, double-click to add a vertex).

use super::{Editor, EDITOR_MAP};
use crate::i18n::pick;
use crate::mapgl::{self, call0, get, handler, js, with_map, Map};
use leptos::prelude::*;
use serde_json::json;
use std::cell::Cell;
use wasm_bindgen::JsValue;
use zhizhi_shared::geo::{LonLat, Polygon};
use zhizhi_shared::map::edit::{insert_shared_vertex, move_vertex, snap, Shape};
use zhizhi_shared::map::ids;

thread_local! {
    /// The vertex being dragged, where it is now.
    static DRAG: Cell<Option<LonLat>> = const { Cell::new(None) };
}

/// Snapping distance in screen pixels.
const SNAP_PX: f64 = 10.0;

fn lng_lat(e: &JsValue) -> LonLat {
    [get(e, "lngLat.lng").as_f64().unwrap_or_default(), get(e, "lngLat.lat").as_f64().unwrap_or_default()]
}

/// Degrees per `px` pixels at the map's zoom (512-pixel tiles).
fn tolerance(m: &Map, px: f64) -> f64 {
    let zoom = get(m, "transform.zoom").as_f64().or_else(|| {
        let f: js_sys::Function = get(m, "getZoom").into();
        f.call0(m).ok().and_then(|v| v.as_f64())
    });
    px * 360.0 / (512.0 * 2f64.powf(zoom.unwrap_or(16.0)))
}

/// Creates the editor's map.
pub async fn start(ed: Editor) {
    if let Err(e) = mapgl::load().await {
        ed.message.set(Some((false, e)));
        return;
    }
    let Ok(mut style) = crate::browser::fetch_json::<serde_json::Value>("/api/v1/map/style.json").await else {
        ed.message.set(Some((false, pick("地图样式加载失败", "The map style failed to load").into())));
        return;
    };
    style["pitch"] = json!(0);
    style["bearing"] = json!(0);
    let map = match Map::new(&js(&json!({ "container": EDITOR_MAP, "style": style, "attributionControl": false, "fadeDuration": 0 }))) {
        Ok(m) => m,
        Err(_) => {
            ed.message.set(Some((false, pick("此浏览器无法显示地图（需要 WebGL）；仍可在左侧按坐标编辑。",
                "This browser cannot show the map (WebGL needed); edit by coordinates on the left.").into())));
            return;
        }
    };
    map.add_control(&mapgl::NavigationControl::new(&js(&json!({ "showCompass": false }))).into(), "top-right");
    call0(&map, "doubleClickZoom.disable");
    mapgl::keep(EDITOR_MAP, map.clone());
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"zhizhiMap".into(), &map);
    }
    map.on(
        "load",
        &handler(move |_| {
            with_map(EDITOR_MAP, |m| {
                for l in [ids::DEVICE_LAYER, ids::CASE_LAYER, ids::CASE_GLOW_LAYER, ids::AREA_FILL_LAYER] {
                    m.set_layout_property(l, "visibility", &JsValue::from_str("none"));
                }
            });
            if let Some(d) = ed.division.get_untracked() {
                frame(&d.boundary);
            }
            ed.ready.set(true);
        }),
    );
    map.on_layer(
        "mousedown",
        ids::EDIT_VERTEX_LAYER,
        &handler(move |e| {
            call0(&e, "preventDefault");
            let f = get(&e, "features.0.geometry.coordinates");
            let (Some(x), Some(y)) = (get(&f, "0").as_f64(), get(&f, "1").as_f64()) else { return };
            DRAG.with(|d| d.set(Some([x, y])));
            with_map(EDITOR_MAP, |m| call0(m, "dragPan.disable"));
        }),
    );
    map.on(
        "mousemove",
        &handler(move |e| {
            let Some(from) = DRAG.with(|d| d.get()) else { return };
            let p = lng_lat(&e);
            let tol = with_map(EDITOR_MAP, |m| tolerance(m, SNAP_PX)).unwrap_or(0.00002);
            let grid = ed.division.with_untracked(|d| d.as_ref().map(|d| d.boundary.clone()));
            let to = ed.shapes.with_untracked(|shapes| {
                let mut targets: Vec<&Polygon> = shapes.iter().map(|s| &s.boundary).collect();
                if let Some(g) = grid.as_ref() {
                    targets.push(g);
                }
                snap(p, &targets, from, tol)
            });
            ed.shapes.update(|s| move_vertex(s, from, to));
            DRAG.with(|d| d.set(Some(to)));
        }),
    );
    map.on(
        "mouseup",
        &handler(move |_| {
            if DRAG.with(|d| d.take()).is_some() {
                with_map(EDITOR_MAP, |m| call0(m, "dragPan.enable"));
                ed.changed();
            }
        }),
    );
    map.on("click", &handler(move |e| ed.click(lng_lat(&e))));
    map.on(
        "dblclick",
        &handler(move |e| {
            let Some(i) = ed.selected.get_untracked() else { return };
            let tol = with_map(EDITOR_MAP, |m| tolerance(m, SNAP_PX * 2.0)).unwrap_or(0.00004);
            let p = lng_lat(&e);
            let on_edge = ed.shapes.with_untracked(|s| s.get(i).map(|s| snap(p, &[&s.boundary], [f64::NAN, f64::NAN], tol)));
            if let Some(q) = on_edge.filter(|q| *q != p) {
                ed.shapes.update(|s| insert_shared_vertex(s, q));
                ed.changed();
            }
        }),
    );
}

/// Frames a grid.
pub fn frame(boundary: &Polygon) {
    let (sw, ne) = boundary.bbox();
    with_map(EDITOR_MAP, |m| m.fit_bounds(&js(&json!([sw, ne])), &js(&json!({ "padding": 40, "duration": 0 }))));
}

/// Draws the working copy: every micro-grid, and the selected one's vertices.
pub fn draw(shapes: &[Shape], selected: Option<usize>) {
    let ring = |p: &Polygon| {
        let mut r = p.0.clone();
        if let Some(f) = r.first().copied() {
            r.push(f);
        }
        r
    };
    let polys: Vec<serde_json::Value> = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| json!({ "type": "Feature", "id": i, "geometry": { "type": "Polygon", "coordinates": [ring(&s.boundary)] },
                              "properties": { "name": s.name, "selected": Some(i) == selected } }))
        .collect();
    let vertices: Vec<serde_json::Value> = selected
        .and_then(|i| shapes.get(i))
        .map(|s| s.boundary.0.iter().map(|v| json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": v }, "properties": {} })).collect())
        .unwrap_or_default();
    with_map(EDITOR_MAP, |m| {
        if let Some(src) = m.get_source(ids::EDIT) {
            src.set_data(&js(&json!({ "type": "FeatureCollection", "features": polys })));
        }
        if let Some(src) = m.get_source(ids::EDIT_VERTICES) {
            src.set_data(&js(&json!({ "type": "FeatureCollection", "features": vertices })));
        }
    });
}
