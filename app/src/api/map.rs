//! Server functions for the map's panels and the grid editor. What MapLibre itself draws (the
//! style and the GeoJSON layers) it reads from the JSON API; everything a screen shows or
//! changes goes through here.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::map::edit::{DivisionView, SaveAnswer, SaveDivision};
use zhizhi_shared::map::{BuildingDetail, SearchHit};

/// A building's floors, households, residents (masked; the read is audited), devices and
/// recent cases.
#[server(prefix = "/fn")]
pub async fn get_building(id: i64) -> Result<BuildingDetail, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.building(&me, id).await.map_err(crate::backend::fail)
}

/// Buildings, grids and micro-grids matching `query`, to fly to.
#[server(prefix = "/fn")]
pub async fn search_map(query: String) -> Result<Vec<SearchHit>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.map_search(&me, query).await.map_err(crate::backend::fail)
}

/// The grids the editor offers (administrators): id, code and name.
#[server(prefix = "/fn")]
pub async fn get_grids() -> Result<Vec<(i64, String, String)>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.grids(&me).await.map_err(crate::backend::fail)
}

/// A grid's division for the editor (administrators).
#[server(prefix = "/fn")]
pub async fn get_division(grid_id: i64) -> Result<DivisionView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.division(&me, grid_id).await.map_err(crate::backend::fail)
}

/// Checks a grid's new division and, unless `division.dry_run`, saves it (administrators). A
/// division with problems comes back with `saved: false` and the report naming them; one
/// loaded at an older version is refused.
#[server(prefix = "/fn", input = Json)]
pub async fn save_grid_division(grid_id: i64, division: SaveDivision) -> Result<SaveAnswer, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.save_division(&me, grid_id, division).await.map_err(crate::backend::fail)
}

/// Assigns a grid's worker (administrators).
#[server(prefix = "/fn")]
pub async fn set_grid_worker(grid_id: i64, worker_id: i64) -> Result<(), ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.set_grid_worker(&me, grid_id, worker_id).await.map_err(crate::backend::fail)
}
