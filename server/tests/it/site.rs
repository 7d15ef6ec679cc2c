//! The site's files: each build in a folder named by its content, compressed once, cached by its name.

use crate::harness::TestDb;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::io::Read as _;
use tower::ServiceExt;
use zhizhi_server::http::router;
use zhizhi_server::state::AppState;

async fn get(app: &axum::Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// A file of `n` bytes that compresses well, as code does.
fn code(tag: &str, n: usize) -> Vec<u8> {
    format!("/* {tag} */ ").bytes().chain(b"export function hydrate() { return 141; }\n".iter().copied().cycle()).take(n).collect()
}

/// The build folder a page loads from (`/pkg/v/<hash>`).
fn build_of(page: &str) -> String {
    let at = page.find("/pkg/v/").expect("the page loads a build's folder");
    page[at..at + "/pkg/v/".len() + 16].to_string()
}

#[tokio::test]
async fn a_build_is_served_from_a_folder_named_by_its_content_compressed_once_and_cached_by_its_name() {
    let db = TestDb::sqlite().await;
    zhizhi_server::demo::load(db.store.as_ref()).await.unwrap();
    let site = std::env::temp_dir().join(format!("zhizhi-site-hashed-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(pkg.join("snippets/zhizhi-app/inline0")).unwrap();
    let (js, wasm, css, icon) = (code("js", 40_000), code("wasm v1", 200_000), code("css", 9_000), code("svg", 3_000));
    // A split build: the main bundle, a lazy chunk, the loader that imports `./zhizhi.js`.
    let (chunk, loader) = (code("chunk", 30_000), code("import './zhizhi.js'", 2_000));
    std::fs::write(pkg.join("zhizhi.js"), &js).unwrap();
    std::fs::write(pkg.join("zhizhi_bg.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("zhizhi.css"), &css).unwrap();
    std::fs::write(pkg.join("split_LoginRoute.wasm"), &chunk).unwrap();
    std::fs::write(pkg.join("__wasm_split.______________________.js"), &loader).unwrap();
    std::fs::write(pkg.join("snippets/zhizhi-app/inline0/x.js"), b"export const x = 1;").unwrap();
    std::fs::write(site.join("favicon.svg"), &icon).unwrap();

    let app = router(AppState::new(db.store.clone(), &site, "127.0.0.1:0".parse().unwrap()));
    let (status, _, page) = get(&app, "/login", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    let build = build_of(&page);
    for at in [format!("{build}/zhizhi.js"), format!("{build}/zhizhi.css")] {
        assert!(page.contains(at.as_str()), "the page names {at}");
    }
    assert!(page.contains(&format!("{build}/zhizhi.wasm")) || page.contains(&format!("{build}/zhizhi_bg.wasm")));
    assert!(!page.contains("\"/pkg/zhizhi."), "nothing from outside the build's folder");
    // The whole build is in its folder, the wasm under both of its names, byte for byte.
    for (file, bytes) in [("zhizhi.wasm", &wasm), ("zhizhi_bg.wasm", &wasm), ("split_LoginRoute.wasm", &chunk), ("__wasm_split.______________________.js", &loader)] {
        let (status, h, body) = get(&app, &format!("{build}/{file}"), &[]).await;
        assert_eq!((status, &body), (StatusCode::OK, bytes), "{file}");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{file}");
    }
    assert_eq!(get(&app, &format!("{build}/snippets/zhizhi-app/inline0/x.js"), &[]).await.2, b"export const x = 1;");

    // Compressed once: a second pass finds every copy current.
    let first = zhizhi_server::site::precompress(&site).unwrap();
    assert_eq!(first.written, 12, "js, wasm, css, chunk, loader in pkg/ and in the build (wasm twice), the icon: {first:?}");
    let again = zhizhi_server::site::precompress(&site).unwrap();
    assert_eq!((again.written, again.current), (0, 12));

    // The build's wasm: brotli for a browser that takes it, kept a year.
    let wasm_at = format!("{build}/zhizhi_bg.wasm");
    let (status, h, body) = get(&app, &wasm_at, &[("accept-encoding", "gzip, deflate, br, zstd")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["vary"], "accept-encoding", "a cache between keeps one answer per encoding");
    assert!(body.len() < wasm.len() / 20, "{} bytes on the wire for {}", body.len(), wasm.len());
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&body[..], 4096).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, wasm);
    let (_, h, body) = get(&app, &format!("{build}/zhizhi.js"), &[("accept-encoding", "gzip")]).await;
    assert_eq!(h["content-encoding"], "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, js);

    // A file outside a build's folder is asked about again, and answered 304 while unchanged.
    let (status, h, _) = get(&app, "/favicon.svg", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["cache-control"], "no-cache");
    let since = h["last-modified"].to_str().unwrap().to_string();
    let (status, _, body) = get(&app, "/favicon.svg", &[("if-modified-since", &since)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let (status, h, _) = get(&app, "/pkg/zhizhi.css", &[]).await;
    assert_eq!((status, h["cache-control"].to_str().unwrap()), (StatusCode::OK, "no-cache"));

    // A new build: the pages name its folder; the old one is still there for pages rendered
    // before the restart; the stale compressed copies of a rebuilt file are written again.
    let wasm2 = code("wasm v2", 200_000);
    std::fs::write(pkg.join("zhizhi_bg.wasm"), &wasm2).unwrap();
    let app = router(AppState::new(db.store.clone(), &site, "127.0.0.1:0".parse().unwrap()));
    let page = String::from_utf8(get(&app, "/login", &[]).await.2).unwrap();
    let build2 = build_of(&page);
    assert_ne!(build2, build, "a new build, a new folder");
    assert_eq!(get(&app, &format!("{build2}/zhizhi_bg.wasm"), &[]).await.2, wasm2);
    // Until its copies are written again, the rebuilt file is never answered by the old build's.
    let (status, h, body) = get(&app, "/pkg/zhizhi_bg.wasm", &[("accept-encoding", "br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("content-encoding").is_none(), "{h:?}");
    assert_eq!(body, wasm2);
    assert_eq!(get(&app, &wasm_at, &[]).await.2, wasm, "the build before is still served");
    assert_eq!(zhizhi_server::site::precompress(&site).unwrap().written, 7, "the rebuilt wasm and the new build's 6 files");

    // The same build again (a restart) keeps its folder, and the build before it, however old.
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
    let age = |build: &str, t| std::fs::File::open(site.join(build.trim_start_matches('/'))).unwrap().set_modified(t).unwrap();
    age(&build, two_days_ago);
    let app = router(AppState::new(db.store.clone(), &site, "127.0.0.1:0".parse().unwrap()));
    assert_eq!(build_of(&String::from_utf8(get(&app, "/login", &[]).await.2).unwrap()), build2);
    assert_eq!(get(&app, &wasm_at, &[]).await.0, StatusCode::OK, "the build before is kept across restarts");
    // A third build: the second is kept, the first (unused for two days) goes.
    std::fs::write(pkg.join("zhizhi_bg.wasm"), code("wasm v3", 200_000)).unwrap();
    age(&build, two_days_ago);
    let app = router(AppState::new(db.store.clone(), &site, "127.0.0.1:0".parse().unwrap()));
    assert_ne!(build_of(&String::from_utf8(get(&app, "/login", &[]).await.2).unwrap()), build2);
    assert_eq!(get(&app, &format!("{build2}/zhizhi_bg.wasm"), &[]).await.0, StatusCode::OK);
    assert_eq!(get(&app, &wasm_at, &[]).await.0, StatusCode::NOT_FOUND, "a build two builds back, unused for a day, is removed");

    // A file the site does not have is a 404, not a page; a page is still a page.
    assert_eq!(get(&app, "/pkg/v/0123456789abcdef/zhizhi.wasm", &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/login", &[]).await.0, StatusCode::OK);
    std::fs::remove_dir_all(&site).unwrap();
    db.remove().await;
}
