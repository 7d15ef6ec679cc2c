//! The joint inspection 综合查一次 ("enter once, check everything"): a lead post files one
//! inspection of one business, every participating agency adds the items it will check (no item
//! twice in one inspection), the district justice bureau (区司法局, the district role) approves it
//! or returns it with a reason, the agencies inspect together at one time, one combined result
//! notice lists what was found and what must be rectified by when, the business rectifies item by
//! item, and a re-inspection closes it. What may follow what is [`Stage::may_become`]; every
//! refusal names what is wrong ([`InspectionError`]).

use serde::{Deserialize, Serialize};

/// Where an inspection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 拟定: the lead post and the agencies add their items.
    Draft,
    /// 待审批: sent to the district justice bureau.
    Submitted,
    /// 已退回: returned with a reason; items may change, then it is sent again.
    Returned,
    /// 已批准: approved for the scheduled time.
    Approved,
    /// 检查中: the agencies are on site, each working its checklist.
    Inspecting,
    /// 整改中: the combined notice is issued; the business rectifies.
    Rectifying,
    /// 已办结: nothing failed, or the re-inspection found everything rectified.
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 7] = [Self::Draft, Self::Submitted, Self::Returned, Self::Approved, Self::Inspecting, Self::Rectifying, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
            Self::Inspecting => "inspecting",
            Self::Rectifying => "rectifying",
            Self::Closed => "closed",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "拟定中",
            Self::Submitted => "待区司法局审批",
            Self::Returned => "已退回",
            Self::Approved => "已批准，待检查",
            Self::Inspecting => "联合检查中",
            Self::Rectifying => "整改中",
            Self::Closed => "已办结",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Awaiting district approval",
            Self::Returned => "Returned",
            Self::Approved => "Approved, to inspect",
            Self::Inspecting => "Inspecting",
            Self::Rectifying => "Rectifying",
            Self::Closed => "Closed",
        }
    }

    /// Whether items may still be added or removed.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Whether a stage may follow this one.
    pub fn may_become(self, next: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, next),
            (Draft | Returned, Submitted) | (Submitted, Approved | Returned) | (Approved, Inspecting) | (Inspecting, Rectifying | Closed) | (Rectifying, Closed)
        )
    }
}

/// What an inspection item was found to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pending,
    Pass,
    Fail,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Pending, Self::Pass, Self::Fail].into_iter().find(|x| x.code() == s)
    }
}

/// A refusal: what is wrong and which field.
#[derive(Clone, Debug, PartialEq)]
pub struct InspectionError {
    pub field: &'static str,
    pub message: String,
}

fn err<T>(field: &'static str, message: impl Into<String>) -> Result<T, InspectionError> {
    Err(InspectionError { field, message: message.into() })
}

/// Each agency's inspection items (检查事项清单), as the stationed agencies list them.
pub const CATALOGUE: [(&str, &[&str]); 5] = [
    ("市场监管", &["营业执照亮照经营", "食品经营许可证", "从业人员健康证明", "明码标价", "计量器具检定", "商标与广告合规"]),
    ("消防救援站", &["消防通道畅通", "灭火器配置与有效期", "电气线路敷设", "燃气使用安全", "应急照明与疏散指示"]),
    ("综合执法", &["门前三包责任", "占道经营", "户外招牌设置", "油烟排放", "建筑垃圾处置"]),
    ("卫生健康", &["公共场所卫生许可", "控烟管理", "饮用水卫生"]),
    ("应急管理", &["安全生产责任制", "危险化学品储存", "安全隐患自查记录"]),
];

/// The catalogue's items of one agency (post name); empty for an agency without a list.
pub fn items_of(post: &str) -> &'static [&'static str] {
    CATALOGUE.iter().find(|(p, _)| *p == post).map(|(_, items)| *items).unwrap_or(&[])
}

/// An item as one inspection holds it: which agency checks it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedItem {
    pub post: String,
    pub item: String,
}

