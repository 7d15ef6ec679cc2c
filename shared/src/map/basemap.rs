//! A schematic basemap drawn from the street's own geography, for deployments (like the demo)
//! without a surveyed basemap: land, the river along the north edge, roads along the grid
//! boundaries, the old town's lanes and a few landmarks. It says so (`"schematic": true`).
//! A real deployment imports its own basemap instead.

use crate::geo::{LonLat, Polygon};
use crate::place::{Community, Grid};
use serde_json::{json, Value};

/// Degrees of latitude of the river's width (about 330 m, the Jialing at Ciqikou).
const RIVER_WIDTH: f64 = 0.003;

fn key(p: LonLat) -> (i64, i64) {
    ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64)
}

/// The basemap as a FeatureCollection with a `class` per feature: `land`, `water`, `road`,
/// `lane`, `landmark` (with `name`). `old_town` is the community whose lanes are drawn.
pub fn schematic(communities: &[Community], grids: &[Grid], old_town: Option<i64>) -> Value {
    let mut features = Vec::new();
    let (mut sw, mut ne) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in communities {
        let (a, b) = c.boundary.bbox();
        sw = [sw[0].min(a[0]), sw[1].min(a[1])];
        ne = [ne[0].max(b[0]), ne[1].max(b[1])];
    }
    if !sw[0].is_finite() {
        return json!({ "type": "FeatureCollection", "features": [], "schematic": true });
    }
    let pad = 0.004;
    let land = Polygon::rect([sw[0] - pad, sw[1] - pad], [ne[0] + pad, ne[1] + pad]);
    features.push(polygon("land", &land));
    // The river: a band along the north edge, bending a little.
    let steps = 24;
    let (w, e) = (sw[0] - pad, ne[0] + pad);
    let bank = |i: usize| {
        let x = w + (e - w) * i as f64 / steps as f64;
        let bend = (i as f64 / steps as f64 * std::f64::consts::PI * 2.0).sin() * 0.0006;
        [x, ne[1] + 0.0004 + bend]
    };
    let mut river: Vec<LonLat> = (0..=steps).map(bank).collect();
    river.extend((0..=steps).rev().map(|i| {
        let p = bank(i);
        [p[0], p[1] + RIVER_WIDTH]
    }));
    features.push(json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [closed(&river)] },
                          "properties": { "class": "water", "name": "嘉陵江" } }));
    // Roads along the grid boundaries, each edge once.
    let mut seen = std::collections::HashSet::new();
    for g in grids {
        let n = g.boundary.0.len();
        for i in 0..n {
            let (a, b) = (g.boundary.0[i], g.boundary.0[(i + 1) % n]);
            let k = if key(a) < key(b) { (key(a), key(b)) } else { (key(b), key(a)) };
            if seen.insert(k) {
                features.push(line("road", &[a, b]));
            }
        }
    }
    // The old town's lanes: a stone-paved main lane east–west and alleys down to the river.
    if let Some(c) = old_town.and_then(|id| communities.iter().find(|c| c.id == id)) {
        let (a, b) = c.boundary.bbox();
        let mid = (a[1] + b[1]) / 2.0;
        let lane: Vec<LonLat> = (0..=12)
            .map(|i| {
                let x = a[0] + (b[0] - a[0]) * i as f64 / 12.0;
                [x, mid + (i as f64 * 1.3).sin() * 0.0004]
            })
            .collect();
        features.push(line("lane", &lane));
        for i in 1..6 {
            let x = a[0] + (b[0] - a[0]) * i as f64 / 6.0;
            features.push(line("lane", &[[x, mid], [x + 0.0003, b[1]]]));
        }
        for (name, at) in [
            ("磁器口古镇牌坊", [a[0] + (b[0] - a[0]) * 0.1, a[1] + (b[1] - a[1]) * 0.15]),
            ("宝轮寺", [a[0] + (b[0] - a[0]) * 0.35, mid + (b[1] - mid) * 0.55]),
            ("磁器口码头", [a[0] + (b[0] - a[0]) * 0.7, b[1] - 0.0002]),
        ] {
            features.push(json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": at },
                                  "properties": { "class": "landmark", "name": name } }));
        }
    }
    json!({ "type": "FeatureCollection", "features": features, "schematic": true })
}

fn closed(ring: &[LonLat]) -> Vec<LonLat> {
    let mut v = ring.to_vec();
    if let Some(f) = ring.first() {
        v.push(*f);
    }
    v
}

fn polygon(class: &str, p: &Polygon) -> Value {
    json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [closed(&p.0)] }, "properties": { "class": class } })
}

fn line(class: &str, pts: &[LonLat]) -> Value {
    json!({ "type": "Feature", "geometry": { "type": "LineString", "coordinates": pts }, "properties": { "class": class } })
}

/// The source of the public map's building footprints.
pub const PUBLIC_BUILDINGS: &str = "public-buildings";

/// The small flat map of the residents' public form: the basemap and the buildings' footprints
/// (public addresses), nothing of the street's cases, devices or people.
pub fn public_style(basemap_url: &str, buildings_url: &str, centre: LonLat, zoom: f64) -> Value {
    let mut style = super::style(&super::SourceUrls { basemap: basemap_url, areas: "", floors: "", devices: "", cases: "" }, centre, zoom);
    let keep = |l: &Value| l["id"] == "background" || l["source"] == super::ids::BASEMAP;
    let mut layers: Vec<Value> = style["layers"].as_array().map(|ls| ls.iter().filter(|l| keep(l)).cloned().collect()).unwrap_or_default();
    layers.push(json!({ "id": "public-footprints", "type": "fill", "source": PUBLIC_BUILDINGS, "paint": { "fill-color": "#3b5478", "fill-opacity": 0.85 } }));
    layers.push(json!({ "id": "public-outlines", "type": "line", "source": PUBLIC_BUILDINGS, "paint": { "line-color": "#7aa7d9", "line-width": 0.6 } }));
    style["name"] = json!("zhizhi-public");
    style["pitch"] = json!(0);
    style["bearing"] = json!(0);
    style["sources"] = json!({
        super::ids::BASEMAP: { "type": "geojson", "data": basemap_url },
        PUBLIC_BUILDINGS: { "type": "geojson", "data": buildings_url },
    });
    style["layers"] = Value::Array(layers);
    style
}

/// The buildings' footprints with their addresses, for the public map.
pub fn public_buildings(buildings: &[crate::place::Building]) -> Value {
    let features: Vec<Value> = buildings
        .iter()
        .map(|b| {
            json!({
                "type": "Feature",
                "id": b.id,
                "properties": { "address": b.address },
                "geometry": { "type": "Polygon", "coordinates": super::ring(&b.footprint) },
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}
