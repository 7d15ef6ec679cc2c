//! Flood control (防汛): gauges with their datum and warning levels, the response level their
//! readings suggest, flood zones and what lies in them at a river level, and the evacuation of
//! households with its head count and the shelters' occupancy.
//!
//! Levels are in metres above the street's reference datum (吴淞高程, the Yangtze system's
//! datum that Chongqing's flood bulletins use). A gauge that reports in another datum (黄海高程)
//! has an offset that turns its readings into the reference datum; thresholds, forecasts and
//! flood zones are always in the reference datum.

use crate::geo::{LonLat, Polygon};
use crate::plan::Level;
use serde::{Deserialize, Serialize};

pub mod demo;
mod evacuation;
pub mod view;

pub use evacuation::*;

/// The datum a gauge reports in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Datum {
    /// 吴淞高程 (the reference datum).
    Wusong,
    /// 1985 国家高程基准 / 黄海高程.
    YellowSea,
}

impl Datum {
    pub fn code(self) -> &'static str {
        match self {
            Datum::Wusong => "wusong",
            Datum::YellowSea => "yellow_sea",
        }
    }

    pub fn from_code(s: &str) -> Option<Datum> {
        [Datum::Wusong, Datum::YellowSea].into_iter().find(|d| d.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Datum::Wusong => "吴淞高程",
            Datum::YellowSea => "黄海高程",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Datum::Wusong => "Wusong datum",
            Datum::YellowSea => "Yellow Sea datum",
        }
    }
}

/// A forecast peak, entered by staff or received from a forecast feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// In the reference datum.
    pub peak_m: f64,
    /// When the peak is expected (ms).
    pub peak_at: i64,
    /// Who entered it, or the feed's name.
    pub source: String,
    pub entered_at: i64,
}

/// A water-level gauge as flood control sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gauge {
    pub device_id: i64,
    pub code: String,
    /// The station, e.g. 嘉陵江磁器口站.
    pub station: String,
    pub datum: Datum,
    /// Added to a reading to give the reference datum (0 for a 吴淞 gauge).
    pub to_reference_m: f64,
    /// 设防水位, where the station has one.
    pub setup_m: Option<f64>,
    /// 警戒水位.
    pub warning_m: f64,
    /// 保证水位.
    pub guaranteed_m: f64,
    /// The station the street's response follows (the others are shown beside it).
    pub primary: bool,
    pub forecast: Option<Forecast>,
}

/// A gauge's settings as an administrator or command staff send them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaugeSettings {
    pub station: String,
    pub datum: Datum,
    #[serde(default)]
    pub to_reference_m: f64,
    #[serde(default)]
    pub setup_m: Option<f64>,
    pub warning_m: f64,
    pub guaranteed_m: f64,
    #[serde(default)]
    pub primary: bool,
}

/// A forecast peak as staff enter it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastInput {
    pub peak_m: f64,
    pub peak_at: i64,
}

/// A refusal: what is wrong and which field.
#[derive(Clone, Debug, PartialEq)]
pub struct FloodError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FloodError {
    FloodError { field, message: message.into() }
}

/// A plausible river level in metres (the Jialing at Chongqing runs between about 160 m and
/// 200 m; anything outside 0–9000 m is a typing error, whatever the river).
fn plausible(field: &'static str, m: f64) -> Result<(), FloodError> {
    if !m.is_finite() || !(0.0..=9000.0).contains(&m) {
        return Err(err(field, format!("水位 {m} 米不合理，请填写 0 至 9000 米之间的高程")));
    }
    Ok(())
}

impl GaugeSettings {
    /// Checks the settings: a station name, the levels in order.
    pub fn check(&self) -> Result<(), FloodError> {
        let station = self.station.trim();
        if station.is_empty() || station.chars().count() > 40 {
            return Err(err("station", "请填写站名（1 至 40 个字）"));
        }
        plausible("warning_m", self.warning_m)?;
        plausible("guaranteed_m", self.guaranteed_m)?;
        if !self.to_reference_m.is_finite() || self.to_reference_m.abs() > 50.0 {
            return Err(err("to_reference_m", "基面换算值应在 ±50 米以内"));
        }
        if self.datum == Datum::Wusong && self.to_reference_m != 0.0 {
            return Err(err("to_reference_m", "吴淞高程的水位计无需换算，换算值应为 0"));
        }
        if let Some(s) = self.setup_m {
            plausible("setup_m", s)?;
            if s > self.warning_m {
                return Err(err("setup_m", format!("设防水位 {s:.2} 米不能高于警戒水位 {:.2} 米", self.warning_m)));
            }
        }
        if self.guaranteed_m <= self.warning_m {
            return Err(err(
                "guaranteed_m",
                format!("保证水位 {:.2} 米应高于警戒水位 {:.2} 米", self.guaranteed_m, self.warning_m),
            ));
        }
        Ok(())
    }
}

