//! KPIs (考核与分析) over HTTP: a period's figures by a grouping, and the cases behind one.

use super::{ApiResult, user};
use crate::auth::{Caller, now_ms};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::kpi::{IndicatorWeight, KpiQuery, KpiReport};

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

/// `GET /api/v1/kpis.xlsx?period=…&by=…`: the same report as an Excel workbook (ranking,
/// trend, heat table, definitions).
pub async fn xlsx(State(state): State<AppState>, Extension(caller): Extension<Caller>, Query(q): Query<KpiQuery>) -> ApiResult<axum::response::Response> {
    let report = state.kpis.report(user(&caller)?, &q, now_ms()).await?;
    let name = format!("考核指标-{}-{}.xlsx", report.period.label().replace(' ', ""), report.grouping.code());
    Ok(super::xlsx_attachment(&name, crate::kpis::workbook(&report)))
}

/// The category group the hot-spot map shows.
#[derive(Debug, Deserialize)]
pub struct PointsQuery {
    #[serde(default)]
    pub group: Option<String>,
}

/// `GET /api/v1/kpis/points?period=…&group=order`: where the period's cases were, as GeoJSON
/// points (no property: the map draws their density).
pub async fn points(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<KpiQuery>,
    Query(p): Query<PointsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let points = state.kpis.points(user(&caller)?, &q, p.group.as_deref(), now_ms()).await?;
    let features: Vec<serde_json::Value> =
        points.iter().map(|at| serde_json::json!({ "type": "Feature", "properties": {}, "geometry": { "type": "Point", "coordinates": at } })).collect();
    Ok(Json(serde_json::json!({ "type": "FeatureCollection", "features": features })))
}

/// `GET /api/v1/kpis/weights`: every indicator's weight in the score, as set or by default.
pub async fn weights(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<IndicatorWeight>>> {
    crate::kpis::may_see(user(&caller)?)?;
    Ok(Json(state.kpis.weights().await?))
}

/// What `PUT /api/v1/kpis/weights` is sent.
#[derive(Debug, Deserialize)]
pub struct WeightsBody {
    pub weights: Vec<IndicatorWeight>,
}

/// `PUT /api/v1/kpis/weights` (administrators): sets the weights; indicators left out keep
/// their defaults. The weights now in force.
pub async fn set_weights(State(state): State<AppState>, Extension(caller): Extension<Caller>, Json(body): Json<WeightsBody>) -> ApiResult<Json<Vec<IndicatorWeight>>> {
    Ok(Json(state.kpis.set_weights(user(&caller)?, &body.weights, now_ms()).await?))
}
