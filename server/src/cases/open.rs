//! Opening cases: reports by staff, by residents through the public form (throttled per
//! address), and by alarms (a repeat of an alarm joins the case still open).

use super::{client_key, Cases, Once, PUBLIC_REPORTS_PER_HOUR};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::follow::FollowWrite;
use crate::storage::{CaseUpdate, CaseWrite, ClientKey, CaseWriteKind, NewCaseRow, NewStep};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::follow::{Receipt, PUBLIC_ACTOR, UPLOAD_GRANT_MS};
use zhizhi_shared::case::view::{CaseDetail, NewCase};
use zhizhi_shared::case::{self, CaseState, Source};
use zhizhi_shared::mask;

impl Cases {
    /// Reports a new case: routes it to its micro-grid and opens its timeline.
    pub async fn report(&self, me: &Principal, new: NewCase, now: i64) -> ServiceResult<CaseDetail> {
        self.report_once(me, new, now).await.map(Once::detail)
    }

    /// [`Cases::report`], telling whether the report's `client_id` had already made its case
    /// ([`Once::Again`]: nothing new is made).
    pub async fn report_once(&self, me: &Principal, new: NewCase, now: i64) -> ServiceResult<Once> {
        if !me.may_report_case() {
            return Err(ServiceError::Forbidden);
        }
        let source = match new.source {
            Some(s) if me.has(Role::Command) => s,
            Some(Source::Patrol) | None if me.has(Role::GridWorker) => Source::Patrol,
            None => Source::Hotline,
            Some(s) => return Err(ServiceError::invalid("source", format!("您不能登记来源为「{}」的事件", s.name_zh()))),
        };
        let key = client_key(me, new.client_id.as_deref())?;
        self.once(me, key, None, |key| self.open_case(me, new, source, key, now)).await
    }

