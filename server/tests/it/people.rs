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
