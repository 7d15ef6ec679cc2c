//! The site's files over HTTP: the pre-compressed copy the browser accepts, `304` when its own
//! copy is current, and the cache rule of `site::cache_control`.

use crate::site::cache_control;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

/// A file of the site (the pre-compressed copy the browser accepts, `304` when the browser's
/// copy is current) with its cache rule; `None` when the request asks for no file of the site (the
/// pages answer it).
pub async fn file(site_root: &str, method: &http::Method, uri: &http::Uri, headers: &http::HeaderMap) -> Option<Response> {
    let path = uri.path();
    let is_file = !path.ends_with('/') && !path.contains("..") && Path::new(site_root).join(path.trim_start_matches('/')).is_file();
    if !is_file || !matches!(*method, http::Method::GET | http::Method::HEAD) {
        return None;
    }
    let mut ask = Request::builder().method(method.clone()).uri(uri.clone());
    for h in [header::ACCEPT_ENCODING, header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE, header::RANGE, header::IF_RANGE] {
        if let Some(v) = headers.get(&h) {
            ask = ask.header(h, v);
        }
    }
    // A compressed copy is served only while it is the file's own (see `site::is_current`).
    let source = Path::new(site_root).join(path.trim_start_matches('/'));
    let mut dir = ServeDir::new(site_root).append_index_html_on_directories(false);
    if crate::site::is_current(&source, "br") {
        dir = dir.precompressed_br();
    }
    if crate::site::is_current(&source, "gz") {
        dir = dir.precompressed_gzip();
    }
    let res = dir.oneshot(ask.body(Body::empty()).ok()?).await.ok()?;
    if matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED) {
        return None;
    }
    let mut res = res.into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(path)));
    // Caches between us and the browser keep one answer per encoding.
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Some(res)
}
