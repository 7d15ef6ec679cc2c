//! Geometry on WGS-84 longitude/latitude: just enough to route a location to its micro-grid.
//!
//! Distances in a street office's area are a few kilometres, so planar arithmetic on degrees
//! is exact enough for containment tests; areas are converted to square metres with the local
//! scale at the polygon's latitude.

use serde::{Deserialize, Serialize};

/// A point as `[longitude, latitude]` in degrees (WGS-84), the GeoJSON order.
pub type LonLat = [f64; 2];

/// A simple polygon: one outer ring, first point not repeated at the end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Polygon(pub Vec<LonLat>);

/// Metres per degree of latitude (mean).
const M_PER_DEG_LAT: f64 = 111_320.0;

impl Polygon {
    /// An axis-aligned rectangle from its south-west and north-east corners.
    pub fn rect(sw: LonLat, ne: LonLat) -> Self {
        Polygon(vec![sw, [ne[0], sw[1]], ne, [sw[0], ne[1]]])
    }

    /// Whether `p` lies inside the polygon (even-odd rule). Points exactly on an edge count as
    /// inside for the south and west edges and outside for the north and east ones, so that
    /// polygons which tile an area claim every point exactly once.
    pub fn contains(&self, p: LonLat) -> bool {
        let ring = &self.0;
        let mut inside = false;
        let mut j = ring.len().wrapping_sub(1);
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[j]);
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if p[0] < x {
                    inside = !inside;
                }
            }
            j = i;
        }
        inside
    }

    /// The area in square metres.
    pub fn area_m2(&self) -> f64 {
        let ring = &self.0;
        if ring.len() < 3 {
            return 0.0;
        }
        let lat = self.centroid()[1].to_radians();
        let (kx, ky) = (M_PER_DEG_LAT * lat.cos(), M_PER_DEG_LAT);
        let mut twice = 0.0;
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            twice += (a[0] * kx) * (b[1] * ky) - (b[0] * kx) * (a[1] * ky);
        }
        (twice / 2.0).abs()
    }

    /// The mean of the vertices: a label point for the convex shapes the demo draws.
    pub fn centroid(&self) -> LonLat {
        let n = self.0.len().max(1) as f64;
        let (sx, sy) = self.0.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        [sx / n, sy / n]
    }

    /// The bounding box as `(south-west, north-east)`.
    pub fn bbox(&self) -> (LonLat, LonLat) {
        let mut sw = [f64::INFINITY; 2];
        let mut ne = [f64::NEG_INFINITY; 2];
        for p in &self.0 {
            sw = [sw[0].min(p[0]), sw[1].min(p[1])];
            ne = [ne[0].max(p[0]), ne[1].max(p[1])];
        }
        (sw, ne)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_of_a_rectangle() {
        let r = Polygon::rect([106.0, 29.0], [106.1, 29.1]);
        assert!(r.contains([106.05, 29.05]));
        assert!(!r.contains([106.15, 29.05]));
        assert!(!r.contains([106.05, 28.99]));
    }

    #[test]
    fn two_tiles_claim_their_shared_edge_once() {
        let west = Polygon::rect([106.0, 29.0], [106.1, 29.1]);
        let east = Polygon::rect([106.1, 29.0], [106.2, 29.1]);
        let on_edge = [106.1, 29.05];
        assert_eq!(west.contains(on_edge) as u8 + east.contains(on_edge) as u8, 1);
    }

    #[test]
    fn concave_polygon() {
        // An L shape: the notch at the north-east is outside.
        let l = Polygon(vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]]);
        assert!(l.contains([0.5, 1.5]));
        assert!(!l.contains([1.5, 1.5]));
    }

    #[test]
    fn area_of_a_hectare() {
        // 100 m × 100 m at Ciqikou's latitude.
        let lat = 29.579_f64;
        let dlon = 100.0 / (M_PER_DEG_LAT * lat.to_radians().cos());
        let dlat = 100.0 / M_PER_DEG_LAT;
        let r = Polygon::rect([106.449, lat], [106.449 + dlon, lat + dlat]);
        assert!((r.area_m2() - 10_000.0).abs() < 50.0, "{}", r.area_m2());
    }
}
