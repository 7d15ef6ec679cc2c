//! The demo district: a deterministic, fictional street office modelled on Ciqikou (磁器口),
//! Shapingba, Chongqing, for trying Zhizhi without real data.
//!
//! Everything is generated from one seed, so every machine gets the same street. The names,
//! addresses, identity numbers and phones are invented (well-formed, with valid check
//! characters, but drawn from no register). The layout is schematic: six communities tile a
//! rectangle south of the Jialing river, each split into grids and micro-grids that tile it in
//! turn, so that every point of the street lies in exactly one micro-grid.

pub mod ids;
pub mod life;
mod names;
pub mod rng;
pub mod streets;

pub use ids::{id_check_char, is_valid_id_number, uscc_check_char};
pub use rng::Rng;

use crate::device::{Device, DeviceKind};
use crate::geo::{LonLat, Polygon};
use crate::org::{Board, BoardKind, Duty, Post, PostOrigin, Staff, Street};
use crate::people::{CareTag, CreditRating, Enterprise, Resident, Sex};
use crate::place::{Building, BuildingUse, Community, Grid, Household, MicroGrid, Tenure};
use crate::summary::Summary;
use std::collections::HashMap;

/// The seed `zhizhi serve --demo` uses.
pub const DEFAULT_SEED: u64 = 0x0141_2026;

/// The street's bounding box: south-west and north-east corners. The Jialing river runs along
/// the north edge.
pub const STREET_SW: LonLat = [106.436, 29.570];
/// See [`STREET_SW`].
pub const STREET_NE: LonLat = [106.462, 29.588];

/// Grids in each community, west to east along the river, then the southern row.
const GRIDS_PER_COMMUNITY: [usize; 6] = [6, 5, 6, 5, 6, 5];

/// The posts (岗位) of the street, by board: 16 internal offices and 5 stationed agencies.
const POSTS: [(BoardKind, &str, PostOrigin); 21] = [
    (BoardKind::PartyBuilding, "党建办", PostOrigin::Office),
    (BoardKind::PartyBuilding, "宣传统战", PostOrigin::Office),
    (BoardKind::PartyBuilding, "组织人事", PostOrigin::Office),
    (BoardKind::PartyBuilding, "群团工作", PostOrigin::Office),
    (BoardKind::Economy, "经济发展", PostOrigin::Office),
    (BoardKind::Economy, "文旅服务", PostOrigin::Office),
    (BoardKind::Economy, "招商服务", PostOrigin::Office),
    (BoardKind::Economy, "市场监管", PostOrigin::Agency),
    (BoardKind::Livelihood, "社区治理", PostOrigin::Office),
    (BoardKind::Livelihood, "社会事务", PostOrigin::Office),
    (BoardKind::Livelihood, "退役军人服务", PostOrigin::Office),
    (BoardKind::Livelihood, "社保就业", PostOrigin::Office),
    (BoardKind::Livelihood, "卫生健康", PostOrigin::Office),
    (BoardKind::Livelihood, "城市管理", PostOrigin::Office),
    (BoardKind::SafetyLaw, "综合协调", PostOrigin::Office),
    (BoardKind::SafetyLaw, "平安建设", PostOrigin::Office),
    (BoardKind::SafetyLaw, "应急管理", PostOrigin::Office),
    (BoardKind::SafetyLaw, "综合执法", PostOrigin::Agency),
    (BoardKind::SafetyLaw, "派出所", PostOrigin::Agency),
    (BoardKind::SafetyLaw, "司法所", PostOrigin::Agency),
    (BoardKind::SafetyLaw, "消防救援站", PostOrigin::Agency),
];

/// The post of the command centre's coordinators (综合协调岗).
pub const COMMAND_POST: &str = "综合协调";

/// A whole street's worth of reference data, ready to be stored.
#[derive(Clone, Debug, Default)]
pub struct District {
    pub street: Option<Street>,
    pub boards: Vec<Board>,
    pub posts: Vec<Post>,
    pub staff: Vec<Staff>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub micro_grids: Vec<MicroGrid>,
    pub buildings: Vec<Building>,
    pub households: Vec<Household>,
    pub residents: Vec<Resident>,
    pub enterprises: Vec<Enterprise>,
    pub devices: Vec<Device>,
}

