//! The street's counts, each with its unit.

use zhizhi_shared::overview::StreetName;
use crate::format::count;
use crate::i18n::{bi, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::Summary;

/// Key figures of the street: geography, people, houses, enterprises and devices.
#[component]
pub fn SummaryPanel(summary: Summary, street: Option<StreetName>) -> impl IntoView {
    let rows = [
        // The unit of each count: a measure word in Chinese, nothing in English.
        (Msg::Communities, "communities", summary.communities, bi("个", "")),
        (Msg::Grids, "grids", summary.grids, bi("个", "")),
        (Msg::MicroGrids, "micro_grids", summary.micro_grids, bi("个", "")),
        (Msg::Buildings, "buildings", summary.buildings, bi("栋", "")),
        (Msg::Households, "households", summary.households, bi("户", "")),
        (Msg::Residents, "residents", summary.residents, bi("人", "")),
        (Msg::Enterprises, "enterprises", summary.enterprises, bi("家", "")),
        (Msg::Devices, "devices", summary.devices, bi("台", "")),
    ];
    let phe = summary.people_houses_enterprises();
    view! {
        <section class="panel summary-panel" aria-label=tr(Msg::StreetOverview)>
            <h2>{tr(Msg::StreetOverview)}</h2>
            {street.map(|s| view! {
                <p class="street-name" data-testid="street-name">{s.district}" · "<strong>{s.street}</strong></p>
            })}
            <div class="headline" data-testid="kpi-phe">
                <span class="label">{tr(Msg::PeopleHousesEnterprises)}</span>
                <span class="value">{count(phe)}</span>
                <span class="unit">{bi("条", "records")}</span>
            </div>
            <dl class="kpis">
                {rows.into_iter().map(|(msg, key, n, unit)| view! {
                    <div class="kpi" data-testid=format!("kpi-{key}")>
                        <dt>{tr(msg)}</dt>
                        <dd><span class="value">{count(n)}</span><span class="unit">{unit}</span></dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}
