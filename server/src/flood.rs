//! The flood control service: the gauges with their 72 hours, the level they suggest, the
//! response the command centre confirms (the flood plan's activation at that level), flood
//! zones and what lies in them, the evacuation list and its head count, shelters and
//! checkpoints. Every write bumps the flood version, which the live stream carries as a
//! `flood` event (this server copy at once; others within [`POLL`], read by one task per copy).

use crate::error::{ServiceError, ServiceResult};
use crate::plans::Plans;
use crate::storage::flood::EvacOutcome;
use crate::storage::Store;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::flood::view::{order, vulnerable, BuildingExposure, EvacRecord, EvacResident, FloodBoard, GaugeView, HouseholdRow, LevelSource, NewShelter, ResponseView, ZoneView};
use zhizhi_shared::flood::{self, EvacUpdate, FloodError, Forecast, ForecastInput, GaugeSettings, Headcount, Reading};
use zhizhi_shared::iot::Rule;
use zhizhi_shared::mask;
use zhizhi_shared::plan::{ActivationChange, Level, NewActivation};

/// How often one task per server copy reads the flood version and the newest gauge reading.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(2);

const HOUR: i64 = 3_600_000;

/// Flood control over a store; the response runs through the plans service.
#[derive(Clone)]
pub struct Flood {
    pub store: Arc<dyn Store>,
    pub plans: Arc<Plans>,
    /// `(flood version, newest gauge reading's time)`: changes whenever the board would.
    pub changed: Arc<tokio::sync::watch::Sender<(i64, i64)>>,
}

impl From<FloodError> for ServiceError {
    fn from(e: FloodError) -> Self {
        ServiceError::Invalid { field: e.field, message: e.message }
    }
}