impl District {
    /// The counts this district will show once stored.
    pub fn summary(&self) -> Summary {
        let n = |v: usize| v as i64;
        Summary {
            communities: n(self.communities.len()),
            grids: n(self.grids.len()),
            micro_grids: n(self.micro_grids.len()),
            buildings: n(self.buildings.len()),
            households: n(self.households.len()),
            residents: n(self.residents.len()),
            enterprises: n(self.enterprises.len()),
            devices: n(self.devices.len()),
            boards: n(self.boards.len()),
            posts: n(self.posts.len()),
            staff: n(self.staff.len()),
        }
    }

    /// The micro-grid a location falls in, if it is inside the street.
    pub fn micro_grid_at(&self, p: LonLat) -> Option<&MicroGrid> {
        self.micro_grids.iter().find(|m| m.boundary.contains(p))
    }
}

/// Generates the demo street from `seed`.
pub fn generate(seed: u64) -> District {
    let mut g = Generator { rng: Rng::new(seed), d: District::default(), street_numbers: HashMap::new() };
    g.organisation();
    g.geography();
    g.d
}

struct Generator {
    rng: Rng,
    d: District,
    /// The next house number on each street.
    street_numbers: HashMap<&'static str, u32>,
}

/// Splits a rectangle into `n` cells: the northern half gets `ceil(n/2)` columns, the southern
/// `floor(n/2)`, so the cells tile the rectangle exactly.
fn split(sw: LonLat, ne: LonLat, n: usize) -> Vec<(LonLat, LonLat)> {
    if n == 1 {
        return vec![(sw, ne)];
    }
    let mid = (sw[1] + ne[1]) / 2.0;
    let mut cells = Vec::with_capacity(n);
    for (row_n, s, nn) in [(n.div_ceil(2), mid, ne[1]), (n / 2, sw[1], mid)] {
        let w = (ne[0] - sw[0]) / row_n as f64;
        for i in 0..row_n {
            let west = sw[0] + w * i as f64;
            let east = if i + 1 == row_n { ne[0] } else { west + w };
            cells.push(([west, s], [east, nn]));
        }
    }
    cells
}

impl Generator {
    fn organisation(&mut self) {
        let d = &mut self.d;
        d.street = Some(Street {
            id: 1,
            name: "磁器口街道".into(),
            district: "沙坪坝区".into(),
            center: [(STREET_SW[0] + STREET_NE[0]) / 2.0, (STREET_SW[1] + STREET_NE[1]) / 2.0],
        });
        for (i, kind) in BoardKind::ALL.into_iter().enumerate() {
            d.boards.push(Board { id: i as i64 + 1, kind, name: kind.name_zh().into() });
        }
        for (i, (board, name, origin)) in POSTS.into_iter().enumerate() {
            let board_id = BoardKind::ALL.iter().position(|b| *b == board).unwrap() as i64 + 1;
            d.posts.push(Post { id: i as i64 + 1, board_id, name: name.into(), origin });
        }
        let command_post = d.posts.iter().find(|p| p.name == COMMAND_POST).unwrap().id;
        let posts: Vec<i64> = d.posts.iter().map(|p| p.id).collect();
        for post_id in posts {
            let (members, duty) = if post_id == command_post { (8, Duty::Command) } else { (self.rng.range(5, 9), Duty::Post) };
            for _ in 0..members {
                self.add_staff(Some(post_id), duty);
            }
        }
        for _ in 0..2 {
            self.add_staff(None, Duty::Admin);
        }
    }

    fn add_staff(&mut self, post_id: Option<i64>, duty: Duty) -> i64 {
        let male = self.rng.chance(0.5);
        let id = self.d.staff.len() as i64 + 1;
        let name = names::person(&mut self.rng, male);
        let phone = ids::mobile(&mut self.rng);
        self.d.staff.push(Staff { id, name, post_id, phone, duty });
        id
    }

