//! Video calls from a case: command staff call the grid worker (or post staff) on a case, the
//! worker answers with the phone's rear camera, several people at the centre may watch, and
//! the call ends on the case's timeline with who called whom and for how long.
//!
//! The media go browser to browser (WebRTC); the server relays the signalling only, and only
//! between the call's parties. These are the rules it applies: who may call, be called and
//! watch, how a call goes from ringing to its end, and when a silent party counts as gone.

use crate::auth::{Principal, Role};
use crate::case::Visibility;
use serde::{Deserialize, Serialize};

/// How long a call rings before it counts as missed.
pub const RING_MS: i64 = 45_000;
/// How often a party's page says it is still there.
pub const HEARTBEAT_MS: i64 = 10_000;
/// A party not heard from for this long has lost the connection: the call ends.
pub const LOST_AFTER_MS: i64 = 30_000;
/// The largest signalling message relayed (an SDP offer with every codec is about 6 KB).
pub const MAX_SIGNAL_BYTES: usize = 32 * 1024;
/// The most people at the centre watching one call.
pub const MAX_VIEWERS: usize = 4;

/// Where a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Ringing,
    Active,
    Ended,
}

impl CallState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }

    pub fn from_code(c: &str) -> Option<Self> {
        [Self::Ringing, Self::Active, Self::Ended].into_iter().find(|s| s.code() == c)
    }
}

/// Why a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A party hung up after it was answered.
    HungUp,
    /// The caller hung up before it was answered.
    Cancelled,
    /// The worker declined it.
    Declined,
    /// Nobody answered within [`RING_MS`].
    Missed,
    /// A party's connection was lost and did not come back.
    Lost,
}

impl EndReason {
    pub const ALL: [EndReason; 5] = [Self::HungUp, Self::Cancelled, Self::Declined, Self::Missed, Self::Lost];

    pub fn code(self) -> &'static str {
        match self {
            Self::HungUp => "hung_up",
            Self::Cancelled => "cancelled",
            Self::Declined => "declined",
            Self::Missed => "missed",
            Self::Lost => "lost",
        }
    }

    pub fn from_code(c: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == c)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::HungUp => "已挂断",
            Self::Cancelled => "已取消",
            Self::Declined => "对方拒接",
            Self::Missed => "无人接听",
            Self::Lost => "信号中断，通话结束",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::HungUp => "Hung up",
            Self::Cancelled => "Cancelled",
            Self::Declined => "Declined",
            Self::Missed => "Not answered",
            Self::Lost => "Signal lost, call ended",
        }
    }
}

/// A person in a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub user_id: i64,
    pub name: String,
}

/// A call as its parties see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallView {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub caller: Party,
    pub callee: Party,
    pub state: CallState,
    /// The worker answered without the camera.
    pub audio_only: bool,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub end_reason: Option<EndReason>,
    /// Who ended it (a name), when a person did.
    pub ended_by: Option<String>,
    /// Command staff who joined to watch, besides the caller.
    pub viewers: Vec<Party>,
}

impl CallView {
    /// How long the call was connected, in milliseconds (0 if never answered).
    pub fn talk_ms(&self, now: i64) -> i64 {
        match self.answered_at {
            Some(a) => (self.ended_at.unwrap_or(now) - a).max(0),
            None => 0,
        }
    }

    /// Whether `user_id` takes part: caller, callee or a viewer.
    pub fn has_party(&self, user_id: i64) -> bool {
        self.caller.user_id == user_id || self.callee.user_id == user_id || self.viewers.iter().any(|v| v.user_id == user_id)
    }

    /// Those who watch the worker's camera: the caller and the viewers.
    pub fn watchers(&self) -> Vec<i64> {
        std::iter::once(self.caller.user_id).chain(self.viewers.iter().map(|v| v.user_id)).collect()
    }

    /// Everyone in the call.
    pub fn parties(&self) -> Vec<i64> {
        let mut all = self.watchers();
        all.push(self.callee.user_id);
        all
    }

    /// What the case's timeline says of the call once it ended.
    pub fn timeline_note(&self) -> String {
        let how = match self.end_reason {
            Some(EndReason::HungUp | EndReason::Lost) | None if self.answered_at.is_some() => {
                let mut s = format!("通话 {}", duration_zh(self.talk_ms(self.ended_at.unwrap_or(self.started_at))));
                if self.audio_only {
                    s.push_str("（仅语音）");
                }
                if self.end_reason == Some(EndReason::Lost) {
                    s.push_str("，信号中断");
                }
                s
            }
            Some(r) => r.name_zh().to_string(),
            None => String::new(),
        };
        let mut note = format!("{} 呼叫 {}：{how}", self.caller.name, self.callee.name);
        if !self.viewers.is_empty() {
            let names: Vec<&str> = self.viewers.iter().map(|v| v.name.as_str()).collect();
            note.push_str(&format!("；观看：{}", names.join("、")));
        }
        note
    }
}

/// A duration in Chinese: 「45秒」, 「3分12秒」, 「1小时2分」.
pub fn duration_zh(ms: i64) -> String {
    let s = (ms.max(0) + 500) / 1000;
    match s {
        0..=59 => format!("{s}秒"),
        60..=3599 => format!("{}分{}秒", s / 60, s % 60),
        _ => format!("{}小时{}分", s / 3600, (s % 3600) / 60),
    }
}

