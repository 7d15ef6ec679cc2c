//! A district of several streets in one deployment: each street's staff see their street's
//! cases, grids and map, in lists, details and the live stream; the district's command centre
//! sees every street. On both engines.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(2);

/// The middle of the first grid of street `code` (`J02`, or `CQK` for the demo street).
async fn first_grid_middle(app: &App, code: &str) -> (i64, [f64; 2]) {
    let grids = app.db.store.grids().await.unwrap();
    let g = grids.iter().find(|g| g.code == format!("{code}-01-01")).expect("the street's first grid");
    let (sw, ne) = g.boundary.bbox();
    (g.id, [(sw[0] + ne[0]) / 2.0, (sw[1] + ne[1]) / 2.0])
}

async fn report_at(app: &App, cookie: &str, at: [f64; 2], what: &str) -> Value {
    let r = app.post("/api/v1/cases", Some(cookie), json!({ "category": "greening.branch", "description": what, "lon": at[0], "lat": at[1] })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["case"].clone()
}

fn ids(list: &Value) -> Vec<i64> {
    list["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn each_streets_staff_see_their_street_and_the_district_sees_all_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::district(db, 3, Default::default()).await;
        let streets = app.db.store.streets().await.unwrap();
        assert_eq!(streets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["磁器口街道", "小龙坎街道", "沙坪坝街道"]);
        // Each street's counts: the demo street holds everything of the deployment but the other
        // streets' geography; the others have their grids and nothing in them.
        let (all, home_counts, other) =
            (app.db.store.summary().await.unwrap(), app.db.store.street_summary(1).await.unwrap(), app.db.store.street_summary(2).await.unwrap());
        assert_eq!((home_counts.residents, home_counts.devices, home_counts.grids), (all.residents, all.devices, 33));
        assert_eq!((other.residents, other.buildings, other.devices, other.grids, other.micro_grids, all.grids), (0, 0, 0, 33, 171, 99));
        let (home, second) = (streets[0].id, streets[1].id);
        let (ciqikou, xiaolongkan, district) = (app.login("zhihui").await, app.login("zhihui02").await, app.login("quzhihui").await);
        let worker02 = app.login("wanggeyuan02").await;
        let (mut home_live, mut second_live, mut district_live) =
            (app.stream(&ciqikou, None).await, app.stream(&xiaolongkan, None).await, app.stream(&district, None).await);

        // A grid worker of 小龙坎 reports in their grid: the case is 小龙坎's.
        let (grid02, at02) = first_grid_middle(&app, "J02").await;
        let there = report_at(&app, &worker02, at02, "小龙坎：行道树断枝").await;
        assert_eq!((there["grid_id"].as_i64(), there["street_id"].as_i64()), (Some(grid02), Some(second)), "{there}");
        // No building there: the address is the place, and the point.
        assert!(there["address"].as_str().unwrap().starts_with("小龙坎"), "{there}");
        // The demo street's command staff report one in theirs.
        let (_, at01) = first_grid_middle(&app, "CQK").await;
        let here = report_at(&app, &ciqikou, at01, "磁器口：行道树断枝").await;
        assert_eq!(here["street_id"].as_i64(), Some(home), "{here}");
        let (there, here) = (there["id"].as_i64().unwrap(), here["id"].as_i64().unwrap());

        // Live: each street's board receives its own case only, the district's both, in order.
        assert_eq!(home_live.next_case(WAIT).await.1["id"].as_i64(), Some(here), "磁器口's board received 小龙坎's case");
        assert_eq!(second_live.next_case(WAIT).await.1["id"].as_i64(), Some(there));
        assert_eq!(district_live.next_case(WAIT).await.1["id"].as_i64(), Some(there));
        assert_eq!(district_live.next_case(WAIT).await.1["id"].as_i64(), Some(here));

        // Lists and details.
        let list = |cookie: String, q: &'static str| {
            let app = &app;
            async move { app.get(&format!("/api/v1/cases{q}"), Some(&cookie)).await }
        };
        let mine = ids(&list(ciqikou.clone(), "").await.body);
        assert!(mine.contains(&here) && !mine.contains(&there), "{mine:?}");
        let theirs = ids(&list(xiaolongkan.clone(), "").await.body);
        assert!(theirs.contains(&there) && !theirs.contains(&here), "{theirs:?}");
        let all = ids(&list(district.clone(), "").await.body);
        assert!(all.contains(&there) && all.contains(&here), "{all:?}");
        assert_eq!(second, 2, "the streets after the demo street are numbered on from it");
        let one = list(district.clone(), "?street=2").await;
        assert_eq!(ids(&one.body), [there], "the district picks one street");
        let refused = list(ciqikou.clone(), "?street=2").await;
        assert_eq!((refused.status, refused.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("street")), "{}", refused.body);
        assert_eq!(app.get(&format!("/api/v1/cases/{there}"), Some(&ciqikou)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/v1/cases/{there}"), Some(&district)).await.status, StatusCode::OK);
        // Acting on another street's case: it does not exist for them.
        let r = app.post(&format!("/api/v1/cases/{there}/actions"), Some(&ciqikou), json!({ "action": "accept" })).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // Each street's open cases, for the district; a street's staff get their own street.
        let loads = app.get("/api/v1/streets", Some(&district)).await.body;
        let open: Vec<(i64, i64)> = loads.as_array().unwrap().iter().map(|s| (s["id"].as_i64().unwrap(), s["open"].as_i64().unwrap())).collect();
        assert_eq!(open, [(home, 1), (second, 1), (3, 0)], "{loads}");
        let mine = app.get("/api/v1/streets", Some(&xiaolongkan)).await.body;
        assert_eq!(mine.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect::<Vec<_>>(), ["小龙坎街道"]);

        // The KPIs and their hot spots: a street judges its own cases, the district all.
        for (cookie, n) in [(&xiaolongkan, 1), (&ciqikou, 1), (&district, 2)] {
            let k = app.get("/api/v1/kpis?period=day", Some(cookie)).await;
            assert_eq!((k.status, k.body["cases"].as_i64()), (StatusCode::OK, Some(n)), "{}", k.body);
            let p = app.get("/api/v1/kpis/points?period=day", Some(cookie)).await;
            assert_eq!(p.body["features"].as_array().map(Vec::len), Some(n as usize), "{}", p.body);
        }

        // Personal data and devices: a street's staff have their street's only (小龙坎 has no
        // residents or devices of its own; 磁器口's are not theirs).
        assert_eq!(app.get("/api/v1/grids/1/residents", Some(&xiaolongkan)).await.status, StatusCode::FORBIDDEN);
        for cookie in [&ciqikou, &district] {
            let r = app.get("/api/v1/grids/1/residents", Some(cookie)).await;
            assert!(r.status == StatusCode::OK && !r.body.as_array().unwrap().is_empty(), "{}", r.body);
        }
        let found = app.get(&format!("/api/v1/people?q={}", crate::cases::enc("王")), Some(&xiaolongkan)).await.body;
        assert_eq!((found["residents"].as_array().map(Vec::len), found["enterprises"].as_array().map(Vec::len)), (Some(0), Some(0)), "{found}");
        let found = app.get(&format!("/api/v1/people?q={}", crate::cases::enc("王")), Some(&ciqikou)).await.body;
        assert!(!found["residents"].as_array().unwrap().is_empty(), "{found}");
        let devices = |cookie: String| {
            let app = &app;
            async move { app.get("/api/v1/devices?limit=10", Some(&cookie)).await.body["total"].as_i64() }
        };
        assert_eq!(devices(xiaolongkan.clone()).await, Some(0));
        assert!(devices(ciqikou.clone()).await > Some(1000));

        // The map: a street's staff get their street's grids, the district every street's.
        let grids_on_map = |cookie: String| {
            let app = &app;
            async move {
                let r = app.get("/api/v1/map/areas.geojson", Some(&cookie)).await;
                assert_eq!(r.status, StatusCode::OK);
                r.body["features"].as_array().unwrap().iter().filter(|f| f["properties"]["level"] == "grid").map(|f| f["properties"]["code"].as_str().unwrap().to_string()).collect::<Vec<_>>()
            }
        };
        let codes02 = grids_on_map(xiaolongkan.clone()).await;
        assert!(!codes02.is_empty() && codes02.iter().all(|c| c.starts_with("J02")), "{codes02:?}");
        let codes = grids_on_map(district.clone()).await;
        assert!(codes.iter().any(|c| c.starts_with("CQK")) && codes.iter().any(|c| c.starts_with("J03")), "{} codes", codes.len());

        // The same post in two streets: each street's member sees the tasks of their street.
        let admin = app.login("guanliyuan").await;
        let city = app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == "城市管理").unwrap().id;
        let member = json!({ "username": "chengguan02", "display_name": "小龙坎城市管理岗", "password": zhizhi_server::demo::DEMO_PASSWORD,
            "roles": ["post"], "post_id": city, "street_id": second });
        assert_eq!(app.post("/api/v1/users", Some(&admin), member).await.status, StatusCode::CREATED);
        let city02 = app.login("chengguan02").await;
        let dispatch = json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city }] });
        for (cookie, id) in [(&xiaolongkan, there), (&ciqikou, here)] {
            let r = app.post(&format!("/api/v1/cases/{id}/actions"), Some(cookie), dispatch.clone()).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        // 磁器口's duty officer reports a case in 小龙坎 (a call about the neighbours): it is
        // 小龙坎's, and theirs to follow as its reporter. 小龙坎 cannot send it to 磁器口's grid.
        let across = report_at(&app, &ciqikou, at02, "相邻街道：井盖缺失").await;
        assert_eq!(across["street_id"].as_i64(), Some(second), "{across}");
        let (grid01, _) = first_grid_middle(&app, "CQK").await;
        let r = app.post(&format!("/api/v1/cases/{there}/actions"), Some(&xiaolongkan), json!({ "action": "dispatch", "holders": [{ "kind": "grid", "id": grid01 }] })).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("holders")), "{}", r.body);
        // Every list is exactly what the rule lets its user see, and so is every detail.
        let all = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap();
        let city01 = app.login("chengguan").await;
        for (name, cookie) in [("zhihui", &ciqikou), ("zhihui02", &xiaolongkan), ("quzhihui", &district), ("wanggeyuan02", &worker02), ("chengguan", &city01), ("chengguan02", &city02)] {
            crate::cases::list_is_the_rule(&app, name, cookie, &all).await;
        }
        let of = |cookie: &String| {
            let app = &app;
            let cookie = cookie.clone();
            async move { ids(&app.get("/api/v1/cases", Some(&cookie)).await.body) }
        };
        assert_eq!((of(&city02).await, of(&city01).await), (vec![there], vec![here]), "each street's 城市管理 sees its own street's task");
        // A contingency plan on 磁器口's case: its response is listed for 磁器口 and the district only.
        let plans = app.get("/api/v1/plans", Some(&ciqikou)).await.body;
        let plan = plans.as_array().unwrap().iter().find(|p| p["body"]["name"] == "重大旅游消费纠纷处置预案").unwrap()["id"].as_i64().unwrap();
        let r = app.post(&format!("/api/v1/plans/{plan}/activations"), Some(&ciqikou), json!({ "case_id": here })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        for (cookie, listed) in [(&ciqikou, true), (&xiaolongkan, false), (&district, true)] {
            let a = app.get("/api/v1/activations", Some(cookie)).await.body;
            let cases: Vec<i64> = a.as_array().unwrap().iter().map(|x| x["case_id"].as_i64().unwrap()).collect();
            assert_eq!(cases.contains(&here), listed, "{a}");
        }

        app.db.remove().await;
    }
}