    fn geography(&mut self) {
        let communities = split(STREET_SW, STREET_NE, 6);
        // `split` orders the northern row first, west to east: the old town (磁器口社区) is
        // the north-west cell, on the river.
        for (ci, (csw, cne)) in communities.into_iter().enumerate() {
            let community_id = ci as i64 + 1;
            self.d.communities.push(Community {
                id: community_id,
                name: names::COMMUNITIES[ci].into(),
                boundary: Polygon::rect(csw, cne),
                street_id: Some(1),
            });
            let n_grids = GRIDS_PER_COMMUNITY[ci];
            for (gi, (gsw, gne)) in split(csw, cne, n_grids).into_iter().enumerate() {
                self.grid(ci, gi, gsw, gne);
            }
        }
        self.water_gauges();
    }

    fn grid(&mut self, ci: usize, gi: usize, sw: LonLat, ne: LonLat) {
        let old_town = ci == 0;
        let grid_id = self.d.grids.len() as i64 + 1;
        let worker_id = self.add_staff(None, Duty::GridWorker);
        let community = names::COMMUNITIES[ci].trim_end_matches("社区");
        self.d.grids.push(Grid {
            id: grid_id,
            community_id: ci as i64 + 1,
            code: format!("CQK-{:02}-{:02}", ci + 1, gi + 1),
            name: format!("{community}第{}网格", names::chinese_ordinal(gi + 1)),
            boundary: Polygon::rect(sw, ne),
            worker_id: Some(worker_id),
        });
        let street: &'static str = if old_town {
            names::OLD_TOWN_STREETS[gi % names::OLD_TOWN_STREETS.len()]
        } else {
            names::NEW_STREETS[(grid_id as usize) % names::NEW_STREETS.len()]
        };
        let n_micro = if old_town { 6 } else { 5 };
        for (mi, (msw, mne)) in split(sw, ne, n_micro).into_iter().enumerate() {
            let micro_id = self.d.micro_grids.len() as i64 + 1;
            self.d.micro_grids.push(MicroGrid {
                id: micro_id,
                grid_id,
                code: format!("CQK-{:02}-{:02}-{:02}", ci + 1, gi + 1, mi + 1),
                name: format!("{}第{}网格第{}微网格", community, names::chinese_ordinal(gi + 1), names::chinese_ordinal(mi + 1)),
                boundary: Polygon::rect(msw, mne),
            });
            self.buildings(micro_id, old_town, street, msw, mne);
            if old_town || mi == 0 {
                self.camera(micro_id, msw, mne);
            }
        }
    }

    fn buildings(&mut self, micro_id: i64, old_town: bool, street: &'static str, sw: LonLat, ne: LonLat) {
        let count = if old_town { self.rng.range(5, 6) } else { self.rng.range(2, 4) } as usize;
        let compound = *self.rng.pick(&names::COMPOUNDS);
        // Lay the buildings out on a lattice of cells inside the micro-grid, one per cell,
        // with a margin so that footprints never touch a boundary.
        let cols = if old_town { 3 } else { 2 };
        let rows = count.div_ceil(cols);
        let (cw, ch) = ((ne[0] - sw[0]) / cols as f64, (ne[1] - sw[1]) / rows as f64);
        for i in 0..count {
            let (cx, cy) = (sw[0] + cw * (i % cols) as f64, sw[1] + ch * (i / cols) as f64);
            let margin = if old_town { 0.18 } else { 0.25 };
            let fsw = [cx + cw * margin, cy + ch * margin];
            let fne = [cx + cw * (1.0 - margin), cy + ch * (1.0 - margin * 1.4)];
            let usage = if old_town {
                BuildingUse::Mixed
            } else if i == 0 && self.rng.chance(0.25) {
                BuildingUse::Commercial
            } else if self.rng.chance(0.04) {
                BuildingUse::Public
            } else {
                BuildingUse::Residential
            };
            let floors = match usage {
                BuildingUse::Mixed => self.rng.range(2, 3),
                BuildingUse::Commercial => self.rng.range(3, 8),
                BuildingUse::Public => self.rng.range(2, 5),
                BuildingUse::Residential => self.rng.range(6, 18),
            } as i32;
            let number = self.street_numbers.entry(street).or_insert(0);
            *number += 1;
            let address = format!("{street}{number}号");
            let id = self.d.buildings.len() as i64 + 1;
            let name = match usage {
                BuildingUse::Residential => format!("{compound}{}栋", i + 1),
                BuildingUse::Commercial => format!("{street}商务楼"),
                BuildingUse::Public => format!("{street}社区服务中心"),
                BuildingUse::Mixed => address.clone(),
            };
            let building = Building {
                id,
                micro_grid_id: micro_id,
                name,
                address,
                footprint: Polygon::rect(fsw, fne),
                floors,
                floor_height_m: if old_town { 3.6 } else { 3.0 },
                usage,
            };
            self.occupants(&building);
            self.smoke_detectors(&building);
            self.d.buildings.push(building);
        }
    }

    /// Households, residents and enterprises of one building.
    fn occupants(&mut self, b: &Building) {
        let (home_floors, doors, shops) = match b.usage {
            BuildingUse::Mixed => (2..=b.floors, self.rng.range(1, 2), self.rng.range(1, 3)),
            BuildingUse::Residential => (1..=b.floors, self.rng.range(2, 4), if self.rng.chance(0.6) { self.rng.range(1, 4) } else { 0 }),
            BuildingUse::Commercial => (1..=0, 0, self.rng.range(8, 24)),
            BuildingUse::Public => (1..=0, 0, 0),
        };
        for floor in home_floors {
            for door in 1..=doors {
                let household_id = self.d.households.len() as i64 + 1;
                // About three homes in ten are rented in the old town; from the id, so that the
                // random draws of the rest of the district stay as they were.
                let tenure = if (household_id as u64).wrapping_mul(2_654_435_761) % 10 < 3 { Tenure::Rented } else { Tenure::Owned };
                self.d.households.push(Household { id: household_id, building_id: b.id, floor, unit: format!("{floor}-{door}"), tenure });
                self.residents(b, household_id, floor);
            }
        }
        for _ in 0..shops {
            self.enterprise(b);
        }
    }

    fn residents(&mut self, b: &Building, household_id: i64, floor: i32) {
        let roll = self.rng.unit();
        // (age range, sex: None = random) for each member of the household.
        let members: Vec<(i64, i64)> = if roll < 0.03 {
            vec![(75, 95)]
        } else if roll < 0.15 {
            vec![(22, 70)]
        } else if roll < 0.45 {
            vec![(28, 80), (28, 80)]
        } else if roll < 0.80 {
            vec![(30, 50), (30, 50), (3, 17)]
        } else {
            vec![(60, 85), (30, 50), (30, 50), (3, 17)]
        };
        let alone_elderly = members.len() == 1 && members[0].0 >= 75;
        let subsistence = self.rng.chance(0.02);
        for (i, (lo, hi)) in members.iter().copied().enumerate() {
            // Couples are a man and a woman in the demo; everyone else is drawn at random.
            let male = if members.len() >= 2 && i < 2 && lo >= 28 { i == 0 } else { self.rng.chance(0.5) };
            let age = self.rng.range(lo, hi);
            let birth = format!("{}-{:02}-{:02}", 2026 - age, self.rng.range(1, 12), self.rng.range(1, 28));
            let mut care_tags = Vec::new();
            if alone_elderly {
                care_tags.push(CareTag::ElderlyAlone);
            }
            if age < 16 && self.rng.chance(0.03) {
                care_tags.push(CareTag::LeftBehindChild);
            }
            if self.rng.chance(0.015) {
                care_tags.push(CareTag::Disabled);
            }
            if subsistence {
                care_tags.push(CareTag::Subsistence);
            }
            if male && age > 40 && self.rng.chance(0.03) {
                care_tags.push(CareTag::Veteran);
            }
            let id = self.d.residents.len() as i64 + 1;
            let resident = Resident {
                id,
                household_id,
                name: names::person(&mut self.rng, male),
                sex: if male { Sex::Male } else { Sex::Female },
                id_number: ids::id_number(&mut self.rng, &birth, male),
                birth_date: birth,
                phone: ids::mobile(&mut self.rng),
                care_tags,
            };
            self.d.residents.push(resident);
            if alone_elderly {
                self.door_sensor(b, household_id, floor, id);
            }
        }
    }

    fn enterprise(&mut self, b: &Building) {
        let (head, industry) = *self.rng.pick(&names::SHOPS);
        let owner_male = self.rng.chance(0.5);
        let owner = names::person(&mut self.rng, owner_male);
        let surname: String = owner.chars().take(1).collect();
        let sole_trader = b.usage != BuildingUse::Commercial;
        let name = if sole_trader {
            format!("{surname}记{head}")
        } else {
            format!("重庆{surname}{}商贸有限公司", names::chinese_ordinal(self.rng.range(1, 9) as usize))
        };
        let credit = match self.rng.unit() {
            u if u < 0.55 => CreditRating::A,
            u if u < 0.85 => CreditRating::B,
            u if u < 0.95 => CreditRating::C,
            _ => CreditRating::D,
        };
        let id = self.d.enterprises.len() as i64 + 1;
        let e = Enterprise {
            id,
            name,
            industry: industry.into(),
            building_id: b.id,
            licence_no: ids::uscc(&mut self.rng, sole_trader),
            credit,
            contact_name: owner,
            contact_phone: ids::mobile(&mut self.rng),
        };
        self.d.enterprises.push(e);
    }

    fn add_device(&mut self, kind: DeviceKind, model: &str, micro_grid_id: i64, position: LonLat) -> &mut Device {
        let id = self.d.devices.len() as i64 + 1;
        let prefix = match kind {
            DeviceKind::SmokeDetector => "YG",
            DeviceKind::DoorSensor => "MC",
            DeviceKind::Camera => "SXT",
            DeviceKind::WaterLevelGauge => "SW",
        };
        self.d.devices.push(Device {
            id,
            code: format!("{prefix}-{id:06}"),
            kind,
            model: model.into(),
            micro_grid_id,
            building_id: None,
            floor: None,
            household_id: None,
            resident_id: None,
            position,
        });
        self.d.devices.last_mut().unwrap()
    }

    /// Smoke detectors: on every floor of old-town and non-residential buildings, where fire
    /// spreads through timber; on every other floor's landing in residential blocks.
    fn smoke_detectors(&mut self, b: &Building) {
        let step = if b.usage == BuildingUse::Residential { 2 } else { 1 };
        let at = b.anchor();
        for floor in (1..=b.floors).step_by(step) {
            let d = self.add_device(DeviceKind::SmokeDetector, "NB-YG-3000", b.micro_grid_id, at);
            d.building_id = Some(b.id);
            d.floor = Some(floor);
        }
    }

    fn door_sensor(&mut self, b: &Building, household_id: i64, floor: i32, resident_id: i64) {
        let d = self.add_device(DeviceKind::DoorSensor, "NB-MC-200", b.micro_grid_id, b.anchor());
        d.building_id = Some(b.id);
        d.floor = Some(floor);
        d.household_id = Some(household_id);
        d.resident_id = Some(resident_id);
    }

    fn camera(&mut self, micro_id: i64, sw: LonLat, ne: LonLat) {
        // Cameras watch the lanes: near the micro-grid's south-west corner, inside it.
        let p = [sw[0] + (ne[0] - sw[0]) * 0.08, sw[1] + (ne[1] - sw[1]) * 0.08];
        self.add_device(DeviceKind::Camera, "AI-CAM-4K", micro_id, p);
    }

    /// Water-level gauges along the river bank, the street's north edge.
    fn water_gauges(&mut self) {
        for i in 0..8 {
            let lon = STREET_SW[0] + (STREET_NE[0] - STREET_SW[0]) * (i as f64 + 0.5) / 8.0;
            let p = [lon, STREET_NE[1] - 0.0002];
            let micro = self.d.micro_grid_at(p).map(|m| m.id).expect("the river bank is inside the street");
            self.add_device(DeviceKind::WaterLevelGauge, "RLG-80", micro, p);
        }
    }
}

#[cfg(test)]
mod tests;
