//! The demo district's other streets, for deployments of many streets and their load tests:
//! each a copy of the demo street's communities, grids and micro-grids, moved to its own place
//! beside it (five streets to a row, west to east, then rows southwards), with names and codes
//! of its own. They carry no buildings, people or devices: they are there to be scoped, routed
//! to and counted.

use super::{District, STREET_NE, STREET_SW};
use crate::geo::Polygon;
use crate::org::Street;
use crate::place::{Community, Grid, MicroGrid};

/// Streets of 沙坪坝区 after 磁器口 (the names are real, the streets drawn here are not).
const NAMES: [&str; 19] = [
    "小龙坎", "沙坪坝", "渝碚路", "新桥", "天星桥", "詹家溪", "石井坡", "井口", "歌乐山", "山洞",
    "童家桥", "覃家岗", "联芳", "土湾", "丰文", "虎溪", "香炉山", "西永", "陈家桥",
];

/// How many streets a row of the district holds.
const PER_ROW: usize = 5;

/// Ids of a copy: `STRIDE × k` plus the demo street's own id, so no two streets' rows meet.
const STRIDE: i64 = 100_000;

/// One more street of the district, ready to be stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StreetCopy {
    pub street: Street,
    /// Its code, the prefix of its grids' codes (`J02` for the second street).
    pub code: String,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub micro_grids: Vec<MicroGrid>,
}

/// The district's streets after the demo street `base`, up to `total` streets in all.
pub fn copies(base: &District, total: usize) -> Vec<StreetCopy> {
    let Some(first) = &base.street else { return vec![] };
    let (w, h) = ((STREET_NE[0] - STREET_SW[0]) * 1.15, (STREET_NE[1] - STREET_SW[1]) * 1.15);
    (1..total)
        .map(|k| {
            let (dx, dy) = ((k % PER_ROW) as f64 * w, -((k / PER_ROW) as f64) * h);
            let shift = |p: &Polygon| Polygon(p.0.iter().map(|[x, y]| [x + dx, y + dy]).collect());
            let name = NAMES.get(k - 1).map_or_else(|| format!("第{}", k + 1), |n| n.to_string());
            let code = format!("J{:02}", k + 1);
            let id = |x: i64| STRIDE * k as i64 + x;
            let grid_code = |c: &str| format!("{code}{}", c.trim_start_matches(|ch: char| ch.is_ascii_alphabetic()));
            StreetCopy {
                street: Street {
                    id: first.id + k as i64,
                    name: format!("{name}街道"),
                    district: first.district.clone(),
                    center: [first.center[0] + dx, first.center[1] + dy],
                },
                communities: base
                    .communities
                    .iter()
                    .map(|c| Community { id: id(c.id), name: format!("{name}{}", c.name), boundary: shift(&c.boundary), street_id: Some(first.id + k as i64) })
                    .collect(),
                grids: base
                    .grids
                    .iter()
                    .map(|g| Grid {
                        id: id(g.id),
                        community_id: id(g.community_id),
                        code: grid_code(&g.code),
                        name: format!("{name}{}", g.name),
                        boundary: shift(&g.boundary),
                        worker_id: None,
                    })
                    .collect(),
                micro_grids: base
                    .micro_grids
                    .iter()
                    .map(|m| MicroGrid { id: id(m.id), grid_id: id(m.grid_id), code: grid_code(&m.code), name: m.name.clone(), boundary: shift(&m.boundary) })
                    .collect(),
                code,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DEFAULT_SEED};

    #[test]
    fn twenty_streets_lie_apart_with_names_codes_and_ids_of_their_own() {
        let base = generate(DEFAULT_SEED);
        let streets = copies(&base, 20);
        assert_eq!(streets.len(), 19);
        let mut names: Vec<&str> = streets.iter().map(|s| s.street.name.as_str()).collect();
        names.push("磁器口街道");
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 20, "every street has its own name");
        let mut codes: Vec<&String> = base.grids.iter().map(|g| &g.code).chain(streets.iter().flat_map(|s| s.grids.iter().map(|g| &g.code))).collect();
        let all = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all, "grid codes are unique across the district");
        assert!(streets[0].grids[0].code.starts_with("J02-"), "{}", streets[0].grids[0].code);
        // No micro-grid of one street overlaps another street's.
        let boxes: Vec<_> = std::iter::once(&base.micro_grids).chain(streets.iter().map(|s| &s.micro_grids)).map(|ms| {
            let b: Vec<_> = ms.iter().map(|m| m.boundary.bbox()).collect();
            let sw = b.iter().fold([f64::MAX; 2], |a, (s, _)| [a[0].min(s[0]), a[1].min(s[1])]);
            let ne = b.iter().fold([f64::MIN; 2], |a, (_, n)| [a[0].max(n[0]), a[1].max(n[1])]);
            (sw, ne)
        }).collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.1[0] <= b.0[0] || b.1[0] <= a.0[0] || a.1[1] <= b.0[1] || b.1[1] <= a.0[1];
                assert!(apart, "streets overlap: {a:?} {b:?}");
            }
        }
        // Each micro-grid still lies in its grid, which lies in its community.
        let s = &streets[7];
        for m in &s.micro_grids {
            let g = s.grids.iter().find(|g| g.id == m.grid_id).expect("grid of the copy");
            assert!(s.communities.iter().any(|c| c.id == g.community_id));
        }
    }
}
