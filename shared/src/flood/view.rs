//! The shapes the flood API and screens share.

use super::{EvacState, Gauge, Headcount, Reading, Stage, Suggestion, Zone};
use crate::geo::Polygon;
use crate::people::CareTag;
use crate::plan::Level;
use serde::{Deserialize, Serialize};

/// A gauge with its last 72 hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaugeView {
    pub gauge: Gauge,
    /// Oldest first, in the reference datum.
    pub readings: Vec<Reading>,
    pub latest: Option<Reading>,
    pub rise_per_hour: Option<f64>,
    pub stage: Stage,
    pub lon: f64,
    pub lat: f64,
}

/// The street's flood response (one at a time), tied to the flood plan's activation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponseView {
    pub id: i64,
    pub level: Level,
    pub activation_id: i64,
    pub case_id: i64,
    pub started_at: i64,
    pub started_by: String,
    pub stood_down_at: Option<i64>,
    /// The river level the evacuation list was drawn up for.
    pub list_level_m: Option<f64>,
}

/// A resident on the evacuation list: masked, with what makes them vulnerable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvacResident {
    pub name: String,
    pub age: i64,
    pub tags: Vec<CareTag>,
}

/// Where a household stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvacRecord {
    pub state: EvacState,
    pub headcount: i64,
    pub shelter_id: Option<i64>,
    pub shelter: String,
    pub reason: String,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A household in a flooded zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HouseholdRow {
    pub household_id: i64,
    pub building_id: i64,
    pub address: String,
    pub unit: String,
    pub floor: i32,
    pub grid_id: i64,
    pub grid: String,
    /// The grid worker responsible for moving them.
    pub responsible: String,
    pub members: i64,
    pub residents: Vec<EvacResident>,
    /// Someone elderly living alone, disabled or a child left behind lives here.
    pub vulnerable: bool,
    /// On the evacuation list (once drawn up).
    pub evac: Option<EvacRecord>,
}

/// Vulnerable households first, then by floor (ground floors first), then by address.
pub fn order(rows: &mut [HouseholdRow]) {
    rows.sort_by(|a, b| {
        (!a.vulnerable, a.floor, &a.address, &a.unit).cmp(&(!b.vulnerable, b.floor, &b.address, &b.unit))
    });
}

/// Whether a tag makes someone a priority in an evacuation.
pub fn vulnerable(t: CareTag) -> bool {
    matches!(t, CareTag::ElderlyAlone | CareTag::Disabled | CareTag::LeftBehindChild)
}

/// A building in a flooded zone, with its evacuation's progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingExposure {
    pub building_id: i64,
    pub address: String,
    pub zone: String,
    pub footprint: Polygon,
    pub floors: i32,
    pub people: i64,
    pub vulnerable: i64,
    pub headcount: Headcount,
}

/// A shelter and who is in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShelterView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
    pub capacity: i64,
    pub supplies: String,
    pub occupancy: i64,
    pub households: i64,
}

/// A shelter as staff enter it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewShelter {
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub lon: f64,
    pub lat: f64,
    pub capacity: i64,
    #[serde(default)]
    pub supplies: String,
}

/// A checkpoint turning onlookers away.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointView {
    pub id: i64,
    pub name: String,
    pub turned_away: i64,
}

/// A zone and whether it is under water at the board's level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneView {
    pub zone: Zone,
    pub flooded: bool,
}

/// Where the level the board is drawn for comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelSource {
    /// The primary gauge's newest reading.
    Current,
    /// Its forecast peak (when higher).
    Forecast,
    /// A level asked for.
    Chosen,
    /// The level the evacuation list was drawn up for.
    List,
}

/// Everything the flood screens show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FloodBoard {
    pub gauges: Vec<GaugeView>,
    pub suggestion: Option<Suggestion>,
    pub response: Option<ResponseView>,
    /// The river level the zones, buildings and households are drawn for.
    pub level_m: Option<f64>,
    pub level_source: LevelSource,
    pub zones: Vec<ZoneView>,
    pub buildings: Vec<BuildingExposure>,
    /// Vulnerable first, then ground floors first ([`order`]).
    pub households: Vec<HouseholdRow>,
    pub headcount: Headcount,
    pub by_grid: Vec<(String, Headcount)>,
    pub shelters: Vec<ShelterView>,
    pub checkpoints: Vec<CheckpointView>,
    /// Whether the households shown are only the viewer's grids'.
    pub mine_only: bool,
    /// Changes with every flood write: the stream's cursor.
    pub version: i64,
}

/// What a flood screen asks for; the answer is the board as it then stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FloodAction {
    /// Confirm a response level.
    Confirm { level: Level, reason: String },
    StandDown { reason: String },
    /// Put the households under water at `level_m` (default: the board's level) on the list.
    DrawList { level_m: Option<f64> },
    Update(super::EvacUpdate),
    Forecast { device_id: i64, peak_m: f64, peak_at: i64 },
    Checkpoint { name: String },
    TurnAway { checkpoint: i64, people: i64 },
    /// Flood zones from a GeoJSON text.
    ImportZones { geojson: String, replace: bool },
    AddShelter(NewShelter),
}
