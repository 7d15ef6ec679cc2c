//! Residents following their reports through a private link, rating the outcome; staff
//! recording callbacks (回访) and concluding the review (复核) a low rating opens.

use super::Cases;
use crate::auth::token_hash;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::follow::FollowWrite;
use crate::storage::{CaseUpdate, CaseWrite, CaseWriteKind, NewStep, Photo};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::follow::{follow_view, rating_note, Contact, FollowView, NewRating, RatingChannel, ReviewDone, ReviewItem, LOW_RATING};
use zhizhi_shared::case::view::{CaseDetail, CaseSummary};
use zhizhi_shared::case::CaseState;

const NO_SUCH_LINK: &str = "这个跟踪链接无效：请核对短信或回执中的链接";

impl Cases {
    /// The case a follow link opens.
    async fn by_token(&self, token: &str) -> ServiceResult<CaseSummary> {
        // A token is 64 hex characters: anything else is not one (and is not looked up).
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ServiceError::NotFound(NO_SUCH_LINK));
        }
        let id = self.store.case_by_follow(&token_hash(token)).await?.ok_or(ServiceError::NotFound(NO_SUCH_LINK))?;
        self.store.case(id).await?.ok_or(ServiceError::NotFound(NO_SUCH_LINK))
    }

    /// What the resident sees through their follow link.
    pub async fn follow(&self, token: &str) -> ServiceResult<FollowView> {
        let case = self.by_token(token).await?;
        let (_, cursor) = self.store.event_range().await?;
        let detail = self.detail_of(case, cursor).await?;
        Ok(follow_view(&detail, detail.rating.as_ref()))
    }

    /// A photo of the result, through the follow link (only those the follow page shows).
    pub async fn follow_photo(&self, token: &str, photo: i64) -> ServiceResult<Photo> {
        let view = self.follow(token).await?;
        if !view.result_photos.contains(&photo) && !view.own_photos.contains(&photo) {
            return Err(ServiceError::NotFound("没有这张照片"));
        }
        self.store.photo(photo).await?.ok_or(ServiceError::NotFound("没有这张照片"))
    }

    /// The resident rates the outcome of their closed report, once. A low rating opens a
    /// review for the command staff.
    pub async fn rate(&self, token: &str, rating: NewRating, now: i64) -> ServiceResult<FollowView> {
        let case = self.by_token(token).await?;
        let r = rating.checked().map_err(|(field, message)| ServiceError::invalid(field, message))?;
        self.write_rating(&case, r, RatingChannel::Resident, "public", "居民", now).await?;
        self.follow(token).await
    }

    /// Command staff record the result of a callback (回访) to the reporter of a closed case
    /// that has no rating yet.
    pub async fn record_callback(&self, me: &Principal, id: i64, rating: NewRating, now: i64) -> ServiceResult<CaseDetail> {
        if !me.has(Role::Command) {
            return Err(ServiceError::Forbidden);
        }
        let case = self.visible(me, id).await?;
        let r = rating.checked().map_err(|(field, message)| ServiceError::invalid(field, message))?;
        self.write_rating(&case, r, RatingChannel::Callback, &me.username, &me.display_name, now).await
    }

    async fn write_rating(&self, case: &CaseSummary, r: NewRating, channel: RatingChannel, actor: &str, actor_name: &str, now: i64) -> ServiceResult<CaseDetail> {
        if case.state != CaseState::Closed {
            return Err(ServiceError::Conflict(format!("事件{}，办结后才能评价", case.state.name_zh())));
        }
        if case.drill {
            return Err(ServiceError::Conflict("演练事件不评价".into()));
        }
        if let Some(given) = self.store.rating(case.id).await? {
            return Err(ServiceError::Conflict(format!("这件事已评价过（{} 星），每件事只评价一次", given.score)));
        }
        let opens_review = r.score <= LOW_RATING;
        let mut note = rating_note(channel, r.score, &r.comment);
        if opens_review {
            note.push_str("（差评，转指挥中心复核）");
        }
        let step = NewStep {
            at: now,
            actor: actor.into(),
            actor_name: actor_name.into(),
            kind: if channel == RatingChannel::Resident { "rate" } else { "callback" }.into(),
            from: case.state,
            to: case.state,
            task_id: None,
            new_task_holder: None,
            note,
        };
        let follow = FollowWrite::Rate { score: r.score, comment: r.comment, channel, by: actor_name.into(), opens_review };
        let update = CaseWriteKind::Update(CaseUpdate::keeping(case, now));
        self.publish(&CaseWrite { follow: Some(follow), ..CaseWrite::one_step(update, step) }).await
    }

    /// Command staff conclude the review of a low rating: what they found and did.
    pub async fn conclude_review(&self, me: &Principal, id: i64, done: ReviewDone, now: i64) -> ServiceResult<CaseDetail> {
        if !me.has(Role::Command) {
            return Err(ServiceError::Forbidden);
        }
        let case = self.visible(me, id).await?;
        let note = done.note.trim().to_string();
        if note.chars().count() < 4 {
            return Err(ServiceError::invalid("note", "请写明复核情况（至少 4 个字）"));
        }
        if note.chars().count() > 2000 {
            return Err(ServiceError::invalid("note", "复核情况不能超过 2000 字"));
        }
        if !self.store.rating(id).await?.is_some_and(|r| r.review_open()) {
            return Err(ServiceError::Conflict("这件事没有待复核的差评".into()));
        }
        let step = NewStep {
            at: now,
            actor: me.username.clone(),
            actor_name: me.display_name.clone(),
            kind: "review".into(),
            from: case.state,
            to: case.state,
            task_id: None,
            new_task_holder: None,
            note: format!("差评复核：{note}"),
        };
        let follow = FollowWrite::Reviewed { by: me.display_name.clone(), note };
        let update = CaseWriteKind::Update(CaseUpdate::keeping(&case, now));
        self.publish(&CaseWrite { follow: Some(follow), ..CaseWrite::one_step(update, step) }).await
    }

    /// The low ratings waiting for review, oldest first (command staff, of the cases they see).
    pub async fn reviews(&self, me: &Principal) -> ServiceResult<Vec<ReviewItem>> {
        if !me.has(Role::Command) {
            return Err(ServiceError::Forbidden);
        }
        let mut out = Vec::new();
        for rating in self.store.open_reviews(200).await? {
            if let Some(case) = self.store.case(rating.case_id).await?
                && me.may_see_case(&case.visibility())
            {
                out.push(ReviewItem { case, rating });
            }
        }
        Ok(out)
    }

    /// Whether `me` may call the reporter back: staff with the case in their duty (the command
    /// centre, the posts holding it, the grid's worker), not administrators.
    async fn case_for_callback(&self, me: &Principal, id: i64) -> ServiceResult<CaseSummary> {
        if !(me.has(Role::Command) || me.has(Role::Post) || me.has(Role::GridWorker)) {
            return Err(ServiceError::Forbidden);
        }
        self.visible(me, id).await
    }

    /// The reporter's name and number, masked (`None` when the report left none).
    pub async fn contact(&self, me: &Principal, id: i64) -> ServiceResult<Option<Contact>> {
        self.case_for_callback(me, id).await?;
        Ok(self.store.reporter_contact(id).await?.map(|c| Contact::parse(&c).masked()))
    }

    /// The reporter's name and number unmasked, for a stated reason (at least four
    /// characters). The reveal, and a refused one, are written to the audit log.
    pub async fn reveal_contact(&self, me: &Principal, id: i64, reason: &str, now: i64) -> ServiceResult<Contact> {
        let reason = reason.trim();
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid("reason", "请说明查看原因（至少 4 个字）"));
        }
        if reason.chars().count() > 200 {
            return Err(ServiceError::invalid("reason", "查看原因不能超过 200 字"));
        }
        let target = format!("case:{id}:contact");
        if let Err(e) = self.case_for_callback(me, id).await {
            self.store.append_audit(now, &me.username, "reveal_refused", &target, reason).await?;
            return Err(e);
        }
        let contact = self.store.reporter_contact(id).await?.ok_or(ServiceError::NotFound("这件事没有留联系电话"))?;
        self.store.append_audit(now, &me.username, "reveal", &target, reason).await?;
        Ok(Contact::parse(&contact))
    }
}
