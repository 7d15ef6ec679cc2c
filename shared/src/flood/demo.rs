//! The demo street's flood set-up: its gauges' lines, three flood zones along the Jialing and
//! three shelters. The zones are drawn from the demo's own buildings: the first is the row of
//! riverside shop-houses next to the 磁器口 station (the households the article's 2021 response
//! moved), the other two bands along the whole bank at higher river levels.

use super::view::NewShelter;
use super::{Datum, GaugeSettings, NewZone};
use crate::demo::{District, STREET_NE, STREET_SW};
use crate::device::DeviceKind;
use crate::geo::Polygon;

/// The demo's flood set-up.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoFlood {
    /// `(device id, settings)`.
    pub gauges: Vec<(i64, GaugeSettings)>,
    pub zones: Vec<NewZone>,
    pub shelters: Vec<NewShelter>,
}

/// 警戒水位 and 保证水位 at 磁器口 in the demo (吴淞高程), as the alarm rules use them.
pub const WARNING_M: f64 = 180.5;
pub const GUARANTEED_M: f64 = 183.5;

/// The riverside row floods first, at this level.
pub const FIRST_ZONE_M: f64 = 181.0;

/// The demo's flood set-up, from the district it goes with.
pub fn setup(d: &District) -> DemoFlood {
    let gauges: Vec<_> = d.devices.iter().filter(|x| x.kind == DeviceKind::WaterLevelGauge).collect();
    let settings = gauges
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let s = GaugeSettings {
                station: if i == 0 { "嘉陵江磁器口站".into() } else { format!("沿江 {} 号水尺", i + 1) },
                datum: Datum::Wusong,
                to_reference_m: 0.0,
                setup_m: Some(178.0),
                warning_m: WARNING_M,
                guaranteed_m: GUARANTEED_M,
                primary: i == 0,
            };
            (g.id, s)
        })
        .collect();
    let mut zones = Vec::new();
    if let Some(station) = gauges.first() {
        zones.push(NewZone { name: "磁器口沿江商铺".into(), flood_level_m: FIRST_ZONE_M, area: riverside_row(d, station.position) });
    }
    let band = |depth: f64| Polygon::rect([STREET_SW[0], STREET_NE[1] - depth], [STREET_NE[0], STREET_NE[1] + 0.0005]);
    zones.push(NewZone { name: "沿江一线低洼区".into(), flood_level_m: 182.5, area: band(0.0012) });
    zones.push(NewZone { name: "沿江二线居住区".into(), flood_level_m: 184.0, area: band(0.0025) });
    let at = |fx: f64, fy: f64| [STREET_SW[0] + (STREET_NE[0] - STREET_SW[0]) * fx, STREET_SW[1] + (STREET_NE[1] - STREET_SW[1]) * fy];
    let shelter = |name: &str, address: &str, p: [f64; 2], capacity: i64, supplies: &str| NewShelter {
        name: name.into(),
        address: address.into(),
        lon: p[0],
        lat: p[1],
        capacity,
        supplies: supplies.into(),
    };
    let shelters = vec![
        shelter("磁器口小学安置点", "磁器口正街小学操场", at(0.2, 0.25), 60, "折叠床 60 张、饮用水 40 箱、方便食品 30 箱、药箱 2 个"),
        shelter("金碧社区活动中心", "金碧街社区服务站二楼", at(0.6, 0.3), 30, "折叠床 30 张、饮用水 20 箱、棉被 30 床"),
        shelter("童家桥临时安置点", "童家桥社区党群服务中心", at(0.85, 0.4), 8, "折叠床 8 张、饮用水 5 箱"),
    ];
    DemoFlood { gauges: settings, zones, shelters }
}

/// The shop-houses nearest the station on the river side, until about nine households with
/// people in them: their footprints' bounding box, a few metres wider.
fn riverside_row(d: &District, station: [f64; 2]) -> Polygon {
    let lived_in = |b: i64| {
        d.households
            .iter()
            .filter(|h| h.building_id == b && d.residents.iter().any(|r| r.household_id == h.id))
            .count()
    };
    let mut near: Vec<_> = d
        .buildings
        .iter()
        .filter(|b| b.anchor()[1] > STREET_NE[1] - 0.0012)
        .map(|b| {
            let a = b.anchor();
            ((a[0] - station[0]).powi(2) + (a[1] - station[1]).powi(2), b)
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut sw = [f64::INFINITY; 2];
    let mut ne = [f64::NEG_INFINITY; 2];
    let mut households = 0;
    for (_, b) in near {
        let n = lived_in(b.id);
        if n == 0 {
            continue;
        }
        let (s, e) = b.footprint.bbox();
        sw = [sw[0].min(s[0]), sw[1].min(s[1])];
        ne = [ne[0].max(e[0]), ne[1].max(e[1])];
        households += n;
        if households >= 9 {
            break;
        }
    }
    const MARGIN: f64 = 0.00003;
    Polygon::rect([sw[0] - MARGIN, sw[1] - MARGIN], [ne[0] + MARGIN, ne[1] + MARGIN])
}
