//! Server functions for cases. Their arguments travel as JSON, since actions are tagged enums.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::case::view::{BuildingRef, CaseDetail, CaseList, CaseQuery, NewCase, PostRef};
use zhizhi_shared::case::Action;

/// The cases the signed-in user may see.
#[server(prefix = "/fn", input = Json)]
pub async fn get_cases(query: CaseQuery) -> Result<CaseList, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.cases(&me, query).await.map_err(crate::backend::fail)
}

/// One case with its timeline.
#[server(prefix = "/fn", input = Json)]
pub async fn get_case(id: i64) -> Result<CaseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.case(&me, id).await.map_err(crate::backend::fail)
}

/// Applies an action to a case, decided on `version`; `client_id`, when given, makes a resend of
/// the same action (its answer lost, or queued on the phone) do nothing.
#[server(prefix = "/fn", input = Json)]
pub async fn case_action(id: i64, action: Action, version: Option<i64>, client_id: Option<String>) -> Result<CaseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.case_action(&me, id, action, version, client_id).await.map_err(crate::backend::fail)
}

/// Reports a new case.
#[server(prefix = "/fn", input = Json)]
pub async fn report_case(new: NewCase) -> Result<CaseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.report_case(&me, new).await.map_err(crate::backend::fail)
}

/// Every post, for the dispatch dialog.
#[server(prefix = "/fn")]
pub async fn get_posts() -> Result<Vec<PostRef>, ServerFnError> {
    crate::backend::require_user()?;
    crate::backend::backend()?.posts().await.map_err(crate::backend::fail)
}

/// The streets the user covers, with their open and overdue cases.
#[server(prefix = "/fn")]
pub async fn get_streets() -> Result<Vec<zhizhi_shared::org::StreetLoad>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.streets(&me).await.map_err(crate::backend::fail)
}

/// Buildings by address; with `mine`, only in the user's grids.
#[server(prefix = "/fn")]
pub async fn find_buildings(query: String, mine: bool) -> Result<Vec<BuildingRef>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.buildings(&me, query, mine).await.map_err(crate::backend::fail)
}

/// A resident's report from the public form (no account): the case number and the follow
/// link's token.
#[server(prefix = "/fn", input = Json)]
pub async fn public_report(new: NewCase) -> Result<zhizhi_shared::case::follow::Receipt, ServerFnError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    crate::backend::backend()?.public_report(new, &parts).await.map_err(crate::backend::fail)
}

/// Addresses for the public form.
#[server(prefix = "/fn")]
pub async fn public_buildings(query: String) -> Result<Vec<BuildingRef>, ServerFnError> {
    crate::backend::backend()?.public_buildings(query).await.map_err(crate::backend::fail)
}
