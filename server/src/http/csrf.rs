//! Protection against cross-site request forgery. Leptos server functions have none of their
//! own, so every state-changing request passes this check: a browser names the site a request
//! comes from (`Sec-Fetch-Site`, or at least `Origin`), and only our own origin may change
//! anything. Machine clients authenticated by an API token carry no cookie and are not at risk.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Refuses state-changing requests that come from another site.
pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || !is_forged(&req) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = %req.uri().path(), "refused a cross-site request");
    (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": "跨站请求被拒绝：请从智治页面内操作" }))).into_response()
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_forged(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
        return Some(origin_host) != host;
    }
    // Neither header: not a browser (browsers send Origin on every POST). Such a client can
    // only be forged into acting if it carries a cookie, so refuse it when it does.
    headers.contains_key(header::COOKIE) && !headers.contains_key(header::AUTHORIZATION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::post("/api/v1/x").header("host", "zz.example:3000");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn which_requests_are_forged() {
        let table: [(&[(&str, &str)], bool); 8] = [
            (&[("sec-fetch-site", "same-origin"), ("cookie", "zz_session=a")], false),
            (&[("sec-fetch-site", "cross-site"), ("cookie", "zz_session=a")], true),
            (&[("sec-fetch-site", "same-site"), ("cookie", "zz_session=a")], true),
            (&[("origin", "http://zz.example:3000"), ("cookie", "zz_session=a")], false),
            (&[("origin", "http://evil.example"), ("cookie", "zz_session=a")], true),
            (&[("cookie", "zz_session=a")], true),
            (&[("authorization", "Bearer t")], false),
            (&[], false),
        ];
        for (headers, forged) in table {
            assert_eq!(is_forged(&post(headers)), forged, "{headers:?}");
        }
    }
}
