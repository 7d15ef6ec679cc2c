//! The residents service: masked lists by grid and the audited reveal of one record. Every
//! read of personal data goes through here (or the map's building panel) and is audited.

use crate::auth::now_ms;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::{ResidentPlace, Store};
use std::sync::Arc;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::people::ResidentView;

/// The most residents one list answers.
pub const MAX_PAGE: i64 = 500;

/// Residents over a store.
pub struct Residents {
    pub store: Arc<dyn Store>,
}

fn view(r: ResidentPlace, masked: bool) -> ResidentView {
    ResidentView::new(r.resident, r.address, r.unit, masked)
}

impl Residents {
    /// A page of a grid's residents, masked; the read is audited.
    pub async fn in_grid(&self, me: &Principal, grid_id: i64, limit: i64, offset: i64) -> ServiceResult<Vec<ResidentView>> {
        if !me.may_list_residents_of(grid_id) {
            return Err(ServiceError::Forbidden);
        }
        if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
            return Err(ServiceError::invalid("limit", "每页 1–500 条，偏移不能为负"));
        }
        let rows = self.store.residents_in_grid(grid_id, limit, offset).await?;
        let detail = format!("脱敏列表 {} 条（偏移 {offset}）", rows.len());
        self.store.append_audit(now_ms(), &me.username, "list_residents", &format!("grid:{grid_id}"), &detail).await?;
        Ok(rows.into_iter().map(|r| view(r, true)).collect())
    }

    /// The first page of each of the user's own grids, masked (the grid worker's phone list);
    /// each grid's read is audited.
    pub async fn of_my_grids(&self, me: &Principal) -> ServiceResult<Vec<ResidentView>> {
        let mut rows = Vec::new();
        for &grid in me.grid_ids.iter().filter(|&&g| me.may_list_residents_of(g)) {
            rows.extend(self.in_grid(me, grid, MAX_PAGE, 0).await?);
        }
        Ok(rows)
    }

    /// One resident unmasked, for a stated reason (at least four characters). Both the reveal
    /// and a refused one are audited.
    pub async fn reveal(&self, me: &Principal, id: i64, reason: &str) -> ServiceResult<ResidentView> {
        let reason = reason.trim();
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid("reason", "请说明查看原因（至少 4 个字）"));
        }
        let Some(r) = self.store.resident(id).await? else {
            return Err(ServiceError::NotFound("没有这位居民"));
        };
        let target = format!("resident:{id}");
        if !me.may_reveal_resident_of(r.grid_id) {
            self.store.append_audit(now_ms(), &me.username, "reveal_refused", &target, reason).await?;
            return Err(ServiceError::Forbidden);
        }
        self.store.append_audit(now_ms(), &me.username, "reveal", &target, reason).await?;
        Ok(view(r, false))
    }
}
