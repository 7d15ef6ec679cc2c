//! The residents service: masked lists by grid and the audited reveal of one record. Every
//! read of personal data goes through here (or the map's building panel) and is audited.

use crate::auth::now_ms;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::{ResidentPlace, Store};
use std::sync::Arc;
use zhizhi_shared::auth::Principal;
use crate::xlsx::{Cell, Sheet};
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

    /// A grid's residents as an Excel workbook, whole: masked, or — for a stated reason (at
    /// least four characters), by one who may reveal them — unmasked. One audit entry names the
    /// export, its row count and the reason (a refused one too). The file's name says which
    /// grid, masked or not, and when.
    pub async fn export(&self, me: &Principal, grid_id: i64, reason: Option<&str>, now: i64) -> ServiceResult<(String, Vec<u8>)> {
        if !me.may_list_residents_of(grid_id) {
            return Err(ServiceError::Forbidden);
        }
        let grid = self.store.grids().await?.into_iter().find(|g| g.id == grid_id).ok_or(ServiceError::NotFound("没有这个网格"))?;
        let target = format!("grid:{grid_id}");
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            if r.chars().count() < 4 {
                return Err(ServiceError::invalid("reason", "明文导出请说明原因（至少 4 个字）"));
            }
            if !me.may_reveal_resident_of(grid_id) {
                self.store.append_audit(now, &me.username, "export_refused", &target, r).await?;
                return Err(ServiceError::Forbidden);
            }
        }
        const PAGE: i64 = 5_000;
        let mut rows = Vec::new();
        loop {
            let page = self.store.residents_in_grid(grid_id, PAGE, rows.len() as i64).await?;
            let last = (page.len() as i64) < PAGE;
            rows.extend(page);
            if last {
                break;
            }
        }
        let masked = reason.is_none();
        let mut sheet = vec![["姓名", "性别", "出生年份", "身份证号", "联系电话", "关爱标签", "地址", "房号"].map(Cell::from).to_vec()];
        for r in rows {
            let v = view(r, masked);
            let tags: Vec<&str> = v.care_tags.iter().map(|t| t.name_zh()).collect();
            let sex = if v.sex == "male" { "男" } else { "女" };
            sheet.push(vec![v.name.into(), sex.into(), v.birth_year.into(), v.id_number.into(), v.phone.into(), tags.join("、").into(), v.address.into(), v.unit.into()]);
        }
        let n = sheet.len() - 1;
        let detail = match reason {
            None => format!("导出脱敏居民表 {n} 条"),
            Some(r) => format!("导出明文居民表 {n} 条；原因：{r}"),
        };
        self.store.append_audit(now, &me.username, "export_residents", &target, &detail).await?;
        let when = zhizhi_shared::time::beijing_stamp(now);
        let name = format!("{}居民{}-{when}.xlsx", grid.name, if masked { "（脱敏）" } else { "（明文）" });
        let book = crate::xlsx::workbook(&[Sheet { name: format!("{} 居民", grid.name), rows: sheet }]);
        Ok((name, book))
    }
}
