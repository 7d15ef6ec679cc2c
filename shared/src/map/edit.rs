//! The grid editor's geometry: whether a set of micro-grids is a valid division of its grid
//! (valid polygons, none overlapping another, none outside the grid, gaps reported), and the
//! split and merge operations.
//!
//! Edges that two neighbours share are not overlaps: only interiors count. Coordinates closer
//! than [`EPS`] degrees (about a millimetre) are the same point.

use crate::geo::{LonLat, Polygon};
use serde::{Deserialize, Serialize};

/// Two coordinates closer than this (degrees) are one point.
pub const EPS: f64 = 1e-8;
/// The smallest micro-grid the editor accepts, in square metres.
pub const MIN_AREA_M2: f64 = 100.0;
/// Gaps smaller than this (square metres) are rounding, not gaps.
pub const GAP_TOLERANCE_M2: f64 = 1.0;

/// A micro-grid as the editor submits it: `id` is `None` for a new one (from a split).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    pub id: Option<i64>,
    pub name: String,
    pub boundary: Polygon,
}

/// What the check found. `problems` refuse a save; a gap is reported but may be saved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub problems: Vec<String>,
    /// Area of the grid no micro-grid covers, in square metres.
    pub gap_m2: f64,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn same(a: LonLat, b: LonLat) -> bool {
    (a[0] - b[0]).abs() < EPS && (a[1] - b[1]).abs() < EPS
}

fn cross(o: LonLat, a: LonLat, b: LonLat) -> f64 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// Distance (degrees) from `p` to the segment `a`–`b`.
fn seg_dist(p: LonLat, a: LonLat, b: LonLat) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (x * x + y * y).sqrt()
}

fn edges(p: &Polygon) -> impl Iterator<Item = (LonLat, LonLat)> + '_ {
    let n = p.0.len();
    (0..n).map(move |i| (p.0[i], p.0[(i + 1) % n]))
}

fn on_boundary(poly: &Polygon, p: LonLat) -> bool {
    edges(poly).any(|(a, b)| seg_dist(p, a, b) < EPS)
}

/// Whether `p` lies in the interior of `poly` (not on its boundary).
pub fn strictly_inside(poly: &Polygon, p: LonLat) -> bool {
    poly.contains(p) && !on_boundary(poly, p)
}

/// Whether two segments cross at a single point interior to both (touching and collinear
/// overlap do not count).
fn crosses(a1: LonLat, a2: LonLat, b1: LonLat, b2: LonLat) -> bool {
    let scale = |a: LonLat, b: LonLat| ((b[0] - a[0]).abs() + (b[1] - a[1]).abs()).max(EPS);
    let (sa, sb) = (scale(a1, a2), scale(b1, b2));
    let d1 = cross(b1, b2, a1) / sb;
    let d2 = cross(b1, b2, a2) / sb;
    let d3 = cross(a1, a2, b1) / sa;
    let d4 = cross(a1, a2, b2) / sa;
    ((d1 > EPS && d2 < -EPS) || (d1 < -EPS && d2 > EPS)) && ((d3 > EPS && d4 < -EPS) || (d3 < -EPS && d4 > EPS))
}

/// A point well inside the polygon (the centroid of an ear), for containment tests.
pub fn interior_point(poly: &Polygon) -> Option<LonLat> {
    let n = poly.0.len();
    if n < 3 {
        return None;
    }
    let c = poly.centroid();
    if strictly_inside(poly, c) {
        return Some(c);
    }
    (0..n).find_map(|i| {
        let (a, b, d) = (poly.0[(i + n - 1) % n], poly.0[i], poly.0[(i + 1) % n]);
        let t = [(a[0] + b[0] + d[0]) / 3.0, (a[1] + b[1] + d[1]) / 3.0];
        strictly_inside(poly, t).then_some(t)
    })
}

/// Why a polygon cannot be a boundary, in words, or `None` if it can.
pub fn polygon_problem(p: &Polygon) -> Option<String> {
    if let Some(problem) = ring_problem(p) {
        return Some(problem);
    }
    let area = p.area_m2();
    (area < MIN_AREA_M2).then(|| format!("面积只有 {area:.0} 平方米，小于 {MIN_AREA_M2:.0} 平方米"))
}