impl ForecastInput {
    /// Checks a forecast: a plausible level, a time not in the past by more than an hour and at
    /// most ten days ahead.
    pub fn check(&self, now: i64) -> Result<(), FloodError> {
        plausible("peak_m", self.peak_m)?;
        const HOUR: i64 = 3_600_000;
        if self.peak_at < now - HOUR || self.peak_at > now + 240 * HOUR {
            return Err(err("peak_at", "洪峰时间应在一小时前至十天后之间"));
        }
        Ok(())
    }
}

/// One reading, in the reference datum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub ts: i64,
    pub m: f64,
}

/// How fast the river rises (negative: falls), in metres per hour: the newest reading against
/// the last one at least 50 minutes older (readings come every 5 minutes). `None` with too
/// short a history.
pub fn rise_per_hour(readings: &[Reading]) -> Option<f64> {
    let newest = readings.iter().max_by_key(|r| r.ts)?;
    let before = readings.iter().filter(|r| r.ts <= newest.ts - 50 * 60_000).max_by_key(|r| r.ts)?;
    let hours = (newest.ts - before.ts) as f64 / 3_600_000.0;
    Some((newest.m - before.m) / hours)
}

/// The state of a gauge's newest level against its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Normal,
    /// Above the set-up level (设防).
    Setup,
    /// Above the warning level (超警).
    Warning,
    /// Above the guaranteed level (超保).
    Guaranteed,
}

impl Stage {
    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Normal => "正常",
            Stage::Setup => "超设防",
            Stage::Warning => "超警戒",
            Stage::Guaranteed => "超保证",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Stage::Normal => "Normal",
            Stage::Setup => "Above set-up",
            Stage::Warning => "Above warning",
            Stage::Guaranteed => "Above guaranteed",
        }
    }

    /// The severity colour of the command centre.
    pub fn colour(self) -> &'static str {
        match self {
            Stage::Normal => "normal",
            Stage::Setup => "blue",
            Stage::Warning => "orange",
            Stage::Guaranteed => "red",
        }
    }
}

impl Gauge {
    /// A raw reading in the reference datum.
    pub fn to_reference(&self, raw: f64) -> f64 {
        raw + self.to_reference_m
    }

    /// Where a level stands against the gauge's lines.
    pub fn stage(&self, m: f64) -> Stage {
        if m >= self.guaranteed_m {
            Stage::Guaranteed
        } else if m >= self.warning_m {
            Stage::Warning
        } else if self.setup_m.is_some_and(|s| m >= s) {
            Stage::Setup
        } else {
            Stage::Normal
        }
    }

    /// The level at which each response level is suggested: Ⅳ at the warning level, Ⅰ at the
    /// guaranteed level, Ⅲ and Ⅱ at a third and two thirds of the way between.
    pub fn thresholds(&self) -> [(Level, f64); 4] {
        let step = (self.guaranteed_m - self.warning_m) / 3.0;
        [
            (Level::Iv, self.warning_m),
            (Level::Iii, self.warning_m + step),
            (Level::Ii, self.warning_m + 2.0 * step),
            (Level::I, self.guaranteed_m),
        ]
    }

    /// The highest level whose threshold `m` reaches.
    pub fn level_at(&self, m: f64) -> Option<Level> {
        self.thresholds().into_iter().rev().find(|(_, t)| m >= *t).map(|(l, _)| l)
    }
}

/// A level the readings suggest, with the reason in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub level: Level,
    pub station: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// What the gauges suggest: for each gauge, the level its newest reading reaches, and one level
