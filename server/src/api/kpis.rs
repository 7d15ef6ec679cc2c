//! KPIs (考核与分析) over HTTP: a period's figures by a grouping, and the cases behind one.

use super::{ApiResult, user};
use crate::auth::{Caller, now_ms};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::kpi::{KpiQuery, KpiReport};

/// `GET /api/v1/kpis?period=month&at=…&by=post`: every indicator of the period and of the one
/// before, by the grouping, each with its numerator and denominator.
pub async fn report(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<KpiQuery>) -> ApiResult<Json<KpiReport>> {
    Ok(Json(state.kpis.report(user(&caller)?, &q, now_ms()).await?))
}

/// What a drill-down asks beyond the report's own parameters: the indicator and the group.
#[derive(Debug, Deserialize)]
pub struct FigureQuery {
    pub indicator: String,
    /// The group's key as the report gives it (`street` for the whole street).
    #[serde(default)]
    pub key: String,
}

/// `GET /api/v1/kpis/cases?indicator=on_time_handling&by=post&key=14`: the cases that lower the
/// figure (late, returned, reworked …), newest first. The report's parameters are read from the
/// same query string.
pub async fn cases(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(report): Query<KpiQuery>,
    Query(figure): Query<FigureQuery>,
) -> ApiResult<Json<Vec<CaseSummary>>> {
    Ok(Json(state.kpis.cases(user(&caller)?, &report, &figure.indicator, &figure.key, now_ms()).await?))
}
