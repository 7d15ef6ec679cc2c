//! The street's counts, each with its unit.

use crate::api::StreetName;
use crate::format::count;
use crate::i18n::{tr, use_lang, Lang, Msg};
use leptos::prelude::*;
use zhizhi_shared::Summary;

/// Key figures of the street: geography, people, houses, enterprises and devices.
#[component]
pub fn SummaryPanel(summary: Summary, street: Option<StreetName>) -> impl IntoView {
    let rows = [
        (Msg::Communities, "communities", summary.communities, "个"),
        (Msg::Grids, "grids", summary.grids, "个"),
        (Msg::MicroGrids, "micro_grids", summary.micro_grids, "个"),
        (Msg::Buildings, "buildings", summary.buildings, "栋"),
        (Msg::Households, "households", summary.households, "户"),
        (Msg::Residents, "residents", summary.residents, "人"),
        (Msg::Enterprises, "enterprises", summary.enterprises, "家"),
        (Msg::Devices, "devices", summary.devices, "台"),
    ];
    let lang = use_lang();
    let phe = summary.people_houses_enterprises();
    view! {
        <section class="panel summary-panel" aria-label="街道概况">
            <h2>{tr(Msg::StreetOverview)}</h2>
            {street.map(|s| view! {
                <p class="street-name" data-testid="street-name">{s.district}" · "<strong>{s.street}</strong></p>
            })}
            <div class="headline" data-testid="kpi-phe">
                <span class="label">{tr(Msg::PeopleHousesEnterprises)}</span>
                <span class="value">{count(phe)}</span>
                <span class="unit">{move || if lang.get() == Lang::Zh { "条" } else { "records" }}</span>
            </div>
            <dl class="kpis">
                {rows.into_iter().map(|(msg, key, n, unit)| view! {
                    <div class="kpi" data-testid=format!("kpi-{key}")>
                        <dt>{tr(msg)}</dt>
                        <dd><span class="value">{count(n)}</span><span class="unit">{move || if lang.get() == Lang::Zh { unit } else { "" }}</span></dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}
