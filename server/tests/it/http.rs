//! The router, driven in-process: health, the summary API and the server-rendered shell.

use crate::harness::TestDb;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use zhizhi_server::http::router;
use zhizhi_server::state::AppState;

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn app_with_demo() -> (TestDb, axum::Router) {
    let db = TestDb::sqlite().await;
    zhizhi_server::demo::load(db.store.as_ref()).await.unwrap();
    let state = AppState::new(db.store.clone(), std::path::Path::new("target/site"), "127.0.0.1:0".parse().unwrap());
    (db, router(state))
}

#[tokio::test]
async fn health_and_summary() {
    let (db, app) = app_with_demo().await;
    let (status, body) = get(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = get(&app, "/api/v1/summary").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the counts are for signed-in users");
    let token = zhizhi_server::auth::new_token();
    db.store.create_api_token("test", &zhizhi_server::auth::token_hash(&token), &["read".into()], 0, None).await.unwrap();
    let req = Request::get("/api/v1/summary").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert_eq!(status, StatusCode::OK);
    let s: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(s["grids"], 33);
    assert_eq!(s["micro_grids"], 171);
    assert!(s["devices"].as_i64().unwrap() >= 2000);
    let phe = s["residents"].as_i64().unwrap() + s["households"].as_i64().unwrap() + s["enterprises"].as_i64().unwrap();
    assert!(phe >= 45_000, "{phe}");
    db.remove().await;
}

#[tokio::test]
async fn the_command_screen_is_rendered_on_the_server_in_chinese() {
    let (db, app) = app_with_demo().await;
    // Without a session the page sends the visitor to the login page.
    let resp = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/login");

    zhizhi_server::demo::accounts(db.store.as_ref()).await.unwrap();
    let login = Request::post("/api/v1/login")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!(r#"{{"username":"zhihui","password":"{}"}}"#, zhizhi_server::demo::DEMO_PASSWORD)))
        .unwrap();
    let resp = app.clone().oneshot(login).await.unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let resp = app.clone().oneshot(Request::get("/").header("cookie", cookie).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"zh-CN\""), "{}", &html[..200.min(html.len())]);
    assert!(html.contains("基层治理中心"));
    assert!(html.contains("磁器口街道"));
    assert!(html.contains("171"), "micro-grid count rendered");
    assert!(html.contains("平安法治"));
    db.remove().await;
}

#[tokio::test]
async fn an_unknown_page_is_a_404_in_chinese() {
    let (db, app) = app_with_demo().await;
    let (status, _) = get(&app, "/no-such-page").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "anonymous visitors see nothing but the login page");
    zhizhi_server::demo::accounts(db.store.as_ref()).await.unwrap();
    let token = zhizhi_server::auth::new_token();
    let user = db.store.user_by_username("zhihui").await.unwrap().unwrap();
    db.store.create_session(&zhizhi_server::auth::token_hash(&token), user.id, zhizhi_server::auth::now_ms(), "test").await.unwrap();
    let req = Request::get("/no-such-page").header("cookie", format!("zz_session={token}")).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("页面不存在"));
    db.remove().await;
}

/// Whichever way the binary was built (cargo-leptos names the wasm `zhizhi.wasm`, a plain
/// `cargo build` makes pages ask for `zhizhi_bg.wasm`), the wasm a page asks for is served from
/// the site folder as cargo-leptos or wasm-bindgen wrote it: the page hydrates.
#[tokio::test]
async fn the_page_gets_its_wasm_whichever_name_the_site_folder_has() {
    let db = TestDb::sqlite().await;
    zhizhi_server::demo::load(db.store.as_ref()).await.unwrap();
    for written in ["zhizhi.wasm", "zhizhi_bg.wasm"] {
        let site = std::env::temp_dir().join(format!("zhizhi-site-{}-{written}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let wasm = b"\0asm\x01\0\0\0 a site's module".to_vec();
        std::fs::write(site.join("pkg").join(written), &wasm).unwrap();
        let app = router(AppState::new(db.store.clone(), &site, "127.0.0.1:0".parse().unwrap()));
        let (status, page) = get(&app, "/login").await;
        assert_eq!(status, StatusCode::OK);
        let asked = page.split('"').find(|s| s.starts_with("/pkg/") && s.ends_with(".wasm")).expect("the page preloads its wasm").to_string();
        let resp = app.clone().oneshot(Request::get(&asked).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{asked} with {written} on disk");
        assert_eq!(resp.into_body().collect().await.unwrap().to_bytes().to_vec(), wasm, "{asked} with {written} on disk");
        // Another file of the folder is not renamed.
        assert_eq!(get(&app, "/pkg/other_bg.wasm").await.0, StatusCode::NOT_FOUND);
        std::fs::remove_dir_all(&site).unwrap();
    }
    db.remove().await;
}
