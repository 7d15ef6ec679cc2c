use super::edit::{check_division, merge, overlaps, polygon_problem, split, within, Shape};
use super::*;
use crate::demo;

fn rect(w: f64, s: f64, e: f64, n: f64) -> Polygon {
    Polygon::rect([w, s], [e, n])
}

/// A grid of 0.004° × 0.002° at Ciqikou (about 390 m × 220 m).
fn grid() -> Polygon {
    rect(106.440, 29.580, 106.444, 29.582)
}

fn shape(id: i64, name: &str, p: Polygon) -> Shape {
    Shape { id: Some(id), name: name.into(), boundary: p }
}

#[test]
fn a_tiling_is_valid_and_has_no_gap() {
    let s = [shape(1, "一", rect(106.440, 29.580, 106.442, 29.582)), shape(2, "二", rect(106.442, 29.580, 106.444, 29.582))];
    let r = check_division("第一网格", &grid(), &s);
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!(r.gap_m2, 0.0);
}

#[test]
fn overlapping_micro_grids_are_refused_by_name() {
    let s = [shape(1, "一", rect(106.440, 29.580, 106.4425, 29.582)), shape(2, "二", rect(106.442, 29.580, 106.444, 29.582))];
    let r = check_division("第一网格", &grid(), &s);
    assert_eq!(r.problems, vec!["微网格「一」与「二」重叠：一个地点只能属于一个微网格".to_string()]);
}

#[test]
fn identical_and_nested_polygons_overlap_but_neighbours_do_not() {
    let a = rect(0.0, 0.0, 1.0, 1.0);
    assert!(overlaps(&a, &a.clone()));
    assert!(overlaps(&a, &rect(0.2, 0.2, 0.4, 0.4)));
    assert!(!overlaps(&a, &rect(1.0, 0.0, 2.0, 1.0)), "a shared edge is not an overlap");
    assert!(!overlaps(&a, &rect(1.0, 0.5, 2.0, 0.8)), "nor is part of an edge (a T-junction)");
    assert!(!overlaps(&a, &rect(1.0, 1.0, 2.0, 2.0)), "nor a shared corner");
}

#[test]
fn a_micro_grid_outside_its_grid_and_a_gap_are_reported() {
    let outside = [shape(1, "一", rect(106.440, 29.580, 106.442, 29.583))];
    let r = check_division("第一网格", &grid(), &outside);
    assert_eq!(r.problems, vec!["一超出了所属网格「第一网格」的边界".to_string()]);

    let half = [shape(1, "一", rect(106.440, 29.580, 106.442, 29.582))];
    let r = check_division("第一网格", &grid(), &half);
    assert!(r.ok());
    let expected = grid().area_m2() / 2.0;
    assert!((r.gap_m2 - expected).abs() < 2.0, "gap {} vs {expected}", r.gap_m2);
}

#[test]
fn bad_polygons_are_explained() {
    assert_eq!(polygon_problem(&Polygon(vec![[0.0, 0.0], [1.0, 1.0]])).unwrap(), "至少需要 3 个顶点（现有 2 个）");
    let bow = Polygon(vec![[106.44, 29.58], [106.441, 29.581], [106.441, 29.58], [106.44, 29.581]]);
    assert!(polygon_problem(&bow).unwrap().starts_with("边界自相交"));
    let tiny = rect(106.44, 29.58, 106.44005, 29.58005);
    assert!(polygon_problem(&tiny).unwrap().contains("小于 100 平方米"));
    let s = [shape(1, " ", rect(106.440, 29.580, 106.442, 29.582)), shape(2, "二", rect(106.442, 29.580, 106.444, 29.582)),
             shape(3, "二", rect(106.440, 29.580, 106.4401, 29.5801))];
    let r = check_division("第一网格", &grid(), &s);
    assert!(r.problems.contains(&"第 1 个微网格没有名称".to_string()), "{:?}", r.problems);
    assert!(r.problems.contains(&"微网格名称「二」重复".to_string()), "{:?}", r.problems);
}

