//! The JSON API under `/api/v1`. Every handler checks the caller's role and scope itself,
//! whatever the interface shows or hides.

pub mod admin;
pub mod cases;
pub mod iot;
pub mod map;
pub mod openapi;
pub mod residents;
pub mod session;

use crate::auth::{Caller, LoginError};
use crate::http::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use zhizhi_shared::auth::Principal;

/// Errors answered by the API. User errors say what is wrong (in Chinese, naming the field);
/// internal errors are logged in full and answered with a generic message.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("请先登录")]
    Unauthenticated,
    #[error("密码已过期，请先修改密码")]
    PasswordExpired,
    #[error("无权执行此操作")]
    Forbidden,
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{field}：{message}")]
    Invalid { field: &'static str, message: String },
    /// Refused by the case rules: 403 (not allowed) or 409 (wrong state, stale version).
    #[error("{message}")]
    Refused { status: u16, message: String },
    #[error(transparent)]
    Login(#[from] LoginError),
    #[error(transparent)]
    Storage(#[from] crate::storage::Error),
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A user error in `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid { field, message: message.into() }
    }
}

impl ApiError {
    /// What the user is told: the whole story for their own mistakes, a generic sentence for
    /// ours (logged in full here).
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Storage(crate::storage::Error::Conflict { what }) => format!("{what} 已存在"),
            ApiError::Storage(crate::storage::Error::Stale) => "事件已被他人更新，请刷新后重试".into(),
            ApiError::Storage(crate::storage::Error::Invalid(message)) => message.clone(),
            ApiError::Storage(e) => {
                tracing::error!(error = %e, "storage error");
                "数据库暂时无法访问，请稍后重试".into()
            }
            e => e.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::PasswordExpired => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Refused { status, .. } => StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT),
            ApiError::Login(LoginError::Throttled) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Login(LoginError::Disabled) => StatusCode::FORBIDDEN,
            ApiError::Login(LoginError::BadCredentials) => StatusCode::UNAUTHORIZED,
            ApiError::Login(LoginError::Storage) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Storage(crate::storage::Error::Conflict { .. } | crate::storage::Error::Stale) => StatusCode::CONFLICT,
            ApiError::Storage(crate::storage::Error::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = self.user_message();
        let field = match &self {
            ApiError::Invalid { field, .. } => Some(*field),
            _ => None,
        };
        (status, Json(json!({ "error": message, "field": field }))).into_response()
    }
}

/// The signed-in user, or 401; 403 while their password has expired.
pub fn user(caller: &Caller) -> ApiResult<&Principal> {
    let me = caller.principal().ok_or(ApiError::Unauthenticated)?;
    if me.password_expired { Err(ApiError::PasswordExpired) } else { Ok(me) }
}

/// `GET /api/v1/summary`: the street's counts, for any signed-in user or a token with `read`.
pub async fn summary(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<zhizhi_shared::Summary>> {
    if !caller.has_scope("read") {
        user(&caller)?;
    }
    Ok(Json(state.store.summary().await?))
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise. Says nothing else.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "engine": state.store.engine() }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}
