//! Server functions for the 人房企 screens: the search and the audited reveal of one resident.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::people::{PeopleFound, PeopleQuery, ResidentPage, ResidentView};

/// Residents (masked, in the user's grids), buildings and businesses matching a query.
#[server(prefix = "/fn", input = Json)]
pub async fn find_people(query: PeopleQuery) -> Result<PeopleFound, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.people(&me, query).await.map_err(crate::backend::fail)
}

/// One resident unmasked, for a stated reason; audited.
#[server(prefix = "/fn", input = Json)]
pub async fn reveal_resident(id: i64, reason: String) -> Result<ResidentView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.reveal_resident(&me, id, reason).await.map_err(crate::backend::fail)
}

/// One resident's page, masked: household, members, devices; audited.
#[server(prefix = "/fn", input = Json)]
pub async fn get_resident_page(id: i64) -> Result<ResidentPage, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.resident_page(&me, id).await.map_err(crate::backend::fail)
}
