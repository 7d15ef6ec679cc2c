//! The KPI page's charts, drawn on the server: the trend (SVG) and the heat table (HTML).

use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::kpi::{KpiReport, Unit, DEFINITIONS};

/// The lines the trend chart starts with: three rates a coordinator watches.
const TREND_LINES: [&str; 3] = ["on_time_dispatch", "on_time_handling", "closure"];

/// Lines drawn at most at once (each in its own colour, none of the severity colours).
const TREND_MAX: usize = 4;

/// The trend: cases per day (or week) as bars, rates as lines over them (0–100 %), drawn as
/// SVG on the server so that it is there before the page is interactive. The coordinator
/// picks the rates (up to [`TREND_MAX`]); the chips are the legend.
pub(super) fn trend_chart(r: &KpiReport) -> impl IntoView + use<> {
    const W: f64 = 720.0;
    const H: f64 = 220.0;
    const L: f64 = 40.0;
    const R: f64 = 44.0;
    const T: f64 = 12.0;
    const B: f64 = 26.0;
    let n = r.trend.len();
    let slot = (W - L - R) / n as f64;
    let x = |i: usize| L + (i as f64 + 0.5) * slot;
    let most = r.trend.iter().map(|g| g.cases).max().unwrap_or(0).max(1);
    let y_cases = |c: i64| H - B - (c as f64 / most as f64) * (H - T - B);
    let y_rate = |v: f64| H - B - (v / 100.0) * (H - T - B);
    let bars = r.trend.iter().enumerate().map(|(i, g)| {
        let top = y_cases(g.cases);
        view! {
            <rect class="bar" x=format!("{:.1}", x(i) - slot * 0.35) y=format!("{top:.1}") width=format!("{:.1}", slot * 0.7) height=format!("{:.1}", H - B - top)>
                <title>{format!("{} · {}", g.key, pick(&format!("{} 件", g.cases), &format!("{} cases", g.cases)))}</title>
            </rect>
        }
    }).collect_view();
    // Every rate's path, computed once; the chosen ones are drawn.
    let paths: Vec<(&'static str, String)> = DEFINITIONS.iter().filter(|d| d.unit == Unit::Percent).map(|def| {
        // A gap where a day has no figure: the path starts again after it.
        let mut d = String::new();
        let mut pen_down = false;
        for (i, g) in r.trend.iter().enumerate() {
            match g.figures.iter().find(|f| f.indicator == def.indicator).and_then(|f| f.value) {
                Some(v) => {
                    d.push_str(&format!("{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y_rate(v)));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        (def.code, d)
    }).collect();
    let chosen = RwSignal::new(TREND_LINES.to_vec());
    let lines = move || chosen.get().into_iter().enumerate().filter_map(|(k, code)| {
        let d = paths.iter().find(|p| p.0 == code)?.1.clone();
        Some(view! { <path class=format!("line l{k}") d=d data-testid="trend-line" data-indicator=code/> })
    }).collect_view();
    let chips = DEFINITIONS.iter().filter(|d| d.unit == Unit::Percent).map(|def| {
        let code = def.code;
        let at = move || chosen.with(|c| c.iter().position(|x| *x == code));
        let flip = move |_| chosen.update(|c| match c.iter().position(|x| *x == code) {
            Some(i) => {
                c.remove(i);
            }
            None => {
                c.push(code);
                if c.len() > TREND_MAX {
                    c.remove(0);
                }
            }
        });
        view! {
            <li>
                <button type="button" class="chip trend-pick" class:on=move || at().is_some() aria-pressed=move || at().is_some().to_string()
                    data-testid="trend-pick" data-indicator=code on:click=flip>
                    <i class=move || format!("swatch l{}", at().unwrap_or(9))></i>{bi(def.name.0, def.name.1)}
                </button>
            </li>
        }
    }).collect_view();
    let every = n.div_ceil(10).max(1);
    let labels = r.trend.iter().enumerate().filter(|(i, _)| i % every == 0).map(|(i, g)| view! {
        <text class="axis" x=format!("{:.1}", x(i)) y=format!("{:.1}", H - 8.0) text-anchor="middle">{g.name.clone()}</text>
    }).collect_view();
    let grid = [0.0, 50.0, 100.0].map(|v| view! {
        <line class="grid" x1=L x2=W - R y1=y_rate(v) y2=y_rate(v)/>
        <text class="axis" x=L - 4.0 y=y_rate(v) + 4.0 text-anchor="end">{format!("{v:.0}%")}</text>
    }).collect_view();
    let most_label = pick(&format!("{most} 件"), &format!("{most} cases")).to_string();
    let unit = if r.period.to - r.period.from > 62 * 86_400_000 { pick("按周", "by week") } else { pick("按日", "by day") };
    view! {
        <section class="panel kpi-trend" data-testid="trend">
            <header class="section-head">
                <h3>{bi("趋势", "Trend")}<span class="dim">{format!(" · {unit}")}</span></h3>
                <ul class="legend">
                    <li><i class="swatch bar"></i>{bi("上报事件数", "Cases reported")}</li>
                </ul>
            </header>
            <ul class="legend trend-picks" aria-label=pick("趋势图显示的指标（最多 4 项）", "Rates the chart shows (up to 4)").to_string()>{chips}</ul>
            <svg class="trend-chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=pick("趋势图", "Trend chart").to_string()>
                {grid}
                <text class="axis" x=W - R + 4.0 y=T + 4.0>{most_label}</text>
                {bars}
                {lines}
                {labels}
            </svg>
        </section>
    }
}

/// The heat table: cases by category group (rows) and hour of the day (columns), the busier
/// the warmer.
pub(super) fn heat_table(r: &KpiReport) -> impl IntoView + use<> {
    let most = r.hours.iter().flat_map(|h| h.counts.iter().copied()).max().unwrap_or(0).max(1);
    let rows = r.hours.iter().map(|h| {
        let group = zhizhi_shared::case::category::group(&h.key).map(|g| pick(g.name_zh, g.name_en).to_string()).unwrap_or(h.name.clone());
        let cells = h.counts.iter().enumerate().map(|(hour, n)| {
            let heat = (*n as f64 / most as f64 * 10.0).ceil() as u8;
            view! {
                <td class=format!("heat h{heat}") title=format!("{group} · {hour}:00–{hour}:59 · {n}")>{(*n > 0).then(|| n.to_string())}</td>
            }
        }).collect_view();
        view! { <tr data-testid="heat-row" data-key=h.key.clone()><th scope="row">{group.clone()}</th>{cells}</tr> }
    }).collect_view();
    view! {
        <section class="panel kpi-heat" data-testid="heat">
            <header class="section-head"><h3>{bi("时段分布（事件大类 × 上报时刻）", "When cases come in (category × hour)")}</h3></header>
            <div class="table-scroll">
                <table class="heat-table">
                    <thead><tr><th></th>{(0..24).map(|h| view! { <th>{h}</th> }).collect_view()}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
