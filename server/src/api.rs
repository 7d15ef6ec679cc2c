//! The JSON API under `/api/v1`.

use crate::http::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Errors answered by the API: the user sees a short message, the log the whole cause.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Storage(#[from] crate::storage::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Storage(e) => {
                tracing::error!(error = %e, "storage error");
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "storage unavailable" }))).into_response()
            }
        }
    }
}

/// `GET /api/v1/summary`: the street's counts.
pub async fn summary(State(state): State<AppState>) -> Result<Json<zhizhi_shared::Summary>, ApiError> {
    Ok(Json(state.store.summary().await?))
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "engine": state.store.engine() }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}
