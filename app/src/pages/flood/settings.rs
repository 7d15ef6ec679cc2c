//! Setting flood control up (command staff and administrators): flood zones from a GeoJSON file
//! and shelters placed at a building.

use super::Flood;
use crate::api::cases::find_buildings;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use leptos::task::spawn_local;
use zhizhi_shared::case::view::BuildingRef;
use zhizhi_shared::flood::view::{FloodAction, NewShelter};

/// Zones from a GeoJSON file: checked whole, every bad feature named, nothing stored unless all
/// are right.
#[component]
pub fn ZoneImport(f: Flood) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let replace = RwSignal::new(false);
    let read_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = _ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files()).and_then(|f| f.get(0));
            if let Some(file) = file {
                spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                        Some(t) => text.set(t),
                        None => f.error.set(Some(pick("无法读取该文件", "Cannot read the file").into())),
                    }
                });
            }
        }
    };
    view! {
        <div class="panel flood-zones-import" data-testid="zone-import">
            <h3>{bi("导入淹没区（GeoJSON）", "Import flood zones (GeoJSON)")}</h3>
            <p class="hint">{bi(
                "FeatureCollection，每个 Polygon 带属性 name（名称）和 flood_level_m（淹没水位，米，吴淞高程）。整份文件检查无误才导入。",
                "A FeatureCollection; each Polygon with the properties name and flood_level_m (metres, Wusong datum). Stored only if every feature is right.",
            )}</p>
            <input type="file" accept=".geojson,.json,application/geo+json,application/json" data-testid="zone-file" on:change=read_file/>
            <label class="check"><input type="checkbox" prop:checked=move || replace.get() on:change=move |e| replace.set(event_target_checked(&e))/>
                {bi("替换现有淹没区", "Replace the zones there")}</label>
            <button class="btn" data-testid="zone-import-go" disabled=move || f.busy.get() || text.with(|t| t.is_empty())
                on:click=move |_| f.act(FloodAction::ImportZones { geojson: text.get_untracked(), replace: replace.get_untracked() }, move || text.set(String::new()))>
                {bi("导入", "Import")}
            </button>
        </div>
    }
}

/// A new shelter at a building found by its address.
#[component]
pub fn ShelterForm(f: Flood) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let capacity = RwSignal::new("50".to_string());
    let supplies = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<BuildingRef>::new());
    let chosen = RwSignal::new(None::<BuildingRef>);
    let search = move |_| {
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(list) = find_buildings(q, false).await {
                found.set(list.into_iter().take(6).collect());
            }
        });
    };
    let add = move |_| {
        let Some(b) = chosen.get_untracked() else {
            f.error.set(Some(pick("请先按地址选择安置点所在的楼栋", "Choose the shelter's building by its address first").into()));
            return;
        };
        let s = NewShelter {
            name: name.get_untracked(),
            address: b.address.clone(),
            lon: b.lon,
            lat: b.lat,
            capacity: capacity.get_untracked().trim().parse().unwrap_or(0),
            supplies: supplies.get_untracked(),
        };
        f.act(FloodAction::AddShelter(s), move || {
            name.set(String::new());
            chosen.set(None);
            found.set(Vec::new());
        });
    };
    view! {
        <div class="panel flood-shelter-form" data-testid="shelter-form">
            <h3>{bi("新增安置点", "Add a shelter")}</h3>
            <div class="row-actions">
                <input type="text" maxlength="40" data-testid="shelter-name" placeholder=bi("名称，如 磁器口中学安置点", "Name, e.g. the school shelter")
                    prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/>
                <label>{bi("容量", "Capacity")}<input type="number" min="1" data-testid="shelter-capacity" prop:value=move || capacity.get() on:input=move |e| capacity.set(event_target_value(&e))/>{bi("人", "people")}</label>
            </div>
            <input type="text" maxlength="500" data-testid="shelter-supplies" placeholder=bi("物资，如 折叠床 50 张、饮用水 30 箱", "Supplies, e.g. 50 camp beds, 30 cases of water")
                prop:value=move || supplies.get() on:input=move |e| supplies.set(event_target_value(&e))/>
            <div class="row-actions">
                <input type="text" data-testid="shelter-address" placeholder=bi("楼栋地址，如 磁南街27号", "The building's address")
                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                <button class="btn" data-testid="shelter-search" on:click=search>{bi("查找", "Find")}</button>
            </div>
            <ul class="search-hits">
                {move || found.get().into_iter().map(|b| {
                    let pick_it = b.clone();
                    view! { <li><button class="btn" data-testid="shelter-building" class:primary=move || chosen.with(|c| c.as_ref().map(|c| c.id)) == Some(b.id)
                        on:click=move |_| chosen.set(Some(pick_it.clone()))>{b.address.clone()}</button></li> }
                }).collect_view()}
            </ul>
            <button class="btn primary" data-testid="shelter-add" disabled=move || f.busy.get() on:click=add>{bi("新增安置点", "Add shelter")}</button>
        </div>
    }
}
