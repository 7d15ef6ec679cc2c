//! The flood map: a flat drawing of the zones under water at the chosen level, the buildings in
//! them coloured by their evacuation's progress, the gauges by their state and the shelters with
//! their occupancy. Drawn on the server as SVG, redrawn with every change.

use super::{metres, Flood};
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::flood::view::FloodBoard;
use zhizhi_shared::geo::LonLat;

/// The map with the level picker above it.
#[component]
pub fn FloodMap(f: Flood) -> impl IntoView {
    let choose = move |level: Option<f64>| {
        f.chosen.set(level);
        f.reload();
    };
    view! {
        <div class="panel flood-map">
            <h3>{bi("淹没范围", "Flood extent")}</h3>
            <div class="chips" role="group" aria-label=bi("按水位查看", "View at a level")>
                <button class="chip" class:primary=move || f.chosen.get().is_none() on:click=move |_| choose(None)>{bi("当前 / 预报", "Now / forecast")}</button>
                {move || {
                    let mut levels: Vec<f64> = f.board.get().zones.iter().map(|z| z.zone.flood_level_m).collect();
                    levels.dedup();
                    levels.into_iter().map(|m| view! {
                        <button class="chip" data-testid="zone-level" class:primary=move || f.chosen.get() == Some(m) on:click=move |_| choose(Some(m))>{metres(m)}</button>
                    }).collect_view()
                }}
            </div>
            {move || drawing(&f.board.get())}
            <div class="legend">
                <span><i class="swatch flooded"></i>{bi("淹没区", "Under water")}</span>
                <span><i class="swatch b-none"></i>{bi("未转移", "Not moved")}</span>
                <span><i class="swatch b-part"></i>{bi("部分转移", "Partly moved")}</span>
                <span><i class="swatch b-all"></i>{bi("已全部转移", "All moved")}</span>
                <span><i class="swatch b-home"></i>{bi("已返家", "Home again")}</span>
                <span><i class="swatch shelter"></i>{bi("安置点", "Shelter")}</span>
            </div>
        </div>
    }
}

fn drawing(b: &FloodBoard) -> impl IntoView + use<> {
    const W: f64 = 520.0;
    const H: f64 = 300.0;
    // Framed on what is under water (and the buildings in it) when something is, else on every
    // zone; gauges and shelters are drawn where they fall inside (the shelters' panel lists all).
    let flooded: Vec<LonLat> = b.zones.iter().filter(|z| z.flooded).flat_map(|z| z.zone.area.0.clone()).collect();
    let mut pts: Vec<LonLat> = if flooded.is_empty() { b.zones.iter().flat_map(|z| z.zone.area.0.clone()).collect() } else { flooded };
    pts.extend(b.buildings.iter().flat_map(|bd| bd.footprint.0.clone()));
    if pts.is_empty() {
        return view! { <p class="state empty">{bi("还没有淹没区。请由管理员导入淹没区 GeoJSON。", "No flood zones yet: an administrator imports them as GeoJSON.")}</p> }.into_any();
    }
    let (mut sw, mut ne) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &pts {
        sw = [sw[0].min(p[0]), sw[1].min(p[1])];
        ne = [ne[0].max(p[0]), ne[1].max(p[1])];
    }
    let pad = [(ne[0] - sw[0]) * 0.08 + 0.0001, (ne[1] - sw[1]) * 0.08 + 0.0001];
    let (sw, ne) = ([sw[0] - pad[0], sw[1] - pad[1]], [ne[0] + pad[0], ne[1] + pad[1]]);
    let inside = move |p: LonLat| (sw[0]..=ne[0]).contains(&p[0]) && (sw[1]..=ne[1]).contains(&p[1]);
    // Degrees of longitude are shorter than of latitude at 29.6°N.
    let kx = (sw[1].to_radians()).cos();
    let sx = (W - 20.0) / ((ne[0] - sw[0]) * kx).max(1e-9);
    let sy = (H - 20.0) / (ne[1] - sw[1]).max(1e-9);
    let s = sx.min(sy);
    let at = move |p: LonLat| (10.0 + (p[0] - sw[0]) * kx * s, H - 10.0 - (p[1] - sw[1]) * s);
    let path = move |ring: &[LonLat]| ring.iter().map(|p| { let (x, y) = at(*p); format!("{x:.1},{y:.1}") }).collect::<Vec<_>>().join(" ");
    view! {
        <svg class="flood-drawing" viewBox=format!("0 0 {W} {H}") role="img" data-testid="flood-map"
            aria-label=bi("淹没区、楼栋、水位站和安置点", "Flood zones, buildings, gauges and shelters")>
            {b.zones.iter().map(|z| view! {
                <polygon class=if z.flooded { "zone flooded" } else { "zone" } points=path(&z.zone.area.0) data-testid=z.flooded.then_some("flooded-zone")>
                    <title>{format!("{} · {}", z.zone.name, metres(z.zone.flood_level_m))}</title>
                </polygon>
            }).collect_view()}
            {b.buildings.iter().map(|bd| {
                let h = &bd.headcount;
                let class = if h.households > 0 && h.returned > 0 { "bld b-home" } else if h.households == 0 { "bld b-none" } else if h.all_moved() { "bld b-all" } else if h.moved > 0 { "bld b-part" } else { "bld b-none" };
                view! {
                    <polygon class=class points=path(&bd.footprint.0) data-testid="flood-building">
                        <title>{format!("{} · {}", bd.address, pick(&format!("{} 人，已转移 {} 人", bd.people, h.moved), &format!("{} people, {} moved", bd.people, h.moved)))}</title>
                    </polygon>
                }
            }).collect_view()}
            {b.gauges.iter().filter(|g| inside([g.lon, g.lat])).map(|g| { let (x, y) = at([g.lon, g.lat]); view! {
                <circle class=format!("gauge sev-{}", g.stage.colour()) cx=x cy=y r="5"><title>{g.gauge.station.clone()}</title></circle>
            }}).collect_view()}
            {b.shelters.iter().filter(|sh| inside([sh.lon, sh.lat])).map(|sh| { let (x, y) = at([sh.lon, sh.lat]); view! {
                <rect class="shelter" x=x - 6.0 y=y - 6.0 width="12" height="12"><title>{sh.name.clone()}</title></rect>
                <text class="chart-label" x=x + 9.0 y=y + 4.0>{format!("{}/{}", sh.occupancy, sh.capacity)}</text>
            }}).collect_view()}
        </svg>
    }
    .into_any()
}
