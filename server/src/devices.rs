//! The device service: lists, device pages, alarms, the health summary and registry changes,
//! shared by the JSON API and the pages' server functions. Device state is read from the
//! ingest engine's memory (always the committed state), history from the store.

mod export;

use crate::error::{ServiceError, ServiceResult};
use crate::ingest::{Dev, Ingest};
use crate::storage::iot::{AlarmFilter, DeviceRow};
use crate::storage::Store;
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{self, AlarmView, DeviceList, DevicePage, DeviceQuery, DeviceView, Health, NewDevice, Rule};
use zhizhi_shared::mask;

/// Devices over a store and the ingest engine.
#[derive(Clone)]
pub struct Devices {
    pub store: Arc<dyn Store>,
    pub ingest: Arc<Ingest>,
}

/// The device as lists show it at `now`: the resident's name masked.
pub fn view(d: &Dev, now: i64) -> DeviceView {
    let r = &d.rec;
    let w = d.watch();
    DeviceView {
        id: r.id,
        code: r.code.clone(),
        kind: r.kind,
        model: r.model.clone(),
        profile: w.profile.name_zh.into(),
        address: r.address.clone(),
        floor: r.floor,
        grid_id: r.grid_id,
        grid_name: r.grid_name.clone(),
        resident: r.resident_name.as_deref().map(|n| if r.in_care { format!("{}（独居老人）", mask::name(n)) } else { mask::name(n) }),
        online: r.state.online(w.profile, now),
        last_heard: r.state.last_heard,
        battery: r.state.battery,
        value: r.state.value,
        last_open: r.state.last_open,
        open_alarms: r.state.open.clone(),
        retired: r.retired,
        building_id: r.building_id,
        household_id: r.household_id,
        resident_id: r.resident_id,
        profile_code: w.profile.code.into(),
        lon: r.lon,
        lat: r.lat,
        absence_hours: w.absence_hours,
        has_secret: r.secret_hash.is_some(),
    }
}

/// The grids whose devices `me` may see: `None` for every grid.
pub(crate) fn may_see_devices(me: &Principal) -> ServiceResult<Option<Vec<i64>>> {
    if (me.has(Role::Command) || me.has(Role::Admin)) && me.street_id.is_none() {
        Ok(None)
    } else if me.has(Role::Command) || me.has(Role::Admin) {
        // A street's staff: their street's devices.
        Ok(Some(me.street_grids.clone()))
    } else if me.has(Role::GridWorker) {
        Ok(Some(me.grid_ids.clone()))
    } else {
        Err(ServiceError::Forbidden)
    }
}

impl Devices {
    /// Waits until the ingest engine has loaded the registry: just after start it is still
    /// empty, and a list read then would show no devices.
    async fn ready(&self) -> ServiceResult<()> {
        self.ingest.wait_ready().await.map_err(|_| ServiceError::Unavailable("设备服务已停止，请稍后重试".into()))
    }

