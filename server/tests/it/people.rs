//! 人房企 search: residents masked and scoped by role and grid, found by fragments and masked
//! forms, filtered by care tag and age; every search audited without the digits typed.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;

#[tokio::test]
async fn people_are_found_by_fragments_masked_and_only_where_the_user_may_look_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let (command, worker, chengguan, admin) = (app.login("zhihui").await, app.login("wanggeyuan").await, app.login("chengguan").await, app.login("guanliyuan").await);
        let grid = 1; // the grid worker's own
        let mine = app.db.store.residents_in_grid(grid, 10_000, 0).await.unwrap();
        let someone = mine.iter().find(|r| r.resident.phone.len() == 11).unwrap().resident.clone();
        let other = app.db.store.residents_in_grid(2, 1, 0).await.unwrap()[0].resident.clone();

        // By a phone as shown masked: found, masked, by command staff and by the grid worker.
        let masked = zhizhi_shared::mask::phone(&someone.phone);
        let uri = format!("/api/v1/people?q={}", masked.replace('*', "%2A"));
        for cookie in [&command, &worker] {
            let r = app.get(&uri, Some(cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let hits = r.body["residents"].as_array().unwrap();
            let hit = hits.iter().find(|h| h["resident"]["id"] == someone.id).unwrap_or_else(|| panic!("{masked} finds {}: {}", someone.id, r.body));
            assert_eq!(hit["resident"]["phone"], masked.as_str());
            assert_eq!(hit["resident"]["masked"], true);
            assert!(!r.body.to_string().contains(&someone.phone) && !r.body.to_string().contains(&someone.id_number), "nothing unmasked");
        }
        // By the last six of an identity number: the grid worker finds their own resident, never
        // another grid's.
        let tail = |id: &str| id[12..].to_string();
        let r = app.get(&format!("/api/v1/people?q={}", tail(&someone.id_number)), Some(&worker)).await;
        assert!(r.body["residents"].as_array().unwrap().iter().any(|h| h["resident"]["id"] == someone.id), "{}", r.body);
        let r = app.get(&format!("/api/v1/people?q={}", tail(&other.id_number)), Some(&worker)).await;
        assert!(r.body["residents"].as_array().unwrap().iter().all(|h| h["grid_id"] == grid), "only their grid: {}", r.body);
        let r = app.get(&format!("/api/v1/people?q={}", tail(&other.id_number)), Some(&command)).await;
        assert!(r.body["residents"].as_array().unwrap().iter().any(|h| h["resident"]["id"] == other.id), "command staff see the street: {}", r.body);
        let r = app.get("/api/v1/people?grid_id=2", Some(&worker)).await;
        assert_eq!(r.body["residents"].as_array().unwrap().len(), 0, "another grid asked for by name: nothing");

        // Filters: living alone, 80 and over — every hit is, and is in the grid worker's grid.
        let r = app.get("/api/v1/people?care=elderly_alone&age=aged", Some(&worker)).await;
        let hits = r.body["residents"].as_array().unwrap();
        assert!(!hits.is_empty(), "the demo has elderly people living alone in grid 1");
        assert!(hits.iter().all(|h| h["age"].as_i64().unwrap() >= 80 && h["resident"]["care_tags"].as_array().unwrap().iter().any(|t| t == "elderly_alone") && h["grid_id"] == grid), "{}", r.body);
        assert!(r.body["buildings"].as_array().unwrap().is_empty(), "people filters list people only");

        // Buildings and businesses by address; a post's staff see those, never residents.
        let street = mine[0].address.chars().take(4).collect::<String>();
        let r = app.get(&format!("/api/v1/people?q={street}"), Some(&chengguan)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["residents_shown"], false);
        assert!(r.body["residents"].as_array().unwrap().is_empty());
        assert!(!r.body["buildings"].as_array().unwrap().is_empty(), "{}", r.body);

        // Every search is in the audit log, the digits typed masked.
        let audit = app.get("/api/v1/audit?action=search_residents", Some(&admin)).await.body;
        let entries = audit.as_array().unwrap();
        assert!(entries.iter().any(|e| e["actor"] == "wanggeyuan" && e["detail"].as_str().unwrap().contains("（独居老人、80 岁以上）")), "{audit}");
        assert!(!audit.to_string().contains(&tail(&someone.id_number)), "no identity number digits in the audit log");
        assert_eq!(app.get(&format!("/api/v1/people?q={}", "磁".repeat(51)), Some(&command)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.db.remove().await;
    }
}

#[tokio::test]
async fn a_residents_page_shows_the_household_and_the_door_sensor_masked_and_is_audited() {
    let app = App::new().await;
    let (worker, command, admin) = (app.login("wanggeyuan").await, app.login("zhihui").await, app.login("guanliyuan").await);
    // A resident of the grid worker's grid with a door sensor set for them.
    let devices = app.db.store.device_records(None).await.unwrap();
    let mine: Vec<i64> = app.db.store.residents_in_grid(1, 10_000, 0).await.unwrap().iter().map(|r| r.resident.id).collect();
    let sensor = devices.iter().find(|d| d.resident_id.is_some_and(|r| mine.contains(&r))).expect("a door sensor in grid 1");
    let id = sensor.resident_id.unwrap();
    let stored = app.db.store.resident(id).await.unwrap().unwrap().resident;

    let r = app.get(&format!("/api/v1/residents/{id}"), Some(&worker)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["resident"]["resident"]["masked"], true);
    assert_eq!(r.body["resident"]["resident"]["name"], zhizhi_shared::mask::name(&stored.name));
    assert_eq!(r.body["household_id"], stored.household_id);
    let watching: Vec<&serde_json::Value> = r.body["devices"].as_array().unwrap().iter().filter(|d| d["for_resident"] == true).collect();
    assert_eq!(watching.len(), 1, "{}", r.body);
    assert_eq!((watching[0]["code"].as_str(), watching[0]["kind"].as_str()), (Some(sensor.code.as_str()), Some("door_sensor")));
    let others = app.db.store.residents_of(r.body["resident"]["building_id"].as_i64().unwrap()).await.unwrap();
    let household = others.iter().filter(|p| p.resident.household_id == stored.household_id && p.resident.id != id).count();
    assert_eq!(r.body["members"].as_array().unwrap().len(), household);
    assert!(!r.body.to_string().contains(&stored.phone) && !r.body.to_string().contains(&stored.id_number), "nothing unmasked");
    assert_eq!(app.get(&format!("/api/v1/residents/{id}"), Some(&command)).await.status, StatusCode::OK);

    // Another grid's resident is not the grid worker's; a resident who does not exist is 404.
    let other = app.db.store.residents_in_grid(2, 1, 0).await.unwrap()[0].resident.id;
    assert_eq!(app.get(&format!("/api/v1/residents/{other}"), Some(&worker)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/residents/999999999", Some(&command)).await.status, StatusCode::NOT_FOUND);
    let audit = app.get("/api/v1/audit?action=view_resident", Some(&admin)).await.body;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    assert!(entries.iter().any(|e| e["actor"] == "wanggeyuan" && e["target"] == format!("resident:{id}")), "{audit}");
    app.db.remove().await;
}
