//! The case service: reporting, actions, photos and lists, shared by the JSON API and the
//! pages' server functions. The rule book is `zhizhi_shared::case::decide`; this module loads
//! the case, asks the rule book, stores exactly what it decided (with the event for the live
//! stream, in one transaction) and publishes the event.

use crate::error::{ServiceError, ServiceResult};
use crate::live::Hub;
use crate::storage::{CaseFilter, CaseScope, CaseUpdate, CaseWrite, CaseWriteKind, NewCaseRow, NewPhoto, NewStep, Photo, Store};
use sha2::Digest;
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{CaseDetail, CaseList, CaseQuery, CaseSummary, NewCase};
use zhizhi_shared::case::{self, Action, CaseState, Holder, Source};
use zhizhi_shared::iot::Outcome;
use zhizhi_shared::mask;

/// Reports the public form accepts from one address per hour.
pub const PUBLIC_REPORTS_PER_HOUR: i64 = 5;

/// The largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// Cases over a store, publishing to a hub.
#[derive(Clone)]
pub struct Cases {
    pub store: Arc<dyn Store>,
    pub hub: Arc<dyn Hub>,
}

fn scope_of(me: &Principal) -> CaseScope {
    if me.has(Role::Command) {
        CaseScope::All
    } else {
        CaseScope::Of { user_id: me.user_id, post_id: me.post_id.filter(|_| me.has(Role::Post)), grid_ids: if me.has(Role::GridWorker) { me.grid_ids.clone() } else { vec![] }, district: me.has(Role::District) }
    }
}