/// Why a ring is not a simple polygon (too few vertices, bad coordinates, repeated vertices,
/// self-intersection), whatever its size.
pub fn ring_problem(p: &Polygon) -> Option<String> {
    let n = p.0.len();
    if n < 3 {
        return Some(format!("至少需要 3 个顶点（现有 {n} 个）"));
    }
    if p.0.iter().any(|c| !c[0].is_finite() || !c[1].is_finite() || c[0].abs() > 180.0 || c[1].abs() > 90.0) {
        return Some("含有无效的经纬度".into());
    }
    for i in 0..n {
        if same(p.0[i], p.0[(i + 1) % n]) {
            return Some(format!("第 {} 个顶点重复", i + 1));
        }
    }
    let e: Vec<_> = edges(p).collect();
    for i in 0..n {
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            if crosses(e[i].0, e[i].1, e[j].0, e[j].1) {
                return Some(format!("边界自相交（第 {} 条边与第 {} 条边交叉）", i + 1, j + 1));
            }
        }
    }
    None
}

/// Whether the interiors of two polygons overlap.
pub fn overlaps(a: &Polygon, b: &Polygon) -> bool {
    if edges(a).any(|(a1, a2)| edges(b).any(|(b1, b2)| crosses(a1, a2, b1, b2))) {
        return true;
    }
    let probes = |p: &Polygon| {
        let mut v: Vec<LonLat> = p.0.clone();
        v.extend(edges(p).map(|(x, y)| [(x[0] + y[0]) / 2.0, (x[1] + y[1]) / 2.0]));
        v.extend(interior_point(p));
        v
    };
    probes(a).into_iter().any(|p| strictly_inside(b, p)) || probes(b).into_iter().any(|p| strictly_inside(a, p))
}

/// Whether `inner` lies inside `outer` (touching its boundary is fine).
pub fn within(inner: &Polygon, outer: &Polygon) -> bool {
    inner.0.iter().all(|&p| outer.contains(p) || on_boundary(outer, p))
        && !edges(inner).any(|(a1, a2)| edges(outer).any(|(b1, b2)| crosses(a1, a2, b1, b2)))
        && edges(inner).all(|(x, y)| {
            let m = [(x[0] + y[0]) / 2.0, (x[1] + y[1]) / 2.0];
            outer.contains(m) || on_boundary(outer, m)
        })
}

/// Checks a grid's micro-grids as a whole: each a valid polygon inside the grid, no two
/// overlapping, names present and distinct; reports the uncovered area.
pub fn check_division(grid_name: &str, grid: &Polygon, shapes: &[Shape]) -> Report {
    let mut r = Report::default();
    if shapes.is_empty() {
        r.problems.push(format!("{grid_name}至少要有一个微网格"));
    }
    for (i, s) in shapes.iter().enumerate() {
        let label = if s.name.trim().is_empty() { format!("第 {} 个微网格", i + 1) } else { s.name.clone() };
        if s.name.trim().is_empty() {
            r.problems.push(format!("{label}没有名称"));
        } else if shapes[..i].iter().any(|o| o.name.trim() == s.name.trim()) {
            r.problems.push(format!("微网格名称「{}」重复", s.name.trim()));
        }
        if let Some(p) = polygon_problem(&s.boundary) {
            r.problems.push(format!("{label}：{p}"));
            continue;
        }
        if !within(&s.boundary, grid) {
            r.problems.push(format!("{label}超出了所属网格「{grid_name}」的边界"));
        }
    }
    for i in 0..shapes.len() {
        for j in i + 1..shapes.len() {
            let (a, b) = (&shapes[i], &shapes[j]);
            if polygon_problem(&a.boundary).is_none() && polygon_problem(&b.boundary).is_none() && overlaps(&a.boundary, &b.boundary) {
                r.problems.push(format!("微网格「{}」与「{}」重叠：一个地点只能属于一个微网格", a.name.trim(), b.name.trim()));
            }
        }
    }
    if r.problems.is_empty() {
        let covered: f64 = shapes.iter().map(|s| s.boundary.area_m2()).sum();
        let gap = grid.area_m2() - covered;
        r.gap_m2 = if gap > GAP_TOLERANCE_M2 { gap.round() } else { 0.0 };
    }
    r
}