#[test]
fn split_then_merge_gives_back_the_shape() {
    let g = grid();
    let (left, right) = split(&g, [106.442, 29.579], [106.442, 29.583]).unwrap();
    // The cut runs north: the western half is on its left.
    assert!(left.centroid()[0] < 106.442 && right.centroid()[0] > 106.442);
    assert!((left.area_m2() + right.area_m2() - g.area_m2()).abs() < 1.0);
    assert!(!overlaps(&left, &right) && within(&left, &g) && within(&right, &g));
    let back = merge(&left, &right).unwrap();
    assert!((back.area_m2() - g.area_m2()).abs() < 1.0);
    assert_eq!(back.0.len(), 4, "the cut's vertices are dropped again: {:?}", back.0);
}

#[test]
fn merge_handles_t_junctions_and_refuses_strangers() {
    // One tall rectangle beside two short ones: the tall one's edge has no vertex at the join.
    let tall = rect(0.0, 0.0, 0.01, 0.02);
    let low = rect(0.01, 0.0, 0.02, 0.01);
    let merged = merge(&tall, &low).unwrap();
    assert!((merged.area_m2() - tall.area_m2() - low.area_m2()).abs() < 1.0);
    let far = rect(0.05, 0.05, 0.06, 0.06);
    assert_eq!(merge(&tall, &far).unwrap_err(), "两个微网格不相邻（没有共同的边界），不能合并");
    assert!(split(&tall, [0.02, 0.0], [0.03, 0.001]).unwrap_err().starts_with("分割线须恰好两次穿过边界"));
}

#[test]
fn the_demo_district_divides_cleanly() {
    let d = demo::generate(demo::DEFAULT_SEED);
    for g in &d.grids {
        let shapes: Vec<Shape> = d.micro_grids.iter().filter(|m| m.grid_id == g.id).map(|m| shape(m.id, &m.name, m.boundary.clone())).collect();
        let r = check_division(&g.name, &g.boundary, &shapes);
        assert!(r.ok() && r.gap_m2 == 0.0, "{}: {:?} gap {}", g.name, r.problems, r.gap_m2);
    }
}

#[test]
fn one_slab_per_floor_with_stable_ids() {
    let d = demo::generate(demo::DEFAULT_SEED);
    let b = d.buildings.iter().find(|b| b.floors >= 6).unwrap();
    let fc = floor_features(std::slice::from_ref(b));
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), b.floors as usize);
    let third = &features[2];
    assert_eq!(third["id"], floor_feature_id(b.id, 3));
    assert_eq!(third["properties"]["floor"], 3);
    let (base, top) = (third["properties"]["base"].as_f64().unwrap(), third["properties"]["top"].as_f64().unwrap());
    assert!((base - 2.0 * b.floor_height_m).abs() < 0.06 && top > base && top < base + b.floor_height_m, "{base} {top}");
    // The ring is closed, as GeoJSON wants.
    let ring = third["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.first(), ring.last());
}

#[test]
fn the_style_draws_every_layer_from_a_declared_source_in_severity_colours() {
    let s = style(&SourceUrls::default(), [106.449, 29.579], 15.0);
    assert_eq!(s["version"], 8);
    let sources = s["sources"].as_object().unwrap();
    for layer in s["layers"].as_array().unwrap() {
        if let Some(src) = layer["source"].as_str() {
            assert!(sources.contains_key(src), "layer {} uses undeclared source {src}", layer["id"]);
        }
    }
    let layer = |id: &str| s["layers"].as_array().unwrap().iter().find(|l| l["id"] == id).cloned().unwrap();
    assert_eq!(layer(ids::FLOOR_LAYER)["type"], "fill-extrusion");
    let colours = layer(ids::CASE_LAYER)["paint"]["circle-color"].to_string();
    for c in [SEV_RED, SEV_ORANGE, SEV_YELLOW, SEV_BLUE] {
        assert!(colours.contains(c), "{colours}");
    }
    // Nothing is fetched from outside our server.
    assert!(!s.to_string().contains("http"), "{s}");
    for (_, layers) in ids::TOGGLES {
        for l in layers {
            layer(l);
        }
    }
}

#[test]
fn closed_cases_leave_the_map() {
    use crate::case::view::CaseSummary;
    let json = serde_json::json!({
        "id": 7, "number": "SJ1", "category": "x", "source": "patrol", "state": "dispatched", "suspended_from": null,
        "urgency": "high", "description": "d", "address": "a", "lon": 106.44, "lat": 29.58, "micro_grid_id": 1,
        "grid_id": 1, "place": "p", "grid_worker": "w", "reporter_id": null, "reporter_name": "r", "escalated": false,
        "created_at": 0, "updated_at": 0, "stage_started_at": 0, "stage_deadline": null, "tasks": [], "version": 1
    });
    let mut c: CaseSummary = serde_json::from_value(json).unwrap();
    let f = case_feature(&c).unwrap();
    assert_eq!(f["id"], 7);
    assert_eq!(f["properties"]["urgency"], "high");
    c.state = crate::case::CaseState::Closed;
    assert!(case_feature(&c).is_none());
}

