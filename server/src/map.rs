//! The map service: the style and the GeoJSON of every layer, a building's floors with their
//! households, residents (masked, audited), devices and cases, search, and the grid editor
//! (load a grid's division, check it, save it, assign the grid worker).

use crate::error::{ServiceError, ServiceResult};
use crate::cases::Cases;
use crate::devices::Devices;
use crate::storage::Store;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::CaseQuery;
use zhizhi_shared::geo::{LonLat, Polygon};
use zhizhi_shared::map::edit::{check_division, DivisionView, MicroGridView, SaveAnswer, SaveDivision, Shape};
use zhizhi_shared::map::{self, BuildingDetail, CaseBrief, FloorDevice, FloorView, HouseholdView, MapDevice, ResidentBrief, SearchHit};
use zhizhi_shared::mask;

/// The map over the store, the case service and the device service.
#[derive(Clone)]
pub struct MapService {
    pub store: Arc<dyn Store>,
    pub cases: Arc<Cases>,
    pub devices: Arc<Devices>,
}

fn staff(me: &Principal) -> ServiceResult<()> {
    if me.roles.is_empty() { Err(ServiceError::Forbidden) } else { Ok(()) }
}

fn admin(me: &Principal) -> ServiceResult<()> {
    if me.has(Role::Admin) { Ok(()) } else { Err(ServiceError::Forbidden) }
}

impl MapService {
    /// Where the camera starts: the middle of the user's street (of them all for the district
    /// and the public), and the zoom that shows it whole when `zoom` shows one street.
    async fn view(&self, street: Option<i64>, zoom: f64) -> ServiceResult<(LonLat, f64)> {
        let communities: Vec<_> = self.store.communities().await?.into_iter().filter(|c| street.is_none() || c.street_id == street).collect();
        let (mut sw, mut ne) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for c in &communities {
            let (a, b) = c.boundary.bbox();
            sw = [sw[0].min(a[0]), sw[1].min(a[1])];
            ne = [ne[0].max(b[0]), ne[1].max(b[1])];
        }
        if !sw[0].is_finite() {
            return Ok(([106.449, 29.579], zoom));
        }
        // A street of the demo's size (0.026° by 0.018°) fills the view at `zoom`; each doubling
        // of the extent takes one step out (a district of many streets).
        let (street_w, street_h) = (zhizhi_shared::demo::STREET_NE[0] - zhizhi_shared::demo::STREET_SW[0], zhizhi_shared::demo::STREET_NE[1] - zhizhi_shared::demo::STREET_SW[1]);
        let scale = ((ne[0] - sw[0]) / street_w).max((ne[1] - sw[1]) / street_h).max(1.0);
        Ok(([(sw[0] + ne[0]) / 2.0, (sw[1] + ne[1]) / 2.0], (zoom - scale.log2()).max(9.0)))
    }

    /// The MapLibre style.
    pub async fn style(&self, me: &Principal) -> ServiceResult<Value> {
        staff(me)?;
        let (centre, zoom) = self.view(me.street_id, 15.2).await?;
        Ok(map::style(&map::SourceUrls::default(), centre, zoom))
    }

    /// The schematic basemap (the old town is the first community).
    pub async fn basemap(&self, me: &Principal) -> ServiceResult<Value> {
        staff(me)?;
        self.public_basemap().await
    }

    /// The public form's small map (no account): the basemap and the footprints only.
    pub async fn public_style(&self) -> ServiceResult<Value> {
        let (centre, zoom) = self.view(None, 15.0).await?;
        Ok(map::basemap::public_style("/api/v1/public/map/basemap.geojson", "/api/v1/public/map/buildings.geojson", centre, zoom))
    }

    /// The basemap, as anyone may see it (roads, the river, landmarks: nothing of the
    /// street's own data).
    pub async fn public_basemap(&self) -> ServiceResult<Value> {
        let (communities, grids) = (self.store.communities().await?, self.store.grids().await?);
        let old_town = communities.first().map(|c| c.id);
        Ok(map::basemap::schematic(&communities, &grids, old_town))
    }

    /// The buildings' footprints with their addresses (no account: addresses are public).
    pub async fn public_buildings(&self) -> ServiceResult<Value> {
        Ok(map::basemap::public_buildings(&self.store.buildings().await?))
    }

    /// Communities, grids and micro-grids.
    pub async fn areas(&self, me: &Principal) -> ServiceResult<Value> {
        staff(me)?;
        let (c, g, m) = (self.store.communities().await?, self.store.grids().await?, self.store.micro_grids().await?);
        let (c, g, m) = zhizhi_shared::place::of_street(me.street_id, c, g, m);
        Ok(map::area_features(&c, &g, &m))
    }

