//! The evacuation: a household's states and what may follow what, a change checked against the
//! household's size and the shelter's room, the head count, shelters' and checkpoints' details.

use super::{err, FloodError};
use serde::{Deserialize, Serialize};

/// Where a household stands in the evacuation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvacState {
    /// 待转移
    ToMove,
    /// 已通知
    Notified,
    /// 已转移 (out of the zone, destination not yet recorded)
    Moved,
    /// 已入住安置点
    AtShelter,
    /// 投亲靠友
    WithRelatives,
    /// 拒绝转移
    Refused,
    /// 已返家 (after stand-down)
    Returned,
}

impl EvacState {
    pub const ALL: [EvacState; 7] = [
        EvacState::ToMove,
        EvacState::Notified,
        EvacState::Moved,
        EvacState::AtShelter,
        EvacState::WithRelatives,
        EvacState::Refused,
        EvacState::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EvacState::ToMove => "to_move",
            EvacState::Notified => "notified",
            EvacState::Moved => "moved",
            EvacState::AtShelter => "at_shelter",
            EvacState::WithRelatives => "with_relatives",
            EvacState::Refused => "refused",
            EvacState::Returned => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<EvacState> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EvacState::ToMove => "待转移",
            EvacState::Notified => "已通知",
            EvacState::Moved => "已转移",
            EvacState::AtShelter => "已到安置点",
            EvacState::WithRelatives => "投亲靠友",
            EvacState::Refused => "拒绝转移",
            EvacState::Returned => "已返家",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            EvacState::ToMove => "To move",
            EvacState::Notified => "Notified",
            EvacState::Moved => "Moved",
            EvacState::AtShelter => "At a shelter",
            EvacState::WithRelatives => "With relatives",
            EvacState::Refused => "Refused",
            EvacState::Returned => "Returned home",
        }
    }

    /// Whether the household's people are out of the zone.
    pub fn is_out(self) -> bool {
        matches!(self, EvacState::Moved | EvacState::AtShelter | EvacState::WithRelatives)
    }

    /// Whether a grid worker may move a household from `self` to `to`. Returning home is the
    /// stand-down's, for everyone at once.
    pub fn may_become(self, to: EvacState) -> bool {
        use EvacState::*;
        match (self, to) {
            (_, ToMove) | (_, Returned) | (Returned, _) => false,
            (ToMove, _) => true,
            (Notified, Notified) => false,
            (Notified, _) => true,
            (Refused, Refused) => false,
            (Refused, _) => true,
            // Once out, a household only moves on to where it stays (or to another shelter).
            (Moved, AtShelter | WithRelatives) => true,
            (AtShelter, AtShelter | WithRelatives) => true,
            (WithRelatives, AtShelter) => true,
            _ => false,
        }
    }
}

/// A household's evacuation change, as a grid worker sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvacUpdate {
    pub household_id: i64,
    pub state: EvacState,
    /// People moved (for moved, at a shelter, with relatives).
    #[serde(default)]
    pub headcount: Option<i64>,
    #[serde(default)]
    pub shelter_id: Option<i64>,
    /// Why (a refusal), or why a full shelter takes them anyway (with `override_full`).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub override_full: bool,
    /// The row's version the worker saw.
    pub version: i64,
}

/// A shelter's capacity and the people in it now (leaving out the household being changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    pub capacity: i64,
    pub occupancy: i64,
}

/// The longest reason kept.
pub const REASON_MAX: usize = 200;

