//! Administration over HTTP: accounts, API tokens and the audit log (the accounts service).

use super::{user, ApiResult};
use crate::accounts::{AuditParams, NewToken};
use crate::auth::Caller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, CreateUser, UserView};

/// `GET /api/v1/users`
pub async fn users(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(state.accounts.list(user(&caller)?).await?))
}

/// `POST /api/v1/users`: creates an account; the password must meet the policy.
pub async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::CREATED, Json(state.accounts.create(user(&caller)?, body).await?)))
}

/// The body of `POST /api/v1/users/{id}/disabled`.
#[derive(Debug, Deserialize)]
pub struct SetDisabled {
    pub disabled: bool,
}

/// `POST /api/v1/users/{id}/disabled`: disables (ending its sessions) or re-enables an account.
pub async fn set_disabled(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<SetDisabled>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.accounts.set_disabled(user(&caller)?, id, body.disabled).await?))
}

/// `GET /api/v1/audit`: entries, newest first.
pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(state.accounts.audit(user(&caller)?, p).await?))
}

/// `GET /api/v1/audit/verify`: walks the whole hash chain.
pub async fn verify(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<AuditVerdict>> {
    Ok(Json(state.accounts.verify_audit(user(&caller)?).await?))
}

/// `GET /api/v1/audit/checkpoints`: the audit chain's checkpoints, to export (administrators).
pub async fn audit_checkpoints(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<zhizhi_shared::audit::Checkpoint>>> {
    Ok(Json(state.accounts.audit_checkpoints(user(&caller)?).await?))
}

/// The body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize)]
pub struct CreateToken {
    pub name: String,
    pub scopes: Vec<String>,
    /// Valid for this many days (1–3650); absent: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// `POST /api/v1/tokens`: a token for a machine client; the secret is shown only in this answer.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateToken>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    Ok((StatusCode::CREATED, Json(state.accounts.create_token(user(&caller)?, &body.name, &body.scopes, body.expires_in_days).await?)))
}

/// `GET /api/v1/tokens`: every API token, without its secret (administrators).
pub async fn tokens(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<crate::storage::accounts::TokenRow>>> {
    Ok(Json(state.accounts.tokens(user(&caller)?).await?))
}

/// `POST /api/v1/tokens/{id}/revoke`: revokes a token at once (administrators; audited).
pub async fn revoke_token(State(state): State<AppState>, Extension(caller): Extension<Caller>, axum::extract::Path(id): axum::extract::Path<i64>) -> ApiResult<Json<serde_json::Value>> {
    state.accounts.revoke_token(user(&caller)?, id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
