use super::view::{order, HouseholdRow};
use super::*;
use crate::demo::{generate, DEFAULT_SEED};

fn gauge() -> Gauge {
    Gauge {
        device_id: 1,
        code: "SW-1".into(),
        station: "嘉陵江磁器口站".into(),
        datum: Datum::Wusong,
        to_reference_m: 0.0,
        setup_m: Some(178.0),
        warning_m: 180.5,
        guaranteed_m: 183.5,
        primary: true,
        forecast: None,
    }
}

const H: i64 = 3_600_000;

#[test]
fn the_level_follows_the_river_and_a_forecast_only_prepares() {
    let g = gauge();
    let now = 100 * H;
    let at = |m: f64| suggest(&[(&g, Some(m))], now).map(|s| s.level);
    assert_eq!(at(180.4), None, "below the warning level");
    assert_eq!(at(180.5), Some(Level::Iv));
    assert_eq!(at(181.6), Some(Level::Iii));
    assert_eq!(at(182.6), Some(Level::Ii));
    assert_eq!(at(183.5), Some(Level::I));
    let mut f = g.clone();
    f.forecast = Some(Forecast { peak_m: 181.8, peak_at: now + 6 * H, source: "值班员".into(), entered_at: now });
    let s = suggest(&[(&f, Some(179.0))], now).unwrap();
    assert_eq!(s.level, Level::Iv, "a forecast at the Ⅲ line prepares at Ⅳ");
    assert!(s.reason_zh.contains("预报"), "{}", s.reason_zh);
    assert_eq!(suggest(&[(&f, Some(179.0))], now + 7 * H), None, "a peak that has passed suggests nothing");
    // The highest gauge decides.
    let mut other = gauge();
    other.station = "沿江 2 号水尺".into();
    let s = suggest(&[(&g, Some(180.6)), (&other, Some(182.0))], now).unwrap();
    assert_eq!((s.level, s.station.as_str()), (Level::Iii, "沿江 2 号水尺"));
}

#[test]
fn a_yellow_sea_gauge_is_read_in_the_reference_datum() {
    let mut g = gauge();
    g.datum = Datum::YellowSea;
    g.to_reference_m = 1.7;
    assert!((g.to_reference(178.9) - 180.6).abs() < 1e-9);
    assert_eq!(g.stage(g.to_reference(178.9)), Stage::Warning);
    let bad = GaugeSettings { station: "x".into(), datum: Datum::Wusong, to_reference_m: 1.7, setup_m: None, warning_m: 180.5, guaranteed_m: 183.5, primary: false };
    assert_eq!(bad.check().unwrap_err().field, "to_reference_m");
    let upside = GaugeSettings { datum: Datum::YellowSea, guaranteed_m: 180.0, ..bad.clone() };
    assert_eq!(upside.check().unwrap_err().field, "guaranteed_m");
}

#[test]
fn the_rise_is_measured_over_about_an_hour() {
    let r: Vec<Reading> = (0..13).map(|i| Reading { ts: i * 5 * 60_000, m: 179.0 + 0.05 * i as f64 }).collect();
    let rise = rise_per_hour(&r).unwrap();
    assert!((rise - 0.6).abs() < 1e-6, "{rise}");
    assert_eq!(rise_per_hour(&r[..5]), None, "20 minutes are too short");
}

fn update(state: EvacState, headcount: Option<i64>) -> EvacUpdate {
    EvacUpdate { household_id: 1, state, headcount, shelter_id: None, reason: String::new(), override_full: false, version: 1 }
}

#[test]
fn a_head_count_larger_than_the_household_is_refused() {
    assert!(check_update(EvacState::ToMove, 3, &update(EvacState::Moved, Some(3)), None).is_ok());
    let e = check_update(EvacState::ToMove, 3, &update(EvacState::Moved, Some(4)), None).unwrap_err();
    assert_eq!(e.field, "headcount");
    assert!(e.message.contains("超过该户登记的 3 人"), "{}", e.message);
    assert_eq!(check_update(EvacState::ToMove, 3, &update(EvacState::Moved, None), None).unwrap_err().field, "headcount");
    assert_eq!(check_update(EvacState::ToMove, 3, &update(EvacState::Moved, Some(0)), None).unwrap_err().field, "headcount");
    assert_eq!(check_update(EvacState::ToMove, 3, &update(EvacState::Refused, None), None).unwrap_err().field, "reason");
}

#[test]
fn a_full_shelter_takes_a_household_only_with_an_override_and_a_reason() {
    let mut u = update(EvacState::AtShelter, Some(3));
    u.shelter_id = Some(7);
    let full = Room { capacity: 8, occupancy: 6 };
    let e = check_update(EvacState::Moved, 3, &u, Some(full)).unwrap_err();
    assert_eq!(e.field, "shelter_id");
    assert!(e.message.contains("超员"), "{}", e.message);
    u.override_full = true;
    assert_eq!(check_update(EvacState::Moved, 3, &u, Some(full)).unwrap_err().field, "reason");
    u.reason = "老人行动不便，就近安置".into();
    assert!(check_update(EvacState::Moved, 3, &u, Some(full)).is_ok());
    assert!(check_update(EvacState::Moved, 3, &update(EvacState::AtShelter, Some(2)), Some(full)).is_err(), "no shelter chosen");
    let mut fits = update(EvacState::AtShelter, Some(2));
    fits.shelter_id = Some(7);
    assert!(check_update(EvacState::Moved, 3, &fits, Some(full)).is_ok(), "exactly full is not over");
}

