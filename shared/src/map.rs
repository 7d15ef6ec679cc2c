//! The district map: the MapLibre style (Style Spec JSON, built here so it is typed and tested
//! without a browser), the GeoJSON the server serves for each layer, and the shapes the map's
//! panels share.
//!
//! Every source is GeoJSON from our own server; features carry numeric ids so that a live
//! change is applied with `updateData` / `setFeatureState` on that one feature.

pub mod basemap;
pub mod edit;
pub mod import;
#[cfg(test)]
mod tests;

use crate::case::view::CaseSummary;
use crate::case::Urgency;
use crate::device::DeviceKind;
use crate::geo::{LonLat, Polygon};
use crate::place::{Building, Community, Grid, MicroGrid};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Severity colours, the same as the stylesheet's `--sev-*`: red, orange, yellow, blue.
pub const SEV_RED: &str = "#ff4d4f";
/// See [`SEV_RED`].
pub const SEV_ORANGE: &str = "#ff9c2b";
/// See [`SEV_RED`].
pub const SEV_YELLOW: &str = "#fadb14";
/// See [`SEV_RED`].
pub const SEV_BLUE: &str = "#2f8bff";

/// The colour of an urgency on the map.
pub fn urgency_colour(u: Urgency) -> &'static str {
    match u {
        Urgency::Critical => SEV_RED,
        Urgency::High => SEV_ORANGE,
        Urgency::Medium => SEV_YELLOW,
        Urgency::Normal => SEV_BLUE,
    }
}

/// Floors per building the feature ids leave room for.
pub const MAX_FLOORS: i32 = 127;

/// The id of one floor's feature: building and floor in one number.
pub fn floor_feature_id(building_id: i64, floor: i32) -> i64 {
    building_id * (MAX_FLOORS as i64 + 1) + floor as i64
}

/// The ids of the sources and layers, shared by the style and the code that drives it.
pub mod ids {
    pub const BASEMAP: &str = "basemap";
    pub const AREAS: &str = "areas";
    pub const FLOORS: &str = "floors";
    pub const DEVICES: &str = "devices";
    pub const CASES: &str = "cases";
    /// The polygons being edited in the grid editor, and their vertices.
    pub const EDIT: &str = "edit";
    pub const EDIT_VERTICES: &str = "edit-vertices";
    /// The KPI page's hot spots: the points of a period's cases.
    pub const HEAT: &str = "heat";

    pub const FLOOR_LAYER: &str = "floors";
    pub const CASE_LAYER: &str = "cases";
    pub const CASE_GLOW_LAYER: &str = "cases-glow";
    pub const DEVICE_LAYER: &str = "devices";
    pub const GRID_LAYER: &str = "grid-lines";
    pub const MICRO_LAYER: &str = "micro-grid-lines";
    pub const AREA_FILL_LAYER: &str = "area-fill";
    pub const EDIT_FILL_LAYER: &str = "edit-fill";
    pub const EDIT_VERTEX_LAYER: &str = "edit-vertices";
    pub const HEAT_LAYER: &str = "heat";

    /// The layer groups the board's toggles switch, with the layers in each.
    pub const TOGGLES: [(&str, &[&str]); 4] = [
        ("buildings", &[FLOOR_LAYER]),
        ("grids", &[GRID_LAYER, MICRO_LAYER, AREA_FILL_LAYER]),
        ("devices", &[DEVICE_LAYER]),
        ("cases", &[CASE_LAYER, CASE_GLOW_LAYER]),
    ];
}

/// Where the style's sources are fetched from (paths on our own server).
pub struct SourceUrls<'a> {
    pub basemap: &'a str,
    pub areas: &'a str,
    pub floors: &'a str,
    pub devices: &'a str,
    pub cases: &'a str,
}

impl Default for SourceUrls<'static> {
    fn default() -> Self {
        SourceUrls {
            basemap: "/api/v1/map/basemap.geojson",
            areas: "/api/v1/map/areas.geojson",
            floors: "/api/v1/map/floors.geojson",
            devices: "/api/v1/map/devices.geojson",
            cases: "/api/v1/map/cases.geojson",
        }
    }
}

fn geojson(url: &str) -> Value {
    json!({ "type": "geojson", "data": url })
}

fn empty_source() -> Value {
    json!({ "type": "geojson", "data": { "type": "FeatureCollection", "features": [] } })
}