/// below what its forecast peak (still ahead) reaches — a forecast prepares, the river itself
/// decides. The highest over all gauges; `None` while every gauge is below its warning level
/// and no forecast reaches beyond it.
pub fn suggest(gauges: &[(&Gauge, Option<f64>)], now: i64) -> Option<Suggestion> {
    let mut best: Option<Suggestion> = None;
    for (g, latest) in gauges {
        let mut consider = |level: Level, zh: String, en: String| {
            if best.as_ref().is_none_or(|b| level > b.level) {
                best = Some(Suggestion { level, station: g.station.clone(), reason_zh: zh, reason_en: en });
            }
        };
        if let Some(m) = latest
            && let Some(l) = g.level_at(*m)
        {
            consider(
                l,
                format!("{}水位 {m:.2} 米，已达{}响应线（警戒 {:.2} 米）", g.station, l.name_zh(), g.warning_m),
                format!("{} at {m:.2} m, at the {} line (warning {:.2} m)", g.station, l.name_en(), g.warning_m),
            );
        }
        if let Some(f) = g.forecast.as_ref().filter(|f| f.peak_at >= now)
            && let Some(l) = g.level_at(f.peak_m).and_then(lower)
        {
            consider(
                l,
                format!("预报{}洪峰 {:.2} 米，提前按{}准备", g.station, f.peak_m, l.name_zh()),
                format!("{} forecast to peak at {:.2} m: prepare at {}", g.station, f.peak_m, l.name_en()),
            );
        }
    }
    best
}

fn lower(l: Level) -> Option<Level> {
    match l {
        Level::Iv => None,
        Level::Iii => Some(Level::Iv),
        Level::Ii => Some(Level::Iii),
        Level::I => Some(Level::Ii),
    }
}

/// A flood zone: the area under water once the river reaches `flood_level_m`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub id: i64,
    pub name: String,
    pub flood_level_m: f64,
    pub area: Polygon,
}

/// A zone to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewZone {
    pub name: String,
    pub flood_level_m: f64,
    pub area: Polygon,
}

/// Reads flood zones from a GeoJSON FeatureCollection of Polygons (the outer ring), each with
/// the properties `name` and `flood_level_m` (the reference datum). Every problem is named, with
/// the feature's number; nothing is taken unless everything is right.
pub fn zones_from_geojson(fc: &serde_json::Value) -> Result<Vec<NewZone>, Vec<String>> {
    let Some(features) = fc.get("features").and_then(|f| f.as_array()) else {
        return Err(vec!["不是 GeoJSON FeatureCollection（缺少 features）".into()]);
    };
    if features.is_empty() {
        return Err(vec!["文件里没有淹没区".into()]);
    }
    if features.len() > 500 {
        return Err(vec![format!("一次最多导入 500 个淹没区，文件里有 {} 个", features.len())]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = &f["properties"];
        let name = props["name"].as_str().map(str::trim).unwrap_or_default();
        if name.is_empty() || name.chars().count() > 40 {
            errors.push(format!("第 {n} 个要素：缺少名称 name（1 至 40 个字）"));
        }
        let level = props["flood_level_m"].as_f64();
        match level {
            Some(m) if plausible("flood_level_m", m).is_ok() => {}
            _ => errors.push(format!("第 {n} 个要素：缺少或不合理的淹没水位 flood_level_m（米，吴淞高程）")),
        }
        let geom = &f["geometry"];
        let ring: Option<Vec<LonLat>> = (geom["type"] == "Polygon")
            .then(|| geom["coordinates"][0].as_array())
            .flatten()
            .map(|r| r.iter().filter_map(|p| Some([p[0].as_f64()?, p[1].as_f64()?])).collect());
        let ring = match ring {
            Some(mut r) if r.len() >= 4 => {
                if r.first() == r.last() {
                    r.pop();
                }
                if r.iter().any(|p| !(-180.0..=180.0).contains(&p[0]) || !(-90.0..=90.0).contains(&p[1])) {
                    errors.push(format!("第 {n} 个要素：坐标超出经纬度范围"));
                }
                r
            }
            _ => {
                errors.push(format!("第 {n} 个要素：几何应为 Polygon，外环至少 3 个点"));
                continue;
            }
        };
        if let Some(m) = level {
            out.push(NewZone { name: name.to_string(), flood_level_m: m, area: Polygon(ring) });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The zones under water at `level_m`.
pub fn flooded(zones: &[Zone], level_m: f64) -> Vec<&Zone> {
    zones.iter().filter(|z| z.flood_level_m <= level_m).collect()
}

#[cfg(test)]
mod tests;
