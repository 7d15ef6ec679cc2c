//! The residents service: masked lists by grid and the audited reveal of one record. Every
//! read of personal data goes through here (or the map's building panel) and is audited.

use crate::auth::now_ms;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::people::ResidentSearch;
use crate::storage::{ResidentPlace, Store};
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::people::{age_on, CareDevice, PeopleFound, PeopleQuery, ResidentHit, ResidentPage, SEARCH_LIMIT};
use crate::xlsx::{Cell, Sheet};
use zhizhi_shared::people::ResidentView;
use zhizhi_shared::place::Tenure;

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

    /// A search of people, houses and enterprises (人房企): residents (masked; only in the grids
    /// the user may list, and the read audited with the query, its digits masked), buildings,
    /// and the businesses the supervision list would show the user.
    pub async fn search(&self, me: &Principal, q: &PeopleQuery, supervision: &crate::supervision::Supervision, now: i64) -> ServiceResult<PeopleFound> {
        if me.roles.is_empty() {
            return Err(ServiceError::Forbidden);
        }
        if q.q.chars().count() > 50 {
            return Err(ServiceError::invalid("q", "检索词最多 50 个字"));
        }
        let grids = if (me.has(Role::Command) || me.has(Role::Admin)) && me.street_id.is_none() {
            Some(q.grid_id.map(|g| g.to_string()).unwrap_or_default())
        } else if me.has(Role::Command) || me.has(Role::Admin) {
            // A street's staff: their street's grids (never "every grid").
            let mine: Vec<String> = me.street_grids.iter().filter(|g| q.grid_id.is_none_or(|w| w == **g)).map(i64::to_string).collect();
            Some(if mine.is_empty() { "0".into() } else { mine.join(",") })
        } else if me.has(Role::GridWorker) {
            let mine: Vec<String> = me.grid_ids.iter().filter(|g| q.grid_id.is_none_or(|w| w == **g)).map(i64::to_string).collect();
            // A grid that is not theirs: nothing (never "every grid").
            Some(if mine.is_empty() { "0".into() } else { mine.join(",") })
        } else {
            None
        };
        let pattern = q.pattern();
        let mut found = PeopleFound { residents_shown: grids.is_some(), ..PeopleFound::default() };
        let today = zhizhi_shared::time::beijing_date(now);
        if let Some(grids) = &grids {
            let (born_after, born_up_to) = q.age.map_or(("0000-00-00".to_string(), "9999-12-31".to_string()), |a| a.births(&today));
            let search = ResidentSearch {
                pattern: pattern.clone(),
                care: q.care.map(|c| c.code().to_string()).unwrap_or_default(),
                born_after,
                born_up_to,
                grids: grids.clone(),
                tenure: q.tenure.map(|t| if t == Tenure::Unknown { "none" } else { t.code() }.to_string()).unwrap_or_default(),
                limit: SEARCH_LIMIT as i64 + 1,
            };
            let mut rows = self.store.search_residents(&search).await?;
            found.more_residents = rows.len() > SEARCH_LIMIT;
            rows.truncate(SEARCH_LIMIT);
            found.residents = rows
                .into_iter()
                .map(|(r, building_id)| ResidentHit { age: age_on(&r.resident.birth_date, &today), building_id, grid_id: r.grid_id, resident: view(r, true) })
                .collect();
            let mut filters = Vec::new();
            if let Some(c) = q.care {
                filters.push(c.name_zh().to_string());
            }
            if let Some(a) = q.age {
                filters.push(a.name().0.to_string());
            }
            if let Some(t) = q.tenure {
                filters.push(format!("房屋{}", t.name().0));
            }
            let detail = format!("检索「{}」{}：脱敏居民 {} 人", q.for_audit(), if filters.is_empty() { String::new() } else { format!("（{}）", filters.join("、")) }, found.residents.len());
            self.store.append_audit(now, &me.username, "search_residents", "people", &detail).await?;
        }
        // Houses and businesses have no care tags or ages: a search filtered by them lists only
        // people.
        if q.care.is_none() && q.age.is_none() {
            let building_grids = match &grids {
                Some(g) if !me.has(Role::Command) && !me.has(Role::Admin) => g.clone(),
                _ => q.grid_id.map(|g| g.to_string()).unwrap_or_default(),
            };
            found.buildings = self.store.find_buildings(&pattern, &building_grids, SEARCH_LIMIT as i64).await?;
            let words: String = q.q.trim().chars().filter(|c| *c != '*' && *c != '＊').collect();
            let eq = zhizhi_shared::enterprise::view::EnterpriseQuery { q: words, grid_id: q.grid_id, ..Default::default() };
            found.enterprises = supervision.list(me, &eq, now).await?;
        }
        Ok(found)
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

    /// One resident's page, masked (their grid's staff and command staff): the household and
    /// who else lives in it, the devices watching over them. The read is audited.
    pub async fn page(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<ResidentPage> {
        let Some(r) = self.store.resident(id).await? else {
            return Err(ServiceError::NotFound("没有这位居民"));
        };
        if !me.may_list_residents_of(r.grid_id) {
            return Err(ServiceError::Forbidden);
        }
        let (building_id, floor, tenure) = self.store.resident_home(id).await?.ok_or(ServiceError::NotFound("没有这位居民"))?;
        let tenure = Tenure::from_code(&tenure).unwrap_or_default();
        let today = zhizhi_shared::time::beijing_date(now);
        let household_id = r.resident.household_id;
        let hit = |p: ResidentPlace| ResidentHit { age: age_on(&p.resident.birth_date, &today), building_id, grid_id: p.grid_id, resident: view(p, true) };
        let members: Vec<ResidentHit> = self
            .store
            .residents_of(building_id)
            .await?
            .into_iter()
            .filter(|p| p.resident.household_id == household_id && p.resident.id != id)
            .map(hit)
            .collect();
        let devices = self
            .store
            .device_records(None)
            .await?
            .into_iter()
            .filter(|d| d.resident_id == Some(id) || d.household_id == Some(household_id))
            .map(|d| CareDevice { id: d.id, code: d.code, kind: d.kind, model: d.model, for_resident: d.resident_id == Some(id), retired: d.retired })
            .collect();
        self.store.append_audit(now, &me.username, "view_resident", &format!("resident:{id}"), &format!("脱敏查看居民页，同户 {} 人", members.len())).await?;
        Ok(ResidentPage { resident: hit(r), household_id, floor, tenure, members, devices })
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
