//! The cases a user may see, as an Excel workbook: the list's filters, up to
//! [`EXPORT_LIMIT`] cases, residents' names masked as everywhere; one audit entry per export.

use super::{filter_of, Cases};
use crate::error::ServiceResult;
use crate::xlsx::{Cell, Sheet};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::CaseQuery;

/// Cases one export holds at most (the default when the query names no limit).
pub const EXPORT_LIMIT: i64 = 50_000;

impl Cases {
    /// The cases `q` selects (as `GET /api/v1/cases` would, in the user's scope), newest first,
    /// as a workbook named after what and when.
    pub async fn export(&self, me: &Principal, q: &CaseQuery, now: i64) -> ServiceResult<(String, Vec<u8>)> {
        let filter = filter_of(me, q, now, EXPORT_LIMIT, EXPORT_LIMIT)?;
        let cases = self.store.cases(&filter).await?;
        let time = zhizhi_shared::time::beijing_datetime;
        let header = ["事件编号", "事件类别", "来源", "状态", "紧急程度", "描述", "地址", "所属区域", "网格员", "上报人", "承办", "上报时间", "最近更新", "演练"];
        let mut rows = vec![header.map(Cell::from).to_vec()];
        for c in &cases {
            let category = zhizhi_shared::case::category::category(&c.category).map_or(c.category.as_str(), |k| k.name_zh);
            let holders: Vec<&str> = c.tasks.iter().map(|t| t.holder_name.as_str()).collect();
            rows.push(vec![
                c.number.clone().into(),
                category.into(),
                c.source.name_zh().into(),
                c.state.name_zh().into(),
                c.urgency.name_zh().into(),
                c.description.clone().into(),
                c.address.clone().into(),
                c.place.clone().into(),
                c.grid_worker.clone().into(),
                c.reporter_name.clone().into(),
                holders.join("、").into(),
                time(c.created_at).into(),
                time(c.updated_at).into(),
                if c.drill { "是" } else { "" }.into(),
            ]);
        }
        let n = cases.len();
        let mut what: Vec<String> = Vec::new();
        if let Some(s) = q.state.as_deref().filter(|s| !s.trim().is_empty()) {
            what.push(format!("状态 {s}"));
        }
        if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
            what.push(format!("类别 {c}"));
        }
        if let Some(g) = q.grid {
            what.push(format!("网格 {g}"));
        }
        if let Some(s) = q.street {
            what.push(format!("街道 {s}"));
        }
        if q.overdue == Some(true) {
            what.push("已超时".into());
        }
        let detail = if what.is_empty() { format!("导出事件 {n} 条") } else { format!("导出事件 {n} 条（{}）", what.join("，")) };
        self.store.append_audit(now, &me.username, "export_cases", "cases", &detail).await?;
        let when = zhizhi_shared::time::beijing_stamp(now);
        let book = crate::xlsx::workbook(&[Sheet { name: "事件".into(), rows }]);
        Ok((format!("事件{}-{when}.xlsx", if what.is_empty() { String::new() } else { format!("（{}）", what.join("，")) }), book))
    }
}