/// The kind of an image, from its first bytes (the declared type is not trusted).
pub fn sniff_image(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

impl Cases {
    /// Stores a write and publishes its event; the case as it now stands, with its detail.
    async fn publish(&self, w: &CaseWrite) -> ServiceResult<CaseDetail> {
        let event = self.store.write_case(w).await?;
        let (case, cursor) = (event.case.clone(), event.id);
        self.hub.publish(Arc::new(event));
        self.detail_of(case, cursor).await
    }

    /// A case the user may see, or 404 (a case they may not see does not exist for them).
    async fn visible(&self, me: &Principal, id: i64) -> ServiceResult<CaseSummary> {
        match self.store.case(id).await? {
            Some(c) if me.may_see_case(&c.visibility()) => Ok(c),
            _ => Err(ServiceError::NotFound("没有这个事件，或您无权查看")),
        }
    }

    /// The case with its timeline and the suggested post.
    pub async fn detail(&self, me: &Principal, id: i64) -> ServiceResult<CaseDetail> {
        let (_, cursor) = self.store.event_range().await?;
        let case = self.visible(me, id).await?;
        self.detail_of(case, cursor).await
    }

    /// `cursor` must have been read before `case`: events after it may repeat what the detail
    /// shows, but none between the two reads can be missed.
    async fn detail_of(&self, case: CaseSummary, cursor: i64) -> ServiceResult<CaseDetail> {
        let steps = self.store.case_steps(case.id).await?;
        let suggested_post = match case::category(&case.category) {
            Some(cat) => self.store.boards().await?.into_iter().flat_map(|b| b.posts).find(|p| p.name == cat.post).map(|p| (p.id, p.name)),
            None => None,
        };
        Ok(CaseDetail { case, suggested_post, steps, cursor })
    }

    /// Cases the user may see, filtered.
    pub async fn list(&self, me: &Principal, q: &CaseQuery, now: i64) -> ServiceResult<CaseList> {
        let states = match q.state.as_deref().map(str::trim) {
            None | Some("") => vec![],
            Some("open") => CaseState::ALL.iter().copied().filter(|s| !s.is_final()).collect(),
            Some(list) => list
                .split(',')
                .map(|c| CaseState::from_code(c.trim()).ok_or_else(|| ServiceError::invalid("state", format!("没有状态「{c}」"))))
                .collect::<ServiceResult<_>>()?,
        };
        let limit = q.limit.unwrap_or(200);
        if !(1..=1000).contains(&limit) {
            return Err(ServiceError::invalid("limit", "每次 1–1000 条"));
        }
        let (_, cursor) = self.store.event_range().await?;
        let filter = CaseFilter {
            states,
            category: q.category.clone().filter(|c| !c.is_empty()),
            grid_id: q.grid,
            overdue_at: q.overdue.unwrap_or(false).then_some(now),
            scope: scope_of(me),
            limit,
        };
        Ok(CaseList { cursor, cases: self.store.cases(&filter).await? })
    }

    /// Reports a new case: routes it to its micro-grid and opens its timeline.
    pub async fn report(&self, me: &Principal, new: NewCase, now: i64) -> ServiceResult<CaseDetail> {
        if !me.may_report_case() {
            return Err(ServiceError::Forbidden);
        }
        let source = match new.source {
            Some(s) if me.has(Role::Command) => s,
            Some(Source::Patrol) | None if me.has(Role::GridWorker) => Source::Patrol,
            None => Source::Hotline,
            Some(s) => return Err(ServiceError::invalid("source", format!("您不能登记来源为「{}」的事件", s.name_zh()))),
        };
        self.open_case(me, new, source, now).await
    }

    /// A resident's report from the public form (no account): the phone number is required so
    /// that the street can call back; it is stored, never shown unmasked. Only the case number
    /// is returned.
    pub async fn report_public(&self, mut new: NewCase, address: &str, now: i64) -> ServiceResult<String> {
        // At most a few reports an hour from one address: enough for a resident, not for a
        // script flooding the board. (Counted in the same table as failed logins.)
        let key = format!("public-report:{address}");
        if self.store.login_failures_since(&key, now - 3_600_000).await? >= PUBLIC_REPORTS_PER_HOUR {
            return Err(ServiceError::Throttled("提交过于频繁，请稍后再试，紧急情况请拨打 12345 或 110".into()));
        }
        let phone: String = new.reporter_phone.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if !(phone.len() == 11 && phone.starts_with('1') && phone.chars().all(|c| c.is_ascii_digit())) {
            return Err(ServiceError::invalid("reporter_phone", "请填写 11 位手机号码，以便工作人员回访"));
        }
        new.reporter_phone = phone;
        if new.reporter_name.trim().is_empty() {
            new.reporter_name = "居民".into();
        }
        let public = Principal {
            user_id: -1,
            username: "public".into(),
            display_name: "居民（公众上报）".into(),
            roles: vec![],
            post_id: None,
            grid_ids: vec![],
            password_expired: false,
        };
        let number = self.open_case(&public, new, Source::Resident, now).await?.case.number;
        self.store.record_login_failure(&key, now).await?;
        Ok(number)
    }

    async fn open_case(&self, me: &Principal, new: NewCase, source: Source, now: i64) -> ServiceResult<CaseDetail> {
        let cat = case::category(&new.category).ok_or_else(|| ServiceError::invalid("category", format!("没有事件类别「{}」", new.category)))?;
        let description = new.description.trim().to_string();
        if description.chars().count() < 4 {
            return Err(ServiceError::invalid("description", "请描述事件情况（至少 4 个字）"));
        }
        if description.chars().count() > 2000 {
            return Err(ServiceError::invalid("description", "事件描述不能超过 2000 字"));
        }
        let (micro_grid_id, lon, lat, address) = match (new.building_id, new.lon, new.lat) {
            (Some(b), _, _) => {
                let b = self.store.building_ref(b).await?.ok_or_else(|| ServiceError::invalid("building_id", format!("没有楼栋 {b}")))?;
                (b.micro_grid_id, b.lon, b.lat, b.address)
            }
            (None, Some(lon), Some(lat)) => {
                if !lon.is_finite() || !lat.is_finite() {
                    return Err(ServiceError::invalid("lon", "经纬度无效"));
                }
                let m = self.store.micro_grid_at([lon, lat]).await?.ok_or_else(|| ServiceError::invalid("lon", "该位置不在本街道的网格范围内"))?;
                let address = if new.address.trim().is_empty() { format!("{lon:.5}, {lat:.5}") } else { new.address.trim().to_string() };
                (m.id, lon, lat, address)
            }
            _ => return Err(ServiceError::invalid("building_id", "请选择事件地点（楼栋或当前位置）")),
        };
        let routing = self.store.routing(micro_grid_id).await?.ok_or_else(|| ServiceError::invalid("building_id", "该地点不属于任何网格"))?;
        let (reporter_name, contact) = match source {
            Source::Resident | Source::Hotline if !new.reporter_name.trim().is_empty() => {
                (mask::name(new.reporter_name.trim()), format!("{} {}", new.reporter_name.trim(), new.reporter_phone.trim()))
            }
            _ => (me.display_name.clone(), String::new()),
        };
        let row = NewCaseRow {
            category: cat.code.into(),
            source,
            state: CaseState::Reported,
            urgency: cat.urgency,
            description,
            address,
            lon: Some(lon),
            lat: Some(lat),
            micro_grid_id: Some(routing.micro_grid_id),
            grid_id: Some(routing.grid_id),
            place: routing.place,
            grid_worker: routing.grid_worker,
            // Integrations and the public form act without an account.
            reporter_id: (me.user_id > 0).then_some(me.user_id),
            reporter_name,
            reporter_contact: contact,
            now,
            stage_deadline: case::stage_deadline(cat, CaseState::Reported, now),
        };
        let step = NewStep {
            at: now,
            actor: me.username.clone(),
            actor_name: me.display_name.clone(),
            kind: "report".into(),
            from: CaseState::Reported,
            to: CaseState::Reported,
            task_id: None,
            new_task_holder: None,
            note: source.name_zh().into(),
        };
        let w = CaseWrite { case: CaseWriteKind::Create(row), new_tasks: vec![], task_changes: vec![], steps: vec![step], photo: None, link_alarm: None, conclude_alarms: None };
        self.publish(&w).await
    }

    /// Opens the case of an alarm (source IoT or camera AI, at the device's place, routed to
    /// its micro-grid), or, when an earlier alarm of the same device and rule still has an
    /// open case, adds the alarm to that case. The alarm is linked in the same transaction;
    /// an alarm that already has a case is left alone.
    pub async fn open_for_alarm(&self, alarm_id: i64, dev: &crate::storage::iot::DeviceRecord, rule: zhizhi_shared::iot::Rule, detail: &str, now: i64) -> ServiceResult<()> {
        let Some(code) = rule.case_category() else { return Ok(()) };
        let cat = case::category(code).ok_or_else(|| ServiceError::invalid("category", format!("没有事件类别「{code}」")))?;
        let actor = ("iot".to_string(), "物联感知平台".to_string());
        let mut what = format!("{}：{detail}。设备 {}（{}）", rule.name_zh(), dev.code, dev.kind.name_zh());
        if let (Some(name), true) = (&dev.resident_name, dev.in_care) {
            what.push_str(&format!("，独居老人 {}", mask::name(name)));
        }
        let result = match self.store.open_alarm_case(dev.id, rule).await? {
            Some(case_id) => {
                let Some(case) = self.store.case(case_id).await? else { return Ok(()) };
                let step = NewStep { at: now, actor: actor.0, actor_name: actor.1, kind: "alarm_again".into(), from: case.state, to: case.state, task_id: None, new_task_holder: None, note: what };
                let update = CaseUpdate { id: case_id, version: case.version, state: case.state, suspended_from: case.suspended_from, escalated: case.escalated, now, stage_changed: false, stage_deadline: case.stage_deadline };
                self.publish(&CaseWrite { case: CaseWriteKind::Update(update), new_tasks: vec![], task_changes: vec![], steps: vec![step], photo: None, link_alarm: Some(alarm_id), conclude_alarms: None }).await
            }
            None => {
                let routing = self.store.routing(dev.micro_grid_id).await?.ok_or_else(|| ServiceError::invalid("micro_grid_id", format!("设备 {} 不在任何网格内", dev.code)))?;
                let source = if dev.kind == zhizhi_shared::device::DeviceKind::Camera { Source::CameraAi } else { Source::Iot };
                let row = NewCaseRow {
                    category: cat.code.into(),
                    source,
                    state: CaseState::Reported,
                    urgency: cat.urgency,
                    description: what,
                    address: dev.address.clone(),
                    lon: Some(dev.lon),
                    lat: Some(dev.lat),
                    micro_grid_id: Some(routing.micro_grid_id),
                    grid_id: Some(routing.grid_id),
                    place: routing.place,
                    grid_worker: routing.grid_worker,
                    reporter_id: None,
                    reporter_name: actor.1.clone(),
                    reporter_contact: String::new(),
                    now,
                    stage_deadline: case::stage_deadline(cat, CaseState::Reported, now),
                };
                let step = NewStep { at: now, actor: actor.0, actor_name: actor.1, kind: "report".into(), from: CaseState::Reported, to: CaseState::Reported, task_id: None, new_task_holder: None, note: format!("{} · 告警 {alarm_id}", source.name_zh()) };
                self.publish(&CaseWrite { case: CaseWriteKind::Create(row), new_tasks: vec![], task_changes: vec![], steps: vec![step], photo: None, link_alarm: Some(alarm_id), conclude_alarms: None }).await
            }
        };
        match result {
            Ok(_) | Err(ServiceError::Storage(crate::storage::Error::Stale)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Applies an action. `version`, when given, must be the case's current version (the one
    /// the user saw), so that two coordinators cannot both act on the same state.
    pub async fn act(&self, me: &Principal, id: i64, action: &Action, version: Option<i64>, now: i64) -> ServiceResult<CaseDetail> {
        let case = self.visible(me, id).await?;
        if version.is_some_and(|v| v != case.version) {
            return Err(ServiceError::Conflict("事件已被他人更新，请刷新后重试".into()));
        }
        if let Action::Dispatch { holders, .. } = action {
            self.check_holders(holders).await?;
        }
        let core = case.core().ok_or_else(|| ServiceError::invalid("category", "事件类别已停用"))?;
        let d = case::decide(&core, me, action, now)?;
        let steps = d
            .steps
            .iter()
            .map(|s| NewStep {
                at: now,
                actor: me.username.clone(),
                actor_name: me.display_name.clone(),
                kind: s.kind.into(),
                from: s.from,
                to: s.to,
                task_id: s.task_id,
                new_task_holder: if s.task_id.is_none() { s.holder } else { None },
                note: s.note.clone(),
            })
            .collect();
        let update = CaseUpdate {
            id,
            version: case.version,
            state: d.state,
            suspended_from: d.suspended_from,
            escalated: case.escalated || d.state == CaseState::Escalated,
            now,
            stage_changed: d.stage_changed,
            stage_deadline: d.stage_deadline,
        };
        let conclude_alarms = match (d.state, action) {
            (CaseState::Closed, Action::FalseAlarm { reason }) => Some((Outcome::FalseAlarm, reason.trim().to_string())),
            (CaseState::Closed, Action::Close { note }) => Some((Outcome::Handled, note.trim().to_string())),
            (CaseState::Rejected, Action::Reject { reason }) => Some((Outcome::Rejected, reason.trim().to_string())),
            _ => None,
        };
        let w = CaseWrite { case: CaseWriteKind::Update(update), new_tasks: d.new_tasks, task_changes: d.task_changes, steps, photo: None, link_alarm: None, conclude_alarms };
        self.publish(&w).await
    }

    async fn check_holders(&self, holders: &[Holder]) -> ServiceResult<()> {
        let posts: Vec<i64> = self.store.boards().await?.into_iter().flat_map(|b| b.posts).map(|p| p.id).collect();
        let grids: Vec<i64> = self.store.grids().await?.into_iter().map(|g| g.id).collect();
        for h in holders {
            let known = match h {
                Holder::Post(p) => posts.contains(p),
                Holder::Grid(g) => grids.contains(g),
            };
            if !known {
                return Err(ServiceError::invalid("holders", format!("没有这个处置对象：{h:?}")));
            }
        }
        Ok(())
    }

    /// Adds a photo to a case, as a step of its timeline.
    pub async fn attach(&self, me: &Principal, id: i64, data: Vec<u8>, now: i64) -> ServiceResult<CaseDetail> {
        let case = self.visible(me, id).await?;
        if case.state.is_final() {
            return Err(ServiceError::Conflict(format!("事件已{}，不能再上传照片", case.state.name_zh())));
        }
        if data.is_empty() {
            return Err(ServiceError::invalid("photo", "照片是空的"));
        }
        if data.len() > MAX_PHOTO_BYTES {
            return Err(ServiceError::invalid("photo", format!("照片不能超过 {} MB（这张 {:.1} MB）", MAX_PHOTO_BYTES / 1024 / 1024, data.len() as f64 / 1048576.0)));
        }
        let content_type = sniff_image(&data).ok_or_else(|| ServiceError::invalid("photo", "只接受 JPEG、PNG 或 WebP 格式的照片"))?;
        let step = NewStep {
            at: now,
            actor: me.username.clone(),
            actor_name: me.display_name.clone(),
            kind: "attach".into(),
            from: case.state,
            to: case.state,
            task_id: None,
            new_task_holder: None,
            note: format!("{:.0} KB", data.len() as f64 / 1024.0),
        };
        let sha256 = format!("{:x}", sha2::Sha256::digest(&data));
        let update = CaseUpdate {
            id,
            version: case.version,
            state: case.state,
            suspended_from: case.suspended_from,
            escalated: case.escalated,
            now,
            stage_changed: false,
            stage_deadline: case.stage_deadline,
        };
        let photo = NewPhoto { content_type: content_type.into(), data, sha256 };
        let w = CaseWrite { case: CaseWriteKind::Update(update), new_tasks: vec![], task_changes: vec![], steps: vec![step], photo: Some(photo), link_alarm: None, conclude_alarms: None };
        self.publish(&w).await
    }

    /// A photo of a case the user may see.
    pub async fn photo(&self, me: &Principal, id: i64) -> ServiceResult<Photo> {
        let p = self.store.photo(id).await?.ok_or(ServiceError::NotFound("没有这张照片"))?;
        self.visible(me, p.case_id).await?;
        Ok(p)
    }
}
