//! Server functions for the flood screens.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::flood::view::{FloodAction, FloodBoard};

/// The flood board, drawn for `level_m` if given.
#[server(prefix = "/fn", input = Json)]
pub async fn get_flood(level_m: Option<f64>) -> Result<FloodBoard, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.flood_board(&me, level_m).await.map_err(crate::backend::fail)
}

/// A flood action; the board as it then stands.
#[server(prefix = "/fn", input = Json)]
pub async fn flood_act(action: FloodAction) -> Result<FloodBoard, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.flood_act(&me, action).await.map_err(crate::backend::fail)
}
