//! Geography of a street: communities, grids, micro-grids, buildings and households.

use crate::geo::{LonLat, Polygon};
use serde::{Deserialize, Serialize};

/// A community (社区), the level below the street.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub boundary: Polygon,
    /// The street it belongs to.
    #[serde(default)]
    pub street_id: Option<i64>,
}

/// A grid (网格): the area one grid worker answers for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub id: i64,
    pub community_id: i64,
    /// Human code, e.g. `CQK-03-02` (street, community, grid).
    pub code: String,
    pub name: String,
    pub boundary: Polygon,
    /// The staff member who is this grid's worker.
    pub worker_id: Option<i64>,
}

/// A micro-grid (微网格): a handful of buildings inside one grid. Every location falls in
/// exactly one micro-grid, which decides who is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MicroGrid {
    pub id: i64,
    pub grid_id: i64,
    pub code: String,
    pub name: String,
    pub boundary: Polygon,
}

/// What a building is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingUse {
    /// 住宅
    Residential,
    /// 商住 (shops below, homes above; typical of the old town)
    Mixed,
    /// 商业
    Commercial,
    /// 公共建筑
    Public,
}

impl BuildingUse {
    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Mixed => "mixed",
            Self::Commercial => "commercial",
            Self::Public => "public",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Residential, Self::Mixed, Self::Commercial, Self::Public]
            .into_iter()
            .find(|u| u.code() == code)
    }
}

/// A building (楼栋) with its footprint and floors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Building {
    pub id: i64,
    pub micro_grid_id: i64,
    pub name: String,
    /// Postal address, e.g. `磁南街27号`.
    pub address: String,
    pub footprint: Polygon,
    pub floors: i32,
    pub floor_height_m: f64,
    pub usage: BuildingUse,
}

impl Building {
    /// A point inside the footprint, for markers and routing.
    pub fn anchor(&self) -> LonLat {
        self.footprint.centroid()
    }
}

/// A household or unit (户) on one floor of a building.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: i64,
    pub building_id: i64,
    /// 1 is the ground floor.
    pub floor: i32,
    /// Door number on its floor, e.g. `3-2` (floor 3, door 2).
    pub unit: String,
    #[serde(default)]
    pub tenure: Tenure,
}

/// How a household holds its home (房屋性质), as the street's register records it: grid
/// workers look after tenants (流动人口) differently from owners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenure {
    /// Not recorded.
    #[default]
    Unknown,
    /// 自有住房: the household owns it.
    Owned,
    /// 租住: the household rents it.
    Rented,
}

impl Tenure {
    pub const ALL: [Tenure; 3] = [Tenure::Unknown, Tenure::Owned, Tenure::Rented];

    /// The stored code (`''` for not recorded).
    pub fn code(self) -> &'static str {
        match self {
            Tenure::Unknown => "",
            Tenure::Owned => "owned",
            Tenure::Rented => "rented",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The name in Chinese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Tenure::Unknown => ("未登记", "Not recorded"),
            Tenure::Owned => ("自有", "Owned"),
            Tenure::Rented => ("租住", "Rented"),
        }
    }

    /// The tenure a register writes (自有、自住、产权 …, 租住、出租、租赁 …), `None` for words
    /// it does not know; blank is not recorded.
    pub fn from_words(words: &str) -> Option<Self> {
        match words.trim() {
            "" | "未登记" => Some(Tenure::Unknown),
            "自有" | "自住" | "自有住房" | "产权" | "产权房" | "owned" | "Owned" => Some(Tenure::Owned),
            "租住" | "出租" | "租赁" | "承租" | "租房" | "rented" | "Rented" => Some(Tenure::Rented),
            _ => None,
        }
    }
}

/// The communities, grids and micro-grids of `street`, for a user of that street; all of them
/// for a user of the whole district (`None`).
pub fn of_street(street: Option<i64>, communities: Vec<Community>, grids: Vec<Grid>, micro_grids: Vec<MicroGrid>) -> (Vec<Community>, Vec<Grid>, Vec<MicroGrid>) {
    let Some(s) = street else { return (communities, grids, micro_grids) };
    let communities: Vec<Community> = communities.into_iter().filter(|c| c.street_id == Some(s)).collect();
    let grids: Vec<Grid> = grids.into_iter().filter(|g| communities.iter().any(|c| c.id == g.community_id)).collect();
    let micro_grids = micro_grids.into_iter().filter(|m| grids.iter().any(|g| g.id == m.grid_id)).collect();
    (communities, grids, micro_grids)
}
