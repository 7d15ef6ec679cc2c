//! Who may reach what: the role × endpoint matrix, login, sessions and forged requests,
//! driven through the real router.

use crate::client::App;
use crate::harness::TestDb;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;
use zhizhi_server::demo::DEMO_PASSWORD;
use serde_json::json;

#[tokio::test]
async fn the_role_by_endpoint_matrix() {
    let app = App::new().await;
    let (mine, other) = (1, 2); // 磁南街's grid (the grid worker's) and a neighbour
    let (r_mine, r_other) = (app.resident_in(mine).await, app.resident_in(other).await);
    let reveal = |id: i64| format!("/api/v1/residents/{id}/reveal");
    let why = json!({ "reason": "上门核实独居老人情况" });

    // (account, GET summary, GET own-grid residents, GET other grid, reveal own, reveal other, GET users, GET audit)
    let table: [(Option<&str>, u16, u16, u16, u16, u16, u16, u16); 7] = [
        (None, 401, 401, 401, 401, 401, 401, 401),
        (Some("wanggeyuan"), 200, 200, 403, 200, 403, 403, 403),
        (Some("zhihui"), 200, 200, 200, 200, 200, 403, 403),
        (Some("chengguan"), 200, 403, 403, 403, 403, 403, 403),
        (Some("zhifa"), 200, 403, 403, 403, 403, 403, 403),
        (Some("guanliyuan"), 200, 200, 200, 200, 200, 200, 200),
        (Some("quchengyun"), 200, 403, 403, 403, 403, 403, 403),
    ];
    for (who, summary, own, others, rev_own, rev_other, users, audit) in table {
        let cookie = match who {
            Some(u) => Some(app.login(u).await),
            None => None,
        };
        let c = cookie.as_deref();
        let got = (
            app.get("/api/v1/summary", c).await.status.as_u16(),
            app.get(&format!("/api/v1/grids/{mine}/residents"), c).await.status.as_u16(),
            app.get(&format!("/api/v1/grids/{other}/residents"), c).await.status.as_u16(),
            app.post(&reveal(r_mine), c, why.clone()).await.status.as_u16(),
            app.post(&reveal(r_other), c, why.clone()).await.status.as_u16(),
            app.get("/api/v1/users", c).await.status.as_u16(),
            app.get("/api/v1/audit", c).await.status.as_u16(),
        );
        assert_eq!(got, (summary, own, others, rev_own, rev_other, users, audit), "{who:?}");
    }
    app.db.remove().await;
}

/// The case endpoints by role, on a case at 磁南街 (grid 1) dispatched to 城市管理. Every probe
/// is refused or changes nothing, so the rows do not depend on each other.
#[tokio::test]
async fn the_case_matrix() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let new = json!({ "category": "greening.branch", "description": "行道树断枝", "building_id": 1 });
    let case = app.post("/api/v1/cases", Some(&command), new.clone()).await.body;
    let id = case["case"]["id"].as_i64().unwrap();
    assert_eq!(case["case"]["grid_id"], 1);
    let city = app.db.store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).find(|p| p.name == "城市管理").unwrap().id;
    let d = app.post(&format!("/api/v1/cases/{id}/actions"), Some(&command), json!({ "action": "dispatch", "holders": [{ "kind": "post", "id": city }] })).await.body;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    let act = format!("/api/v1/cases/{id}/actions");
    let on_task = json!({ "action": "request_extension", "task_id": task, "hours": 0, "reason": "需要吊车" });
    let dispatch_none = json!({ "action": "dispatch", "holders": [] });

    // (account, GET the case, report a case, act on 城市管理's task, dispatch)
    // 422 means allowed through to the check of the (deliberately wrong) input.
    let table: [(Option<&str>, u16, u16, u16, u16); 7] = [
        (None, 401, 401, 401, 401),
        (Some("wanggeyuan"), 200, 201, 403, 403),
        (Some("zhihui"), 200, 201, 403, 422),
        (Some("chengguan"), 200, 403, 422, 403),
        (Some("zhifa"), 404, 403, 404, 404),
        (Some("guanliyuan"), 404, 403, 404, 404),
        (Some("quchengyun"), 404, 403, 404, 404),
    ];
    for (who, get, report, task_act, dispatch) in table {
        let cookie = match who {
            Some(u) => Some(app.login(u).await),
            None => None,
        };
        let c = cookie.as_deref();
        let got = (
            app.get(&format!("/api/v1/cases/{id}"), c).await.status.as_u16(),
            app.post("/api/v1/cases", c, new.clone()).await.status.as_u16(),
            app.post(&act, c, on_task.clone()).await.status.as_u16(),
            app.post(&act, c, dispatch_none.clone()).await.status.as_u16(),
        );
        assert_eq!(got, (get, report, task_act, dispatch), "{who:?}");
    }
    let after = app.get(&format!("/api/v1/cases/{id}"), Some(&command)).await.body;
    assert_eq!(after["case"]["version"], d["case"]["version"], "no probe changed the case");
    app.db.remove().await;
}

