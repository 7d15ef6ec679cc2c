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

/// Adds the security headers an answer lacks.
pub async fn security_headers(State(auth): State<Arc<AuthConfig>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
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
