//! The case service: reporting, actions, photos and lists, shared by the JSON API and the
//! pages' server functions. The rule book is `zhizhi_shared::case::decide`; this module loads
//! the case, asks the rule book, stores exactly what it decided (with the event for the live
//! stream, in one transaction) and publishes the event.

mod client;
mod export;
mod follow;
mod open;
mod public;

pub use client::{client_key, Once};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Hub;
use crate::storage::{CaseFilter, CaseScope, CaseUpdate, CaseWrite, CaseWriteKind, NewPhoto, NewStep, Photo, Store};
use sha2::Digest;
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{CaseDetail, CaseList, CaseQuery, CaseSummary};
use zhizhi_shared::case::{self, Action, CaseState, Holder};
use zhizhi_shared::iot::Outcome;

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

/// The store's filter for a list's query: its states, category, grid and overdue flag, in the
/// user's scope, at most `max` cases (`default` when the query names no limit).
fn filter_of(me: &Principal, q: &CaseQuery, now: i64, default: i64, max: i64) -> ServiceResult<CaseFilter> {
    let states = match q.state.as_deref().map(str::trim) {
        None | Some("") => vec![],
        Some("open") => CaseState::ALL.iter().copied().filter(|s| !s.is_final()).collect(),
        Some(list) => list
            .split(',')
            .map(|c| CaseState::from_code(c.trim()).ok_or_else(|| ServiceError::invalid("state", format!("没有状态「{c}」"))))
            .collect::<ServiceResult<_>>()?,
    };
    let limit = q.limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ServiceError::invalid("limit", format!("每次 1–{max} 条")));
    }
    if q.street.is_some() && !me.covers_street(q.street) {
        return Err(ServiceError::invalid("street", "只能查看本街道的事件"));
    }
    Ok(CaseFilter {
        street_id: q.street,
        states,
        category: q.category.clone().filter(|c| !c.is_empty()),
        grid_id: q.grid,
        overdue_at: q.overdue.unwrap_or(false).then_some(now),
        scope: scope_of(me),
        limit,
        ..Default::default()
    })
}