/// Splits a polygon along the straight cut from `a` to `b`, which must cross its boundary
/// exactly twice. Returns the two parts, the one left of the cut first.
pub fn split(p: &Polygon, a: LonLat, b: LonLat) -> Result<(Polygon, Polygon), String> {
    let n = p.0.len();
    // Where the infinite line a–b meets each edge (parameter along the edge, along the line).
    let mut hits: Vec<(usize, LonLat, f64)> = Vec::new();
    let d = [b[0] - a[0], b[1] - a[1]];
    for i in 0..n {
        let (u, v) = (p.0[i], p.0[(i + 1) % n]);
        let e = [v[0] - u[0], v[1] - u[1]];
        let den = d[0] * e[1] - d[1] * e[0];
        if den.abs() < 1e-18 {
            continue;
        }
        let w = [u[0] - a[0], u[1] - a[1]];
        let t = (w[0] * e[1] - w[1] * e[0]) / den; // along the cut
        let s = (w[0] * d[1] - w[1] * d[0]) / den; // along the edge
        if (0.0..1.0).contains(&s) {
            let x = [a[0] + t * d[0], a[1] + t * d[1]];
            if !hits.iter().any(|h| same(h.1, x)) {
                hits.push((i, x, t));
            }
        }
    }
    if hits.len() != 2 {
        return Err(format!("分割线须恰好两次穿过边界（现在穿过 {} 次）", hits.len()));
    }
    hits.sort_by_key(|h| h.0);
    let ((i, x, _), (j, y, _)) = (hits[0], hits[1]);
    let mut first = vec![x];
    first.extend(p.0[i + 1..=j].iter().copied().filter(|q| !same(*q, x) && !same(*q, y)));
    first.push(y);
    let mut second = vec![y];
    second.extend(p.0[j + 1..].iter().chain(p.0[..=i].iter()).copied().filter(|q| !same(*q, x) && !same(*q, y)));
    second.push(x);
    let (first, second) = (Polygon(first), Polygon(second));
    for part in [&first, &second] {
        if let Some(problem) = polygon_problem(part) {
            return Err(format!("分割后的部分无效：{problem}"));
        }
    }
    // The part left of the cut (seen from a towards b) first.
    let left = interior_point(&first).is_some_and(|c| cross(a, b, c) > 0.0);
    Ok(if left { (first, second) } else { (second, first) })
}

/// Inserts into `p` the vertices of `other` that lie on its edges (so shared stretches of
/// boundary have the same vertices on both sides).
fn noded(p: &Polygon, other: &Polygon) -> Vec<LonLat> {
    let mut out = Vec::new();
    for (a, b) in edges(p) {
        out.push(a);
        let mut on: Vec<LonLat> = other.0.iter().copied().filter(|&q| !same(q, a) && !same(q, b) && seg_dist(q, a, b) < EPS).collect();
        let d = |q: &LonLat| (q[0] - a[0]).hypot(q[1] - a[1]);
        on.sort_by(|x, y| d(x).total_cmp(&d(y)));
        out.extend(on);
    }
    out
}

/// Merges two neighbouring polygons that share a stretch of boundary into one.
pub fn merge(a: &Polygon, b: &Polygon) -> Result<Polygon, String> {
    if overlaps(a, b) {
        return Err("两个微网格重叠，不能合并".into());
    }
    let (ra, rb) = (noded(a, b), noded(b, a));
    let directed = |r: &[LonLat]| (0..r.len()).map(|i| (r[i], r[(i + 1) % r.len()])).collect::<Vec<_>>();
    let (ea, eb) = (directed(&ra), directed(&rb));
    // Both rings must run the same way round for shared edges to appear reversed.
    let orient = |r: &[LonLat]| (0..r.len()).map(|i| cross([0.0, 0.0], r[i], r[(i + 1) % r.len()])).sum::<f64>();
    let eb: Vec<_> = if orient(&ra).signum() == orient(&rb).signum() { eb } else { eb.into_iter().map(|(u, v)| (v, u)).collect() };
    let shared = |u: LonLat, v: LonLat, other: &[(LonLat, LonLat)]| other.iter().any(|&(x, y)| same(x, v) && same(y, u));
    let mut rest: Vec<(LonLat, LonLat)> = ea.iter().copied().filter(|&(u, v)| !shared(u, v, &eb)).collect();
    let n_shared = ea.len() - rest.len();
    if n_shared == 0 {
        return Err("两个微网格不相邻（没有共同的边界），不能合并".into());
    }
    rest.extend(eb.iter().copied().filter(|&(u, v)| !shared(u, v, &ea)));
    // Walk the remaining edges into one ring.
    let mut ring = vec![rest[0].0];
    let mut at = rest[0].1;
    let mut used = vec![false; rest.len()];
    used[0] = true;
    while !same(at, ring[0]) {
        let Some(k) = (0..rest.len()).find(|&k| !used[k] && same(rest[k].0, at)) else {
            return Err("合并后的边界不闭合".into());
        };
        used[k] = true;
        ring.push(at);
        at = rest[k].1;
    }
    if used.iter().any(|u| !u) {
        return Err("两个微网格只在一点相接或合并后会有空洞，不能合并".into());
    }
    // Drop vertices in the middle of a straight stretch.
    let n = ring.len();
    let simplified: Vec<LonLat> = (0..n)
        .filter(|&i| {
            let (p, q, r) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            seg_dist(q, p, r) >= EPS
        })
        .map(|i| ring[i])
        .collect();
    let merged = Polygon(simplified);
    match polygon_problem(&merged) {
        Some(p) => Err(format!("合并结果无效：{p}")),
        None => Ok(merged),
    }
}