    /// A resident's report from the public form (no account): the phone number is required so
    /// that the street can call back; it is stored, never shown unmasked. Only the case number,
    /// the private follow link's token and the photo upload grant are returned. At most a few
    /// reports an hour from one address: enough for a resident, not for a script flooding the
    /// board.
    pub async fn report_public(&self, mut new: NewCase, address: &str, now: i64) -> ServiceResult<Receipt> {
        let key = format!("public-report:{}", zhizhi_shared::audit::bounded(address, 64));
        let refused = ServiceError::Throttled("提交过于频繁，请稍后再试，紧急情况请拨打 12345 或 110".into());
        self.within_hourly_limit(&key, PUBLIC_REPORTS_PER_HOUR, refused, now, async {
            new.reporter_phone = mobile(&new.reporter_phone)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| ServiceError::invalid("reporter_phone", "请填写 11 位手机号码，以便工作人员回访"))?;
            self.open_followed(PUBLIC_ACTOR, "居民（公众上报）", new, true, now).await
        })
        .await
    }

    /// A resident's report through an integration (an Open311 client holding an API key
    /// named `integration`): at most `per_hour` an hour per integration, counted as the public
    /// form counts; the phone, when given, must be a mobile number.
    pub async fn report_by_integration(&self, integration: &str, mut new: NewCase, per_hour: i64, now: i64) -> ServiceResult<Receipt> {
        let key = format!("integration-report:{integration}");
        let refused = ServiceError::Throttled(format!("「{integration}」本小时已提交 {per_hour} 件，请稍后再试"));
        self.within_hourly_limit(&key, per_hour, refused, now, async {
            new.reporter_phone = mobile(&new.reporter_phone).ok_or_else(|| ServiceError::invalid("phone", "手机号码应为 11 位数字"))?;
            self.open_followed(&format!("integration:{integration}"), &format!("居民（经{integration}上报）"), new, false, now).await
        })
        .await
    }

    /// Runs `report` within `per_hour` reports an hour under `key`: the slot is taken in one
    /// step with the count (parallel reports cannot pass the limit) and given back when the
    /// report is refused.
    async fn within_hourly_limit<T>(&self, key: &str, per_hour: i64, refused: ServiceError, now: i64, report: impl std::future::Future<Output = ServiceResult<T>>) -> ServiceResult<T> {
        if !self.store.take_slot(key, now - 3_600_000, per_hour, now).await? {
            return Err(refused);
        }
        let done = report.await;
        if done.is_err() {
            self.store.release_slot(key, now).await?;
        }
        done
    }

    /// Opens a resident's report with its private follow link (only the token's hash is
    /// stored): the number and the token, and with `upload` a one-time grant for its photos.
    async fn open_followed(&self, username: &str, display_name: &str, mut new: NewCase, upload: bool, now: i64) -> ServiceResult<Receipt> {
        if new.reporter_name.trim().is_empty() {
            new.reporter_name = "居民".into();
        }
        let resident = Principal {
            user_id: -1,
            username: username.into(),
            display_name: display_name.into(),
            roles: vec![],
            post_id: None,
            grid_ids: vec![],
            password_expired: false, street_id: None, street_grids: vec![],
        };
        let token = crate::auth::new_token();
        let (row, step) = self.prepare_case(&resident, new, Source::Resident, now).await?;
        let grant = upload.then(crate::auth::new_token);
        let follow = FollowWrite::Link {
            token_hash: crate::auth::token_hash(&token),
            upload: grant.as_ref().map(|g| (crate::auth::token_hash(g), now + UPLOAD_GRANT_MS)),
        };
        let number = self.publish(&CaseWrite { follow: Some(follow), ..CaseWrite::one_step(CaseWriteKind::Create(row), step) }).await?.case.number;
        Ok(Receipt { number, token, upload: grant })
    }

    async fn open_case(&self, me: &Principal, new: NewCase, source: Source, client: Option<ClientKey>, now: i64) -> ServiceResult<CaseDetail> {
        let (row, step) = self.prepare_case(me, new, source, now).await?;
        self.publish(&CaseWrite { client, ..CaseWrite::one_step(CaseWriteKind::Create(row), step) }).await
    }

    /// Checks a new case and routes it to its micro-grid: the row to insert and the timeline's
    /// first step.
    pub(crate) async fn prepare_case(&self, me: &Principal, new: NewCase, source: Source, now: i64) -> ServiceResult<(NewCaseRow, NewStep)> {
        let cat =
            case::category(&new.category).ok_or_else(|| ServiceError::invalid("category", format!("没有事件类别「{}」", new.category)))?;
        let description = new.description.trim().to_string();
        if description.chars().count() < 4 {
            return Err(ServiceError::invalid("description", "请描述事件情况（至少 4 个字）"));
        }
        if description.chars().count() > 2000 {
            return Err(ServiceError::invalid("description", "事件描述不能超过 2000 字"));
        }
        for (field, value, max, name) in
            [("address", &new.address, 200, "地点描述"), ("reporter_name", &new.reporter_name, 40, "称呼"), ("reporter_phone", &new.reporter_phone, 20, "电话")]
        {
            if value.chars().count() > max {
                return Err(ServiceError::invalid(field, format!("{name}不能超过 {max} 个字")));
            }
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
                let m = self
                    .store
                    .micro_grid_at([lon, lat])
                    .await?
                    .ok_or_else(|| ServiceError::invalid("lon", "该位置不在本街道的网格范围内"))?;
                // A point without words is named by the nearest building (or, in a grid without
                // buildings, by its place and coordinates, below).
                let address = match new.address.trim() {
                    "" => match self.nearest_address([lon, lat], m.grid_id).await? {
                        Some(a) => format!("{a}附近"),
                        None => String::new(),
                    },
                    given => given.to_string(),
                };
                (m.id, lon, lat, address)
            }
            _ => return Err(ServiceError::invalid("building_id", "请选择事件地点（楼栋或当前位置）")),
        };
        let routing =
            self.store.routing(micro_grid_id).await?.ok_or_else(|| ServiceError::invalid("building_id", "该地点不属于任何网格"))?;
        let address = if address.is_empty() { format!("{}（{lon:.5}, {lat:.5}）", routing.place) } else { address };
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
            street_id: me.street_id,
            now,
            stage_deadline: case::stage_deadline(cat, CaseState::Reported, now),
            drill: false,
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
        Ok((row, step))
    }

    /// Opens the case of an alarm (source IoT or camera AI, at the device's place, routed to
    /// its micro-grid), or, when an earlier alarm of the same device and rule still has an
    /// open case, adds the alarm to that case. The alarm is linked in the same transaction;
    /// an alarm that already has a case is left alone.
    pub async fn open_for_alarm(
        &self,
        alarm_id: i64,
        dev: &crate::storage::iot::DeviceRecord,
        rule: zhizhi_shared::iot::Rule,
        detail: &str,
        now: i64,
    ) -> ServiceResult<()> {
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
                let step = NewStep {
                    at: now,
                    actor: actor.0,
                    actor_name: actor.1,
                    kind: "alarm_again".into(),
                    from: case.state,
                    to: case.state,
                    task_id: None,
                    new_task_holder: None,
                    note: what,
                };
                let update = CaseWriteKind::Update(CaseUpdate::keeping(&case, now));
                self.publish(&CaseWrite { link_alarm: Some(alarm_id), ..CaseWrite::one_step(update, step) }).await
            }
            None => {
                let routing = self
                    .store
                    .routing(dev.micro_grid_id)
                    .await?
                    .ok_or_else(|| ServiceError::invalid("micro_grid_id", format!("设备 {} 不在任何网格内", dev.code)))?;
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
                    street_id: None,
                    now,
                    stage_deadline: case::stage_deadline(cat, CaseState::Reported, now),
                    drill: false,
                };
                let step = NewStep {
                    at: now,
                    actor: actor.0,
                    actor_name: actor.1,
                    kind: "report".into(),
                    from: CaseState::Reported,
                    to: CaseState::Reported,
                    task_id: None,
                    new_task_holder: None,
                    note: format!("{} · 告警 {alarm_id}", source.name_zh()),
                };
                self.publish(&CaseWrite { link_alarm: Some(alarm_id), ..CaseWrite::one_step(CaseWriteKind::Create(row), step) }).await
            }
        };
        match result {
            Ok(_) | Err(ServiceError::Storage(crate::storage::Error::Stale)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// A mobile number as given, spaces and dashes dropped: `Some("")` when none was given, `None`
/// when it is not 11 digits starting with 1.
fn mobile(given: &str) -> Option<String> {
    let phone: String = given.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (phone.is_empty() || (phone.len() == 11 && phone.starts_with('1') && phone.chars().all(|c| c.is_ascii_digit()))).then_some(phone)
}
