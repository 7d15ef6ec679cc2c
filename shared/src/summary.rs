//! The counts the command centre shows for its street.

use serde::{Deserialize, Serialize};

/// How much the street holds, as `GET /api/v1/summary` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub communities: i64,
    pub grids: i64,
    pub micro_grids: i64,
    pub buildings: i64,
    pub households: i64,
    pub residents: i64,
    pub enterprises: i64,
    pub devices: i64,
    pub boards: i64,
    pub posts: i64,
    pub staff: i64,
}

impl Summary {
    /// People, houses and enterprises together (人房企), the figure the article quotes as 45,000.
    pub fn people_houses_enterprises(&self) -> i64 {
        self.residents + self.households + self.enterprises
    }
}