#[tokio::test]
async fn an_account_is_tied_to_a_street_that_exists() {
    let app = App::district(TestDb::sqlite().await, 2, Default::default()).await;
    let admin = app.login("guanliyuan").await;
    let body = |street: i64| json!({ "username": "zhihui.x", "display_name": "值班员", "password": "Strong-Pass-2026!", "roles": ["command"], "street_id": street });
    let r = app.post("/api/v1/users", Some(&admin), body(99)).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("street_id")), "{}", r.body);
    assert_eq!(app.db.store.users().await.unwrap().iter().filter(|u| u.username == "zhihui.x").count(), 0, "nothing created");
    // A post member must name their street; the district's roles may not; a grid worker's
    // grids lie in their street.
    let refused = [
        json!({ "username": "post.x", "display_name": "岗位", "password": zhizhi_server::demo::DEMO_PASSWORD, "roles": ["post"], "post_id": 1 }),
        json!({ "username": "qu.x", "display_name": "区级", "password": zhizhi_server::demo::DEMO_PASSWORD, "roles": ["district"], "street_id": 2 }),
    ];
    for b in refused {
        let r = app.post("/api/v1/users", Some(&admin), b).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("street_id")), "{}", r.body);
    }
    let r = app.post("/api/v1/users", Some(&admin), json!({ "username": "wgy.x", "display_name": "网格员", "password": zhizhi_server::demo::DEMO_PASSWORD,
        "roles": ["grid_worker"], "grid_ids": [1], "street_id": 2 })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("grid_ids")), "{}", r.body);
    let r = app.post("/api/v1/users", Some(&admin), body(2)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["street_id"], 2);
    // The demo street's own staff belong to it once the demo is a district; the district's do not.
    let users = app.db.store.users().await.unwrap();
    let street_of = |name: &str| users.iter().find(|u| u.username == name).unwrap().street_id;
    assert_eq!((street_of("zhihui"), street_of("wanggeyuan"), street_of("quzhihui"), street_of("guanliyuan")), (Some(1), Some(1), None, None));
    app.db.remove().await;
}