#[tokio::test]
async fn personal_data_is_masked_and_every_reveal_is_recorded() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let list = app.get("/api/v1/grids/1/residents?limit=5", Some(&admin)).await;
    let first = &list.body[0];
    assert_eq!(first["masked"], true);
    assert!(first["phone"].as_str().unwrap().contains("****"), "{first}");
    assert!(first["id_number"].as_str().unwrap().contains("********"), "{first}");
    assert!(first["name"].as_str().unwrap().ends_with('*'), "{first}");

    let id = first["id"].as_i64().unwrap();
    let no_reason = app.post(&format!("/api/v1/residents/{id}/reveal"), Some(&admin), json!({ "reason": " " })).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.body["field"], "reason");
    assert!(no_reason.body["error"].as_str().unwrap().contains("请说明查看原因"));

    let shown = app.post(&format!("/api/v1/residents/{id}/reveal"), Some(&admin), json!({ "reason": "核实低保申请" })).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["masked"], false);
    assert_eq!(shown.body["phone"].as_str().unwrap().len(), 11);

    let audit = app.get("/api/v1/audit?action=reveal", Some(&admin)).await;
    let entry = &audit.body[0];
    assert_eq!(entry["actor"], "guanliyuan");
    assert_eq!(entry["target"], format!("resident:{id}"));
    assert_eq!(entry["detail"], "核实低保申请");
    let lists = app.get("/api/v1/audit?action=list_residents", Some(&admin)).await;
    assert_eq!(lists.body[0]["target"], "grid:1", "masked list reads are audited too");
    let verdict = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(verdict.body["intact"], true, "{}", verdict.body);
    app.db.remove().await;
}

#[tokio::test]
async fn bad_credentials_are_refused_and_then_throttled() {
    let app = App::new().await;
    let wrong = app.post("/api/v1/login", None, json!({ "username": "zhihui", "password": "wrong-password-1A" })).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"], "用户名或密码错误");
    assert!(wrong.cookie.is_none());
    let nobody = app.post("/api/v1/login", None, json!({ "username": "nobody", "password": "x" })).await;
    assert_eq!(nobody.body["error"], "用户名或密码错误", "the answer does not reveal which accounts exist");
    for _ in 0..4 {
        app.post("/api/v1/login", None, json!({ "username": "zhihui", "password": "wrong-password-1A" })).await;
    }
    // Five failures: even the right password is refused for a while.
    let locked = app.post("/api/v1/login", None, json!({ "username": "zhihui", "password": DEMO_PASSWORD })).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.cookie.is_none());
    // Other accounts are not affected.
    app.login("wanggeyuan").await;
    let admin = app.login("guanliyuan").await;
    let failed = app.get("/api/v1/audit?action=login_failed&actor=zhihui", Some(&admin)).await;
    assert_eq!(failed.body.as_array().unwrap().len(), 5);
    app.db.remove().await;
}

