//! Who is calling: a user with a session, a machine with an API token, or nobody.

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap};
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

/// The client's address as the guard resolved it (through trusted proxies; IPv6 by its /64).
#[derive(Clone, Debug, PartialEq)]
pub struct ClientAddress(pub String);

/// The client's address, from a request's extensions, for throttling and the audit log.
pub fn client_address(extensions: &axum::http::Extensions) -> String {
    if let Some(a) = extensions.get::<ClientAddress>() {
        return a.0.clone();
    }
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| super::address::address_key(c.0.ip())).unwrap_or_else(|| "unknown".into())
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

/// The bearer token of an `Authorization` header, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}
