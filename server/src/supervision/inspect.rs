//! The joint inspection 综合查一次: filing by a lead post, items per agency (no item twice),
//! the district's approval or return, the visit with each agency's checklist, one combined
//! notice with rectification items and deadlines, rectification item by item, re-inspection.
//! Who may do what is decided here; what may follow what in
//! `zhizhi_shared::enterprise::inspection`. Every step is logged with the inspection and audited.

use super::{Supervision, year_start};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::supervision::{InspectionStored, InspectionWrite};
use crate::storage::Store;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::enterprise::inspection::{self as rules, InspectionError, ItemCheck, Outcome, PlannedItem, Requirement, Stage};
use zhizhi_shared::enterprise::view::{InspectionBrief, InspectionView, ItemView, OverdueItem};

impl From<InspectionError> for ServiceError {
    fn from(e: InspectionError) -> Self {
        ServiceError::Invalid { field: e.field, message: e.message }
    }
}

/// Whether an inspection at `stage` counts as a visit of its business: once the agencies went in.
pub fn counts_as_visit(stage: Stage) -> bool {
    matches!(stage, Stage::Inspecting | Stage::Rectifying | Stage::Closed)
}

const DAY: i64 = 86_400_000;

/// How long a rectification found wanting at re-inspection gets again.
const RECHECK_DAYS: i64 = 7;

fn with_overdue(mut items: Vec<ItemView>, now: i64) -> Vec<ItemView> {
    for t in &mut items {
        t.overdue = rules::overdue(t.deadline, t.rectified_at, now);
    }
    items
}

fn brief_of(s: &InspectionStored, items: &[ItemView]) -> InspectionBrief {
    let mut posts = vec![s.lead_post.clone()];
    for t in items {
        if !posts.contains(&t.post) {
            posts.push(t.post.clone());
        }
    }
    InspectionBrief {
        id: s.id,
        enterprise_id: s.enterprise_id,
        enterprise: s.enterprise.clone(),
        joint: s.joint,
        stage: s.stage,
        lead_post: s.lead_post.clone(),
        posts,
        scheduled_at: s.scheduled_at,
        notice_no: s.notice_no.clone(),
        overdue: items.iter().filter(|t| t.overdue).count() as u32,
    }
}

/// An inspection as lists show it.
pub async fn brief(store: &dyn Store, s: &InspectionStored, now: i64) -> ServiceResult<InspectionBrief> {
    Ok(brief_of(s, &with_overdue(store.inspection_items(s.id).await?, now)))
}

/// The inspections not yet closed, and every rectification item past its deadline.
pub async fn open_and_overdue(store: &dyn Store, now: i64) -> ServiceResult<(Vec<InspectionBrief>, Vec<OverdueItem>)> {
    let open = store.inspections(None).await?;
    let mut briefs = Vec::new();
    for s in &open {
        briefs.push(brief(store, s, now).await?);
    }
    let overdue = store
        .open_rectifications()
        .await?
        .into_iter()
        .filter(|(_, t)| rules::overdue(t.deadline, t.rectified_at, now))
        .filter_map(|(i, t)| {
            let s = open.iter().find(|s| s.id == i)?;
            Some(OverdueItem { inspection_id: i, enterprise: s.enterprise.clone(), item: t.item, post: t.post, requirement: t.requirement, deadline: t.deadline? })
        })
        .collect();
    Ok((briefs, overdue))
}

fn wrong_stage(s: &InspectionStored, doing: &str) -> ServiceError {
    ServiceError::Conflict(format!("该检查{}，不能{doing}", s.stage.name_zh()))
}

fn go(s: &InspectionStored, next: Stage, doing: &str) -> ServiceResult<()> {
    if s.stage.may_become(next) { Ok(()) } else { Err(wrong_stage(s, doing)) }
}

impl Supervision {
    async fn load(&self, id: i64) -> ServiceResult<InspectionStored> {
        self.store.inspection(id).await?.ok_or(ServiceError::NotFound("没有这次检查"))
    }

    /// Whether `me` leads inspection `s`: a member of its lead post, or command staff.
    fn leads(me: &Principal, s: &InspectionStored) -> bool {
        me.has(Role::Command) || (me.has(Role::Post) && me.post_id == Some(s.lead_post_id))
    }