#[tokio::test]
async fn forged_cross_site_requests_change_nothing() {
    let app = App::new().await;
    let c = app.login("zhihui").await;
    let forged = app.send("POST", "/api/v1/logout", Some(&c), Some(json!({})), "cross-site").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body["error"].as_str().unwrap().contains("跨站请求被拒绝"));
    assert_eq!(app.get("/api/v1/me", Some(&c)).await.status, StatusCode::OK, "the session survived");
    // The same request from our own page works.
    assert_eq!(app.post("/api/v1/logout", Some(&c), json!({})).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/me", Some(&c)).await.status, StatusCode::UNAUTHORIZED);
    app.db.remove().await;
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let app = App::new().await;
    let user = app.db.store.user_by_username("zhihui").await.unwrap().unwrap();
    let token = zhizhi_server::auth::new_token();
    let long_ago = zhizhi_server::auth::now_ms() - 31 * 60_000;
    app.db.store.create_session(&zhizhi_server::auth::token_hash(&token), user.id, long_ago, "127.0.0.1").await.unwrap();
    let r = app.get("/api/v1/me", Some(&format!("zz_session={token}"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"], "请先登录");
    app.db.remove().await;
}

#[tokio::test]
async fn administrators_create_accounts_under_the_password_policy_and_tokens_with_scopes() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let weak = app.post("/api/v1/users", Some(&admin), json!({
        "username": "liwei", "display_name": "李伟", "password": "short", "roles": ["grid_worker"], "grid_ids": [3]
    })).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["field"], "password");
    let ok = app.post("/api/v1/users", Some(&admin), json!({
        "username": "liwei", "display_name": "李伟", "password": "Jialing-River-2026", "roles": ["grid_worker"], "grid_ids": [3]
    })).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert!(ok.body.get("password_hash").is_none());
    let dup = app.post("/api/v1/users", Some(&admin), json!({
        "username": "liwei", "display_name": "李伟", "password": "Jialing-River-2026", "roles": ["grid_worker"], "grid_ids": [3]
    })).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body["error"].as_str().unwrap().contains("liwei"));

    let token = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "区平台", "scopes": ["read"] })).await;
    let secret = token.body["token"].as_str().unwrap().to_string();
    let req = Request::get("/api/v1/summary").header(header::AUTHORIZATION, format!("Bearer {secret}")).body(Body::empty()).unwrap();
    assert_eq!(app.router.clone().oneshot(req).await.unwrap().status(), StatusCode::OK);
    let req = Request::get("/api/v1/grids/1/residents").header(header::AUTHORIZATION, format!("Bearer {secret}")).body(Body::empty()).unwrap();
    assert_eq!(app.router.clone().oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED, "a read token reads no personal data");
    app.db.remove().await;
}

#[tokio::test]
async fn a_password_change_follows_the_policy_and_ends_every_session() {
    let app = App::new().await;
    let (a, b) = (app.login("wanggeyuan").await, app.login("wanggeyuan").await);
    let wrong = app.post("/api/v1/me/password", Some(&a), json!({ "current_password": "nope", "new_password": "Jialing-River-2026" })).await;
    assert_eq!((wrong.status, wrong.body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("current_password")));
    let weak = app.post("/api/v1/me/password", Some(&a), json!({ "current_password": DEMO_PASSWORD, "new_password": "abc" })).await;
    assert_eq!(weak.body["field"], "new_password");
    assert_eq!(app.get("/api/v1/me", Some(&b)).await.status, StatusCode::OK, "refused changes end nothing");
    let ok = app.post("/api/v1/me/password", Some(&a), json!({ "current_password": DEMO_PASSWORD, "new_password": "Jialing-River-2026" })).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(app.get("/api/v1/me", Some(&b)).await.status, StatusCode::UNAUTHORIZED, "other sessions end too");
    let old = app.post("/api/v1/login", None, json!({ "username": "wanggeyuan", "password": DEMO_PASSWORD })).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app.post("/api/v1/login", None, json!({ "username": "wanggeyuan", "password": "Jialing-River-2026" })).await;
    assert_eq!(new.status, StatusCode::OK);
    app.db.remove().await;
}

#[tokio::test]
async fn an_expired_password_must_be_changed_before_anything_else() {
    let app = App::new().await;
    // An account whose password was set long ago (the policy allows 90 days).
    app.db.store.create_user(&zhizhi_server::storage::NewUser {
        username: "laozhang".into(), display_name: "老张".into(), password_hash: zhizhi_server::auth::hash_password("Old-Password-2024"),
        roles: vec![zhizhi_shared::auth::Role::Command], post_id: None, grid_ids: vec![], street_id: None, now: 0,
    }).await.unwrap();
    let r = app.post("/api/v1/login", None, json!({ "username": "laozhang", "password": "Old-Password-2024" })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["password_expired"], true);
    let c = r.cookie.unwrap();
    let blocked = app.get("/api/v1/summary", Some(&c)).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.body["error"], "密码已过期，请先修改密码");
    let page = app.get("/", Some(&c)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "pages lead to the password page");
    let changed = app.post("/api/v1/me/password", Some(&c), json!({ "current_password": "Old-Password-2024", "new_password": "New-Password-2026" })).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let again = app.post("/api/v1/login", None, json!({ "username": "laozhang", "password": "New-Password-2026" })).await;
    assert_eq!(again.body["password_expired"], false);
    assert_eq!(app.get("/api/v1/summary", Some(&again.cookie.unwrap())).await.status, StatusCode::OK);
    app.db.remove().await;
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_cannot_sign_in() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let worker = app.login("wanggeyuan").await;
    let id = app.db.store.user_by_username("wanggeyuan").await.unwrap().unwrap().id;
    let r = app.post(&format!("/api/v1/users/{id}/disabled"), Some(&admin), json!({ "disabled": true })).await;
    assert_eq!((r.status, r.body["disabled"].clone()), (StatusCode::OK, json!(true)));
    assert_eq!(app.get("/api/v1/me", Some(&worker)).await.status, StatusCode::UNAUTHORIZED);
    let refused = app.post("/api/v1/login", None, json!({ "username": "wanggeyuan", "password": DEMO_PASSWORD })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["error"], "账号已停用，请联系系统管理员");
    let me = app.db.store.user_by_username("guanliyuan").await.unwrap().unwrap().id;
    let own = app.post(&format!("/api/v1/users/{me}/disabled"), Some(&admin), json!({ "disabled": true })).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let command = app.login("zhihui").await;
    let not_admin = app.post(&format!("/api/v1/users/{id}/disabled"), Some(&command), json!({ "disabled": false })).await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    app.post(&format!("/api/v1/users/{id}/disabled"), Some(&admin), json!({ "disabled": false })).await;
    app.login("wanggeyuan").await;
    app.db.remove().await;
}

