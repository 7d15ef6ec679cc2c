//! Server functions for residents following their reports (no account: the token is the key)
//! and for the command staff's callbacks and reviews.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::case::follow::nearby::PlaceCheck;
use zhizhi_shared::case::follow::{Contact, FollowView, NewRating, ReviewDone, ReviewItem};
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

/// Before a public report is sent: the place's address and open reports nearby (no account).
#[server(prefix = "/fn", input = Json)]
pub async fn check_place(lon: f64, lat: f64, category: String) -> Result<PlaceCheck, ServerFnError> {
    crate::backend::backend()?.check_place(lon, lat, category).await.map_err(crate::backend::fail)
}

/// The reporter's contact, masked (staff with the case in their duty).
#[server(prefix = "/fn")]
pub async fn get_contact(id: i64) -> Result<Option<Contact>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.contact(&me, id).await.map_err(crate::backend::fail)
}

/// The reporter's contact unmasked, for a stated reason (audited).
#[server(prefix = "/fn", input = Json)]
pub async fn reveal_contact(id: i64, reason: String) -> Result<Contact, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.reveal_contact(&me, id, reason).await.map_err(crate::backend::fail)
}