fn staff(me: &Principal) -> ServiceResult<()> {
    if me.roles.is_empty() {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

fn command(me: &Principal) -> ServiceResult<()> {
    if me.has(Role::Command) {
        Ok(())
    } else {
        Err(ServiceError::Denied("只有指挥中心值班人员可以指挥防汛响应".into()))
    }
}

fn command_or_admin(me: &Principal) -> ServiceResult<()> {
    if me.has(Role::Command) || me.has(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::Denied("只有指挥中心或系统管理员可以设置水位站、淹没区和安置点".into()))
    }
}

/// Age in whole years on `now` from `YYYY-MM-DD`.
fn age(birth: &str, now: i64) -> i64 {
    let (_, (y, m, d)) = zhizhi_shared::time::beijing_day_start(now);
    let mut parts = birth.split('-').map(|p| p.parse::<i64>().unwrap_or(0));
    let (by, bm, bd) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let mut a = y - by;
    if (i64::from(m), i64::from(d)) < (bm, bd) {
        a -= 1;
    }
    a.max(0)
}

/// The river's level for the zones: the primary gauge's newest reading, or its forecast peak
/// (still ahead) when that is higher.
fn river_level(primary: Option<&flood::Gauge>, latest: Option<f64>, now: i64) -> (Option<f64>, LevelSource) {
    let forecast = primary.and_then(|g| g.forecast.as_ref().filter(|f| f.peak_at >= now).map(|f| f.peak_m));
    match (latest, forecast) {
        (c, Some(f)) if c.is_none_or(|c| f > c) => (Some(f), LevelSource::Forecast),
        (c, _) => (c, LevelSource::Current),
    }
}

impl Flood {
    /// A service over `store` (its poller started by [`Flood::watch`]).
    pub fn new(store: Arc<dyn Store>, plans: Arc<Plans>) -> Self {
        Flood { store, plans, changed: Arc::new(tokio::sync::watch::channel((0, 0)).0) }
    }

    /// Reads the flood version and the newest gauge reading every [`POLL`] and tells the open
    /// streams when either moved: writes of other server copies and new readings arrive so.
    pub fn watch(&self) {
        let store = self.store.clone();
        crate::live::poll(self.changed.clone(), POLL, move || {
            let store = store.clone();
            async move { store.flood_cursor().await.ok() }
        });
    }

    /// Re-reads the cursor and tells the streams if it moved.
    async fn touch(&self) {
        if let Ok(c) = self.store.flood_cursor().await {
            crate::live::moved(&self.changed, c);
        }
    }

    /// Everything the flood screens show. The zones, buildings and households are drawn for
    /// `level` if given, else the level the running response's list was drawn up for, else the
    /// primary gauge's newest reading or its forecast peak, whichever is higher. Grid workers see
    /// the households of their own grids; residents are masked, shown only to those who may list
    /// their grid's residents, and every such read is audited.
    pub async fn board(&self, me: &Principal, level: Option<f64>, now: i64) -> ServiceResult<FloodBoard> {
        staff(me)?;
        let (version, _) = self.store.flood_cursor().await?;
        let mut gauges = Vec::new();
        for g in self.store.flood_gauges().await? {
            let readings: Vec<Reading> = self
                .store
                .water_readings(g.device_id, now - 72 * HOUR)
                .await?
                .into_iter()
                .map(|(ts, m)| Reading { ts, m: g.to_reference(m) })
                .collect();
            let latest = readings.last().copied();
            let (lon, lat) = match self.store.device_records(Some(g.device_id)).await?.pop() {
                Some(d) => (d.lon, d.lat),
                None => (0.0, 0.0),
            };
            gauges.push(GaugeView {
                rise_per_hour: flood::rise_per_hour(&readings),
                stage: latest.map(|r| g.stage(r.m)).unwrap_or(flood::Stage::Normal),
                gauge: g,
                readings,
                latest,
                lon,
                lat,
            });
        }
        let pairs: Vec<_> = gauges.iter().map(|g| (&g.gauge, g.latest.map(|r| r.m))).collect();
        let suggestion = flood::suggest(&pairs, now);
        let response = self.store.flood_response().await?;
        let running = response.as_ref().filter(|r| r.stood_down_at.is_none());
        let primary = gauges.iter().find(|g| g.gauge.primary).or(gauges.first());
        let (level_m, level_source) = match (level, running.and_then(|r| r.list_level_m)) {
            (Some(l), _) => (Some(l), LevelSource::Chosen),
            (None, Some(l)) => (Some(l), LevelSource::List),
            _ => river_level(primary.map(|g| &g.gauge), primary.and_then(|g| g.latest.map(|r| r.m)), now),
        };
        let zones = self.store.flood_zones().await?;
        let zone_views: Vec<ZoneView> = zones.iter().map(|z| ZoneView { flooded: level_m.is_some_and(|l| z.flood_level_m <= l), zone: z.clone() }).collect();
        let listed = match response.as_ref() {
            Some(r) => self.store.evacuations(r.id).await?,
            None => Vec::new(),
        };
        let listed_by: HashMap<i64, _> = listed.iter().map(|e| (e.household_id, e)).collect();
        let exposed = self.exposed(level_m, &zones, &listed.iter().map(|e| e.building_id).collect::<Vec<_>>()).await?;
        let mine_only = !me.has(Role::Command) && me.has(Role::GridWorker);
        let mut households = Vec::new();
        let mut buildings = Vec::new();
        let mut shown_people = 0usize;
        for (b, zone) in &exposed {
            let routing = self.store.routing(b.micro_grid_id).await?;
            let (grid_id, grid, worker) = match &routing {
                Some(r) => (r.grid_id, r.place.split(" · ").nth(1).unwrap_or_default().to_string(), r.grid_worker.clone()),
                None => (0, String::new(), String::new()),
            };
            if mine_only && !me.grid_ids.contains(&grid_id) {
                continue;
            }
            let residents = self.store.residents_of(b.id).await?;
            let shown = me.may_list_residents_of(grid_id);
            let mut people: BTreeMap<i64, Vec<EvacResident>> = BTreeMap::new();
            let mut members: BTreeMap<i64, i64> = BTreeMap::new();
            for r in &residents {
                *members.entry(r.resident.household_id).or_default() += 1;
                if shown {
                    shown_people += 1;
                    people.entry(r.resident.household_id).or_default().push(EvacResident {
                        name: mask::name(&r.resident.name),
                        age: age(&r.resident.birth_date, now),
                        tags: r.resident.care_tags.clone(),
                    });
                }
            }
            let is_vulnerable: BTreeMap<i64, bool> = residents.iter().fold(BTreeMap::new(), |mut m, r| {
                *m.entry(r.resident.household_id).or_insert(false) |= r.resident.care_tags.iter().any(|t| vulnerable(*t));
                m
            });
            let mut head = Headcount::default();
            let mut building_vulnerable = 0;
            let mut building_people = 0;
            for h in self.store.households_of(b.id).await? {
                let listed = listed_by.get(&h.id);
                let n = listed.map(|e| e.members).unwrap_or_else(|| members.get(&h.id).copied().unwrap_or(0));
                if n == 0 && listed.is_none() {
                    continue;
                }
                let v = is_vulnerable.get(&h.id).copied().unwrap_or(false);
                building_people += n;
                building_vulnerable += i64::from(v);
                if let Some(e) = listed {
                    head.add(e.record.state, e.members, e.record.headcount);
                }
                households.push(HouseholdRow {
                    household_id: h.id,
                    building_id: b.id,
                    address: b.address.clone(),
                    unit: h.unit,
                    floor: h.floor,
                    grid_id,
                    grid: grid.clone(),
                    responsible: worker.clone(),
                    members: n,
                    residents: people.remove(&h.id).unwrap_or_default(),
                    vulnerable: v,
                    evac: listed.map(|e| e.record.clone()),
                });
            }
            buildings.push(BuildingExposure {
                building_id: b.id,
                address: b.address.clone(),
                zone: zone.clone(),
                footprint: b.footprint.clone(),
                floors: b.floors,
                people: building_people,
                vulnerable: building_vulnerable,
                headcount: head,
            });
        }
        order(&mut households);
        let mut headcount = Headcount::default();
        let mut by_grid: BTreeMap<String, Headcount> = BTreeMap::new();
        for h in &households {
            if let Some(e) = &h.evac {
                headcount.add(e.state, h.members, e.headcount);
                by_grid.entry(h.grid.clone()).or_default().add(e.state, h.members, e.headcount);
            }
        }
        if shown_people > 0 {
            let detail = format!("防汛转移名单（{} 户）脱敏住户 {shown_people} 人", households.len());
            self.store.append_audit(now, &me.username, "flood_list", "flood:households", &detail).await?;
        }
        let live_id = running.map(|r| r.id);
        Ok(FloodBoard {
            gauges,
            suggestion,
            shelters: self.store.flood_shelters(live_id).await?,
            checkpoints: match live_id {
                Some(id) => self.store.flood_checkpoints(id).await?,
                None => Vec::new(),
            },
            response,
            level_m,
            level_source,
            zones: zone_views,
            buildings,
            households,
            headcount,
            by_grid: by_grid.into_iter().collect(),
            mine_only,
            version,
        })
    }

    /// The buildings under water at `level_m` (by their footprint's centre), with the lowest
    /// zone that floods them, plus the buildings in `also` (on the list already).
    async fn exposed(&self, level_m: Option<f64>, zones: &[flood::Zone], also: &[i64]) -> ServiceResult<Vec<(zhizhi_shared::place::Building, String)>> {
        let flooded: Vec<_> = level_m.map(|l| flood::flooded(zones, l)).unwrap_or_default();
        if flooded.is_empty() && also.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for b in self.store.buildings().await? {
            let a = b.anchor();
            let zone = flooded.iter().find(|z| z.area.contains(a)).map(|z| z.name.clone());
            match zone {
                Some(z) => out.push((b, z)),
                None if also.contains(&b.id) => out.push((b, "名单内".to_string())),
                None => {}
            }
        }
        Ok(out)
    }

    /// Confirms a response level: the flood plan is activated at it (on the primary gauge's
    /// open alarm case, or a case of its own at the gauge), or the running response changes to
    /// it.
    pub async fn confirm(&self, me: &Principal, level: Level, reason: &str, now: i64) -> ServiceResult<ResponseView> {
        command(me)?;
        if reason.chars().count() > flood::REASON_MAX {
            return Err(ServiceError::invalid("reason", format!("说明最多 {} 个字", flood::REASON_MAX)));
        }
        let current = self.store.flood_response().await?.filter(|r| r.stood_down_at.is_none());
        if let Some(r) = current {
            if r.level == level {
                return Err(ServiceError::Conflict(format!("防汛响应已是{}", level.name_zh())));
            }
            self.plans.change(me, r.activation_id, &ActivationChange::Level { level, reason: reason.to_string() }, now).await?;
            self.store.set_flood_level(r.id, level).await?;
            self.touch().await;
            return self.response().await;
        }
        let plan = self
            .plans
            .list(me)
            .await?
            .into_iter()
            .find(|p| !p.retired && p.body.matches("flood.water_level"))
            .ok_or_else(|| ServiceError::Conflict("没有可启动的防汛预案：请先在预案库中建立适用于“水位超警”的预案".into()))?;
        let gauges = self.store.flood_gauges().await?;
        let primary = gauges.first().ok_or_else(|| ServiceError::Conflict("还没有设置水位站".into()))?;
        let at = self.store.device_records(Some(primary.device_id)).await?.pop();
        let note = if reason.trim().is_empty() { format!("防汛{}响应", level.name_zh()) } else { reason.trim().to_string() };
        let mut new = NewActivation {
            level: Some(level),
            case_id: self.store.open_alarm_case(primary.device_id, Rule::WaterLevel).await?,
            lon: at.as_ref().map(|d| d.lon),
            lat: at.as_ref().map(|d| d.lat),
            note,
            ..Default::default()
        };
        // The alarm's case may be in a state a plan cannot start on (waiting for review,
        // already under another plan): the response then gets a case of its own.
        let activation = match self.plans.activate(me, plan.id, &new, now).await {
            Err(ServiceError::Conflict(_)) if new.case_id.is_some() => {
                new.case_id = None;
                self.plans.activate(me, plan.id, &new, now).await?
            }
            other => other?,
        };
        self.store.start_flood_response(level, activation.brief.id, activation.brief.case_id, &me.username, now).await?;
        self.touch().await;
        self.response().await
    }

    async fn response(&self) -> ServiceResult<ResponseView> {
        self.store.flood_response().await?.ok_or(ServiceError::NotFound("没有防汛响应"))
    }

    async fn running(&self) -> ServiceResult<ResponseView> {
        self.store
            .flood_response()
            .await?
            .filter(|r| r.stood_down_at.is_none())
            .ok_or_else(|| ServiceError::Conflict("当前没有防汛响应：请先确认响应级别".into()))
    }

    /// Puts every lived-in household of the buildings under water at `level_m` (default: the
    /// board's level) on the running response's list; the number added.
    pub async fn draw_list(&self, me: &Principal, level_m: Option<f64>, now: i64) -> ServiceResult<usize> {
        command(me)?;
        let r = self.running().await?;
        let level = match level_m {
            Some(l) if l.is_finite() && (0.0..=9000.0).contains(&l) => l,
            Some(_) => return Err(ServiceError::invalid("level_m", "水位应在 0 至 9000 米之间")),
            // The board's level without a list: the primary gauge's newest reading or its
            // forecast peak.
            None => {
                let gauges = self.store.flood_gauges().await?;
                let primary = gauges.iter().find(|g| g.primary).or(gauges.first());
                let latest = match primary {
                    Some(g) => self.store.water_readings(g.device_id, now - 72 * HOUR).await?.last().map(|(_, m)| g.to_reference(*m)),
                    None => None,
                };
                river_level(primary, latest, now).0.ok_or_else(|| ServiceError::Conflict("还没有水位读数，请指定水位".into()))?
            }
        };
        let zones = self.store.flood_zones().await?;
        let exposed = self.exposed(Some(level), &zones, &[]).await?;
        let mut rows = Vec::new();
        for (b, _) in &exposed {
            let mut members: BTreeMap<i64, i64> = BTreeMap::new();
            for r in self.store.residents_of(b.id).await? {
                *members.entry(r.resident.household_id).or_default() += 1;
            }
            rows.extend(members.into_iter().map(|(h, n)| (h, b.id, n)));
        }
        if rows.is_empty() {
            return Err(ServiceError::Conflict(format!("水位 {level:.2} 米时没有住户在淹没区内")));
        }
        let added = self.store.list_evacuation(r.id, level, &rows, &me.username, now).await?;
        self.touch().await;
        Ok(added)
    }

    /// A grid worker (of the household's grid) or command staff moves a household on.
    pub async fn update(&self, me: &Principal, u: &EvacUpdate, now: i64) -> ServiceResult<EvacRecord> {
        if !me.has(Role::Command) && !me.has(Role::GridWorker) {
            return Err(ServiceError::Denied("只有网格员和指挥中心可以登记转移".into()));
        }
        let r = self.running().await?;
        let listed = self.store.evacuations(r.id).await?;
        let row = listed.iter().find(|e| e.household_id == u.household_id).ok_or(ServiceError::NotFound("该户不在转移名单上"))?;
        if !me.has(Role::Command) {
            let b = self.store.building(row.building_id).await?.ok_or(ServiceError::NotFound("该户不在转移名单上"))?;
            let grid = self.store.routing(b.micro_grid_id).await?.map(|r| r.grid_id);
            if !grid.is_some_and(|g| me.grid_ids.contains(&g)) {
                return Err(ServiceError::NotFound("该户不在转移名单上"));
            }
        }
        let out = match self.store.update_evacuation(r.id, u, &me.username, now).await? {
            EvacOutcome::Done(rec) => rec,
            EvacOutcome::NotListed => return Err(ServiceError::NotFound("该户不在转移名单上")),
            EvacOutcome::Stale => {
                // The same mark sent again (a phone that never heard the first answer): done.
                let now_stored = self.store.evacuations(r.id).await?.into_iter().find(|e| e.household_id == u.household_id);
                match now_stored.map(|e| e.record) {
                    Some(rec) if marked_alike(&rec, u, &me.username) => return Ok(rec),
                    _ => return Err(ServiceError::Conflict("该户记录已被他人更新，请刷新后重试".into())),
                }
            }
            EvacOutcome::Refused(e) => return Err(e.into()),
        };
        self.touch().await;
        Ok(out)
    }

    /// Stands the response down: the plan's activation ends (with the reason if tasks are still
    /// open), and every household not refusing goes home.
    pub async fn stand_down(&self, me: &Principal, reason: &str, now: i64) -> ServiceResult<ResponseView> {
        command(me)?;
        let r = self.running().await?;
        self.plans.change(me, r.activation_id, &ActivationChange::StandDown { reason: reason.to_string() }, now).await?;
        self.store.stand_down_flood(r.id, &me.username, now).await?;
        self.touch().await;
        self.response().await
    }

    /// Sets (or with `None` clears) a gauge's forecast peak.
    pub async fn forecast(&self, me: &Principal, device_id: i64, f: Option<&ForecastInput>, now: i64) -> ServiceResult<()> {
        command(me)?;
        let stored = match f {
            Some(f) => {
                f.check(now)?;
                Some(Forecast { peak_m: f.peak_m, peak_at: f.peak_at, source: me.display_name.clone(), entered_at: now })
            }
            None => None,
        };
        if !self.store.set_flood_forecast(device_id, stored.as_ref()).await? {
            return Err(ServiceError::NotFound("没有这个水位站"));
        }
        self.touch().await;
        Ok(())
    }

    /// Sets a gauge's station, datum and lines.
    pub async fn save_gauge(&self, me: &Principal, device_id: i64, s: &GaugeSettings, now: i64) -> ServiceResult<()> {
        command_or_admin(me)?;
        s.check()?;
        if !self.store.save_flood_gauge(device_id, s).await? {
            return Err(ServiceError::NotFound("没有这个水位计"));
        }
        let detail = format!("{}：警戒 {:.2} 米，保证 {:.2} 米（{}）", s.station, s.warning_m, s.guaranteed_m, s.datum.name_zh());
        self.store.append_audit(now, &me.username, "flood_gauge", &format!("device:{device_id}"), &detail).await?;
        self.touch().await;
        Ok(())
    }

    /// Imports flood zones from GeoJSON, whole or not at all; audited.
    pub async fn import_zones(&self, me: &Principal, fc: &serde_json::Value, replace: bool, now: i64) -> ServiceResult<usize> {
        command_or_admin(me)?;
        let zones = flood::zones_from_geojson(fc).map_err(|e| ServiceError::invalid("features", e.join("；")))?;
        let n = self.store.import_flood_zones(&zones, replace, now).await?;
        let detail = format!("导入淹没区 {n} 个{}", if replace { "（替换原有）" } else { "" });
        self.store.append_audit(now, &me.username, "flood_zones", "flood:zones", &detail).await?;
        self.touch().await;
        Ok(n)
    }

    /// Adds a shelter.
    pub async fn add_shelter(&self, me: &Principal, s: &NewShelter) -> ServiceResult<i64> {
        command_or_admin(me)?;
        flood::check_shelter(&s.name, s.capacity)?;
        if !(-180.0..=180.0).contains(&s.lon) || !(-90.0..=90.0).contains(&s.lat) {
            return Err(ServiceError::invalid("lon", "坐标超出经纬度范围"));
        }
        if s.address.chars().count() > 200 || s.supplies.chars().count() > 500 {
            return Err(ServiceError::invalid("supplies", "地址最多 200 字，物资最多 500 字"));
        }
        let id = self.store.add_flood_shelter(s).await?;
        self.touch().await;
        Ok(id)
    }

    /// Sets up a checkpoint of the running response.
    pub async fn add_checkpoint(&self, me: &Principal, name: &str, now: i64) -> ServiceResult<i64> {
        command(me)?;
        flood::check_checkpoint(name, 0)?;
        let r = self.running().await?;
        let id = self.store.add_flood_checkpoint(r.id, name, now).await?;
        self.touch().await;
        Ok(id)
    }

    /// Counts people turned away at a checkpoint (command staff, or a post's member on duty
    /// there).
    pub async fn turn_away(&self, me: &Principal, checkpoint: i64, people: i64, now: i64) -> ServiceResult<()> {
        if !me.has(Role::Command) && !me.has(Role::Post) {
            return Err(ServiceError::Denied("只有指挥中心和岗位人员可以登记劝离人数".into()));
        }
        if !(1..=100_000).contains(&people) {
            return Err(ServiceError::invalid("people", "劝离人数应为 1 至 100000 人"));
        }
        let r = self.running().await?;
        if !self.store.turn_away(r.id, checkpoint, people, now).await? {
            return Err(ServiceError::NotFound("没有这个卡点"));
        }
        self.touch().await;
        Ok(())
    }
}

/// Whether a stored household's record is the mark `u` by `who` (the same state, people,
/// shelter and reason, by them): a second send of the same mark.
fn marked_alike(rec: &EvacRecord, u: &EvacUpdate, who: &str) -> bool {
    rec.updated_by == who
        && rec.state == u.state
        && u.headcount.unwrap_or(0) == rec.headcount
        && u.shelter_id == rec.shelter_id
        && rec.reason.trim() == u.reason.trim()
}
