//! Signing in and out, and who am I (the accounts service over HTTP).

use super::ApiResult;
use crate::error::ServiceError;
use crate::auth::{self, Caller};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use zhizhi_shared::auth::Principal;

/// The body of `POST /api/v1/login`.
#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The answer to a successful login.
#[derive(Debug, Serialize)]
pub struct Me {
    pub user: Principal,
    pub password_expired: bool,
}

/// `POST /api/v1/login`: starts a session and sets its cookie.
pub async fn login(State(state): State<AppState>, req: Request) -> ApiResult<impl IntoResponse> {
    let address = auth::client_address(req.extensions());
    let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024).await.map_err(|_| ServiceError::invalid("body", "请求过大"))?;
    let creds: Credentials = serde_json::from_slice(&bytes)
        .map_err(|e| ServiceError::invalid("body", format!("需要 JSON {{\"username\", \"password\"}}：{e}")))?;
    let done = state.accounts.login(&creds.username, &creds.password, &address).await?;
    let cookie = state.auth.session_cookie(&done.token);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(Me { user: done.user.principal(), password_expired: done.password_expired })))
}

/// `POST /api/v1/logout`: ends the session and clears its cookie.
pub async fn logout(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<impl IntoResponse> {
    if let Caller::User { principal, session } = &caller {
        state.accounts.logout(session, Some(principal)).await?;
    }
    Ok((AppendHeaders([(SET_COOKIE, state.auth.clear_cookie())]), Json(serde_json::json!({ "ok": true }))))
}

/// `GET /api/v1/me`: the signed-in user (also while their password has expired).
pub async fn me(Extension(caller): Extension<Caller>) -> ApiResult<Json<Principal>> {
    Ok(Json(caller.principal().ok_or(ServiceError::Unauthenticated)?.clone()))
}

/// The body of `POST /api/v1/me/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/me/password`: changes the signed-in user's password under the policy. Every
/// session of the user ends, this one included: they sign in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    // An expired password may (must) be changed: this is the one thing such a user can do.
    let me = caller.principal().ok_or(ServiceError::Unauthenticated)?;
    state.accounts.set_own_password(me, &body.current_password, &body.new_password).await?;
    Ok((AppendHeaders([(SET_COOKIE, state.auth.clear_cookie())]), Json(serde_json::json!({ "ok": true }))))
}
