//! Security headers on every answer: pages carry their own Content-Security-Policy with the
//! response's nonce (`zhizhi_app::page_csp`); everything else that has none gets one that
//! allows nothing. No framing, no MIME sniffing, the referrer kept to our own origin, the
//! camera and location for our own pages only, and HSTS when served over HTTPS.

use crate::auth::AuthConfig;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The phone app's service worker (`public/sw.js`).
pub const SERVICE_WORKER: &str = "/sw.js";

/// Adds the security headers an answer lacks.
pub async fn security_headers(State(auth): State<Arc<AuthConfig>>, req: Request, next: Next) -> Response {
    let service_worker = req.uri().path() == SERVICE_WORKER;
    let mut resp = next.run(req).await;
    let ok = resp.status().is_success();
    let h = resp.headers_mut();
    if service_worker && ok {
        // The phone app's service worker fetches our own pages and files (its policy is the one
        // of its script), and is checked for a new version on every visit.
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; connect-src 'self'; frame-ancestors 'none'"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    let mut set = |name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(self), geolocation=(self), microphone=(self), payment=(), usb=()");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if auth.secure_cookies {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    resp
}
