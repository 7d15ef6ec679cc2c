//! What a resident sees of their report through its private follow link (the stages in plain
//! words, who handles it, by when, the result), and the satisfaction rating of the outcome —
//! by the resident, or recorded by staff from a callback (回访).

use super::view::CaseDetail;
use super::{CaseState, Holder};
use serde::{Deserialize, Serialize};

/// A rating at or below this opens a review (复核) for the command staff.
pub const LOW_RATING: u8 = 2;
/// A rating at or above this counts as satisfied (满意 4–5 星, 基本满意 3 星).
pub const SATISFIED_RATING: u8 = 3;
/// The longest comment kept with a rating, in characters.
pub const COMMENT_MAX: usize = 500;
/// The most photos a resident sends with one report.
pub const MAX_REPORT_PHOTOS: i64 = 3;
/// How long a report's upload grant lasts, in milliseconds (the form sends its photos at once).
pub const UPLOAD_GRANT_MS: i64 = 30 * 60 * 1000;
/// The username a resident's own steps carry (the public form and its photos).
pub const PUBLIC_ACTOR: &str = "public";

pub mod nearby;

/// What a resident's report answers: the case number, and the token of the private follow
/// link (`/f/{token}`), shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub number: String,
    pub token: String,
    /// The one-time upload grant for the report's photos (the public form only): at most
    /// [`MAX_REPORT_PHOTOS`], within [`UPLOAD_GRANT_MS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<String>,
}

/// The reporter's name and call-back number, as staff in charge of the case see it: masked
/// unless revealed for a stated reason (audited).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub revealed: bool,
}

impl Contact {
    /// The contact as stored with the case (`name phone`), unmasked.
    pub fn parse(stored: &str) -> Contact {
        let stored = stored.trim();
        match stored.rsplit_once(char::is_whitespace) {
            Some((name, phone)) if phone.chars().all(|c| c.is_ascii_digit() || c == '+' || c == '-') => {
                Contact { name: name.trim().into(), phone: phone.into(), revealed: true }
            }
            _ if stored.chars().all(|c| c.is_ascii_digit()) => Contact { name: String::new(), phone: stored.into(), revealed: true },
            _ => Contact { name: stored.into(), phone: String::new(), revealed: true },
        }
    }

    /// The same contact masked (张** · 138****5678).
    pub fn masked(&self) -> Contact {
        Contact { name: crate::mask::name(&self.name), phone: crate::mask::phone(&self.phone), revealed: false }
    }
}

/// Why a staff member reveals a reporter's number (at least four characters).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RevealReason {
    pub reason: String,
}

/// Who gave a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// The resident, through the follow link.
    Resident,
    /// Staff, from a callback (回访) to the reporter.
    Callback,
}

impl RatingChannel {
    pub fn code(self) -> &'static str {
        match self {
            RatingChannel::Resident => "resident",
            RatingChannel::Callback => "callback",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [RatingChannel::Resident, RatingChannel::Callback].into_iter().find(|c| c.code() == code)
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            RatingChannel::Resident => ("居民评价", "Resident's rating"),
            RatingChannel::Callback => ("回访结果", "Callback"),
        }
    }
}

/// A rating to give: 1–5 stars and an optional comment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewRating {
    pub score: u8,
    #[serde(default)]
    pub comment: String,
}

impl NewRating {
    /// The rating as kept (comment trimmed), or the field and what is wrong with it.
    pub fn checked(&self) -> Result<NewRating, (&'static str, String)> {
        if !(1..=5).contains(&self.score) {
            return Err(("score", "请选择 1–5 星".into()));
        }
        let comment = self.comment.trim().to_string();
        if comment.chars().count() > COMMENT_MAX {
            return Err(("comment", format!("评价内容不能超过 {COMMENT_MAX} 字")));
        }
        Ok(NewRating { score: self.score, comment })
    }
}

/// A case's rating as staff see it, with its review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub case_id: i64,
    pub score: u8,
    pub comment: String,
    pub channel: RatingChannel,
    pub at: i64,
    /// Who recorded it: 「居民」 or a staff member's name.
    pub by: String,
    /// The review a low rating opened: `None` when the rating opened none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

impl Rating {
    /// Whether the rating counts as satisfied.
    pub fn satisfied(&self) -> bool {
        self.score >= SATISFIED_RATING
    }

    /// Whether a review waits for the command staff.
    pub fn review_open(&self) -> bool {
        self.review.as_ref().is_some_and(|r| r.done_at.is_none())
    }
}

/// The review (复核) of a low rating: what the command staff found and did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// When it was concluded; `None` while it waits.
    pub done_at: Option<i64>,
    pub by: String,
    pub note: String,
}

/// A case with a rating whose review waits, as the command staff's list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub case: super::view::CaseSummary,
    pub rating: Rating,
}

/// What staff write when they conclude a review.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewDone {
    pub note: String,
}

/// A stage of the case in plain words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowStage {
    pub at: i64,
    pub zh: String,
    pub en: String,
}

/// What the follow page shows: never staff names, phone numbers or anyone's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowView {
    pub number: String,
    pub category: (String, String),
    pub description: String,
    pub address: String,
    pub reported_at: i64,
    pub state: CaseState,
    /// Where it stands, in plain words.
    pub now: (String, String),
    pub stages: Vec<FollowStage>,
    /// The posts handling it (names of posts, never of people).
    pub handlers: Vec<String>,
    /// When the current stage is due, while it runs.
    pub deadline: Option<i64>,
    /// At closure: what was done (the handling report).
    pub result: Option<String>,
    /// At closure: the photos of the result (added while it was handled).
    pub result_photos: Vec<i64>,
    /// The photos the resident sent with the report.
    #[serde(default)]
    pub own_photos: Vec<i64>,
    /// The rating given, if any (score and comment only).
    pub rating: Option<(u8, String)>,
    /// Whether the resident may rate now (closed, not rated yet).
    pub may_rate: bool,
}

