//! Residents: masked lists by grid, and the audited reveal of one record.

use super::{user, ApiError, ApiResult};
use crate::auth::{now_ms, Caller};
use crate::http::AppState;
use crate::storage::ResidentPlace;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use zhizhi_shared::mask;
use zhizhi_shared::people::CareTag;

/// A resident as the API shows them: masked unless revealed.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ResidentView {
    pub id: i64,
    pub name: String,
    pub sex: String,
    /// Only the year: enough to see who is elderly, without the full date of birth.
    pub birth_year: String,
    pub id_number: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
    pub address: String,
    pub unit: String,
    pub masked: bool,
}

impl ResidentView {
    /// The resident as shown to a user: masked unless `masked` is false (a recorded reveal).
    pub fn new(r: ResidentPlace, masked: bool) -> Self {
        let p = r.resident;
        let m = |s: String, f: fn(&str) -> String| if masked { f(&s) } else { s };
        ResidentView {
            id: p.id,
            name: m(p.name, mask::name),
            sex: format!("{:?}", p.sex).to_lowercase(),
            birth_year: p.birth_date.chars().take(4).collect(),
            id_number: m(p.id_number, mask::id_number),
            phone: m(p.phone, mask::phone),
            care_tags: p.care_tags,
            address: r.address,
            unit: r.unit,
            masked,
        }
    }
}

/// Paging of a list.
#[derive(Debug, Deserialize)]
pub struct Page {
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

fn default_limit() -> i64 {
    50
}

/// `GET /api/v1/grids/{id}/residents`: the grid's residents, masked. The read is audited.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(grid_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<ResidentView>>> {
    let me = user(&caller)?;
    if !me.may_list_residents_of(grid_id) {
        return Err(ApiError::Forbidden);
    }
    if !(1..=500).contains(&page.limit) || page.offset < 0 {
        return Err(ApiError::invalid("limit", "每页 1–500 条，偏移不能为负"));
    }
    let rows = state.store.residents_in_grid(grid_id, page.limit, page.offset).await?;
    let detail = format!("脱敏列表 {} 条（偏移 {}）", rows.len(), page.offset);
    state.store.append_audit(now_ms(), &me.username, "list_residents", &format!("grid:{grid_id}"), &detail).await?;
    Ok(Json(rows.into_iter().map(|r| ResidentView::new(r, true)).collect()))
}

/// The body of a reveal: why the user needs the unmasked record.
#[derive(Debug, Deserialize)]
pub struct RevealRequest {
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/residents/{id}/reveal`: one resident unmasked, for a stated reason, audited.
pub async fn reveal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> ApiResult<Json<ResidentView>> {
    let me = user(&caller)?;
    let reason = body.reason.trim();
    if reason.chars().count() < 4 {
        return Err(ApiError::invalid("reason", "请说明查看原因（至少 4 个字）"));
    }
    let Some(r) = state.store.resident(id).await? else {
        return Err(ApiError::NotFound("没有这位居民"));
    };
    if !me.may_reveal_resident_of(r.grid_id) {
        state.store.append_audit(now_ms(), &me.username, "reveal_refused", &format!("resident:{id}"), reason).await?;
        return Err(ApiError::Forbidden);
    }
    state.store.append_audit(now_ms(), &me.username, "reveal", &format!("resident:{id}"), reason).await?;
    Ok(Json(ResidentView::new(r, false)))
}