/// The same item written two ways is the same item: spaces and punctuation do not count.
pub fn item_key(item: &str) -> String {
    item.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Checks an item an agency adds to an inspection already holding `existing`: some words, not
/// too long, and not an item another agency (or this one) already checks here.
pub fn check_new_item(existing: &[PlannedItem], new: &PlannedItem) -> Result<(), InspectionError> {
    let n = new.item.trim().chars().count();
    if n < 2 {
        return err("item", "检查事项至少 2 个字");
    }
    if n > 60 {
        return err("item", "检查事项最多 60 个字");
    }
    let key = item_key(&new.item);
    if let Some(x) = existing.iter().find(|x| item_key(&x.item) == key) {
        return if x.post == new.post {
            err("item", format!("「{}」已在本部门的检查事项中", x.item))
        } else {
            err("item", format!("「{}」已由{}检查，同一次联合检查中不重复检查", x.item, x.post))
        };
    }
    Ok(())
}

/// Checks a joint inspection before it is sent for approval: a scheduled time ahead, and items of
/// at least two agencies (else it is no joint inspection).
pub fn check_submit(items: &[PlannedItem], scheduled_at: Option<i64>, now: i64) -> Result<(), InspectionError> {
    let Some(at) = scheduled_at else {
        return err("scheduled_at", "请先确定联合检查的时间");
    };
    if at < now {
        return err("scheduled_at", "联合检查的时间已过，请重新确定");
    }
    let mut posts: Vec<&str> = items.iter().map(|i| i.post.as_str()).collect();
    posts.sort_unstable();
    posts.dedup();
    if posts.len() < 2 {
        return err("items", "联合检查至少要有两个部门的检查事项");
    }
    Ok(())
}

/// One item's result on site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemCheck {
    pub item_id: i64,
    pub outcome: Outcome,
    /// What was found (required for a failure).
    #[serde(default)]
    pub finding: String,
}

/// Checks an on-site result: pass or fail, and a finding for a failure.
pub fn check_item_check(c: &ItemCheck) -> Result<(), InspectionError> {
    match c.outcome {
        Outcome::Pending => err("outcome", "请选择合格或不合格"),
        Outcome::Fail if c.finding.trim().chars().count() < 2 => err("finding", "不合格须写明发现的问题"),
        _ if c.finding.chars().count() > 500 => err("finding", "发现的问题最多 500 个字"),
        _ => Ok(()),
    }
}

/// A rectification requirement the notice sets for a failed item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub item_id: i64,
    pub requirement: String,
    /// The deadline (ms).
    pub deadline: i64,
}

/// Checks the notice's requirements: every failed item exactly once, each with words and a
/// deadline after `now`.
pub fn check_notice(failed: &[i64], reqs: &[Requirement], now: i64) -> Result<(), InspectionError> {
    for id in failed {
        match reqs.iter().filter(|r| r.item_id == *id).count() {
            0 => return err("requirements", "每个不合格事项都要写明整改要求和期限"),
            1 => {}
            _ => return err("requirements", "一个不合格事项只写一条整改要求"),
        }
    }
    for r in reqs {
        if !failed.contains(&r.item_id) {
            return err("requirements", "只有不合格事项需要整改");
        }
        if !(2..=500).contains(&r.requirement.trim().chars().count()) {
            return err("requirement", "整改要求 2 至 500 个字");
        }
        if r.deadline <= now {
            return err("deadline", "整改期限须晚于现在");
        }
    }
    Ok(())
}

/// The combined notice's number: 综查告〔year〕N号.
pub fn notice_number(year: i32, n: i64) -> String {
    format!("综查告〔{year}〕{n}号")
}

/// Whether a rectification item is overdue at `now`: a deadline passed without it being done.
pub fn overdue(deadline: Option<i64>, rectified_at: Option<i64>, now: i64) -> bool {
    matches!((deadline, rectified_at), (Some(d), None) if d < now)
}
