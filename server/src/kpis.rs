//! The KPI service (考核与分析): the indicators of `zhizhi_shared::kpi` over a period's cases
//! and the period before, by a grouping, and the cases behind a figure. Every figure is
//! computed from the case timeline when asked: there is no counter kept on the side.

use crate::error::{ServiceError, ServiceResult};
use crate::storage::{CaseFilter, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::kpi::{self, Grouping, Indicator, IndicatorWeight, KpiQuery, KpiReport, Unit, DEFINITIONS};
use crate::xlsx::{Cell, Sheet};

/// Cases a drill-down lists at most.
pub const DRILL_DOWN_LIMIT: i64 = 500;

/// How far the demo's history has got in this process (`demo::life` plays it): while it
/// plays, the report says so, since its figures are still changing.
pub struct HistoryProgress {
    pub played: AtomicI64,
    pub planned: AtomicI64,
}

impl HistoryProgress {
    /// `(played, planned)`; `(0, 0)` when no history is being played.
    pub fn get(&self) -> (i64, i64) {
        (self.played.load(Ordering::Relaxed), self.planned.load(Ordering::Relaxed))
    }
}

pub static DEMO_HISTORY: HistoryProgress = HistoryProgress { played: AtomicI64::new(0), planned: AtomicI64::new(0) };

/// The indicators over a store.
pub struct Kpis {
    pub store: Arc<dyn Store>,
    /// Facts read before, kept while their case's version and rating say they are still true.
    pub facts: FactsCache,
}

/// Cases the cache holds at most — some seven months of a busy street (16,000 cases a month),
/// about 70 MB; past it, it starts again empty.
const CACHE_CASES: usize = 120_000;

/// Above this many changed cases, a period is read whole rather than case by case.
const READ_WHOLE: usize = 2_000;

/// The indicators' facts, case by case, as last read: `id → (version, facts)`. A case's facts
/// (state, timeline, tasks) change only in a write that bumps its version, and its rating is
/// written once: every report first reads the period's `(id, version, rating)` and reads again
/// only the cases that changed. A cache of the log's reads, never of figures, checked against
/// the database on every report (so several nodes over one database each keep their own).
#[derive(Default)]
pub struct FactsCache {
    cases: std::sync::Mutex<std::collections::HashMap<i64, (i64, Arc<kpi::CaseFacts>)>>,
}

impl Kpis {
    pub fn new(store: Arc<dyn Store>) -> Kpis {
        Kpis { store, facts: FactsCache::default() }
    }

    /// Reads this month and the two before into the cache (what the page shows first, and the
    /// month before it), so that the first look after a start is as quick as the next.
    pub async fn warm(&self, now: i64) {
        let mut month = kpi::Period::containing(kpi::PeriodKind::Month, now);
        for _ in 0..3 {
            if let Err(e) = self.facts(month.from, month.to).await {
                tracing::warn!("KPI cache not warmed: {e}");
                return;
            }
            month = month.previous();
        }
    }

    /// [`Kpis::facts`] as `me` judges them: a street's staff their street's cases (those of its
    /// grids), the district's every case.
    async fn facts_of(&self, me: &Principal, from: i64, to: i64) -> ServiceResult<Vec<kpi::CaseFacts>> {
        let mut cases = self.facts(from, to).await?;
        cases.retain(|c| me.street_id.is_none() || c.grid_id.is_some_and(|g| me.in_my_street(g)));
        Ok(cases)
    }

    /// The facts of the cases reported in `[from, to)`, in id order: from the cache where the
    /// case has not changed since it was read, else from the store.
    pub async fn facts(&self, from: i64, to: i64) -> ServiceResult<Vec<kpi::CaseFacts>> {
        let marks = self.store.kpi_versions(from, to).await?;
        let stale: Vec<i64> = {
            let cache = self.facts.cases.lock().unwrap_or_else(|e| e.into_inner());
            marks
                .iter()
                .filter(|(id, version, rating)| {
                    cache.get(id).is_none_or(|(v, f)| v != version || f.rating.map(i64::from) != *rating)
                })
                .map(|m| m.0)
                .collect()
        };
        let fresh = match stale.len() {
            0 => Vec::new(),
            n if n > READ_WHOLE => self.store.kpi_facts(from, to).await?,
            _ => self.store.kpi_facts_of(&stale).await?,
        };
        let mut cache = self.facts.cases.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + fresh.len() > CACHE_CASES {
            cache.clear();
        }
        let mut fresh_by_id: std::collections::HashMap<i64, Arc<kpi::CaseFacts>> = std::collections::HashMap::with_capacity(fresh.len());
        for (version, f) in fresh {
            let f = Arc::new(f);
            fresh_by_id.insert(f.id, f.clone());
            cache.insert(f.id, (version, f));
        }
        // Each case as just read, else as cached (a case read afresh is never older than its mark).
        Ok(marks
            .iter()
            .filter_map(|(id, _, _)| fresh_by_id.get(id).or_else(|| cache.get(id).map(|c| &c.1)).map(|f| (**f).clone()))
            .collect())
    }
}

pub fn may_see(me: &Principal) -> ServiceResult<()> {
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
        let (names, cases, before) =
            tokio::try_join!(async { Ok(self.store.kpi_names().await?) }, self.facts_of(me, period.from, period.to), self.facts_of(me, previous.from, previous.to))?;
        let weights = self.weights().await?;
        let w: Vec<(Indicator, u32)> = weights.iter().map(|x| (x.indicator, x.weight)).collect();
        let rows = kpi::compute(&cases, &names, grouping, &w);
        let previous_rows = kpi::compute(&before, &names, grouping, &w);
        let (trend, hours) = (kpi::trend(&cases, &period, &w), kpi::hours(&cases));
        let (health, previous_health) = tokio::try_join!(self.health(period.from, period.to, now), self.health(previous.from, previous.to, now))?;
        let (played, planned) = DEMO_HISTORY.get();
        let demo_history = (played < planned).then_some([played, planned]);
        Ok(KpiReport { period, previous, grouping, cases: cases.len() as i64, rows, previous_rows, trend, hours, weights, health, previous_health, demo_history })
    }

    /// Device health and enterprise grade changes over `[from, to)`.
    async fn health(&self, from: i64, to: i64, now: i64) -> ServiceResult<kpi::Health> {
        let ((devices, spells), gradings) = tokio::try_join!(self.store.kpi_devices(from, to), self.store.kpi_gradings(from, to))?;
        Ok(kpi::Health { devices: kpi::device_health(&devices, &spells, from, to, now), grades: kpi::grade_changes(gradings) })
    }

    /// The weights in force: every indicator's, as an administrator set it or by default.
    pub async fn weights(&self) -> ServiceResult<Vec<IndicatorWeight>> {
        let set: Vec<IndicatorWeight> = self
            .store
            .kpi_weights()
            .await?
            .into_iter()
            .filter_map(|(code, weight)| Some(IndicatorWeight { indicator: Indicator::from_code(&code)?, weight: u32::try_from(weight).ok()? }))
            .collect();
        Ok(kpi::weights_in_force(&set))
    }

    /// Sets the weights (administrators): checked, stored in one transaction, audited.
    pub async fn set_weights(&self, me: &Principal, weights: &[IndicatorWeight], now: i64) -> ServiceResult<Vec<IndicatorWeight>> {
        if !me.has(Role::Admin) {
            return Err(ServiceError::Denied("考核权重由系统管理员设置".into()));
        }
        kpi::check_weights(weights).map_err(|(field, message)| ServiceError::invalid(field, message))?;
        let rows: Vec<(String, i64)> = weights.iter().map(|w| (w.indicator.code().to_string(), i64::from(w.weight))).collect();
        self.store.save_kpi_weights(&rows, &me.username, now).await?;
        let detail: Vec<String> = kpi::weights_in_force(weights).iter().map(|w| format!("{} {}", w.indicator.definition().name.0, w.weight)).collect();
        self.store.append_audit(now, &me.username, "kpi_weights", "kpi", &detail.join("，")).await?;
        self.weights().await
    }

    /// The cases that lower (or, for a rate better low, raise) one figure: group `key` of the
    /// report `q` asks for, indicator `indicator`. At most [`DRILL_DOWN_LIMIT`], newest first.
    pub async fn cases(&self, me: &Principal, q: &KpiQuery, indicator: &str, key: &str, now: i64) -> ServiceResult<Vec<CaseSummary>> {
        may_see(me)?;
        let indicator = Indicator::from_code(indicator).ok_or_else(|| ServiceError::invalid("indicator", format!("没有「{indicator}」这项指标")))?;
        let period = kpi::period_of(q, now).map_err(|(field, message)| ServiceError::invalid(field, message))?;
        let grouping = grouping_of(q)?;
        let names = self.store.kpi_names().await?;
        let cases = self.facts_of(me, period.from, period.to).await?;
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

impl Kpis {
    /// Where the period's cases were, of one category group (`group`, e.g. `order`) or all:
    /// the hot-spot map's points.
    pub async fn points(&self, me: &Principal, q: &KpiQuery, group: Option<&str>, now: i64) -> ServiceResult<Vec<LonLat>> {
        may_see(me)?;
        let period = kpi::period_of(q, now).map_err(|(field, message)| ServiceError::invalid(field, message))?;
        let group = group.filter(|g| !g.is_empty());
        if let Some(g) = group
            && zhizhi_shared::case::category::group(g).is_none()
        {
            let codes: Vec<&str> = zhizhi_shared::case::category::GROUPS.iter().map(|g| g.code).collect();
            return Err(ServiceError::invalid("group", format!("没有事件大类「{g}」：可选 {}", codes.join("、"))));
        }
        let points = self.store.kpi_points(period.from, period.to).await?;
        // A street's staff: the points within their street.
        let areas: Vec<_> = match me.street_id {
            Some(_) => zhizhi_shared::place::of_street(me.street_id, self.store.communities().await?, vec![], vec![]).0.into_iter().map(|c| c.boundary).collect(),
            None => vec![],
        };
        Ok(points
            .into_iter()
            .filter(|(_, lon, lat)| me.street_id.is_none() || areas.iter().any(|a| a.contains([*lon, *lat])))
            .filter(|(category, _, _)| group.is_none_or(|g| zhizhi_shared::case::category(category).is_some_and(|c| c.group == g)))
            .map(|(_, lon, lat)| [lon, lat])
            .collect())
    }
}

/// A figure's value as a spreadsheet shows it: a percentage or minutes, one decimal.
fn value(v: Option<f64>) -> Cell {
    v.map(|v| (v * 10.0).round() / 10.0).into()
}

/// The report as an Excel workbook: the ranking (every group's figures with numerator and
/// denominator, score and grade, and the previous period's score), the trend, the heat table
/// and the definitions, one sheet each, in Chinese.
pub fn workbook(r: &KpiReport) -> Vec<u8> {
    let mut header: Vec<Cell> = vec![kpi_grouping_name(r.grouping).into(), "案件数".into(), "得分".into(), "等级".into(), "上期得分".into()];
    for d in &DEFINITIONS {
        let unit = if d.unit == Unit::Percent { "%" } else { "分钟" };
        header.push(format!("{}（{unit}）", d.name.0).into());
        header.push(format!("{} 分子", d.name.0).into());
        header.push(format!("{} 分母", d.name.0).into());
    }
    let row = |g: &kpi::GroupFigures, previous: Option<f64>| {
        let mut cells: Vec<Cell> = vec![g.name.clone().into(), g.cases.into(), value(g.score), g.grade.clone().unwrap_or_default().into(), value(previous)];
        for f in &g.figures {
            cells.extend([value(f.value), f.numerator.into(), f.denominator.into()]);
        }
        cells
    };
    let mut ranking = vec![header.clone()];
    for g in &r.rows {
        ranking.push(row(g, r.previous_rows.iter().find(|p| p.key == g.key).and_then(|p| p.score)));
    }
    let mut trend = vec![{
        let mut h = header;
        h[0] = "日期".into();
        h[4] = Cell::Empty;
        h
    }];
    for g in &r.trend {
        let mut cells = row(g, None);
        cells[0] = g.key.clone().into();
        trend.push(cells);
    }
    let mut hours = vec![std::iter::once(Cell::from("事件大类")).chain((0..24).map(|h| Cell::from(format!("{h}时")))).collect::<Vec<_>>()];
    for h in &r.hours {
        hours.push(std::iter::once(Cell::from(h.name.clone())).chain(h.counts.iter().map(|n| Cell::from(*n))).collect());
    }
    let mut defs = vec![vec!["指标".into(), "分子".into(), "分母".into(), "权重".into(), "越高越好".into()]];
    for d in &DEFINITIONS {
        let weight = r.weights.iter().find(|w| w.indicator == d.indicator).map_or(d.weight, |w| w.weight);
        defs.push(vec![d.name.0.into(), d.numerator.0.into(), d.denominator.0.into(), i64::from(weight).into(), if d.higher_is_better { "是" } else { "否" }.into()]);
    }
    let label = r.period.label();
    let health = health_rows(r);
    crate::xlsx::workbook(&[
        Sheet { name: format!("考核排名 {label}"), rows: ranking },
        Sheet { name: "趋势".into(), rows: trend },
        Sheet { name: "时段分布".into(), rows: hours },
        Sheet { name: "设备与企业".into(), rows: health },
        Sheet { name: "指标说明".into(), rows: defs },
    ])
}

/// The sheet of device health and grade changes: the figures of both periods, then the
/// devices offline and the gradings behind them.
fn health_rows(r: &KpiReport) -> Vec<Vec<Cell>> {
    let hours = |m: i64| Cell::from(Some((m as f64 / 6.0).round() / 10.0));
    let (d, p) = (&r.health.devices, &r.previous_health.devices);
    let (g, pg) = (&r.health.grades, &r.previous_health.grades);
    let mut rows: Vec<Vec<Cell>> = vec![
        vec!["指标".into(), "本期".into(), "分子".into(), "分母".into(), "上期".into(), "上期分子".into(), "上期分母".into()],
        vec!["设备在线率（%，分子分母为设备·小时）".into(), value(d.value), hours(d.online_minutes), hours(d.minutes), value(p.value), hours(p.online_minutes), hours(p.minutes)],
        vec!["在网设备（台）".into(), d.devices.into(), Cell::Empty, Cell::Empty, p.devices.into()],
        vec!["有离线的设备（台）".into(), d.offline_devices.into(), Cell::Empty, Cell::Empty, p.offline_devices.into()],
        vec!["企业信用等级调升（次）".into(), g.raised.into(), g.raised.into(), g.gradings.into(), pg.raised.into(), pg.raised.into(), pg.gradings.into()],
        vec!["企业信用等级调降（次）".into(), g.lowered.into(), g.lowered.into(), g.gradings.into(), pg.lowered.into(), pg.lowered.into(), pg.gradings.into()],
        vec![],
        vec!["离线设备".into(), "类型".into(), "离线时长（小时）".into(), "离线次数".into()],
    ];
    for x in &d.offline {
        rows.push(vec![x.code.clone().into(), x.kind.clone().into(), hours(x.minutes), x.spells.into()]);
    }
    rows.push(vec![]);
    rows.push(vec!["企业".into(), "原等级".into(), "新等级".into(), "时间".into(), "理由".into()]);
    for c in &g.changes {
        rows.push(vec![
            c.name.clone().into(),
            c.from.clone().unwrap_or_else(|| "初评".into()).into(),
            c.to.clone().into(),
            zhizhi_shared::time::beijing_datetime(c.at).into(),
            c.reason.clone().into(),
        ]);
    }
    rows
}

fn kpi_grouping_name(g: Grouping) -> &'static str {
    g.name().0
}