/// The whole style: a dark command-centre theme, the basemap, grid outlines, buildings as one
/// extruded slab per floor, devices and cases. `centre` and `zoom` are where the camera starts.
pub fn style(urls: &SourceUrls, centre: LonLat, zoom: f64) -> Value {
    let floor_colour = json!([
        "case",
        ["boolean", ["feature-state", "alarm"], false], SEV_RED,
        ["boolean", ["feature-state", "selected"], false], "#4fd1ff",
        ["boolean", ["feature-state", "hover"], false], "#7aa7d9",
        ["match", ["get", "usage"], "commercial", "#4a5f86", "public", "#3f7a6b", "mixed", "#7a6a52", "#3b5478"]
    ]);
    let urgency_colour = json!([
        "match", ["get", "urgency"],
        "critical", SEV_RED, "high", SEV_ORANGE, "medium", SEV_YELLOW, SEV_BLUE
    ]);
    json!({
        "version": 8,
        "name": "zhizhi-dark",
        "center": centre,
        "zoom": zoom,
        "pitch": 50,
        "bearing": -15,
        "sources": {
            ids::BASEMAP: geojson(urls.basemap),
            ids::AREAS: geojson(urls.areas),
            ids::FLOORS: geojson(urls.floors),
            ids::DEVICES: geojson(urls.devices),
            // Filled by the page from the case list it follows the live stream from (so that
            // nothing falls between the two); `urls.cases` serves other clients.
            ids::CASES: empty_source(),
            ids::EDIT: empty_source(),
            ids::EDIT_VERTICES: empty_source(),
            ids::HEAT: empty_source(),
        },
        "layers": [
            { "id": "background", "type": "background", "paint": { "background-color": "#07111f" } },
            { "id": "land", "type": "fill", "source": ids::BASEMAP, "filter": ["==", ["get", "class"], "land"],
              "paint": { "fill-color": "#0c1a2e" } },
            { "id": "water", "type": "fill", "source": ids::BASEMAP, "filter": ["==", ["get", "class"], "water"],
              "paint": { "fill-color": "#0f3557" } },
            { "id": "roads", "type": "line", "source": ids::BASEMAP, "filter": ["==", ["get", "class"], "road"],
              "paint": { "line-color": "#22395a", "line-width": ["interpolate", ["linear"], ["zoom"], 13, 2, 17, 10] } },
            { "id": "lanes", "type": "line", "source": ids::BASEMAP, "filter": ["==", ["get", "class"], "lane"],
              "paint": { "line-color": "#2b4468", "line-width": ["interpolate", ["linear"], ["zoom"], 14, 0.5, 18, 4], "line-dasharray": [2, 1] } },
            { "id": ids::AREA_FILL_LAYER, "type": "fill", "source": ids::AREAS, "filter": ["==", ["get", "level"], "grid"],
              "paint": { "fill-color": ["case", ["boolean", ["feature-state", "selected"], false], "#1d4f7a", "#0e2742"], "fill-opacity": 0.35 } },
            { "id": ids::MICRO_LAYER, "type": "line", "source": ids::AREAS, "filter": ["==", ["get", "level"], "micro_grid"],
              "paint": { "line-color": "#2a6f8f", "line-width": 1, "line-dasharray": [3, 2] } },
            { "id": ids::GRID_LAYER, "type": "line", "source": ids::AREAS, "filter": ["in", ["get", "level"], ["literal", ["grid", "community"]]],
              "paint": { "line-color": ["match", ["get", "level"], "community", "#5ec8ff", "#2aa3d8"],
                         "line-width": ["match", ["get", "level"], "community", 3, 1.6] } },
            { "id": "landmarks", "type": "circle", "source": ids::BASEMAP, "filter": ["==", ["get", "class"], "landmark"],
              "paint": { "circle-radius": 6, "circle-color": "#c9a86a", "circle-stroke-color": "#07111f", "circle-stroke-width": 2 } },
            // Hot spots (热力): denser cases glow brighter, in one hue from blue to white so
            // that the severity colours keep their meaning. Empty but on the KPI page.
            { "id": ids::HEAT_LAYER, "type": "heatmap", "source": ids::HEAT,
              "paint": { "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 13, 18, 15, 30, 17, 60],
                         "heatmap-intensity": ["interpolate", ["linear"], ["zoom"], 13, 0.8, 17, 2],
                         "heatmap-opacity": 0.85,
                         "heatmap-color": ["interpolate", ["linear"], ["heatmap-density"],
                             0, "rgba(0,0,0,0)", 0.2, "#1d4f9a", 0.4, "#1f8fd6", 0.6, "#27c5ff", 0.8, "#4df0d2", 1, "#ffffff"] } },
            { "id": ids::FLOOR_LAYER, "type": "fill-extrusion", "source": ids::FLOORS,
              "paint": { "fill-extrusion-color": floor_colour,
                         "fill-extrusion-base": ["get", "base"],
                         "fill-extrusion-height": ["get", "top"],
                         "fill-extrusion-opacity": 0.88 } },
            { "id": ids::DEVICE_LAYER, "type": "circle", "source": ids::DEVICES, "minzoom": 14,
              "paint": { "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 2, 18, 6],
                         "circle-color": ["match", ["get", "state"], "alarm", SEV_RED, "offline", "#6b7a90", "never", "#3a4656", "#39d98a"],
                         "circle-stroke-color": "#07111f", "circle-stroke-width": 1 } },
            { "id": ids::CASE_GLOW_LAYER, "type": "circle", "source": ids::CASES,
              "paint": { "circle-radius": ["case", ["boolean", ["feature-state", "fresh"], false], 30, 16],
                         "circle-color": urgency_colour.clone(), "circle-blur": 0.8,
                         "circle-opacity": ["case", ["boolean", ["feature-state", "fresh"], false], 0.9, 0.35] } },
            { "id": ids::CASE_LAYER, "type": "circle", "source": ids::CASES,
              "paint": { "circle-radius": 7, "circle-color": urgency_colour,
                         "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
            { "id": ids::EDIT_FILL_LAYER, "type": "fill", "source": ids::EDIT,
              "paint": { "fill-color": ["case", ["boolean", ["get", "selected"], false], "#4fd1ff", "#2a6f8f"],
                         "fill-opacity": ["case", ["boolean", ["get", "selected"], false], 0.35, 0.12],
                         "fill-outline-color": "#9fe7ff" } },
            { "id": "edit-lines", "type": "line", "source": ids::EDIT,
              "paint": { "line-color": ["case", ["boolean", ["get", "selected"], false], "#9fe7ff", "#4f87a8"], "line-width": 2 } },
            { "id": ids::EDIT_VERTEX_LAYER, "type": "circle", "source": ids::EDIT_VERTICES,
              "paint": { "circle-radius": 7, "circle-color": "#ffffff", "circle-stroke-color": "#1d8fe0", "circle-stroke-width": 3 } }
        ]
    })
}

fn ring(p: &Polygon) -> Value {
    let mut coords: Vec<LonLat> = p.0.clone();
    if let Some(first) = coords.first().copied() {
        coords.push(first);
    }
    json!([coords])
}

fn collection(features: Vec<Value>) -> Value {
    json!({ "type": "FeatureCollection", "features": features })
}

/// Buildings as one feature per floor: a slab from `base` to `top` metres (a small gap between
/// floors makes the storeys readable).
pub fn floor_features(buildings: &[Building]) -> Value {
    let mut out = Vec::new();
    for b in buildings {
        let geometry = json!({ "type": "Polygon", "coordinates": ring(&b.footprint) });
        for floor in 1..=b.floors.min(MAX_FLOORS) {
            let base = (floor - 1) as f64 * b.floor_height_m;
            let top = base + b.floor_height_m - (b.floor_height_m * 0.12).min(0.5);
            out.push(json!({
                "type": "Feature",
                "id": floor_feature_id(b.id, floor),
                "geometry": geometry,
                "properties": { "building_id": b.id, "floor": floor, "floors": b.floors, "base": round1(base), "top": round1(top), "usage": b.usage.code() }
            }));
        }
    }
    collection(out)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A map feature's id, unique across the four levels whatever the rows' ids (the streets of a
/// district are numbered far apart): the row's id, then the level (community 0, grid 1,
/// micro-grid 2, building 3).
fn feature_id(id: i64, level: i64) -> i64 {
    id * 4 + level
}

/// Communities, grids and micro-grids as polygons with `level`, `name` and `code`.
pub fn area_features(communities: &[Community], grids: &[Grid], micro_grids: &[MicroGrid]) -> Value {
    let area = |id: i64, level: &str, code: &str, name: &str, parent: Option<i64>, p: &Polygon| {
        json!({
            "type": "Feature",
            "id": feature_id(id, match level { "community" => 0, "grid" => 1, _ => 2 }),
            "geometry": { "type": "Polygon", "coordinates": ring(p) },
            "properties": { "level": level, "area_id": id, "code": code, "name": name, "parent": parent }
        })
    };
    let mut out: Vec<Value> = communities.iter().map(|c| area(c.id, "community", "", &c.name, None, &c.boundary)).collect();
    out.extend(grids.iter().map(|g| area(g.id, "grid", &g.code, &g.name, Some(g.community_id), &g.boundary)));
    out.extend(micro_grids.iter().map(|m| area(m.id, "micro_grid", &m.code, &m.name, Some(m.grid_id), &m.boundary)));
    collection(out)
}

/// The street's geography to take to a GIS: communities, grids, micro-grids (as
/// [`area_features`]) and buildings (`level` `building`, `parent` its micro-grid, with the
/// properties [`import::parse_buildings`] reads back: `address`, `name`, `floors`,
/// `floor_height_m`, `usage`). WGS-84 longitude and latitude, as stored.
pub fn geography(communities: &[Community], grids: &[Grid], micro_grids: &[MicroGrid], buildings: &[crate::place::Building]) -> Value {
    let mut out = area_features(communities, grids, micro_grids);
    let Some(features) = out["features"].as_array_mut() else { return out };
    features.extend(buildings.iter().map(|b| {
        json!({
            "type": "Feature",
            "id": feature_id(b.id, 3),
            "geometry": { "type": "Polygon", "coordinates": ring(&b.footprint) },
            "properties": {
                "level": "building", "area_id": b.id, "code": "", "name": b.name, "parent": b.micro_grid_id,
                "address": b.address, "floors": b.floors, "floor_height_m": b.floor_height_m, "usage": b.usage.code()
            }
        })
    }));
    out
}

/// A device on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapDevice {
    pub id: i64,
    pub code: String,
    pub kind: DeviceKind,
    /// `alarm`, `offline`, `never` (never heard) or `online`.
    pub state: String,
    pub building_id: Option<i64>,
    pub floor: Option<i32>,
    pub at: LonLat,
}

/// One device's feature.
pub fn device_feature(d: &MapDevice) -> Value {
    json!({
        "type": "Feature",
        "id": d.id,
        "geometry": { "type": "Point", "coordinates": d.at },
        "properties": { "code": d.code, "kind": d.kind.code(), "state": d.state, "building_id": d.building_id, "floor": d.floor }
    })
}

/// Devices as points.
pub fn device_features(devices: &[MapDevice]) -> Value {
    collection(devices.iter().map(device_feature).collect())
}

/// One case's feature, if it has a place on the map and is still open. The id is the case's id,
/// so a live event replaces exactly this feature.
pub fn case_feature(c: &CaseSummary) -> Option<Value> {
    let (lon, lat) = (c.lon?, c.lat?);
    if c.state.is_final() {
        return None;
    }
    Some(json!({
        "type": "Feature",
        "id": c.id,
        "geometry": { "type": "Point", "coordinates": [lon, lat] },
        "properties": { "case_id": c.id, "number": c.number, "category": c.category_name(), "state": c.state.code(),
                        "urgency": c.urgency.code(), "address": c.address }
    }))
}

/// Open cases as points.
pub fn case_features(cases: &[CaseSummary]) -> Value {
    collection(cases.iter().filter_map(case_feature).collect())
}

/// A floor of a building, with its households, for the building panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FloorView {
    pub floor: i32,
    pub households: Vec<HouseholdView>,
    /// Devices on this floor (by code), and whether any is alarming.
    pub devices: Vec<FloorDevice>,
}

/// A household and its residents (masked unless revealed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: i64,
    pub unit: String,
    pub residents: Vec<ResidentBrief>,
}

/// A resident as the building panel lists them (masked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentBrief {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub tags: Vec<String>,
}

/// A device in the building panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FloorDevice {
    pub id: i64,
    pub code: String,
    pub kind: DeviceKind,
    pub state: String,
}

/// A case in the building panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseBrief {
    pub id: i64,
    pub number: String,
    pub category: String,
    pub state: String,
    pub urgency: Urgency,
    pub created_at: i64,
}

/// What a click on a building opens: its floors from the top down, households, residents,
/// devices and recent cases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingDetail {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub usage: String,
    pub floors: i32,
    pub floor_height_m: f64,
    pub micro_grid: String,
    pub grid: String,
    pub grid_worker: String,
    /// Whether the residents may be listed to this caller (their grid, or command staff).
    pub residents_shown: bool,
    pub floor_list: Vec<FloorView>,
    /// Devices without a floor (the building's cameras, a gauge).
    pub other_devices: Vec<FloorDevice>,
    pub cases: Vec<CaseBrief>,
    pub anchor: LonLat,
}

/// A search result: something to fly to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// `building`, `grid` or `micro_grid`.
    pub kind: String,
    pub id: i64,
    pub label: String,
    pub detail: String,
    pub at: LonLat,
    pub zoom: f64,
}
