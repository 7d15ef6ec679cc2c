//! Server functions for residents following their reports (no account: the token is the key)
//! and for the command staff's callbacks and reviews.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::case::follow::{FollowView, NewRating, ReviewDone, ReviewItem};
use zhizhi_shared::case::view::CaseDetail;

/// What the follow link shows (no account).
#[server(prefix = "/fn", input = Json)]
pub async fn get_follow(token: String) -> Result<FollowView, ServerFnError> {
    crate::backend::backend()?.follow(token).await.map_err(crate::backend::fail)
}

/// The resident rates the outcome through the follow link (no account).
#[server(prefix = "/fn", input = Json)]
pub async fn rate_outcome(token: String, rating: NewRating) -> Result<FollowView, ServerFnError> {
    crate::backend::backend()?.rate(token, rating).await.map_err(crate::backend::fail)
}

/// Command staff record a callback's result (回访) on a closed case.
#[server(prefix = "/fn", input = Json)]
pub async fn record_callback(id: i64, rating: NewRating) -> Result<CaseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.record_callback(&me, id, rating).await.map_err(crate::backend::fail)
}

/// Command staff conclude the review of a low rating.
#[server(prefix = "/fn", input = Json)]
pub async fn conclude_review(id: i64, review: ReviewDone) -> Result<CaseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.conclude_review(&me, id, review).await.map_err(crate::backend::fail)
}

/// The low ratings waiting for review (command staff).
#[server(prefix = "/fn")]
pub async fn get_reviews() -> Result<Vec<ReviewItem>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.reviews(&me).await.map_err(crate::backend::fail)
}
