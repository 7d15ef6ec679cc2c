//! Importing a street's own building footprints from GeoJSON (a real deployment's survey
//! data instead of the demo's generated district).
//!
//! Each feature is a `Polygon` (WGS-84) with `address` and `floors`, and optionally `name`,
//! `floor_height_m` (default 3.0) and `usage` (`residential`, `mixed`, `commercial`, `public`;
//! default residential). Every problem is reported with the feature's number; nothing is
//! imported unless every feature is good.

use crate::geo::{LonLat, Polygon};
use crate::map::edit::ring_problem;
use crate::map::MAX_FLOORS;
use crate::place::BuildingUse;
use serde_json::Value;

/// A building to import (by address: an existing building with it is updated).
#[derive(Clone, Debug, PartialEq)]
pub struct BuildingImport {
    pub address: String,
    pub name: String,
    pub footprint: Polygon,
    pub floors: i32,
    pub floor_height_m: f64,
    pub usage: BuildingUse,
}

/// At most this many features in one import.
pub const MAX_FEATURES: usize = 20_000;

/// Reads a FeatureCollection of buildings, or says what is wrong with which feature.
pub fn parse_buildings(v: &Value) -> Result<Vec<BuildingImport>, Vec<String>> {
    let Some(features) = v["features"].as_array().filter(|_| v["type"] == "FeatureCollection") else {
        return Err(vec!["不是 GeoJSON FeatureCollection（需要 {\"type\": \"FeatureCollection\", \"features\": […]}）".into()]);
    };
    if features.is_empty() || features.len() > MAX_FEATURES {
        return Err(vec![format!("要素数量应为 1–{MAX_FEATURES} 个（现有 {} 个）", features.len())]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        match one(f) {
            Ok(b) if !seen.insert(b.address.clone()) => errors.push(format!("第 {n} 个要素：地址「{}」重复", b.address)),
            Ok(b) => out.push(b),
            Err(e) => errors.push(format!("第 {n} 个要素：{e}")),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn one(f: &Value) -> Result<BuildingImport, String> {
    let p = &f["properties"];
    if f["geometry"]["type"] != "Polygon" {
        return Err("几何类型应为 Polygon".into());
    }
    let mut ring: Vec<LonLat> = serde_json::from_value(f["geometry"]["coordinates"][0].clone()).map_err(|_| "坐标应为 [[经度, 纬度], …]".to_string())?;
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    let footprint = Polygon(ring);
    // Small sheds are real buildings: only the ring's shape is checked, not its size.
    if let Some(problem) = ring_problem(&footprint) {
        return Err(format!("轮廓无效：{problem}"));
    }
    let address = p["address"].as_str().map(str::trim).filter(|a| !a.is_empty()).ok_or("缺少 address（门牌地址）")?.to_string();
    let floors = p["floors"].as_i64().ok_or("缺少 floors（层数，整数）")?;
    if !(1..=MAX_FLOORS as i64).contains(&floors) {
        return Err(format!("floors 应为 1–{MAX_FLOORS}（现为 {floors}）"));
    }
    let floor_height_m = match &p["floor_height_m"] {
        Value::Null => 3.0,
        h => h.as_f64().filter(|h| (2.0..=10.0).contains(h)).ok_or("floor_height_m 应为 2–10 米")?,
    };
    let usage = match p["usage"].as_str() {
        None => BuildingUse::Residential,
        Some(u) => BuildingUse::from_code(u).ok_or_else(|| format!("usage「{u}」无效（residential、mixed、commercial、public）"))?,
    };
    let name = p["name"].as_str().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&address).to_string();
    Ok(BuildingImport { address, name, footprint, floors: floors as i32, floor_height_m, usage })
}
