//! Signing in and out, and who am I.

use super::ApiResult;
use crate::auth::{self, AuthConfig, Caller};
use crate::storage::Store;
use crate::http::AppState;
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
    let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024).await.map_err(|_| super::ApiError::invalid("body", "请求过大"))?;
    let creds: Credentials = serde_json::from_slice(&bytes).map_err(|e| super::ApiError::invalid("body", format!("需要 JSON {{\"username\", \"password\"}}：{e}")))?;
    let done = auth::login(state.store.as_ref(), &state.auth, creds.username.trim(), &creds.password, &address).await?;
    let cookie = state.auth.session_cookie(&done.token);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(Me { user: done.user.principal(), password_expired: done.password_expired })))
}

/// `POST /api/v1/logout`: ends the session and clears its cookie.
pub async fn logout(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<impl IntoResponse> {
    if let Caller::User { principal, session } = &caller {
        state.store.end_session(session).await?;
        state.store.append_audit(auth::now_ms(), &principal.username, "logout", "session", "").await?;
    }
    Ok((AppendHeaders([(SET_COOKIE, state.auth.clear_cookie())]), Json(serde_json::json!({ "ok": true }))))
}

/// `GET /api/v1/me`: the signed-in user (also while their password has expired).
pub async fn me(Extension(caller): Extension<Caller>) -> ApiResult<Json<Principal>> {
    Ok(Json(caller.principal().ok_or(super::ApiError::Unauthenticated)?.clone()))
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
    let me = caller.principal().ok_or(super::ApiError::Unauthenticated)?;
    set_own_password(state.store.as_ref(), &state.auth, me, &body.current_password, &body.new_password).await?;
    Ok((AppendHeaders([(SET_COOKIE, state.auth.clear_cookie())]), Json(serde_json::json!({ "ok": true }))))
}

/// Replaces the user's own password after checking the current one and the policy; ends every
/// session of the user; audited.
pub async fn set_own_password(store: &dyn Store, cfg: &AuthConfig, me: &Principal, current: &str, new: &str) -> ApiResult<()> {
    let record = store.user_by_id(me.user_id).await?.ok_or(super::ApiError::Unauthenticated)?;
    if !auth::verify_password(&record.password_hash, current) {
        return Err(super::ApiError::invalid("current_password", "当前密码不正确"));
    }
    if new == current {
        return Err(super::ApiError::invalid("new_password", "新密码不能与当前密码相同"));
    }
    cfg.password_policy.check(new, &me.username).map_err(|m| super::ApiError::invalid("new_password", m))?;
    let now = auth::now_ms();
    store.set_password(me.user_id, &auth::hash_password(new), now).await?;
    store.append_audit(now, &me.username, "password_change", &format!("user:{}", me.username), "").await?;
    Ok(())
}