/// The current state in plain words.
pub(crate) fn state_words(state: CaseState) -> (&'static str, &'static str) {
    match state {
        CaseState::Reported => ("已收到，等待受理", "Received, waiting to be taken up"),
        CaseState::Accepted | CaseState::Registered => ("已受理，正在安排处理", "Taken up, being assigned"),
        CaseState::Dispatched => ("已派给处理部门", "Sent to the team that handles it"),
        CaseState::Handling => ("正在处理", "Being handled"),
        CaseState::Verifying | CaseState::Verified => ("已处理，正在核查", "Handled, being checked"),
        CaseState::Closed => ("已办结", "Done"),
        CaseState::Rejected => ("未予受理", "Not taken up"),
        CaseState::Suspended => ("暂缓处理", "On hold"),
        CaseState::Escalated => ("已报区级部门处理", "With the district"),
    }
}

/// One step of the timeline in plain words, or `None` for steps a resident need not see
/// (notes, photos, extensions, the staff's own acceptance of a task).
fn step_words(kind: &str, to: CaseState, note: &str, handlers: &str) -> Option<(String, String)> {
    let (zh, en) = match kind {
        "report" => ("已收到您的报告".to_string(), "We received your report".to_string()),
        "accept" | "register" => ("已受理".into(), "Taken up".into()),
        "dispatch" => (format!("已派给「{handlers}」处理"), format!("Sent to {handlers}")),
        "check_in" => ("工作人员已到现场".into(), "Staff are on the scene".into()),
        "report_back" if to == CaseState::Verifying => ("已处理完毕，等待核查".into(), "Handled, to be checked".into()),
        "rework" => ("核查未通过，重新处理".into(), "Checked: to be redone".into()),
        "verify" => ("核查通过".into(), "Checked and confirmed".into()),
        "close" => ("已办结".into(), "Done".into()),
        "reject" => (format!("未予受理：{note}"), format!("Not taken up: {note}")),
        "suspend" => ("暂缓处理".into(), "On hold".into()),
        "resume" => ("恢复处理".into(), "Resumed".into()),
        "escalate" => ("已报区级部门处理".into(), "Passed to the district".into()),
        "district_resolve" => ("区级部门已办结".into(), "Resolved by the district".into()),
        "false_alarm" => ("经现场核实，无需处理".into(), "Checked on the scene: nothing to do".into()),
        "rate" => (note.to_string(), note.to_string()),
        _ => return None,
    };
    Some((zh, en))
}

/// The follow page of a case: the stages in plain words, the posts, the deadline, and at
/// closure the result and its photos.
pub fn follow_view(d: &CaseDetail, rating: Option<&Rating>) -> FollowView {
    let c = &d.case;
    let mut handlers: Vec<String> = Vec::new();
    for t in &c.tasks {
        let name = match t.holder {
            Holder::District => "区级部门".to_string(),
            _ => t.holder_name.clone(),
        };
        if !handlers.contains(&name) {
            handlers.push(name);
        }
    }
    let joined = handlers.join("、");
    // A dispatch of a fresh case also accepts and registers it, at the same moment: the
    // resident reads one stage for it, not three.
    let dispatched_at: Vec<i64> = d.steps.iter().filter(|s| s.kind == "dispatch").map(|s| s.at).collect();
    let mut stages: Vec<FollowStage> = Vec::new();
    for s in &d.steps {
        if matches!(s.kind.as_str(), "accept" | "register") && dispatched_at.contains(&s.at) {
            continue;
        }
        let Some((zh, en)) = step_words(&s.kind, s.to, &s.note, &joined) else { continue };
        if stages.last().is_some_and(|l| l.zh == zh) {
            continue;
        }
        stages.push(FollowStage { at: s.at, zh, en });
    }
    let closed = c.state == CaseState::Closed;
    let result = closed.then(|| d.steps.iter().rev().find(|s| s.kind == "report_back").map(|s| s.note.clone())).flatten();
    // The photos staff took while handling it: those added from the first dispatch on (the
    // reporter's own come before).
    let result_photos = if closed {
        d.steps.iter().skip_while(|s| s.kind != "dispatch").flat_map(|s| s.attachments.iter().copied()).collect()
    } else {
        Vec::new()
    };
    let own_photos = d.steps.iter().filter(|s| s.actor == PUBLIC_ACTOR).flat_map(|s| s.attachments.iter().copied()).collect();
    let (zh, en) = state_words(c.state);
    FollowView {
        number: c.number.clone(),
        category: c.category_names(),
        description: c.description.clone(),
        address: c.address.clone(),
        reported_at: c.created_at,
        state: c.state,
        now: (zh.into(), en.into()),
        stages,
        handlers,
        deadline: (!c.state.is_final()).then_some(c.stage_deadline).flatten(),
        result,
        result_photos,
        own_photos,
        rating: rating.map(|r| (r.score, r.comment.clone())),
        may_rate: closed && rating.is_none(),
    }
}

/// The timeline note of a rating, as the case page and the follow page show it.
pub fn rating_note(channel: RatingChannel, score: u8, comment: &str) -> String {
    let who = channel.name().0;
    if comment.is_empty() { format!("{who}：{score} 星") } else { format!("{who}：{score} 星。{comment}") }
}

#[cfg(test)]
mod tests;