    fn lead(me: &Principal, s: &InspectionStored) -> ServiceResult<()> {
        if Self::leads(me, s) { Ok(()) } else { Err(ServiceError::Denied(format!("只有牵头部门（{}）或指挥中心可以办理这一步", s.lead_post))) }
    }

    /// Whether `me` may work the items of agency `post` in `s`: its members, the lead, command.
    async fn for_post(&self, me: &Principal, s: &InspectionStored, post: &str) -> ServiceResult<()> {
        if Self::leads(me, s) || self.post_name(me).await?.as_deref() == Some(post) {
            Ok(())
        } else {
            Err(ServiceError::Denied(format!("这一项由{post}办理")))
        }
    }

    /// One inspection whole.
    pub async fn inspection(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<InspectionView> {
        if me.roles.is_empty() {
            return Err(ServiceError::Forbidden);
        }
        let s = self.load(id).await?;
        let e = self.store.enterprise_records(Some(s.enterprise_id)).await?.pop().ok_or(ServiceError::NotFound("没有这家企业"))?;
        if !super::may_see(me, e.grid_id) {
            return Err(ServiceError::Denied("这家企业不在您的网格内".into()));
        }
        let items = with_overdue(self.store.inspection_items(id).await?, now);
        Ok(InspectionView {
            brief: brief_of(&s, &items),
            items,
            address: e.address,
            legal_rep: zhizhi_shared::mask::name(&e.legal_rep),
            credit_code: e.credit_code,
            return_reason: s.return_reason,
            approved_by: s.approved_by,
            approved_at: s.approved_at,
            noticed_at: s.noticed_at,
            closed_at: s.closed_at,
            created_by: s.created_by,
            created_at: s.created_at,
            log: self.store.inspection_log(id).await?,
            version: s.version,
        })
    }

    /// Files a joint inspection of a business, led by `me`'s post; its id.
    pub async fn file(&self, me: &Principal, enterprise_id: i64, scheduled_at: Option<i64>, now: i64) -> ServiceResult<i64> {
        let Some(post_id) = me.post_id.filter(|_| me.has(Role::Post) || me.has(Role::Command)) else {
            return Err(ServiceError::Denied("联合检查由岗位人员以本部门名义发起".into()));
        };
        if self.store.enterprise_records(Some(enterprise_id)).await?.is_empty() {
            return Err(ServiceError::invalid("enterprise_id", "没有这家企业"));
        }
        // One door, one inspection: agencies join the one under way.
        if let Some(open) = self.store.inspections(Some(enterprise_id)).await?.into_iter().find(|i| i.closed_at.is_none()) {
            return Err(ServiceError::Conflict(format!("该企业已有进行中的联合检查（{}牵头），请在其中增加检查事项", open.lead_post)));
        }
        if scheduled_at.is_some_and(|t| t < now) {
            return Err(ServiceError::invalid("scheduled_at", "联合检查的时间不能早于现在"));
        }
        let id = self.store.file_inspection(enterprise_id, true, post_id, scheduled_at, &[], &me.display_name, now).await?;
        self.store.append_audit(now, &me.username, "inspection_file", &format!("inspection:{id}"), &format!("enterprise:{enterprise_id}")).await?;
        self.touch().await;
        Ok(id)
    }

    /// One step of an inspection (anything but filing). Refusals name what is wrong.
    pub async fn step(&self, me: &Principal, id: i64, step: Step, now: i64) -> ServiceResult<()> {
        let s = self.load(id).await?;
        let items = self.store.inspection_items(id).await?;
        let who = me.display_name.as_str();
        let mut w = InspectionWrite::of(&s, String::new(), who, now);
        match step {
            Step::AddItem { post, item } => {
                if !s.stage.editable() {
                    return Err(wrong_stage(&s, "再增加检查事项"));
                }
                self.for_post(me, &s, &post).await?;
                if !self.store.boards().await?.iter().flat_map(|b| &b.posts).any(|p| p.name == post) {
                    return Err(ServiceError::invalid("post", format!("没有「{post}」这个部门")));
                }
                let planned: Vec<PlannedItem> = items.iter().map(|t| PlannedItem { post: t.post.clone(), item: t.item.clone() }).collect();
                let new = PlannedItem { post: post.clone(), item: item.trim().to_string() };
                rules::check_new_item(&planned, &new)?;
                w.what = format!("{post}增加检查事项「{}」", new.item);
                w.add.push(new);
            }
            Step::RemoveItem { item_id } => {
                if !s.stage.editable() {
                    return Err(wrong_stage(&s, "删除检查事项"));
                }
                let t = items.iter().find(|t| t.id == item_id).ok_or(ServiceError::invalid("item_id", "本次检查没有这一项"))?;
                self.for_post(me, &s, &t.post).await?;
                w.what = format!("删除检查事项「{}」", t.item);
                w.remove.push(item_id);
            }
            Step::Schedule { at } => {
                Self::lead(me, &s)?;
                if !s.stage.editable() {
                    return Err(wrong_stage(&s, "改期"));
                }
                if at < now {
                    return Err(ServiceError::invalid("scheduled_at", "联合检查的时间不能早于现在"));
                }
                w.scheduled_at = Some(at);
                w.what = format!("确定检查时间 {}", zhizhi_shared::time::beijing_datetime(at));
            }
            Step::Submit => {
                Self::lead(me, &s)?;
                go(&s, Stage::Submitted, "报送审批")?;
                let planned: Vec<PlannedItem> = items.iter().map(|t| PlannedItem { post: t.post.clone(), item: t.item.clone() }).collect();
                rules::check_submit(&planned, s.scheduled_at, now)?;
                w.stage = Stage::Submitted;
                w.return_reason.clear();
                w.what = "报区司法局审批".into();
            }
            Step::Approve => {
                approver(me, &s)?;
                go(&s, Stage::Approved, "批准")?;
                w.stage = Stage::Approved;
                w.approved_by = who.to_string();
                w.approved_at = Some(now);
                w.what = "区司法局审批通过".into();
            }
            Step::Return { reason } => {
                approver(me, &s)?;
                go(&s, Stage::Returned, "退回")?;
                if !(4..=500).contains(&reason.trim().chars().count()) {
                    return Err(ServiceError::invalid("reason", "退回须写明理由（4 至 500 个字）"));
                }
                w.stage = Stage::Returned;
                w.return_reason = reason.trim().to_string();
                w.what = format!("区司法局退回：{}", reason.trim());
            }
            Step::Start => {
                Self::lead(me, &s)?;
                if matches!(s.stage, Stage::Draft | Stage::Submitted | Stage::Returned) {
                    return Err(ServiceError::Conflict("联合检查未经区司法局批准，不能开始检查".into()));
                }
                go(&s, Stage::Inspecting, "开始检查")?;
                w.stage = Stage::Inspecting;
                w.what = "进门检查：各部门同时开展检查".into();
            }
            Step::Check { item_id, outcome, finding } => {
                let c = ItemCheck { item_id, outcome, finding };
                if s.stage != Stage::Inspecting {
                    return Err(wrong_stage(&s, "登记检查结果"));
                }
                let mut t = items.iter().find(|t| t.id == c.item_id).cloned().ok_or(ServiceError::invalid("item_id", "本次检查没有这一项"))?;
                self.for_post(me, &s, &t.post).await?;
                rules::check_item_check(&c)?;
                t.outcome = c.outcome;
                t.finding = c.finding.trim().to_string();
                t.checked_by = who.to_string();
                t.checked_at = Some(now);
                w.what = format!("{}检查「{}」：{}", t.post, t.item, if c.outcome == Outcome::Pass { "合格".to_string() } else { format!("不合格，{}", t.finding) });
                w.items.push(t);
            }
            Step::Notice { requirements: reqs } => {
                Self::lead(me, &s)?;
                if s.stage != Stage::Inspecting {
                    return Err(wrong_stage(&s, "出具结果告知单"));
                }
                if let Some(t) = items.iter().find(|t| t.outcome == Outcome::Pending) {
                    return Err(ServiceError::invalid("items", format!("「{}」（{}）还没有检查结果", t.item, t.post)));
                }
                let failed: Vec<i64> = items.iter().filter(|t| t.outcome == Outcome::Fail).map(|t| t.id).collect();
                rules::check_notice(&failed, &reqs, now)?;
                for r in &reqs {
                    let mut t = items.iter().find(|t| t.id == r.item_id).cloned().expect("checked: a failed item");
                    t.requirement = r.requirement.trim().to_string();
                    t.deadline = Some(r.deadline);
                    w.items.push(t);
                }
                w.stage = if failed.is_empty() { Stage::Closed } else { Stage::Rectifying };
                w.closed_at = failed.is_empty().then_some(now);
                w.noticed_at = Some(now);
                w.notice_year = Some(year_start(now).1);
                w.what = format!("出具组团式执法结果告知单：{} 项检查，{} 项须整改", items.len(), failed.len());
            }
            Step::Rectify { item_id, evidence } => {
                if s.stage != Stage::Rectifying {
                    return Err(wrong_stage(&s, "登记整改"));
                }
                let mut t = items.iter().find(|t| t.id == item_id && t.deadline.is_some()).cloned().ok_or(ServiceError::invalid("item_id", "这一项不需要整改"))?;
                self.for_post(me, &s, &t.post).await?;
                if !(2..=500).contains(&evidence.trim().chars().count()) {
                    return Err(ServiceError::invalid("evidence", "请写明整改情况或佐证材料（最多 500 个字）"));
                }
                if t.rectified_at.is_some() {
                    return Err(ServiceError::Conflict(format!("「{}」已登记整改，待复查", t.item)));
                }
                t.rectified_at = Some(now);
                t.evidence = evidence.trim().to_string();
                t.recheck = Outcome::Pending;
                let late = t.deadline.is_some_and(|d| d < now);
                w.what = format!("「{}」整改完成{}：{}", t.item, if late { "（逾期）" } else { "" }, t.evidence);
                w.items.push(t);
            }
            Step::Recheck { item_id, passed } => {
                if s.stage != Stage::Rectifying {
                    return Err(wrong_stage(&s, "复查"));
                }
                let mut t = items.iter().find(|t| t.id == item_id && t.deadline.is_some()).cloned().ok_or(ServiceError::invalid("item_id", "这一项不需要整改"))?;
                self.for_post(me, &s, &t.post).await?;
                if t.rectified_at.is_none() {
                    return Err(ServiceError::Conflict(format!("「{}」还没有登记整改，不能复查", t.item)));
                }
                t.recheck = if passed { Outcome::Pass } else { Outcome::Fail };
                if !passed {
                    // Back to rectify, with a week from now (the old deadline may have passed).
                    t.rectified_at = None;
                    t.deadline = Some(t.deadline.unwrap_or(now).max(now + RECHECK_DAYS * DAY));
                }
                w.what = if passed {
                    format!("复查「{}」：整改到位", t.item)
                } else {
                    format!("复查「{}」：未整改到位，重新限期至 {}", t.item, zhizhi_shared::time::beijing_datetime(t.deadline.unwrap_or(now)))
                };
                let done = items.iter().filter(|x| x.deadline.is_some()).all(|x| if x.id == t.id { passed } else { x.recheck == Outcome::Pass });
                if done {
                    w.stage = Stage::Closed;
                    w.closed_at = Some(now);
                    w.what.push_str("；全部整改到位，办结");
                }
                w.items.push(t);
            }
        }
        self.store.write_inspection(&w).await.map_err(|e| match e {
            crate::storage::Error::Stale => ServiceError::Conflict("这次检查刚被他人更新，请刷新后再试".into()),
            crate::storage::Error::Conflict { .. } => ServiceError::invalid("item", "这个检查事项已在本次检查中"),
            e => e.into(),
        })?;
        self.store.append_audit(now, &me.username, "inspection_step", &format!("inspection:{id}"), &w.what).await?;
        self.touch().await;
        Ok(())
    }
}

/// Whether `me` may approve or return `s`: the district approver role (区司法局), never someone
/// who leads the inspection.
fn approver(me: &Principal, s: &InspectionStored) -> ServiceResult<()> {
    if !me.has(Role::Approver) {
        return Err(ServiceError::Denied("联合检查由区司法局（区级审批人员）审批".into()));
    }
    if Supervision::leads(me, s) {
        return Err(ServiceError::Denied("牵头部门不能审批自己发起的联合检查".into()));
    }
    Ok(())
}

/// One step of an inspection after filing.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    AddItem { post: String, item: String },
    RemoveItem { item_id: i64 },
    Schedule { at: i64 },
    Submit,
    Approve,
    Return { reason: String },
    Start,
    Check { item_id: i64, outcome: Outcome, #[serde(default)] finding: String },
    Notice { requirements: Vec<Requirement> },
    Rectify { item_id: i64, evidence: String },
    Recheck { item_id: i64, passed: bool },
}