/// A grid's division as the editor shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DivisionView {
    pub grid_id: i64,
    pub code: String,
    pub name: String,
    pub boundary: Polygon,
    pub worker_id: Option<i64>,
    pub version: i64,
    pub micro_grids: Vec<MicroGridView>,
    /// Grid workers who may be assigned (id, name).
    pub workers: Vec<(i64, String)>,
    pub report: Report,
}

/// A micro-grid in the editor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MicroGridView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub boundary: Polygon,
}

/// What the editor sends: the whole new division, at the version it was loaded at.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaveDivision {
    pub version: i64,
    pub micro_grids: Vec<Shape>,
    /// Only check, do not save.
    #[serde(default)]
    pub dry_run: bool,
}

/// The answer to a save: the check's report, and what changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaveAnswer {
    pub saved: bool,
    pub report: Report,
    pub version: i64,
    pub ids: Vec<i64>,
    pub retired: Vec<i64>,
    pub buildings_moved: i64,
    pub devices_moved: i64,
}

/// Moves every vertex at `from`, in every shape, to `to`: neighbours that share a corner keep
/// sharing it (no gap, no overlap).
pub fn move_vertex(shapes: &mut [Shape], from: LonLat, to: LonLat) {
    for s in shapes {
        for v in &mut s.boundary.0 {
            if same(*v, from) {
                *v = to;
            }
        }
    }
}

/// Snaps `p` to the nearest vertex within `tol` degrees, else onto the nearest edge within
/// `tol`, of `targets`; edges that end at `skip` (the vertex being moved) are ignored.
pub fn snap(p: LonLat, targets: &[&Polygon], skip: LonLat, tol: f64) -> LonLat {
    let dist = |a: LonLat, b: LonLat| (a[0] - b[0]).hypot(a[1] - b[1]);
    let vertex = targets.iter().flat_map(|t| t.0.iter().copied()).filter(|v| !same(*v, skip)).map(|v| (dist(v, p), v)).filter(|(d, _)| *d < tol).min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, v)) = vertex {
        return v;
    }
    let edge = targets
        .iter()
        .flat_map(|t| edges(t))
        .filter(|(a, b)| !same(*a, skip) && !same(*b, skip))
        .map(|(a, b)| (seg_dist(p, a, b), a, b))
        .filter(|(d, _, _)| *d < tol)
        .min_by(|x, y| x.0.total_cmp(&y.0));
    match edge {
        Some((_, a, b)) => {
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            // Exact on axis-parallel edges, so a vertex slid along a shared straight edge stays on it.
            [if dx == 0.0 { a[0] } else { a[0] + t * dx }, if dy == 0.0 { a[1] } else { a[1] + t * dy }]
        }
        None => p,
    }
}

/// Inserts `p` as a new vertex on the edge of `poly` nearest to it.
pub fn insert_vertex(poly: &mut Polygon, p: LonLat) {
    let n = poly.0.len();
    if let Some(i) = (0..n).min_by(|&i, &j| seg_dist(p, poly.0[i], poly.0[(i + 1) % n]).total_cmp(&seg_dist(p, poly.0[j], poly.0[(j + 1) % n]))) {
        poly.0.insert(i + 1, p);
    }
}

/// Adds `p` (already on an edge) as a vertex to every shape with an edge through it, so that
/// neighbours keep sharing the boundary when it is then dragged.
pub fn insert_shared_vertex(shapes: &mut [Shape], p: LonLat) {
    for s in shapes {
        let n = s.boundary.0.len();
        if s.boundary.0.iter().any(|v| same(*v, p)) {
            continue;
        }
        if let Some(i) = (0..n).find(|&i| seg_dist(p, s.boundary.0[i], s.boundary.0[(i + 1) % n]) < EPS) {
            s.boundary.0.insert(i + 1, p);
        }
    }
}
