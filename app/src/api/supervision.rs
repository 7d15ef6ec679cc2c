//! Server functions for the enterprise supervision screens.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::enterprise::view::{DrawView, EnterpriseDetail, EnterpriseQuery, EnterpriseRow, InspectionView, SupervisionAction, SupervisionBoard};

/// The supervision board.
#[server(prefix = "/fn", input = Json)]
pub async fn get_supervision() -> Result<SupervisionBoard, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.supervision_board(&me).await.map_err(crate::backend::fail)
}

/// Businesses matching a query.
#[server(prefix = "/fn", input = Json)]
pub async fn find_enterprises(query: EnterpriseQuery) -> Result<Vec<EnterpriseRow>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.enterprises(&me, query).await.map_err(crate::backend::fail)
}

/// One business whole.
#[server(prefix = "/fn", input = Json)]
pub async fn get_enterprise(id: i64) -> Result<EnterpriseDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.enterprise(&me, id).await.map_err(crate::backend::fail)
}

/// One inspection whole.
#[server(prefix = "/fn", input = Json)]
pub async fn get_inspection(id: i64) -> Result<InspectionView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.inspection(&me, id).await.map_err(crate::backend::fail)
}

/// A supervision action; the id of what it created, if anything.
#[server(prefix = "/fn", input = Json)]
pub async fn supervise(action: SupervisionAction) -> Result<Option<i64>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.supervise(&me, action).await.map_err(crate::backend::fail)
}

/// One draw.
#[server(prefix = "/fn", input = Json)]
pub async fn get_draw(id: i64) -> Result<DrawView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.draw(&me, id).await.map_err(crate::backend::fail)
}

/// The published draws (no account needed).
#[server(prefix = "/fn", input = Json)]
pub async fn get_public_draws() -> Result<Vec<DrawView>, ServerFnError> {
    crate::backend::backend()?.public_draws().await.map_err(crate::backend::fail)
}