/// Digit runs of at least `n` in `text`: where a whole identity number (18) or mobile (11)
/// would be.
fn digit_runs(text: &str, n: usize) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit()).filter(|r| r.len() >= n).map(str::to_string).collect()
}

#[tokio::test]
async fn a_grids_residents_export_masked_by_default_and_unmasked_only_with_a_reason_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let (worker, chengguan, admin) = (app.login("wanggeyuan").await, app.login("chengguan").await, app.login("guanliyuan").await);
        let grid = 1; // the grid worker's own
        let real = app.db.store.residents_in_grid(grid, 10_000, 0).await.unwrap();
        assert!(real.len() > 100, "{} residents", real.len());

        // Masked: every resident, and no identity number, mobile or full name anywhere in the file.
        let (status, headers, book) = app.get_raw(&format!("/api/v1/grids/{grid}/residents.xlsx"), &worker).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.contains("%E8%84%B1%E6%95%8F"), "脱敏 in the file's name: {disposition}");
        let text = String::from_utf8_lossy(&book);
        assert_eq!(text.matches("<row ").count(), real.len() + 1, "a row per resident and the header");
        assert_eq!(digit_runs(&text, 11), Vec::<String>::new(), "no run of 11 digits (a mobile) or more (an identity number) anywhere");
        for p in &real {
            assert!(!text.contains(&p.resident.id_number) && !text.contains(&p.resident.phone), "resident {} leaks", p.resident.id);
        }
        assert!(text.contains("身份证号") && text.contains("********"), "the masked column is there");
        let audit = app.get("/api/v1/audit?action=export_residents", Some(&admin)).await.body;
        assert_eq!((audit[0]["actor"].as_str(), audit[0]["target"].as_str()), (Some("wanggeyuan"), Some("grid:1")));
        assert_eq!(audit[0]["detail"], format!("导出脱敏居民表 {} 条", real.len()));

        // Unmasked: only with a reason, only by one who may reveal the grid's residents.
        let (status, _, _) = app.get_raw(&format!("/api/v1/grids/{grid}/residents.xlsx?reason=%E6%A0%B8"), &worker).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a one-character reason");
        let (status, _, _) = app.get_raw(&format!("/api/v1/grids/{grid}/residents.xlsx"), &chengguan).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a post's staff see no residents");
        let (status, _, _) = app.get_raw("/api/v1/grids/2/residents.xlsx?reason=%E4%B8%8A%E9%97%A8%E6%A0%B8%E5%AE%9E", &worker).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "not the worker's grid");
        let reason = "上门核实独居老人情况";
        let encoded: String = reason.bytes().map(|b| format!("%{b:02X}")).collect();
        let (status, headers, book) = app.get_raw(&format!("/api/v1/grids/{grid}/residents.xlsx?reason={encoded}"), &worker).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-disposition"].to_str().unwrap().contains("%E6%98%8E%E6%96%87"), "明文 in the file's name");
        let text = String::from_utf8_lossy(&book);
        assert!(real.iter().all(|p| text.contains(&p.resident.id_number)), "every identity number, unmasked");
        let audit = app.get("/api/v1/audit?action=export_residents", Some(&admin)).await.body;
        assert_eq!(audit[0]["detail"], format!("导出明文居民表 {} 条；原因：{reason}", real.len()));
        let (status, _, _) = app.get_raw("/api/v1/grids/99999/residents.xlsx", &admin).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let verdict = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert_eq!(verdict.body["intact"], true, "{}", verdict.body);
        app.db.remove().await;
    }
}
