//! Before a resident sends a report, the public form shows what is already reported near the
//! place ("这里已有人报告：…"), so that one blocked drain does not become five cases. Only what
//! a passer-by could see is shown: the kind of problem, the address, when, and where it stands.

use super::super::view::CaseSummary;
use serde::{Deserialize, Serialize};

/// How far around the place open reports count as "here", in metres.
pub const NEARBY_METRES: f64 = 150.0;
/// The most reports the form lists.
pub const NEARBY_MAX: usize = 5;

/// What the public form learns about a place before the report is sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaceCheck {
    /// Whether the place lies inside the street's grids (a report outside is refused).
    pub in_street: bool,
    /// The address of the nearest building, when one stands within a few dozen metres.
    pub address: Option<String>,
    /// Open reports of the same kind nearby, nearest first.
    pub reports: Vec<NearbyReport>,
}

/// An open report near the place, as a passer-by could describe it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearbyReport {
    /// The category, in Chinese and English.
    pub category: (String, String),
    pub address: String,
    pub reported_at: i64,
    /// Where it stands, in plain words.
    pub now: (String, String),
    /// How far from the place, in whole metres.
    pub metres: u32,
}

/// The distance between two points of the street in metres (equirectangular: exact to well
/// under a metre over a few kilometres).
pub fn metres_between(a: [f64; 2], b: [f64; 2]) -> f64 {
    const EARTH: f64 = 6_371_008.8;
    let mean_lat = ((a[1] + b[1]) / 2.0).to_radians();
    let dx = (b[0] - a[0]).to_radians() * mean_lat.cos();
    let dy = (b[1] - a[1]).to_radians();
    EARTH * (dx * dx + dy * dy).sqrt()
}

/// The open reports among `cases` of the same category group as `category`, within
/// [`NEARBY_METRES`] of `at`, nearest first, at most [`NEARBY_MAX`]. Drills and finished cases
/// are left out.
pub fn nearby_reports(cases: &[CaseSummary], at: [f64; 2], category: &str) -> Vec<NearbyReport> {
    let group = category.split('.').next().unwrap_or(category);
    let mut found: Vec<(f64, &CaseSummary)> = cases
        .iter()
        .filter(|c| !c.drill && !c.state.is_final() && c.category.split('.').next() == Some(group))
        .filter_map(|c| Some((metres_between(at, [c.lon?, c.lat?]), c)))
        .filter(|(m, _)| *m <= NEARBY_METRES)
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.created_at.cmp(&a.1.created_at)));
    found
        .into_iter()
        .take(NEARBY_MAX)
        .map(|(m, c)| {
            let (zh, en) = super::state_words(c.state);
            NearbyReport {
                category: c.category_names(),
                address: c.address.clone(),
                reported_at: c.created_at,
                now: (zh.into(), en.into()),
                metres: m.round() as u32,
            }
        })
        .collect()
}
