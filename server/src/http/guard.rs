//! Who is calling: resolved once per request from the session cookie or an API token (by the
//! accounts service), and anonymous page visits sent to the login page.

use crate::accounts::Accounts;
use crate::auth::{bearer_token, session_token, Caller};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Resolves the caller and stores it (and, for users, their [`Principal`], which the Leptos
/// app reads) in the request's extensions.
pub async fn authenticate(State(accounts): State<Arc<Accounts>>, mut req: Request, next: Next) -> Response {
    // Who the client is, once: through the trusted proxies' headers, IPv6 by its /64.
    if let Some(peer) = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()) {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let ip = crate::auth::address::client_ip(peer, &accounts.auth.trusted_proxies, header("x-forwarded-for").as_deref(), header("forwarded").as_deref());
        req.extensions_mut().insert(crate::auth::ClientAddress(crate::auth::address::address_key(ip)));
    }
    let session = session_token(req.headers(), accounts.auth.cookie_name());
    match accounts.caller(bearer_token(req.headers()), session.as_deref()).await {
        Ok(caller) => {
            if let Some(p) = caller.principal() {
                req.extensions_mut().insert(p.clone());
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot resolve the caller");
            // The database is away: say so (the API in its JSON shape), and when to retry.
            let message = "数据库暂时无法访问，请稍后重试";
            let retry = [(axum::http::header::RETRY_AFTER, "5")];
            let path = req.uri().path();
            if path.starts_with("/open311/") {
                (StatusCode::SERVICE_UNAVAILABLE, retry, axum::Json(serde_json::json!([{ "code": 503, "description": message }]))).into_response()
            } else if path.starts_with("/api/") || path.starts_with("/fn/") {
                (StatusCode::SERVICE_UNAVAILABLE, retry, axum::Json(serde_json::json!({ "error": message, "field": null }))).into_response()
            } else {
                (StatusCode::SERVICE_UNAVAILABLE, retry, message).into_response()
            }
        }
    }
}

/// The public report form for residents, open without an account.
pub const PUBLIC_REPORT_PAGE: &str = "/r";
/// A resident's follow page, `/f/{token}`: open without an account (the token is the key).
pub const FOLLOW_PAGES: &str = "/f/";

/// The public page of the random inspection draws (双随机、一公开): open without an account.
pub const PUBLIC_DRAWS_PAGE: &str = "/gongshi";

/// The page where a user changes their password.
pub const PASSWORD_PAGE: &str = "/account/password";

/// Sends a visitor without a session to the login page before any page is rendered, so that
/// the answer is a plain 302 (pages stream, and by the time a component knows who is asking
/// the status line has been sent). API routes answer 401 themselves; static files and the
/// login page are open.
pub async fn require_login_for_pages(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let open = path == "/login" || path == PUBLIC_REPORT_PAGE || path == PUBLIC_DRAWS_PAGE || path.starts_with(FOLLOW_PAGES)
        || ["/api/", "/fn/", "/pkg/", "/open311/"].iter().any(|p| path.starts_with(p))
        || path == "/healthz" || path == "/readyz" || path == "/metrics"
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    let caller = req.extensions().get::<Caller>();
    let anonymous = matches!(caller, None | Some(Caller::Anonymous));
    let expired = caller.and_then(Caller::principal).is_some_and(|p| p.password_expired);
    if req.method() == axum::http::Method::GET && !open {
        if anonymous {
            return axum::response::Redirect::to("/login").into_response();
        }
        if expired && path != PASSWORD_PAGE {
            return axum::response::Redirect::to(PASSWORD_PAGE).into_response();
        }
    }
    next.run(req).await
}