/// Checks a change against the household's current state and size, and the shelter's room.
pub fn check_update(current: EvacState, members: i64, u: &EvacUpdate, room: Option<Room>) -> Result<(), FloodError> {
    if !current.may_become(u.state) {
        return Err(err("state", format!("该户当前为「{}」，不能改为「{}」", current.name_zh(), u.state.name_zh())));
    }
    let reason = u.reason.trim();
    if reason.chars().count() > REASON_MAX {
        return Err(err("reason", format!("说明最多 {REASON_MAX} 个字")));
    }
    if u.state.is_out() {
        let n = u.headcount.ok_or_else(|| err("headcount", "请填写转移人数"))?;
        if n < 1 {
            return Err(err("headcount", "转移人数至少为 1 人"));
        }
        if n > members {
            return Err(err("headcount", format!("转移人数 {n} 人超过该户登记的 {members} 人")));
        }
    } else if u.headcount.is_some_and(|n| n != 0) {
        return Err(err("headcount", format!("「{}」不填转移人数", u.state.name_zh())));
    }
    if u.state == EvacState::Refused && reason.chars().count() < 2 {
        return Err(err("reason", "请写明拒绝转移的原因"));
    }
    match (u.state, u.shelter_id, room) {
        (EvacState::AtShelter, None, _) => return Err(err("shelter_id", "请选择安置点")),
        (EvacState::AtShelter, Some(_), None) => return Err(err("shelter_id", "没有这个安置点")),
        (EvacState::AtShelter, Some(_), Some(r)) => {
            let n = u.headcount.unwrap_or(0);
            if r.occupancy + n > r.capacity {
                if !u.override_full {
                    return Err(err(
                        "shelter_id",
                        format!("安置点已住 {} 人，容量 {} 人，再入住 {n} 人将超员；确需入住请勾选“超员入住”并写明原因", r.occupancy, r.capacity),
                    ));
                }
                if reason.chars().count() < 2 {
                    return Err(err("reason", "超员入住须写明原因"));
                }
            }
        }
        (_, Some(_), _) => return Err(err("shelter_id", "只有“已到安置点”需要选择安置点")),
        _ => {}
    }
    Ok(())
}

/// People to move and where they are, for one group (the street, a grid, a building).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headcount {
    pub households: i64,
    /// 应转移: everyone registered in the households on the list.
    pub must_move: i64,
    /// 已转移: out of the zone (moved, at a shelter, with relatives).
    pub moved: i64,
    pub at_shelter: i64,
    /// People of households that refused.
    pub refused: i64,
    /// 未落实: neither moved nor refused (includes the rest of a household only partly moved).
    pub unaccounted: i64,
    /// 已返家: people of the households sent home at the stand-down.
    #[serde(default)]
    pub returned: i64,
}

impl Headcount {
    /// Adds one household.
    pub fn add(&mut self, state: EvacState, members: i64, headcount: i64) {
        self.households += 1;
        self.must_move += members;
        if state == EvacState::Returned {
            self.returned += members;
            return;
        }
        if state.is_out() {
            self.moved += headcount;
            if state == EvacState::AtShelter {
                self.at_shelter += headcount;
            }
            self.unaccounted += (members - headcount).max(0);
        } else if state == EvacState::Refused {
            self.refused += members;
        } else {
            self.unaccounted += members;
        }
    }

    /// Everyone on the list is out of the zone (and not yet home again).
    pub fn all_moved(&self) -> bool {
        self.households > 0 && self.unaccounted == 0 && self.refused == 0 && self.returned == 0
    }
}

/// Checks a shelter's details.
pub fn check_shelter(name: &str, capacity: i64) -> Result<(), FloodError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 40 {
        return Err(err("name", "请填写安置点名称（1 至 40 个字）"));
    }
    if !(1..=100_000).contains(&capacity) {
        return Err(err("capacity", "容量应为 1 至 100000 人"));
    }
    Ok(())
}

/// Checks a checkpoint's name and a count of people turned away.
pub fn check_checkpoint(name: &str, turned_away: i64) -> Result<(), FloodError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 40 {
        return Err(err("name", "请填写卡点名称（1 至 40 个字）"));
    }
    if !(0..=100_000).contains(&turned_away) {
        return Err(err("turned_away", "劝离人数应为 0 至 100000 人"));
    }
    Ok(())
}
