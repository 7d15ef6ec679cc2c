//! The map in the middle of the command screen: the 3D district map, with the grid network as
//! an SVG schematic underneath — rendered on the server, shown until the map has drawn, and
//! kept where WebGL is unavailable.

use zhizhi_shared::org::StreetLoad;
use zhizhi_shared::overview::GridMap;
use crate::components::district_map::{DistrictMap, MapMode};
use crate::i18n::{pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::geo::LonLat;

const M_PER_DEG: f64 = 111_320.0;

/// Projects `[lon, lat]` onto a plane in metres, north up, from a south-west/north-east box.
#[derive(Clone, Copy)]
struct Projection {
    west: f64,
    north: f64,
    kx: f64,
    ky: f64,
}

impl Projection {
    fn fit(areas: &GridMap) -> Option<(Projection, f64, f64)> {
        let points = areas.communities.iter().flat_map(|a| a.ring.iter());
        let (mut sw, mut ne) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in points {
            sw = [sw[0].min(p[0]), sw[1].min(p[1])];
            ne = [ne[0].max(p[0]), ne[1].max(p[1])];
        }
        if !sw[0].is_finite() {
            return None;
        }
        let kx = M_PER_DEG * ((sw[1] + ne[1]) / 2.0).to_radians().cos();
        let proj = Projection { west: sw[0], north: ne[1], kx, ky: M_PER_DEG };
        Some((proj, (ne[0] - sw[0]) * kx, (ne[1] - sw[1]) * M_PER_DEG))
    }

    fn xy(self, p: LonLat) -> (f64, f64) {
        ((p[0] - self.west) * self.kx, (self.north - p[1]) * self.ky)
    }

    fn points(self, ring: &[LonLat]) -> String {
        ring.iter().map(|p| self.xy(*p)).map(|(x, y)| format!("{x:.0},{y:.0}")).collect::<Vec<_>>().join(" ")
    }

    fn centre(self, ring: &[LonLat]) -> (f64, f64) {
        let n = ring.len().max(1) as f64;
        let (sx, sy) = ring.iter().map(|p| self.xy(*p)).fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        (sx / n, sy / n)
    }
}

/// The panel in the middle of the command screen: the grids named, or for the district's view
/// across `streets` the streets with their open cases (hundreds of grid names would bury it).
#[component]
pub fn GridMapPanel(map: GridMap, #[prop(optional)] streets: Vec<StreetLoad>) -> impl IntoView {
    let labels = if streets.is_empty() {
        map.grids.iter().map(|g| (g.name.clone(), zhizhi_shared::geo::Polygon(g.ring.clone()).centroid())).collect()
    } else {
        streets.iter().map(|s| (format!("{} · {}{}", s.name, s.open, pick(" 件", " open")), s.center)).collect()
    };
    view! {
        <section class="panel map-panel" aria-label=tr(Msg::GridNetwork)>
            <h2>{tr(Msg::GridNetwork)}</h2>
            <DistrictMap id="board-map" mode=MapMode::Command labels>
                {drawing(&map)}
                <p class="map-note">{tr(Msg::MapComing)}</p>
            </DistrictMap>
        </section>
    }
    .into_any()
}

fn drawing(m: &GridMap) -> impl IntoView + use<> {
    let Some((proj, w, h)) = Projection::fit(m) else {
        return view! { <p class="state empty">{tr(Msg::EmptyStreet)}</p> }.into_any();
    };
    let communities = m.communities.iter().enumerate().map(|(i, c)| {
        view! { <polygon class=format!("community c{}", i % 6) points=proj.points(&c.ring)><title>{c.name.clone()}</title></polygon> }
    }).collect_view();
    let micro = m.micro_grids.iter().map(|ring| view! { <polygon class="micro-grid" points=proj.points(ring)/> }).collect_view();
    let grids = m.grids.iter().map(|g| {
        view! { <polygon class="grid" points=proj.points(&g.ring)><title>{g.name.clone()}</title></polygon> }
    }).collect_view();
    let labels = m.communities.iter().map(|c| {
        let (x, y) = proj.centre(&c.ring);
        view! { <text class="community-label" x=format!("{x:.0}") y=format!("{y:.0}")>{c.name.clone()}</text> }
    }).collect_view();
    view! {
        <svg class="grid-map" data-testid="grid-map" viewBox=format!("0 0 {w:.0} {h:.0}") preserveAspectRatio="xMidYMid meet" role="img">
            <g>{communities}</g>
            <g>{micro}</g>
            <g>{grids}</g>
            <g>{labels}</g>
        </svg>
    }
    .into_any()
}