/// Why a call may not be started, watched or signalled.
#[derive(Clone, Debug, PartialEq)]
pub enum CallRefusal {
    /// Only command staff start calls and watch them.
    NotCommand,
    /// The person called may not see the case (another grid's, or a post without a task).
    CalleeCannotSee,
    /// The person called is not a grid worker or post member.
    NotAWorker,
    /// The case is closed.
    CaseClosed,
    /// One calls oneself.
    Oneself,
}

impl CallRefusal {
    pub fn message(&self) -> &'static str {
        match self {
            Self::NotCommand => "只有指挥人员可以发起或观看视频通话",
            Self::CalleeCannotSee => "对方看不到这起事件（不是本事件所在网格或承办岗位的人员），不能呼叫",
            Self::NotAWorker => "只能呼叫网格员或岗位人员",
            Self::CaseClosed => "事件已办结，不能再发起视频通话",
            Self::Oneself => "不能呼叫自己",
        }
    }
}

/// Whether `me` may call `callee` on a case with visibility `v` (the caller may see it already:
/// the service answers 404 otherwise).
pub fn may_call(me: &Principal, callee: &Principal, v: &Visibility, case_final: bool) -> Result<(), CallRefusal> {
    if !me.has(Role::Command) {
        return Err(CallRefusal::NotCommand);
    }
    if case_final {
        return Err(CallRefusal::CaseClosed);
    }
    if me.user_id == callee.user_id {
        return Err(CallRefusal::Oneself);
    }
    if !(callee.has(Role::GridWorker) || callee.has(Role::Post)) {
        return Err(CallRefusal::NotAWorker);
    }
    if !callee.may_see_case(v) {
        return Err(CallRefusal::CalleeCannotSee);
    }
    Ok(())
}

/// Whether `me` may join a call to watch (command staff who may see the case).
pub fn may_watch(me: &Principal, v: &Visibility) -> Result<(), CallRefusal> {
    if me.has(Role::Command) && me.may_see_case(v) { Ok(()) } else { Err(CallRefusal::NotCommand) }
}

/// A worker who may be called on a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub user_id: i64,
    pub name: String,
    /// 「网格员」 or the post's name.
    pub duty: String,
    /// In a call now (a call would be refused as 占线).
    pub busy: bool,
}

/// A case's calls (newest first), and whom the viewer could call on it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseCalls {
    pub calls: Vec<CallView>,
    pub candidates: Vec<Candidate>,
}

/// What a party's browser sends another through the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A session description offered (the phone offers to each watcher that said hello).
    Offer,
    /// The answer to an offer.
    Answer,
    /// A network candidate.
    Ice,
    /// A watcher's page is ready for the picture (on joining, or after a reload): the phone
    /// offers it a fresh connection.
    Hello,
}

/// A signalling message to relay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalIn {
    /// The party it is for.
    pub to: i64,
    pub kind: SignalKind,
    /// The browser's description or candidate, as JSON text; relayed as it is.
    pub data: String,
}

/// Whether a signal may pass from `from` to `to` in `call`: only while it is active (candidates
/// and offers of a ringing call wait for the answer), between the worker and a watcher.
pub fn may_signal(call: &CallView, from: i64, to: i64) -> bool {
    if call.state != CallState::Active || from == to {
        return false;
    }
    let worker = call.callee.user_id;
    let watchers = call.watchers();
    (from == worker && watchers.contains(&to)) || (to == worker && watchers.contains(&from))
}

/// What a call's stream sends its parties (`event: call`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallEvent {
    /// The call as it now stands (rings, answered, a viewer joined, ended).
    Call { call: CallView },
    /// A signalling message from another party.
    Signal { call_id: i64, from: i64, kind: SignalKind, data: String },
}

/// Why an open call should end at `now`, given when its parties were last heard from: a ringing
/// call not answered within [`RING_MS`] is missed; an active call whose caller or worker has
/// been silent for [`LOST_AFTER_MS`] is lost.
pub fn overdue(state: CallState, started_at: i64, caller_seen: i64, callee_seen: i64, now: i64) -> Option<EndReason> {
    match state {
        CallState::Ringing if now - started_at >= RING_MS => Some(EndReason::Missed),
        CallState::Active if now - caller_seen.min(callee_seen) >= LOST_AFTER_MS => Some(EndReason::Lost),
        _ => None,
    }
}

/// How a call ends when `user_id` hangs up: a viewer only leaves (`None`); the caller cancels
/// a ringing call; the worker declines one; either ends an active call.
pub fn hang_up_reason(call: &CallView, user_id: i64) -> Option<EndReason> {
    let main = user_id == call.caller.user_id || user_id == call.callee.user_id;
    match call.state {
        CallState::Ended => None,
        _ if !main => None,
        CallState::Ringing if user_id == call.callee.user_id => Some(EndReason::Declined),
        CallState::Ringing => Some(EndReason::Cancelled),
        CallState::Active => Some(EndReason::HungUp),
    }
}

#[cfg(test)]
mod tests;