#[test]
fn households_move_forward_and_return_only_at_stand_down() {
    use EvacState::*;
    assert!(ToMove.may_become(Notified) && Notified.may_become(Moved) && Moved.may_become(AtShelter));
    assert!(Refused.may_become(Moved), "a refusal can be talked round");
    assert!(!Moved.may_become(ToMove) && !AtShelter.may_become(Refused) && !Moved.may_become(Returned));
    assert!(!Returned.may_become(Moved));
}

#[test]
fn the_head_count_reaches_all_moved_only_when_everyone_is_out() {
    let mut h = Headcount::default();
    h.add(EvacState::AtShelter, 3, 3);
    h.add(EvacState::Moved, 4, 3);
    h.add(EvacState::Notified, 2, 0);
    assert_eq!((h.must_move, h.moved, h.at_shelter, h.unaccounted), (9, 6, 3, 3));
    assert!(!h.all_moved());
    let mut h = Headcount::default();
    h.add(EvacState::AtShelter, 3, 3);
    h.add(EvacState::WithRelatives, 2, 2);
    assert!(h.all_moved());
    h.add(EvacState::Refused, 1, 0);
    assert!(!h.all_moved(), "a refusal is not all moved");
    let mut home = Headcount::default();
    home.add(EvacState::Returned, 3, 3);
    assert_eq!((home.must_move, home.moved, home.returned), (3, 0, 3));
    assert!(!home.all_moved(), "after the stand-down people are home, not moved");
}

#[test]
fn zones_are_imported_whole_or_not_at_all() {
    let good = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "沿江", "flood_level_m": 181.0},
         "geometry": {"type": "Polygon", "coordinates": [[[106.44, 29.58], [106.45, 29.58], [106.45, 29.59], [106.44, 29.58]]]}}]});
    let z = zones_from_geojson(&good).unwrap();
    assert_eq!(z[0].area.0.len(), 3, "the closing point is dropped");
    let mut bad = good.clone();
    bad["features"][0]["properties"]["flood_level_m"] = serde_json::json!("high");
    bad["features"].as_array_mut().unwrap().push(serde_json::json!({"type": "Feature", "properties": {"name": "x", "flood_level_m": 182.0}, "geometry": {"type": "Point", "coordinates": [1, 2]}}));
    let errors = zones_from_geojson(&bad).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("第 1 个要素") && errors[1].starts_with("第 2 个要素"), "{errors:?}");
}

#[test]
fn the_demo_riverside_row_holds_about_nine_lived_in_households_and_floods_first() {
    let d = generate(DEFAULT_SEED);
    let f = demo::setup(&d);
    assert_eq!(f.gauges.iter().filter(|(_, g)| g.primary).count(), 1);
    assert!(f.gauges.iter().all(|(_, g)| g.check().is_ok()));
    let first = &f.zones[0];
    assert!(f.zones.iter().all(|z| z.flood_level_m >= first.flood_level_m));
    let inside: Vec<_> = d.buildings.iter().filter(|b| first.area.contains(b.anchor())).collect();
    let households: Vec<_> = d.households.iter().filter(|h| inside.iter().any(|b| b.id == h.building_id)).collect();
    let people = d.residents.iter().filter(|r| households.iter().any(|h| h.id == r.household_id)).count();
    assert!((9..=24).contains(&households.len()), "{} households in {} buildings", households.len(), inside.len());
    assert!(people >= 9, "{people} people");
    // In the grid of 磁南街, whose worker the demo has an account for.
    let grid = d.grids.iter().find(|g| g.code == "CQK-01-01").unwrap().id;
    for b in &inside {
        let m = d.micro_grids.iter().find(|m| m.id == b.micro_grid_id).unwrap();
        assert_eq!(m.grid_id, grid, "{} is outside the demo worker's grid", b.address);
    }
    assert!(f.shelters.iter().all(|s| check_shelter(&s.name, s.capacity).is_ok()));
}

#[test]
fn vulnerable_households_come_first_then_ground_floors() {
    let row = |id: i64, floor: i32, vulnerable: bool| HouseholdRow {
        household_id: id,
        building_id: 1,
        address: "磁南街1号".into(),
        unit: format!("{floor}-{id}"),
        floor,
        grid_id: 1,
        grid: String::new(),
        responsible: String::new(),
        members: 1,
        residents: vec![],
        vulnerable,
        evac: None,
    };
    let mut rows = vec![row(1, 3, false), row(2, 1, false), row(3, 4, true), row(4, 2, true)];
    order(&mut rows);
    assert_eq!(rows.iter().map(|r| r.household_id).collect::<Vec<_>>(), vec![4, 3, 2, 1]);
}
