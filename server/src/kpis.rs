//! The KPI service (考核与分析): the indicators of `zhizhi_shared::kpi` over a period's cases
//! and the period before, by a grouping, and the cases behind a figure. Every figure is
//! computed from the case timeline when asked: there is no counter kept on the side.

use crate::error::{ServiceError, ServiceResult};
use crate::storage::{CaseFilter, Store};
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::kpi::{self, Grouping, Indicator, KpiQuery, KpiReport};

/// Cases a drill-down lists at most.
pub const DRILL_DOWN_LIMIT: i64 = 500;

/// The indicators over a store.
pub struct Kpis {
    pub store: Arc<dyn Store>,
}

fn may_see(me: &Principal) -> ServiceResult<()> {
    if me.has(Role::Command) || me.has(Role::Admin) || me.has(Role::District) {
        Ok(())
    } else {
        Err(ServiceError::Denied("考核指标供指挥中心、系统管理员和区级查看".into()))
    }
}

fn grouping_of(q: &KpiQuery) -> ServiceResult<Grouping> {
    match q.by.as_deref() {
        None | Some("") => Ok(Grouping::Street),
        Some(b) => Grouping::from_code(b).ok_or_else(|| {
            ServiceError::invalid("by", format!("不能按「{b}」分组：可选 street、board、post、grid、community、category、source"))
        }),
    }
}

impl Kpis {
    /// The figures of the period `q` asks for and of the one before, by its grouping.
    pub async fn report(&self, me: &Principal, q: &KpiQuery, now: i64) -> ServiceResult<KpiReport> {
        may_see(me)?;
        let period = kpi::period_of(q, now).map_err(|(field, message)| ServiceError::invalid(field, message))?;
        let grouping = grouping_of(q)?;
        let previous = period.previous();
        // The two periods are read side by side (the reads dominate the time).
        let (names, cases, before) = tokio::try_join!(
            self.store.kpi_names(),
            self.store.kpi_facts(period.from, period.to),
            self.store.kpi_facts(previous.from, previous.to)
        )?;
        let rows = kpi::compute(&cases, &names, grouping, &[]);
        let previous_rows = kpi::compute(&before, &names, grouping, &[]);
        Ok(KpiReport { period, previous, grouping, cases: cases.len() as i64, rows, previous_rows })
    }

    /// The cases that lower (or, for a rate better low, raise) one figure: group `key` of the
    /// report `q` asks for, indicator `indicator`. At most [`DRILL_DOWN_LIMIT`], newest first.
    pub async fn cases(&self, me: &Principal, q: &KpiQuery, indicator: &str, key: &str, now: i64) -> ServiceResult<Vec<CaseSummary>> {
        may_see(me)?;
        let indicator = Indicator::from_code(indicator).ok_or_else(|| ServiceError::invalid("indicator", format!("没有「{indicator}」这项指标")))?;
        let period = kpi::period_of(q, now).map_err(|(field, message)| ServiceError::invalid(field, message))?;
        let grouping = grouping_of(q)?;
        let names = self.store.kpi_names().await?;
        let cases = self.store.kpi_facts(period.from, period.to).await?;
        let rows = kpi::compute(&cases, &names, grouping, &[]);
        let key = if key.is_empty() { "street" } else { key };
        let row = rows.iter().find(|r| r.key == key).ok_or(ServiceError::NotFound("这个分组在该周期没有案件"))?;
        let mut ids = row.figures.iter().find(|f| f.indicator == indicator).map(|f| f.misses.clone()).unwrap_or_default();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.truncate(DRILL_DOWN_LIMIT as usize);
        let mut found = self.store.cases(&CaseFilter { ids, limit: DRILL_DOWN_LIMIT, ..Default::default() }).await?;
        found.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(found)
    }
}