    /// The street's geography as one GeoJSON download (staff): communities, grids,
    /// micro-grids and buildings, with the name of the file (the street's, and when).
    pub async fn geography(&self, me: &Principal, now: i64) -> ServiceResult<(String, Value)> {
        staff(me)?;
        let (c, g, m, b) = (self.store.communities().await?, self.store.grids().await?, self.store.micro_grids().await?, self.store.buildings().await?);
        // A street's staff download their street.
        let (c, g, m) = zhizhi_shared::place::of_street(me.street_id, c, g, m);
        let b: Vec<_> = b.into_iter().filter(|b| me.street_id.is_none() || m.iter().any(|x| x.id == b.micro_grid_id)).collect();
        let streets = self.store.streets().await?;
        let street = match me.street_id {
            Some(id) => streets.iter().find(|s| s.id == id),
            None => streets.first().filter(|_| streets.len() == 1),
        };
        let street = street.map_or_else(|| streets.first().map(|s| s.district.clone()).unwrap_or_default(), |s| s.name.clone());
        let when = zhizhi_shared::time::beijing_stamp(now);
        Ok((format!("{street}地理数据-{when}.geojson"), map::geography(&c, &g, &m, &b)))
    }

    /// Every building, one feature per floor.
    pub async fn floors(&self, me: &Principal) -> ServiceResult<Value> {
        staff(me)?;
        Ok(map::floor_features(&self.store.buildings().await?))
    }

    /// Devices the user may see, with their state now (once the engine has loaded them).
    pub async fn map_devices(&self, me: &Principal, now: i64) -> Vec<MapDevice> {
        let _ = self.devices.ingest.wait_ready().await;
        let Ok(grids) = crate::devices::may_see_devices(me) else { return Vec::new() };
        let reg = self.devices.ingest.registry.read().expect("registry lock");
        reg.devices
            .iter()
            .filter(|d| !d.rec.retired && grids.as_ref().is_none_or(|g| g.contains(&d.rec.grid_id)))
            .map(|d| MapDevice {
                id: d.rec.id,
                code: d.rec.code.clone(),
                kind: d.rec.kind,
                state: device_state(d, now).into(),
                building_id: d.rec.building_id,
                floor: d.rec.floor,
                at: [d.rec.lon, d.rec.lat],
            })
            .collect()
    }

    /// Open cases the user may see.
    pub async fn cases(&self, me: &Principal, now: i64) -> ServiceResult<Value> {
        let list = self.cases.list(me, &CaseQuery { state: Some("open".into()), limit: Some(1000), ..Default::default() }, now).await?;
        Ok(map::case_features(&list.cases))
    }

