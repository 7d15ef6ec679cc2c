//! The organisation of a street office: the "141" system's boards, posts and staff.

use serde::{Deserialize, Serialize};

/// The street office (街道) a deployment serves, within its district (区).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Street {
    pub id: i64,
    pub name: String,
    pub district: String,
    /// The map's default centre, `[lon, lat]`.
    pub center: crate::geo::LonLat,
}

/// A street of the district with its open cases, for the district's view across streets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreetLoad {
    pub id: i64,
    pub name: String,
    pub district: String,
    /// Where its name is drawn on the district's map, `[lon, lat]`.
    pub center: crate::geo::LonLat,
    /// Cases not yet finished (drills not counted).
    pub open: i64,
    /// Of those, the ones past their stage deadline.
    pub overdue: i64,
}

/// One of the four boards (板块) of the "141" system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardKind {
    /// 党建统领
    PartyBuilding,
    /// 经济发展
    Economy,
    /// 民生服务
    Livelihood,
    /// 平安法治
    SafetyLaw,
}

impl BoardKind {
    /// All four, in the order the article lists them.
    pub const ALL: [BoardKind; 4] =
        [Self::PartyBuilding, Self::Economy, Self::Livelihood, Self::SafetyLaw];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::PartyBuilding => "party_building",
            Self::Economy => "economy",
            Self::Livelihood => "livelihood",
            Self::SafetyLaw => "safety_law",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The board's Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PartyBuilding => "党建统领",
            Self::Economy => "经济发展",
            Self::Livelihood => "民生服务",
            Self::SafetyLaw => "平安法治",
        }
    }
}

/// A board and its posts, as the command centre lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub id: i64,
    pub kind: BoardKind,
    pub name: String,
}

/// Where a post's staff come from: one of the street's internal offices, or an agency of the
/// district stationed in the street (派驻机构).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostOrigin {
    Office,
    Agency,
}

impl PostOrigin {
    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::Agency => "agency",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "office" => Some(Self::Office),
            "agency" => Some(Self::Agency),
            _ => None,
        }
    }
}

/// A post (岗位): the unit a case is dispatched to, e.g. 城市管理 or 市场监管.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    pub board_id: i64,
    pub name: String,
    pub origin: PostOrigin,
}

/// A member of staff. Accounts and roles are attached to staff by the accounts module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    /// The post the person works in; grid workers and command staff may have none.
    pub post_id: Option<i64>,
    pub phone: String,
    pub duty: Duty,
}

/// What a member of staff does day to day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// 指挥中心 / 综合协调岗
    Command,
    /// A post's member
    Post,
    /// 网格员
    GridWorker,
    /// 系统管理员
    Admin,
}

impl Duty {
    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Command => "command",
            Self::Post => "post",
            Self::GridWorker => "grid_worker",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Command, Self::Post, Self::GridWorker, Self::Admin].into_iter().find(|d| d.code() == code)
    }
}