    /// Devices the user may see, filtered, paged.
    pub async fn list(&self, me: &Principal, q: &DeviceQuery, now: i64) -> ServiceResult<DeviceList> {
        self.ready().await?;
        let grids = may_see_devices(me)?;
        let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => Some(DeviceKind::from_code(k).ok_or_else(|| ServiceError::invalid("kind", format!("没有设备类型「{k}」")))?),
            None => None,
        };
        let status = q.status.as_deref().filter(|s| !s.is_empty());
        if let Some(s) = status
            && !["online", "offline", "never", "alarm", "low_battery", "retired"].contains(&s)
        {
            return Err(ServiceError::invalid("status", format!("没有状态「{s}」（online、offline、never、alarm、low_battery、retired）")));
        }
        let limit = q.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ServiceError::invalid("limit", "每次 1–1000 条"));
        }
        let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let reg = self.ingest.registry.read().expect("registry lock");
        let mut total = 0;
        let mut devices = Vec::new();
        for d in &reg.devices {
            let r = &d.rec;
            if grids.as_ref().is_some_and(|g| !g.contains(&r.grid_id))
                || kind.is_some_and(|k| k != r.kind)
                || q.grid.is_some_and(|g| g != r.grid_id)
                || text.is_some_and(|t| !r.code.contains(t) && !r.address.contains(t))
            {
                continue;
            }
            let online = r.state.online(d.watch().profile, now);
            let keep = match status {
                None => !r.retired,
                Some("retired") => r.retired,
                Some(_) if r.retired => false,
                Some("online") => online,
                Some("offline") => !online && r.state.last_heard.is_some(),
                Some("never") => r.state.last_heard.is_none(),
                Some("alarm") => !r.state.open.is_empty(),
                Some(_) => r.state.open_alarm(Rule::LowBattery).is_some(),
            };
            if !keep {
                continue;
            }
            total += 1;
            if total > q.offset.unwrap_or(0) && devices.len() < limit {
                devices.push(view(d, now));
            }
        }
        Ok(DeviceList { total, devices })
    }

    /// One device's page.
    pub async fn page(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<DevicePage> {
        let grids = may_see_devices(me)?;
        self.ready().await?;
        let device = {
            let reg = self.ingest.registry.read().expect("registry lock");
            match reg.by_id(id) {
                Some(d) if grids.as_ref().is_none_or(|g| g.contains(&d.rec.grid_id)) => view(d, now),
                _ => return Err(ServiceError::NotFound("没有这台设备，或您无权查看")),
            }
        };
        let messages = self.store.recent_messages(id, 50).await?;
        let alarms = self.store.alarms(&AlarmFilter { device_id: Some(id), limit: 50, ..Default::default() }).await?;
        Ok(DevicePage { device, messages, alarms })
    }

    /// Alarms, newest first (grid workers: their grids' devices).
    pub async fn alarms(&self, me: &Principal, open_only: bool, rule: Option<&str>) -> ServiceResult<Vec<AlarmView>> {
        let grids = may_see_devices(me)?;
        let rule = match rule.filter(|r| !r.is_empty()) {
            Some(r) => Some(Rule::from_code(r).ok_or_else(|| ServiceError::invalid("rule", format!("没有规则「{r}」")))?),
            None => None,
        };
        self.ready().await?;
        let mut alarms = self.store.alarms(&AlarmFilter { open_only, rule, limit: 500, ..Default::default() }).await?;
        if let Some(g) = grids {
            let reg = self.ingest.registry.read().expect("registry lock");
            alarms.retain(|a| reg.by_id(a.device_id).is_some_and(|d| g.contains(&d.rec.grid_id)));
        }
        Ok(alarms)
    }

    /// Online rates, low batteries, open alarms and false-alarm rates.
    pub async fn health(&self, me: &Principal, now: i64) -> ServiceResult<Health> {
        if !(me.has(Role::Command) || me.has(Role::Admin)) {
            return Err(ServiceError::Forbidden);
        }
        self.ready().await?;
        let (by_rule, by_device) = self.store.false_alarm_rates().await?;
        let reg = self.ingest.registry.read().expect("registry lock");
        let mut h = Health { by_rule, by_device, ..Default::default() };
        for k in DeviceKind::ALL {
            let of: Vec<&Dev> = reg.devices.iter().filter(|d| d.rec.kind == k && !d.rec.retired).collect();
            let online = of.iter().filter(|d| d.rec.state.online(d.watch().profile, now)).count();
            let never = of.iter().filter(|d| d.rec.state.last_heard.is_none()).count();
            h.kinds.push((k, of.len() as i64, online as i64, never as i64));
        }
        for d in reg.devices.iter().filter(|d| !d.rec.retired) {
            h.open_alarms += d.rec.state.open.len() as i64;
            if d.rec.state.open_alarm(Rule::LowBattery).is_some() && h.low_battery.len() < 50 {
                h.low_battery.push(view(d, now));
            }
        }
        Ok(h)
    }

    fn require_admin(me: &Principal) -> ServiceResult<()> {
        if me.has(Role::Admin) { Ok(()) } else { Err(ServiceError::Forbidden) }
    }

    /// Checks a device row and finds its micro-grid.
    async fn resolve(&self, d: &NewDevice) -> ServiceResult<DeviceRow> {
        let code = d.code.trim();
        if code.is_empty() || code.len() > 32 || code.contains(['/', '+', '#', ' ']) {
            return Err(ServiceError::invalid("code", format!("设备编号「{code}」无效（1–32 个字符，不含空格和 / + #）")));
        }
        let profile = match d.profile.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => match iot::profile(p) {
                Some(pr) if pr.kind == d.kind => p.to_string(),
                _ => return Err(ServiceError::invalid("profile", format!("{}没有配置「{p}」", d.kind.name_zh()))),
            },
            None => String::new(),
        };
        let (micro_grid_id, lon, lat) = match (d.building_id, d.lon, d.lat) {
            (Some(b), _, _) => {
                let b = self.store.building_ref(b).await?.ok_or_else(|| ServiceError::invalid("building_id", format!("设备 {code}：没有楼栋 {b}")))?;
                (b.micro_grid_id, d.lon.unwrap_or(b.lon), d.lat.unwrap_or(b.lat))
            }
            (None, Some(lon), Some(lat)) => {
                let m = self.store.micro_grid_at([lon, lat]).await?.ok_or_else(|| ServiceError::invalid("lon", format!("设备 {code}：位置不在本街道的网格内")))?;
                (m.id, lon, lat)
            }
            _ => return Err(ServiceError::invalid("building_id", format!("设备 {code}：请给出楼栋或经纬度"))),
        };
        if let Some(r) = d.resident_id
            && self.store.resident(r).await?.is_none()
        {
            return Err(ServiceError::invalid("resident_id", format!("设备 {code}：没有居民 {r}")));
        }
        Ok(DeviceRow {
            code: code.into(),
            kind: d.kind,
            model: d.model.trim().into(),
            profile,
            micro_grid_id,
            building_id: d.building_id,
            floor: d.floor,
            household_id: d.household_id,
            resident_id: d.resident_id,
            lon,
            lat,
        })
    }

    /// Registers or changes devices (administrators), in one transaction, audited.
    pub async fn save(&self, me: &Principal, devices: &[NewDevice], now: i64) -> ServiceResult<Vec<i64>> {
        Self::require_admin(me)?;
        let mut rows = Vec::with_capacity(devices.len());
        for d in devices {
            rows.push(self.resolve(d).await?);
        }
        let ids = self.store.save_devices(&rows, now).await?;
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).take(20).collect();
        self.store.append_audit(now, &me.username, "device_save", &format!("devices:{}", ids.len()), &codes.join(",")).await?;
        self.ingest.reload(if ids.len() == 1 { Some(ids[0]) } else { None }).await;
        Ok(ids)
    }

    /// Registers or changes devices from CSV text (pasted on the page; administrators), read
    /// as [`Devices::import_file`] reads a file.
    pub async fn import_csv(&self, me: &Principal, text: &str, now: i64) -> ServiceResult<Vec<i64>> {
        self.import_file(me, text.as_bytes(), now).await
    }

    /// Registers or changes devices from a spreadsheet (.xlsx, .xls, .ods, or CSV in UTF-8 or
    /// GBK; administrators): columns matched by name, Chinese or English, in any order; every
    /// bad row named and nothing stored unless every row is good.
    pub async fn import_file(&self, me: &Principal, bytes: &[u8], now: i64) -> ServiceResult<Vec<i64>> {
        Self::require_admin(me)?;
        let table = crate::imports::read::read(bytes).map_err(|e| ServiceError::invalid("file", e))?;
        let columns = &zhizhi_shared::iot::DEVICE_COLUMNS;
        let positions = zhizhi_shared::import::match_headers(columns, &table.headers).map_err(|e| ServiceError::invalid("file", e))?;
        let rows: Vec<(usize, Vec<String>)> = table
            .rows
            .into_iter()
            .map(|(line, cells)| (line, positions.iter().map(|p| p.and_then(|p| cells.get(p).cloned()).unwrap_or_default()).collect()))
            .collect();
        let devices = iot::parse_rows(&rows).map_err(|errors| ServiceError::invalid("file", errors.join("；")))?;
        self.save(me, &devices, now).await
    }

    /// The device import's template (administrators): Chinese headers, one example row (a
    /// smoke detector in the street's first building) and a sheet of notes.
    pub async fn template(&self, me: &Principal) -> ServiceResult<(String, Vec<u8>)> {
        Self::require_admin(me)?;
        let first = self.store.search_buildings("", &[], 1).await?.into_iter().next().map(|b| b.id.to_string());
        let book = crate::imports::template_book("设备", &zhizhi_shared::iot::DEVICE_COLUMNS, |c| match (c.en, &first) {
            ("building_id", Some(id)) => Some(id.clone()),
            _ => None,
        });
        Ok(("设备导入模板.xlsx".into(), book))
    }

    /// Takes a device out of service, or back in.
    pub async fn retire(&self, me: &Principal, id: i64, retired: bool, now: i64) -> ServiceResult<()> {
        Self::require_admin(me)?;
        if !self.store.set_device_retired(id, retired.then_some(now)).await? {
            return Err(ServiceError::NotFound("没有这台设备"));
        }
        self.store.append_audit(now, &me.username, if retired { "device_retire" } else { "device_restore" }, &format!("device:{id}"), "").await?;
        self.ingest.reload(Some(id)).await;
        // A retired device can no longer reach the broker either.
        if let (Some(broker), Some(code)) = (self.ingest.broker(), self.ingest.code_of(id)) {
            broker.set_enabled(&code, !retired).await.map_err(|e| ServiceError::Unavailable(format!("设备已{}，但 MQTT 代理未能同步：{e}", if retired { "停用" } else { "恢复" })))?;
        }
        Ok(())
    }

    /// Issues a new secret for a device (shown once; only its hash is kept).
    pub async fn new_secret(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<String> {
        Self::require_admin(me)?;
        let secret = crate::auth::new_token();
        // Registered in the broker first: a secret the broker does not know is not issued.
        if let Some(broker) = self.ingest.broker() {
            let code = self.ingest.code_of(id).ok_or(ServiceError::NotFound("没有这台设备"))?;
            broker.provision(&code, &secret).await.map_err(|e| ServiceError::Unavailable(format!("未能在 MQTT 代理登记这台设备，密钥未生成：{e}")))?;
        }
        if !self.store.set_device_secret(id, &crate::auth::token_hash(&secret)).await? {
            return Err(ServiceError::NotFound("没有这台设备"));
        }
        self.store.append_audit(now, &me.username, "device_secret", &format!("device:{id}"), "").await?;
        self.ingest.reload(Some(id)).await;
        Ok(secret)
    }

    /// Sets a resident's care limit (hours without a door opening), audited.
    pub async fn set_absence_hours(&self, me: &Principal, resident_id: i64, hours: Option<i64>, now: i64) -> ServiceResult<()> {
        if !(me.has(Role::Admin) || me.has(Role::Command)) {
            return Err(ServiceError::Forbidden);
        }
        if let Some(h) = hours
            && !(1..=168).contains(&h)
        {
            return Err(ServiceError::invalid("hours", "无活动报警时长应为 1–168 小时"));
        }
        if !self.store.set_absence_hours(resident_id, hours).await? {
            return Err(ServiceError::NotFound("没有这位居民"));
        }
        self.store.append_audit(now, &me.username, "care_absence_hours", &format!("resident:{resident_id}"), &format!("{hours:?}")).await?;
        self.ingest.reload(None).await;
        Ok(())
    }

    /// Whether `secret` is the device's secret.
    pub fn device_secret_ok(&self, code: &str, secret: &str) -> bool {
        let reg = self.ingest.registry.read().expect("registry lock");
        reg.by_code(code).and_then(|d| d.rec.secret_hash.as_deref()).is_some_and(|h| h == crate::auth::token_hash(secret))
    }
}
