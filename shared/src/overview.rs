//! What the command centre's first screen shows: the street, its counts, its boards and the
//! outlines of its grid network.

use crate::geo::LonLat;
use crate::Summary;
use serde::{Deserialize, Serialize};

/// The street's overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// `None` until a street has been loaded (for example with `zhizhi serve --demo`).
    pub street: Option<StreetName>,
    pub summary: Summary,
    pub boards: Vec<BoardView>,
    pub grid_map: GridMap,
    /// For the district's staff when it has several streets: each street with its open cases.
    #[serde(default)]
    pub streets: Vec<crate::org::StreetLoad>,
}

/// The names of the street and its district.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreetName {
    pub street: String,
    pub district: String,
}

/// A board and the names of its posts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    /// The board's stable code, e.g. `safety_law`.
    pub code: String,
    pub name: String,
    pub posts: Vec<String>,
}

/// The grid network as outlines, for the overview map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GridMap {
    pub communities: Vec<MapArea>,
    pub grids: Vec<MapArea>,
    /// Micro-grid outlines only: there are many, and the overview shows no names for them.
    pub micro_grids: Vec<Vec<LonLat>>,
}

/// A named outline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    pub name: String,
    pub ring: Vec<LonLat>,
}
