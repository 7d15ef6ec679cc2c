//! Server functions for the KPI page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::kpi::{KpiQuery, KpiReport};

/// The figures of a period and of the one before, by a grouping.
#[server(prefix = "/fn", input = Json)]
pub async fn get_kpis(query: KpiQuery) -> Result<KpiReport, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.kpis(&me, query).await.map_err(crate::backend::fail)
}

/// The cases behind one figure (group `key`, indicator code `indicator`).
#[server(prefix = "/fn", input = Json)]
pub async fn get_kpi_cases(query: KpiQuery, indicator: String, key: String) -> Result<Vec<CaseSummary>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.kpi_cases(&me, query, indicator, key).await.map_err(crate::backend::fail)
}

/// Where the period's cases were (of category group `group`, or all): the hot-spot map.
#[server(prefix = "/fn", input = Json)]
pub async fn get_kpi_points(query: KpiQuery, group: Option<String>) -> Result<Vec<zhizhi_shared::geo::LonLat>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.kpi_points(&me, query, group).await.map_err(crate::backend::fail)
}

/// Sets the indicators' weights in the score (administrators); the weights now in force.
#[server(prefix = "/fn", input = Json)]
pub async fn set_kpi_weights(weights: Vec<zhizhi_shared::kpi::IndicatorWeight>) -> Result<Vec<zhizhi_shared::kpi::IndicatorWeight>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.set_kpi_weights(&me, weights).await.map_err(crate::backend::fail)
}
