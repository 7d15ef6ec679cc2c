//! Residents following their reports over HTTP (no account: the follow token is the key), and
//! the command staff's callbacks (回访) and reviews (复核) of low ratings.

use super::cases::actor;
use super::ApiResult;
use crate::auth::{now_ms, Caller};
use crate::error::ServiceError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use zhizhi_shared::case::follow::nearby::PlaceCheck;
use zhizhi_shared::case::follow::{Contact, FollowView, NewRating, RevealReason, ReviewDone, ReviewItem, MAX_REPORT_PHOTOS};
use zhizhi_shared::case::view::CaseDetail;

fn body<T: serde::de::DeserializeOwned>(field: &'static str, bytes: &Bytes) -> ApiResult<T> {
    Ok(serde_json::from_slice(bytes).map_err(|e| ServiceError::invalid(field, format!("无法识别的内容：{e}")))?)
}

/// `GET /api/v1/public/follow/{token}`: what the resident's follow link shows.
pub async fn follow(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<FollowView>> {
    Ok(Json(state.cases.follow(&token).await?))
}

/// `POST /api/v1/public/follow/{token}/rating`: the resident rates the outcome, once.
pub async fn rate(State(state): State<AppState>, Path(token): Path<String>, bytes: Bytes) -> ApiResult<Json<FollowView>> {
    let rating: NewRating = body("rating", &bytes)?;
    Ok(Json(state.cases.rate(&token, rating, now_ms()).await?))
}

/// `GET /api/v1/public/follow/{token}/photos/{id}`: a photo of the result.
pub async fn photo(State(state): State<AppState>, Path((token, id)): Path<(String, i64)>) -> ApiResult<Response> {
    let p = state.cases.follow_photo(&token, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, p.content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CACHE_CONTROL, "private, max-age=86400".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'".into()),
        ],
        p.data,
    )
        .into_response())
}

/// `POST /api/v1/cases/{id}/callback`: command staff record a callback's result.
pub async fn callback(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, bytes: Bytes) -> ApiResult<Json<CaseDetail>> {
    let me = actor(&caller)?;
    let rating: NewRating = body("rating", &bytes)?;
    Ok(Json(state.cases.record_callback(&me, id, rating, now_ms()).await?))
}

/// `POST /api/v1/cases/{id}/review`: command staff conclude the review of a low rating.
pub async fn review(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, bytes: Bytes) -> ApiResult<Json<CaseDetail>> {
    let me = actor(&caller)?;
    let done: ReviewDone = body("note", &bytes)?;
    Ok(Json(state.cases.conclude_review(&me, id, done, now_ms()).await?))
}

/// `GET /api/v1/reviews`: the low ratings waiting for review, oldest first.
pub async fn reviews(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<ReviewItem>>> {
    let me = actor(&caller)?;
    Ok(Json(state.cases.reviews(&me).await?))
}

/// `POST /api/v1/public/uploads/{grant}`: a photo of a resident's report, sent as the raw body
/// on the report's one-time upload grant.
pub async fn upload(State(state): State<AppState>, Path(grant): Path<String>, bytes: Bytes) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let sent = state.cases.attach_public(&grant, bytes.to_vec(), now_ms()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "photos": sent, "max": MAX_REPORT_PHOTOS }))))
}

/// The query of `GET /api/v1/public/place`.
#[derive(serde::Deserialize)]
pub struct PlaceQuery {
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub category: String,
}

/// `GET /api/v1/public/place?lon=&lat=&category=`: before a report is sent, whether the point
/// is in the street, the nearest address, and open reports of the same kind nearby.
pub async fn place(State(state): State<AppState>, Query(q): Query<PlaceQuery>) -> ApiResult<Json<PlaceCheck>> {
    Ok(Json(state.cases.check_place(q.lon, q.lat, &q.category, now_ms()).await?))
}

/// `GET /api/v1/cases/{id}/contact`: the reporter's name and number, masked (`null` when none
/// was left).
pub async fn contact(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>) -> ApiResult<Json<Option<Contact>>> {
    let me = actor(&caller)?;
    Ok(Json(state.cases.contact(&me, id).await?))
}

/// `POST /api/v1/cases/{id}/contact`: the reporter's number unmasked, for a stated reason
/// (audited).
pub async fn reveal_contact(State(state): State<AppState>, Extension(caller): Extension<Caller>, Path(id): Path<i64>, bytes: Bytes) -> ApiResult<Json<Contact>> {
    let me = actor(&caller)?;
    let r: RevealReason = body("reason", &bytes)?;
    Ok(Json(state.cases.reveal_contact(&me, id, &r.reason, now_ms()).await?))
}
