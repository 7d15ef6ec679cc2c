//! The map over HTTP: every layer from our own server, a building floor by floor with its
//! residents masked and the read audited, search, and the grid editor (reshape → routing at
//! once, overlaps and stale versions refused, audited).

use crate::client::App;
use axum::http::StatusCode;
use serde_json::{json, Value};
use zhizhi_shared::geo::Polygon;

async fn put(app: &App, uri: &str, cookie: &str, body: Value) -> crate::client::Resp {
    app.send("PUT", uri, Some(cookie), Some(body), "same-origin").await
}

#[tokio::test]
async fn every_layer_is_served_by_our_server() {
    let app = App::new().await;
    assert_eq!(app.get("/api/v1/map/floors.geojson", None).await.status, StatusCode::UNAUTHORIZED);
    let zhihui = app.login("zhihui").await;
    let style = app.get("/api/v1/map/style.json", Some(&zhihui)).await;
    assert_eq!(style.status, StatusCode::OK);
    for (name, source) in style.body["sources"].as_object().unwrap() {
        if let Some(url) = source["data"].as_str() {
            assert!(url.starts_with("/api/v1/map/"), "{name}: {url}");
            let r = app.get(url, Some(&zhihui)).await;
            assert_eq!(r.status, StatusCode::OK, "{url}");
            assert_eq!(r.body["type"], "FeatureCollection", "{url}");
        }
    }
    let buildings = app.db.store.buildings().await.unwrap();
    let floors = app.get("/api/v1/map/floors.geojson", Some(&zhihui)).await;
    let total: i64 = buildings.iter().map(|b| b.floors as i64).sum();
    assert_eq!(floors.body["features"].as_array().unwrap().len() as i64, total, "one feature per floor");
    let areas = app.get("/api/v1/map/areas.geojson", Some(&zhihui)).await;
    let grids = areas.body["features"].as_array().unwrap().iter().filter(|f| f["properties"]["level"] == "grid").count();
    assert_eq!(grids, 33);
    let devices = app.get("/api/v1/map/devices.geojson", Some(&zhihui)).await;
    assert_eq!(devices.body["features"].as_array().unwrap().len(), 3368);
    // A case reported now is on the cases layer; a grid worker's map shows only their grid.
    let cases = app.get("/api/v1/map/cases.geojson", Some(&zhihui)).await;
    let before = cases.body["features"].as_array().unwrap().len();
    let b = &buildings[40];
    let r = app.post("/api/v1/cases", Some(&zhihui), json!({ "category": "greening.branch", "description": "行道树断枝悬挂", "building_id": b.id })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cases = app.get("/api/v1/map/cases.geojson", Some(&zhihui)).await;
    let features = cases.body["features"].as_array().unwrap();
    assert_eq!(features.len(), before + 1);
    let f = features.iter().find(|f| f["id"] == r.body["case"]["id"]).expect("the new case");
    assert_eq!(f["properties"]["urgency"], r.body["case"]["urgency"]);
    let worker = app.login("wanggeyuan").await;
    let mine = app.get("/api/v1/map/devices.geojson", Some(&worker)).await.body["features"].as_array().unwrap().len();
    assert!(mine > 0 && mine < 3368, "{mine}");
    app.db.remove().await;
}

#[tokio::test]
async fn a_building_opens_floor_by_floor_with_residents_masked_and_the_read_audited() {
    let app = App::new().await;
    let zhihui = app.login("zhihui").await;
    let buildings = app.db.store.buildings().await.unwrap();
    let b = buildings.iter().find(|b| b.floors >= 6).unwrap();
    let r = app.get(&format!("/api/v1/map/buildings/{}", b.id), Some(&zhihui)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let floors = r.body["floor_list"].as_array().unwrap();
    assert_eq!(floors.len(), b.floors as usize);
    assert_eq!(floors[0]["floor"], b.floors, "the top floor first");
    let residents: Vec<&Value> = floors.iter().flat_map(|f| f["households"].as_array().unwrap()).flat_map(|h| h["residents"].as_array().unwrap()).collect();
    assert!(!residents.is_empty());
    for p in &residents {
        assert!(p["name"].as_str().unwrap().contains('*'), "masked: {p}");
        assert!(p["phone"].as_str().unwrap().contains("****"), "masked: {p}");
    }
    assert!(r.body["grid_worker"].as_str().is_some_and(|w| !w.is_empty()));
    let audit = app.db.store.audit_entries(&zhizhi_server::storage::AuditQuery { action: Some("view_building".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target, format!("building:{}", b.id));
    // Post staff see the floors, not the residents; nothing to audit.
    let post = app.login("chengguan").await;
    let r = app.get(&format!("/api/v1/map/buildings/{}", b.id), Some(&post)).await;
    assert_eq!(r.body["residents_shown"], false);
    assert!(r.body["floor_list"].as_array().unwrap().iter().all(|f| f["households"].as_array().unwrap().iter().all(|h| h["residents"].as_array().unwrap().is_empty())));
    assert_eq!(app.get("/api/v1/map/buildings/999999", Some(&zhihui)).await.status, StatusCode::NOT_FOUND);
    // Search flies to an address.
    let hits = app.get(&format!("/api/v1/map/search?q={}", urlencode(&b.address)), Some(&zhihui)).await;
    assert_eq!(hits.body[0]["kind"], "building", "{}", hits.body);
    assert_eq!(hits.body[0]["id"], b.id);
    app.db.remove().await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|c| if c.is_ascii_alphanumeric() { (c as char).to_string() } else { format!("%{c:02X}") }).collect()
}

/// The first two micro-grids of a grid share an edge running north–south: moves it east by
/// 40 % of the second's width. Returns both new shapes (as the editor sends them) and a point
/// in the strip that changed hands.
fn move_shared_edge(division: &Value) -> (Value, Value, [f64; 2]) {
    let poly = |m: &Value| -> Polygon { serde_json::from_value(m["boundary"].clone()).unwrap() };
    let (a, b) = (&division["micro_grids"][0], &division["micro_grids"][1]);
    let ((asw, ane), (bsw, bne)) = (poly(a).bbox(), poly(b).bbox());
    assert_eq!(ane[0], bsw[0], "the demo's first two micro-grids are side by side");
    let x = ane[0] + 0.4 * (bne[0] - bsw[0]);
    let a2 = json!({ "id": a["id"], "name": a["name"], "boundary": Polygon::rect(asw, [x, ane[1]]) });
    let b2 = json!({ "id": b["id"], "name": b["name"], "boundary": Polygon::rect([x, bsw[1]], bne) });
    (a2, b2, [(ane[0] + x) / 2.0, (asw[1] + ane[1]) / 2.0])
}

#[tokio::test]
async fn the_grid_editor_reshapes_a_micro_grid_and_routing_follows_at_once() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let zhihui = app.login("zhihui").await;
    assert_eq!(app.get("/api/v1/grids/7/division", Some(&zhihui)).await.status, StatusCode::FORBIDDEN, "command staff do not edit grids");
    let d = app.get("/api/v1/grids/7/division", Some(&admin)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.body["report"]["problems"], json!([]));
    assert_eq!(d.body["report"]["gap_m2"], 0.0);
    let version = d.body["version"].as_i64().unwrap();
    let rest: Vec<Value> = d.body["micro_grids"].as_array().unwrap()[2..].to_vec();
    let (a2, b2, strip) = move_shared_edge(&d.body);
    let (a_id, b_id) = (a2["id"].as_i64().unwrap(), b2["id"].as_i64().unwrap());
    assert_eq!(app.db.store.micro_grid_at(strip).await.unwrap().unwrap().id, b_id);

    // Growing one without shrinking the other overlaps: refused, naming both, nothing saved.
    let b_old = d.body["micro_grids"][1].clone();
    let mut shapes = vec![a2.clone(), b_old];
    shapes.extend(rest.iter().cloned());
    let r = put(&app, "/api/v1/grids/7/division", &admin, json!({ "version": version, "micro_grids": shapes })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let problem = r.body["report"]["problems"][0].as_str().unwrap();
    assert!(problem.contains(&format!("「{}」与「{}」重叠", a2["name"].as_str().unwrap(), b2["name"].as_str().unwrap())), "{problem}");
    assert_eq!(app.db.store.micro_grid_at(strip).await.unwrap().unwrap().id, b_id);

    // Both moved together: saved; a case reported in the strip now goes to the grown one.
    let mut shapes = vec![a2.clone(), b2.clone()];
    shapes.extend(rest.iter().cloned());
    let r = put(&app, "/api/v1/grids/7/division", &admin, json!({ "version": version, "micro_grids": shapes.clone() })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["saved"], true);
    assert_eq!(r.body["version"], version + 1);
    let case = app.post("/api/v1/cases", Some(&zhihui), json!({ "category": "greening.branch", "description": "行道树断枝悬挂", "lon": strip[0], "lat": strip[1] })).await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
    assert_eq!(case.body["case"]["micro_grid_id"], a_id);
    assert!(case.body["case"]["place"].as_str().unwrap().ends_with(a2["name"].as_str().unwrap()), "{}", case.body["case"]["place"]);
    let audit = app.db.store.audit_entries(&zhizhi_server::storage::AuditQuery { action: Some("grid_division_save".into()), limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "guanliyuan");

    // The old version is stale now.
    let r = put(&app, "/api/v1/grids/7/division", &admin, json!({ "version": version, "micro_grids": shapes })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Outside the grid: refused with the grid's name.
    let far = json!({ "id": a_id, "name": a2["name"], "boundary": [[106.0, 29.0], [106.01, 29.0], [106.01, 29.01]] });
    let r = put(&app, "/api/v1/grids/7/division", &admin, json!({ "version": version + 1, "micro_grids": [far] })).await;
    assert!(r.body["report"]["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("超出了所属网格")), "{}", r.body);
    app.db.remove().await;
}

#[tokio::test]
async fn split_and_merge_keep_every_building_routed() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let d = app.get("/api/v1/grids/9/division", Some(&admin)).await.body;
    let ms = d["micro_grids"].as_array().unwrap();
    let poly = |m: &Value| -> Polygon { serde_json::from_value(m["boundary"].clone()).unwrap() };
    // Merge the first two, split the third in two.
    let merged = zhizhi_shared::map::edit::merge(&poly(&ms[0]), &poly(&ms[1])).unwrap();
    let (sw, ne) = poly(&ms[2]).bbox();
    let mid = (sw[0] + ne[0]) / 2.0;
    let (west, east) = zhizhi_shared::map::edit::split(&poly(&ms[2]), [mid, sw[1] - 0.001], [mid, ne[1] + 0.001]).unwrap();
    let mut shapes = vec![
        json!({ "id": ms[0]["id"], "name": ms[0]["name"], "boundary": merged }),
        json!({ "id": ms[2]["id"], "name": ms[2]["name"], "boundary": west }),
        json!({ "id": null, "name": "新划微网格", "boundary": east }),
    ];
    shapes.extend(ms[3..].iter().cloned());
    let r = put(&app, "/api/v1/grids/9/division", &admin, json!({ "version": d["version"], "micro_grids": shapes })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["retired"], json!([ms[1]["id"]]));
    assert!(r.body["buildings_moved"].as_i64().unwrap() > 0);
    let after = app.get("/api/v1/grids/9/division", Some(&admin)).await.body;
    assert_eq!(after["micro_grids"].as_array().unwrap().len(), ms.len());
    assert!(after["micro_grids"].as_array().unwrap().iter().any(|m| m["name"] == "新划微网格" && m["code"].as_str().unwrap().starts_with(d["code"].as_str().unwrap())));
    // Every building of the grid is in a micro-grid that is still in service.
    let live: Vec<i64> = after["micro_grids"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    for b in app.db.store.buildings().await.unwrap() {
        let m = app.db.store.micro_grid_at(b.anchor()).await.unwrap().unwrap();
        assert_eq!(m.id, b.micro_grid_id, "{} routed where it stands", b.address);
        if m.grid_id == 9 {
            assert!(live.contains(&m.id));
        }
    }
    // Assigning the grid worker is checked and audited.
    let r = put(&app, "/api/v1/grids/9/worker", &admin, json!({ "worker_id": 1 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let workers = after["workers"].as_array().unwrap();
    let r = put(&app, "/api/v1/grids/9/worker", &admin, json!({ "worker_id": workers[0][0] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.db.remove().await;
}

#[tokio::test]
async fn building_footprints_are_imported_from_geojson_all_or_nothing() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let existing = app.db.store.buildings().await.unwrap()[10].clone();
    let (sw, ne) = existing.footprint.bbox();
    let square = |w: f64, s: f64| json!([[[w, s], [w + 0.0002, s], [w + 0.0002, s + 0.00015], [w, s + 0.00015], [w, s]]]);
    let new_one = json!({ "type": "Feature", "properties": { "address": "磁南街999号", "floors": 7, "floor_height_m": 3.2 },
                          "geometry": { "type": "Polygon", "coordinates": square(sw[0], sw[1]) } });
    let taller = json!({ "type": "Feature", "properties": { "address": existing.address, "floors": existing.floors + 2 },
                         "geometry": { "type": "Polygon", "coordinates": [[sw, [ne[0], sw[1]], ne, [sw[0], ne[1]], sw]] } });
    let outside = json!({ "type": "Feature", "properties": { "address": "江北某号", "floors": 3 },
                          "geometry": { "type": "Polygon", "coordinates": square(106.60, 29.60) } });
    let before = app.db.store.buildings().await.unwrap().len();
    // One bad feature: nothing is imported, and the answer names it.
    let r = app.post("/api/v1/map/buildings/import", Some(&admin), json!({ "type": "FeatureCollection", "features": [new_one, taller, outside] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("江北某号"), "{}", r.body);
    assert_eq!(app.db.store.buildings().await.unwrap().len(), before);
    let r = app.post("/api/v1/map/buildings/import", Some(&admin), json!({ "type": "FeatureCollection", "features": [new_one, taller] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["inserted"].as_i64(), r.body["updated"].as_i64()), (Some(1), Some(1)));
    let all = app.db.store.buildings().await.unwrap();
    assert_eq!(all.len(), before + 1);
    assert_eq!(all.iter().find(|b| b.id == existing.id).unwrap().floors, existing.floors + 2);
    // The new building is on the map, floor by floor, and cases can be reported at it.
    let zhihui = app.login("zhihui").await;
    let floors = app.get("/api/v1/map/floors.geojson", Some(&zhihui)).await;
    let added = all.iter().find(|b| b.address == "磁南街999号").unwrap();
    let n = floors.body["features"].as_array().unwrap().iter().filter(|f| f["properties"]["building_id"] == added.id).count();
    assert_eq!(n, 7);
    // Lowering floors under existing households is refused.
    let lower = json!({ "type": "Feature", "properties": { "address": existing.address, "floors": 1 },
                        "geometry": { "type": "Polygon", "coordinates": [[sw, [ne[0], sw[1]], ne, [sw[0], ne[1]], sw]] } });
    let r = app.post("/api/v1/map/buildings/import", Some(&admin), json!({ "type": "FeatureCollection", "features": [lower] })).await;
    if existing.floors > 1 && r.status != StatusCode::OK {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body["error"].as_str().unwrap().contains("层数不能改为 1"), "{}", r.body);
    }
    assert_eq!(app.post("/api/v1/map/buildings/import", Some(&zhihui), json!({ "type": "FeatureCollection", "features": [] })).await.status, StatusCode::FORBIDDEN);
    app.db.remove().await;
}

#[tokio::test]
async fn the_streets_geography_goes_to_a_gis_and_its_buildings_come_back_unchanged() {
    let app = App::new().await;
    let (admin, worker) = (app.login("guanliyuan").await, app.login("wanggeyuan").await);
    let (status, headers, body) = app.get_raw("/api/v1/map/geography.geojson", &worker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".geojson"), "{disposition}");
    let fc: Value = serde_json::from_slice(&body).unwrap();
    let features = fc["features"].as_array().unwrap();
    let count = |level: &str| features.iter().filter(|f| f["properties"]["level"] == level).count();
    let store = &app.db.store;
    assert_eq!(count("community"), store.communities().await.unwrap().len());
    assert_eq!(count("grid"), store.grids().await.unwrap().len());
    assert_eq!(count("micro_grid"), store.micro_grids().await.unwrap().len());
    let buildings = store.buildings().await.unwrap();
    assert_eq!(count("building"), buildings.len());
    // Every ring closed, in Chongqing's longitude and latitude.
    for f in features {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        assert!(ring.len() >= 4 && ring.first() == ring.last(), "{}", f["properties"]);
        assert!((106.0..107.0).contains(&ring[0][0].as_f64().unwrap()) && (29.0..30.0).contains(&ring[0][1].as_f64().unwrap()));
    }
    // A building names its micro-grid; the buildings import back as they are.
    let b = features.iter().find(|f| f["properties"]["level"] == "building" && f["properties"]["address"] == buildings[0].address.as_str()).unwrap();
    assert_eq!(b["properties"]["parent"], buildings[0].micro_grid_id);
    let only: Vec<Value> = features.iter().filter(|f| f["properties"]["level"] == "building").cloned().collect();
    let r = app.post("/api/v1/map/buildings/import", Some(&admin), json!({ "type": "FeatureCollection", "features": only })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["inserted"].as_i64(), r.body["updated"].as_i64()), (Some(0), Some(buildings.len() as i64)));
    let after = store.buildings().await.unwrap();
    assert_eq!(after.iter().map(|b| (b.id, b.micro_grid_id, b.floors, &b.address)).collect::<Vec<_>>(), buildings.iter().map(|b| (b.id, b.micro_grid_id, b.floors, &b.address)).collect::<Vec<_>>());
    let (status, _, _) = app.get_raw("/api/v1/map/geography.geojson", "zz_session=nobody").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.db.remove().await;
}