#[test]
fn the_schematic_basemap_has_the_river_and_the_old_town() {
    let d = demo::generate(demo::DEFAULT_SEED);
    let fc = basemap::schematic(&d.communities, &d.grids, Some(1));
    let classes: Vec<&str> = fc["features"].as_array().unwrap().iter().map(|f| f["properties"]["class"].as_str().unwrap()).collect();
    for c in ["land", "water", "road", "lane", "landmark"] {
        assert!(classes.contains(&c), "no {c}");
    }
    assert_eq!(fc["schematic"], true);
}

#[test]
fn dragging_a_shared_corner_along_a_shared_edge_keeps_the_tiling() {
    use super::edit::{move_vertex, snap};
    let g = grid();
    let mut s = vec![shape(1, "一", rect(106.440, 29.580, 106.442, 29.582)), shape(2, "二", rect(106.442, 29.580, 106.444, 29.582))];
    // The south corner of the shared edge, dragged east with a little vertical wobble, snaps
    // back onto the grid's south edge.
    let (from, rough) = ([106.442, 29.580], [106.4428, 29.580_004]);
    let to = snap(rough, &[&g], from, 0.00002);
    assert_eq!(to[1], 29.580);
    move_vertex(&mut s, from, to);
    let top = snap([106.4428, 29.581_996], &[&g], [106.442, 29.582], 0.00002);
    move_vertex(&mut s, [106.442, 29.582], top);
    let r = check_division("第一网格", &g, &s);
    assert!(r.ok() && r.gap_m2 == 0.0, "{:?} {}", r.problems, r.gap_m2);
    assert!(s[0].boundary.area_m2() > s[1].boundary.area_m2());
}

#[test]
fn building_imports_name_every_bad_feature() {
    use super::import::parse_buildings;
    let good = serde_json::json!({ "type": "Feature", "properties": { "address": "磁南街1号", "floors": 6, "usage": "mixed" },
        "geometry": { "type": "Polygon", "coordinates": [[[106.44, 29.58], [106.4403, 29.58], [106.4403, 29.5802], [106.44, 29.5802], [106.44, 29.58]]] } });
    let fc = serde_json::json!({ "type": "FeatureCollection", "features": [good.clone()] });
    let b = parse_buildings(&fc).unwrap();
    assert_eq!((b[0].floors, b[0].floor_height_m, b[0].footprint.0.len(), b[0].name.as_str()), (6, 3.0, 4, "磁南街1号"));
    let mut no_floors = good.clone();
    no_floors["properties"]["floors"] = serde_json::json!(null);
    let mut point = good.clone();
    point["geometry"] = serde_json::json!({ "type": "Point", "coordinates": [106.44, 29.58] });
    let fc = serde_json::json!({ "type": "FeatureCollection", "features": [good.clone(), no_floors, point, good] });
    assert_eq!(parse_buildings(&fc).unwrap_err(), vec![
        "第 2 个要素：缺少 floors（层数，整数）".to_string(),
        "第 3 个要素：几何类型应为 Polygon".to_string(),
        "第 4 个要素：地址「磁南街1号」重复".to_string(),
    ]);
    assert!(parse_buildings(&serde_json::json!([1, 2])).unwrap_err()[0].starts_with("不是 GeoJSON FeatureCollection"));
}

#[test]
fn the_public_map_shows_the_basemap_and_footprints_only() {
    let style = basemap::public_style("/b.geojson", "/p.geojson", [106.45, 29.58], 16.0);
    let sources: Vec<&String> = style["sources"].as_object().unwrap().keys().collect();
    assert_eq!(sources, ["basemap", "public-buildings"], "no cases, devices, floors or areas");
    for layer in style["layers"].as_array().unwrap() {
        let source = layer["source"].as_str().unwrap_or("basemap");
        assert!(["basemap", "public-buildings"].contains(&source), "{layer}");
    }
    assert_eq!(style["pitch"], 0);
}
