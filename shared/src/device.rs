//! IoT devices in the street: what they are and where they sit.

use crate::geo::LonLat;
use serde::{Deserialize, Serialize};

/// The kinds of device the street runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// 烟感
    SmokeDetector,
    /// 门磁 (on the doors of elderly people living alone)
    DoorSensor,
    /// 摄像头 with AI analysis
    Camera,
    /// 水位计 by the river
    WaterLevelGauge,
}

impl DeviceKind {
    /// Every kind.
    pub const ALL: [DeviceKind; 4] =
        [Self::SmokeDetector, Self::DoorSensor, Self::Camera, Self::WaterLevelGauge];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::SmokeDetector => "smoke_detector",
            Self::DoorSensor => "door_sensor",
            Self::Camera => "camera",
            Self::WaterLevelGauge => "water_level_gauge",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind's Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::SmokeDetector => "烟感",
            Self::DoorSensor => "门磁",
            Self::Camera => "摄像头",
            Self::WaterLevelGauge => "水位计",
        }
    }
}

/// A registered device and its place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    /// The code printed on the device and used by its messages, e.g. `SD-000123`.
    pub code: String,
    pub kind: DeviceKind,
    pub model: String,
    pub micro_grid_id: i64,
    pub building_id: Option<i64>,
    pub floor: Option<i32>,
    pub household_id: Option<i64>,
    /// The resident the device watches over (door sensors of people in care).
    pub resident_id: Option<i64>,
    pub position: LonLat,
}