    /// A building's floors (top first), households, residents (masked; only for those who may
    /// list the grid's residents, and audited), devices and recent cases.
    pub async fn building(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<BuildingDetail> {
        staff(me)?;
        let b = self.store.building(id).await?.ok_or(ServiceError::NotFound("没有这栋楼"))?;
        let routing = self.store.routing(b.micro_grid_id).await?.ok_or(ServiceError::NotFound("这栋楼不在任何网格内"))?;
        let shown = me.may_list_residents_of(routing.grid_id);
        let mut households: BTreeMap<i32, Vec<HouseholdView>> = BTreeMap::new();
        let mut units: BTreeMap<i64, (i32, usize)> = BTreeMap::new();
        for h in self.store.households_of(id).await? {
            let list = households.entry(h.floor).or_default();
            units.insert(h.id, (h.floor, list.len()));
            list.push(HouseholdView { id: h.id, unit: h.unit, residents: Vec::new() });
        }
        if shown {
            let residents = self.store.residents_of(id).await?;
            for r in &residents {
                if let Some(&(floor, i)) = units.get(&r.resident.household_id)
                    && let Some(h) = households.get_mut(&floor).and_then(|l| l.get_mut(i))
                {
                    h.residents.push(ResidentBrief {
                        id: r.resident.id,
                        name: mask::name(&r.resident.name),
                        phone: mask::phone(&r.resident.phone),
                        tags: r.resident.care_tags.iter().map(|t| t.code().to_string()).collect(),
                    });
                }
            }
            let detail = format!("楼栋 {} 脱敏住户 {} 人", b.address, residents.len());
            self.store.append_audit(now, &me.username, "view_building", &format!("building:{id}"), &detail).await?;
        }
        let mut by_floor: BTreeMap<i32, Vec<FloorDevice>> = BTreeMap::new();
        let mut other = Vec::new();
        for d in self.map_devices(me, now).await.into_iter().filter(|d| d.building_id == Some(id)) {
            let fd = FloorDevice { id: d.id, code: d.code, kind: d.kind, state: d.state };
            match d.floor {
                Some(f) => by_floor.entry(f).or_default().push(fd),
                None => other.push(fd),
            }
        }
        let floor_list = (1..=b.floors)
            .rev()
            .map(|f| FloorView { floor: f, households: households.remove(&f).unwrap_or_default(), devices: by_floor.remove(&f).unwrap_or_default() })
            .collect();
        let anchor = b.anchor();
        let cases = self.cases_at(me, &b.footprint, now).await?;
        Ok(BuildingDetail {
            id,
            name: b.name,
            address: b.address,
            usage: b.usage.code().into(),
            floors: b.floors,
            floor_height_m: b.floor_height_m,
            micro_grid: routing.place.clone(),
            grid: routing.place.split(" · ").nth(1).unwrap_or_default().to_string(),
            grid_worker: routing.grid_worker,
            residents_shown: shown,
            floor_list,
            other_devices: other,
            cases,
            anchor,
        })
    }

    /// Recent cases (open or not) inside a footprint, newest first.
    async fn cases_at(&self, me: &Principal, footprint: &Polygon, now: i64) -> ServiceResult<Vec<CaseBrief>> {
        let list = self.cases.list(me, &CaseQuery { limit: Some(1000), ..Default::default() }, now).await?;
        Ok(list
            .cases
            .into_iter()
            .filter(|c| c.lon.zip(c.lat).is_some_and(|(x, y)| footprint.contains([x, y])))
            .take(10)
            .map(|c| CaseBrief {
                id: c.id,
                category: c.category_name().to_string(),
                number: c.number,
                state: c.state.name_zh().into(),
                urgency: c.urgency,
                created_at: c.created_at,
            })
            .collect())
    }

    /// Buildings by address or name, and grids and micro-grids by name or code.
    pub async fn search(&self, me: &Principal, q: &str) -> ServiceResult<Vec<SearchHit>> {
        staff(me)?;
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        if q.chars().count() > 40 {
            return Err(ServiceError::invalid("q", "搜索词不能超过 40 个字"));
        }
        let mut hits: Vec<SearchHit> = Vec::new();
        // A street's staff search their street.
        for g in self.store.grids().await?.into_iter().filter(|g| me.in_my_street(g.id)) {
            if g.name.contains(q) || g.code.contains(q) {
                hits.push(SearchHit { kind: "grid".into(), id: g.id, label: g.name, detail: g.code, at: g.boundary.centroid(), zoom: 16.0 });
            }
        }
        for m in self.store.micro_grids().await?.into_iter().filter(|m| me.in_my_street(m.grid_id)) {
            if m.name.contains(q) || m.code.contains(q) {
                hits.push(SearchHit { kind: "micro_grid".into(), id: m.id, label: m.name, detail: m.code, at: m.boundary.centroid(), zoom: 17.0 });
            }
        }
        let within = if me.street_id.is_some() { if me.street_grids.is_empty() { vec![0] } else { me.street_grids.clone() } } else { vec![] };
        for b in self.store.search_buildings(q, &within, 20).await? {
            hits.push(SearchHit { kind: "building".into(), id: b.id, label: b.address.clone(), detail: format!("{} · {} 层", b.name, b.floors), at: [b.lon, b.lat], zoom: 17.5 });
        }
        hits.truncate(20);
        Ok(hits)
    }

    /// The grids the editor offers (administrators): id, code and name, in code order.
    pub async fn grids(&self, me: &Principal) -> ServiceResult<Vec<(i64, String, String)>> {
        admin(me)?;
        Ok(self.store.grids().await?.into_iter().map(|g| (g.id, g.code, g.name)).collect())
    }

    /// A grid's division for the editor (administrators).
    pub async fn division(&self, me: &Principal, grid_id: i64) -> ServiceResult<DivisionView> {
        admin(me)?;
        let d = self.store.division(grid_id).await?.ok_or(ServiceError::NotFound("没有这个网格"))?;
        let shapes: Vec<Shape> = d.micro_grids.iter().map(|m| Shape { id: Some(m.id), name: m.name.clone(), boundary: m.boundary.clone() }).collect();
        let report = check_division(&d.name, &d.boundary, &shapes);
        let workers = self.grid_workers().await?;
        Ok(DivisionView {
            grid_id,
            code: d.code,
            name: d.name,
            boundary: d.boundary,
            worker_id: d.worker_id,
            version: d.version,
            micro_grids: d.micro_grids.into_iter().map(|m| MicroGridView { id: m.id, code: m.code, name: m.name, boundary: m.boundary }).collect(),
            workers,
            report,
        })
    }

    async fn grid_workers(&self) -> ServiceResult<Vec<(i64, String)>> {
        Ok(self.store.grid_worker_staff().await?)
    }

    /// Checks and (unless a dry run) saves a grid's new division, audited. Refused with every
    /// problem named; a gap is reported but saved.
    pub async fn save_division(&self, me: &Principal, grid_id: i64, body: &SaveDivision, now: i64) -> ServiceResult<SaveAnswer> {
        admin(me)?;
        let d = self.store.division(grid_id).await?.ok_or(ServiceError::NotFound("没有这个网格"))?;
        if body.micro_grids.len() > 200 {
            return Err(ServiceError::invalid("micro_grids", "一个网格最多 200 个微网格"));
        }
        let report = check_division(&d.name, &d.boundary, &body.micro_grids);
        let mut answer = SaveAnswer { saved: false, report, version: d.version, ids: vec![], retired: vec![], buildings_moved: 0, devices_moved: 0 };
        if !answer.report.ok() || body.dry_run {
            return Ok(answer);
        }
        if body.version != d.version {
            return Err(ServiceError::Conflict("该网格已被他人修改，请重新载入后再编辑".into()));
        }
        let saved = match self.store.save_division(grid_id, body.version, &body.micro_grids, now).await {
            Err(crate::storage::Error::Stale) => {
                return Err(ServiceError::Conflict("该网格已被他人修改，请重新载入后再编辑".into()));
            }
            Err(crate::storage::Error::Invalid(message)) => {
                answer.report.problems.push(message);
                return Ok(answer);
            }
            other => other?,
        };
        let detail = format!(
            "版本 {} → {}；微网格 {} 个（新增 {}，撤销 {}）；楼栋改划 {} 栋，设备 {} 台；未覆盖 {} 平方米",
            d.version,
            saved.version,
            saved.ids.len(),
            body.micro_grids.iter().filter(|s| s.id.is_none()).count(),
            saved.retired.len(),
            saved.buildings_moved,
            saved.devices_moved,
            answer.report.gap_m2
        );
        self.store.append_audit(now, &me.username, "grid_division_save", &format!("grid:{grid_id}"), &detail).await?;
        if saved.devices_moved > 0 {
            self.devices.ingest.reload(None).await;
        }
        answer.saved = true;
        answer.version = saved.version;
        answer.ids = saved.ids;
        answer.retired = saved.retired;
        answer.buildings_moved = saved.buildings_moved;
        answer.devices_moved = saved.devices_moved;
        Ok(answer)
    }

    /// Imports building footprints from GeoJSON (administrators): every feature checked and
    /// placed in the micro-grid its footprint's centre falls in; all or nothing; audited.
    pub async fn import_buildings(&self, me: &Principal, fc: &Value, now: i64) -> ServiceResult<(i64, i64)> {
        admin(me)?;
        let buildings = zhizhi_shared::map::import::parse_buildings(fc).map_err(|errors| ServiceError::invalid("features", errors.join("；")))?;
        let mut rows = Vec::with_capacity(buildings.len());
        let mut outside = Vec::new();
        for b in buildings {
            match self.store.micro_grid_at(b.footprint.centroid()).await? {
                Some(m) => rows.push((b, m.id)),
                None => outside.push(b.address),
            }
        }
        if !outside.is_empty() {
            let shown: Vec<&str> = outside.iter().take(10).map(String::as_str).collect();
            return Err(ServiceError::invalid("features", format!("{} 栋楼不在本街道的任何微网格内：{}", outside.len(), shown.join("、"))));
        }
        let (inserted, updated) = self.store.import_buildings(&rows).await?;
        self.store.append_audit(now, &me.username, "building_import", &format!("buildings:{}", rows.len()), &format!("新增 {inserted}，更新 {updated}")).await?;
        Ok((inserted, updated))
    }

    /// Assigns a grid's worker (a staff member on grid duty), audited.
    pub async fn set_worker(&self, me: &Principal, grid_id: i64, worker_id: i64, now: i64) -> ServiceResult<()> {
        admin(me)?;
        self.store.division(grid_id).await?.ok_or(ServiceError::NotFound("没有这个网格"))?;
        let workers = self.grid_workers().await?;
        let Some((_, name)) = workers.iter().find(|w| w.0 == worker_id) else {
            return Err(ServiceError::invalid("worker_id", format!("工作人员 {worker_id} 不是网格员")));
        };
        self.store.set_grid_worker(grid_id, Some(worker_id)).await?;
        self.store.append_audit(now, &me.username, "grid_worker_assign", &format!("grid:{grid_id}"), &format!("网格员 {name}（{worker_id}）")).await?;
        Ok(())
    }
}

fn device_state(d: &crate::ingest::Dev, now: i64) -> &'static str {
    let r = &d.rec;
    if !r.state.open.is_empty() && r.state.open.iter().any(|a| a.rule.case_category().is_some()) {
        "alarm"
    } else if r.state.last_heard.is_none() {
        "never"
    } else if r.state.online(d.watch().profile, now) {
        "online"
    } else {
        "offline"
    }
}
