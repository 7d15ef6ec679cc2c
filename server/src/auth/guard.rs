//! Who is calling: resolved once per request from the session cookie or an API token.

use crate::http::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use zhizhi_shared::auth::Principal;

/// The caller of a request, as every handler sees it in the request's extensions.
#[derive(Clone, Debug, PartialEq)]
pub enum Caller {
    /// No session or token (or an expired one).
    Anonymous,
    /// A signed-in user; `session` is the hash of their session token.
    User { principal: Principal, session: String },
    /// A machine client with an API token.
    Token { name: String, scopes: Vec<String> },
}

impl Caller {
    /// The signed-in user, if any.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::User { principal, .. } => Some(principal),
            _ => None,
        }
    }

    /// The name the audit log records.
    pub fn actor(&self) -> String {
        match self {
            Caller::Anonymous => "-".into(),
            Caller::User { principal, .. } => principal.username.clone(),
            Caller::Token { name, .. } => format!("token:{name}"),
        }
    }

    /// Whether a token caller holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        matches!(self, Caller::Token { scopes, .. } if scopes.iter().any(|s| s == scope))
    }
}

/// The client's address, from a request's extensions, for throttling and the audit log.
pub fn client_address(extensions: &axum::http::Extensions) -> String {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Resolves the caller and stores it (and, for users, their [`Principal`], which the Leptos
/// app reads) in the request's extensions.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match resolve(&state, req.headers()).await {
        Ok(caller) => {
            if let Some(p) = caller.principal() {
                req.extensions_mut().insert(p.clone());
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot resolve the caller");
            (StatusCode::SERVICE_UNAVAILABLE, "数据库暂时无法访问").into_response()
        }
    }
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> crate::storage::Result<Caller> {
    if let Some(token) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
        return Ok(match state.store.api_token_scopes(&super::token_hash(token.trim())).await? {
            Some((name, scopes)) => Caller::Token { name, scopes },
            None => Caller::Anonymous,
        });
    }
    let Some(token) = session_token(headers, state.auth.cookie_name()) else {
        return Ok(Caller::Anonymous);
    };
    let hash = super::token_hash(&token);
    let idle = state.auth.idle_timeout.as_millis() as i64;
    let lifetime = state.auth.lifetime.as_millis() as i64;
    let Some(user_id) = state.store.use_session(&hash, super::now_ms(), idle, lifetime).await? else {
        return Ok(Caller::Anonymous);
    };
    Ok(match state.store.user_by_id(user_id).await? {
        Some(u) if u.disabled_at.is_none() => {
            let mut principal = u.principal();
            principal.password_expired = state.auth.password_policy.expired(u.password_changed_at, super::now_ms());
            Caller::User { principal, session: hash }
        }
        _ => Caller::Anonymous,
    })
}

/// The session token from the `Cookie` header.
pub fn session_token(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == cookie_name)
        .map(|(_, v)| v.to_string())
}

/// The public report form for residents, open without an account.
pub const PUBLIC_REPORT_PAGE: &str = "/r";

/// The page where a user changes their password.
pub const PASSWORD_PAGE: &str = "/account/password";

/// Sends a visitor without a session to the login page before any page is rendered, so that
/// the answer is a plain 302 (pages stream, and by the time a component knows who is asking
/// the status line has been sent). API routes answer 401 themselves; static files and the
/// login page are open.
pub async fn require_login_for_pages(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let open = path == "/login" || path == PUBLIC_REPORT_PAGE
        || ["/api/", "/fn/", "/pkg/"].iter().any(|p| path.starts_with(p))
        || path == "/healthz"
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