fn scope_of(me: &Principal) -> CaseScope {
    if me.has(Role::Command) && me.street_id.is_none() {
        CaseScope::All
    } else {
        CaseScope::Of {
            user_id: me.user_id,
            post_id: me.post_id.filter(|_| me.has(Role::Post)),
            grid_ids: if me.has(Role::GridWorker) { me.grid_ids.clone() } else { vec![] },
            district: me.has(Role::District),
            street_id: me.street_id,
            whole_street: me.street_id.filter(|_| me.has(Role::Command)),
        }
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

/// A photo as sent, checked: not empty, at most [`MAX_PHOTO_BYTES`], JPEG, PNG or WebP by its
/// content (not by what the sender says it is).
pub(crate) fn checked_photo(data: Vec<u8>) -> ServiceResult<NewPhoto> {
    if data.is_empty() {
        return Err(ServiceError::invalid("photo", "照片是空的"));
    }
    if data.len() > MAX_PHOTO_BYTES {
        return Err(ServiceError::invalid(
            "photo",
            format!("照片不能超过 {} MB（这张 {:.1} MB）", MAX_PHOTO_BYTES / 1024 / 1024, data.len() as f64 / 1048576.0),
        ));
    }
    let content_type = sniff_image(&data).ok_or_else(|| ServiceError::invalid("photo", "只接受 JPEG、PNG 或 WebP 格式的照片"))?;
    let sha256 = format!("{:x}", sha2::Sha256::digest(&data));
    Ok(NewPhoto { content_type: content_type.into(), data, sha256 })
}

impl Cases {
    /// Stores a write and publishes its event; the case as it now stands, with its detail.
    pub(crate) async fn publish(&self, w: &CaseWrite) -> ServiceResult<CaseDetail> {
        let event = self.store.write_case(w).await?;
        let (case, cursor) = (event.case.clone(), event.id);
        self.hub.publish(event);
        self.detail_of(case, cursor).await
    }

    /// A case the user may see, or 404 (a case they may not see does not exist for them).
    pub(crate) async fn visible(&self, me: &Principal, id: i64) -> ServiceResult<CaseSummary> {
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
        // Only a closed case is rated.
        let rating = if case.state == CaseState::Closed { self.store.rating(case.id).await? } else { None };
        let suggested_post = match case::category(&case.category) {
            Some(cat) => self.store.boards().await?.into_iter().flat_map(|b| b.posts).find(|p| p.name == cat.post).map(|p| (p.id, p.name)),
            None => None,
        };
        Ok(CaseDetail { case, suggested_post, steps, cursor, rating })
    }

    /// Cases the user may see, filtered.
    pub async fn list(&self, me: &Principal, q: &CaseQuery, now: i64) -> ServiceResult<CaseList> {
        let filter = filter_of(me, q, now, 200, 1_000)?;
        let (_, cursor) = self.store.event_range().await?;
        Ok(CaseList { cursor, cases: self.store.cases(&filter).await? })
    }

    /// Applies an action. `version`, when given, must be the case's current version (the one
    /// the user saw), so that two coordinators cannot both act on the same state.
    pub async fn act(&self, me: &Principal, id: i64, action: &Action, version: Option<i64>, now: i64) -> ServiceResult<CaseDetail> {
        self.act_once(me, id, action, version, None, now).await.map(Once::detail)
    }

    /// [`Cases::act`] sent with the sender's own id (`client_id`): a second send of the same id
    /// does nothing and answers [`Once::Again`] with the case as it now stands.
    pub async fn act_once(&self, me: &Principal, id: i64, action: &Action, version: Option<i64>, client_id: Option<&str>, now: i64) -> ServiceResult<Once> {
        let key = client_key(me, client_id)?;
        self.once(me, key, Some(id), |key| self.act_keyed(me, id, action, version, key, now)).await
    }

    async fn act_keyed(&self, me: &Principal, id: i64, action: &Action, version: Option<i64>, key: Option<crate::storage::ClientKey>, now: i64) -> ServiceResult<CaseDetail> {
        let case = self.visible(me, id).await?;
        if version.is_some_and(|v| v != case.version) {
            return Err(ServiceError::Conflict("事件已被他人更新，请刷新后重试".into()));
        }
        if let Action::Dispatch { holders, .. } = action {
            self.check_holders(holders, case.street_id).await?;
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
        let w = CaseWrite {
            case: CaseWriteKind::Update(update),
            new_tasks: d.new_tasks,
            task_changes: d.task_changes,
            steps,
            photo: None,
            link_alarm: None,
            conclude_alarms,
            task_plans: vec![],
            activation: None,
            checks: vec![],
            follow: None,
            client: key,
        };
        self.publish(&w).await
    }

    /// Checks that each holder exists: a post, or a grid of the case's street (`street`).
    async fn check_holders(&self, holders: &[Holder], street: Option<i64>) -> ServiceResult<()> {
        let posts: Vec<i64> = self.store.boards().await?.into_iter().flat_map(|b| b.posts).map(|p| p.id).collect();
        let all = self.store.grids().await?;
        let (_, grids, _) = zhizhi_shared::place::of_street(street, self.store.communities().await?, all.clone(), vec![]);
        let grids: Vec<i64> = grids.into_iter().map(|g| g.id).collect();
        for h in holders {
            if let Holder::Grid(g) = h
                && !grids.contains(g)
                && let Some(other) = all.iter().find(|x| x.id == *g)
            {
                return Err(ServiceError::invalid("holders", format!("网格「{}」不在本事件所在街道，不能派遣", other.name)));
            }
            let known = match h {
                Holder::Post(p) => posts.contains(p),
                Holder::Grid(g) => grids.contains(g),
                // The district receives a case by escalation, or a plan's items.
                Holder::District => false,
            };
            if !known {
                return Err(ServiceError::invalid("holders", format!("没有这个处置对象：{h:?}")));
            }
        }
        Ok(())
    }

    /// Adds a photo to a case, as a step of its timeline.
    pub async fn attach(&self, me: &Principal, id: i64, data: Vec<u8>, now: i64) -> ServiceResult<CaseDetail> {
        self.attach_noted(me, id, data, now, "").await
    }

    /// [`Cases::attach`] sent with the sender's own id: a second send adds no second photo.
    pub async fn attach_once(&self, me: &Principal, id: i64, data: Vec<u8>, client_id: Option<&str>, now: i64) -> ServiceResult<Once> {
        let key = client_key(me, client_id)?;
        self.once(me, key, Some(id), |key| self.attach_keyed(me, id, data, now, "", key)).await
    }

    /// [`Cases::attach`], the step saying what the photo is (`what`, before its size).
    pub async fn attach_noted(&self, me: &Principal, id: i64, data: Vec<u8>, now: i64, what: &str) -> ServiceResult<CaseDetail> {
        self.attach_keyed(me, id, data, now, what, None).await
    }

    async fn attach_keyed(&self, me: &Principal, id: i64, data: Vec<u8>, now: i64, what: &str, key: Option<crate::storage::ClientKey>) -> ServiceResult<CaseDetail> {
        let case = self.visible(me, id).await?;
        if case.state.is_final() {
            return Err(ServiceError::Conflict(format!("事件已{}，不能再上传照片", case.state.name_zh())));
        }
        let photo = checked_photo(data)?;
        let step = NewStep {
            at: now,
            actor: me.username.clone(),
            actor_name: me.display_name.clone(),
            kind: "attach".into(),
            from: case.state,
            to: case.state,
            task_id: None,
            new_task_holder: None,
            note: format!("{what}{}{:.0} KB", if what.is_empty() { "" } else { " · " }, photo.data.len() as f64 / 1024.0),
        };
        let update = CaseWriteKind::Update(CaseUpdate::keeping(&case, now));
        self.publish(&CaseWrite { photo: Some(photo), client: key, ..CaseWrite::one_step(update, step) }).await
    }

    /// Appends a step of `kind` with `note` to a case's timeline without changing its state (a
    /// call's record), as `actor` (username, name).
    pub(crate) async fn note(&self, id: i64, actor: &str, actor_name: &str, kind: &str, note: &str, now: i64) -> ServiceResult<CaseDetail> {
        let case = self.store.case(id).await?.ok_or(ServiceError::NotFound("没有这个事件"))?;
        let step = NewStep {
            at: now,
            actor: actor.to_string(),
            actor_name: actor_name.to_string(),
            kind: kind.to_string(),
            from: case.state,
            to: case.state,
            task_id: None,
            new_task_holder: None,
            note: note.to_string(),
        };
        let update = CaseWriteKind::Update(CaseUpdate::keeping(&case, now));
        self.publish(&CaseWrite::one_step(update, step)).await
    }

    /// A photo of a case the user may see.
    pub async fn photo(&self, me: &Principal, id: i64) -> ServiceResult<Photo> {
        let p = self.store.photo(id).await?.ok_or(ServiceError::NotFound("没有这张照片"))?;
        self.visible(me, p.case_id).await?;
        Ok(p)
    }
}
