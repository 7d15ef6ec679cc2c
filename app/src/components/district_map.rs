//! The district map (看图作战): MapLibre with the street's basemap, grids, buildings extruded
//! floor by floor, devices and open cases, following the live stream so that a new case
//! appears and glows without a reload. Clicking a building opens its floor stack; clicking a
//! case shows its card. Layer toggles and a search that flies to an address.
//!
//! On the server (and until the map has drawn) the children are shown instead: the command
//! screen passes its SVG schematic of the grid network.

use crate::api::error_text;
use crate::api::map::{get_building, search_map};
use crate::i18n::{bi, device_kind_en, pick};
use leptos::prelude::*;
use zhizhi_shared::case::view::CaseList;
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::map::{BuildingDetail, SearchHit};

/// What the map is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapMode {
    /// The command screen: tilted 3D, every layer, search.
    Command,
    /// A grid worker's phone: flat, their grid, their tasks with a way to get there.
    Phone,
    /// The KPI page's hot spots: the cases of a period as a heat layer, no live cases.
    Heat,
}

/// A case picked on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct PickedCase {
    pub id: i64,
    pub number: String,
    pub category: String,
    pub address: String,
    pub urgency: String,
    pub at: LonLat,
}

/// The map, filling its container. `id` names the container (one map per id on a page);
/// `fit` frames an area at start; `labels` are names drawn at points (the grids).
#[component]
pub fn DistrictMap(
    id: &'static str,
    mode: MapMode,
    #[prop(optional)] fit: Option<(LonLat, LonLat)>,
    #[prop(optional)] labels: Vec<(String, LonLat)>,
    /// Grids to frame at start (a grid worker's own).
    #[prop(optional)] focus_grids: Vec<i64>,
    /// The open cases, when the page has already read them (the live stream continues from
    /// their cursor); without them the map reads them through the same server function.
    #[prop(optional)] cases: Option<CaseList>,
    /// With [`MapMode::Heat`]: the points the heat layer draws, followed as they change.
    #[prop(optional)] heat: Option<Signal<Vec<LonLat>>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let ready = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let live = RwSignal::new(false);
    let selected = RwSignal::new(None::<(i64, i32)>);
    let detail = RwSignal::new(None::<Result<BuildingDetail, String>>);
    let picked = RwSignal::new(None::<PickedCase>);
    let node = NodeRef::<leptos::html::Div>::new();
    let started = StoredValue::new(false);
    #[cfg(not(feature = "hydrate"))]
    let _ = (&fit, &labels, &focus_grids, &cases, &heat);
    #[cfg(feature = "hydrate")]
    if let Some(heat) = heat {
        Effect::new(move |_| {
            let points = heat.get();
            if ready.get() {
                live_map::show_heat(id, &points);
            }
        });
    }
    Effect::new(move |_| {
        if node.get().is_some() && !started.get_value() {
            started.set_value(true);
            #[cfg(feature = "hydrate")]
            {
                let signals = live_map::Signals { ready, error, live, selected, picked };
                leptos::task::spawn_local(live_map::start(id, mode, fit, labels.clone(), focus_grids.clone(), cases.clone(), signals));
            }
        }
    });
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        crate::mapgl::drop_map(id);
    });
    // The building panel follows the selection.
    Effect::new(move |_| {
        let Some((b, _)) = selected.get() else {
            detail.set(None);
            return;
        };
        leptos::task::spawn_local(async move {
            let d = get_building(b).await.map_err(|e| error_text(&e));
            // A later click may have chosen another building meanwhile.
            if selected.get_untracked().is_some_and(|s| s.0 == b) {
                detail.set(Some(d));
            }
        });
    });
    let command = mode == MapMode::Command;
    view! {
        <div class="district-map" class:ready=move || ready.get() class:phone=mode == MapMode::Phone data-testid="district-map" data-map-id=id>
            <div class="map-canvas" id=id node_ref=node></div>
            <div class="map-fallback">{children.map(|c| c())}</div>
            {move || error.get().map(|e| view! { <p class="map-error" role="alert">{e}</p> })}
            <div class="map-tools">
                {command.then(|| view! { <MapSearch id selected/> })}
                <LayerToggles id heat=mode == MapMode::Heat/>
                <span class="live-dot" class:on=move || live.get() data-testid="map-live">{bi("实时", "Live")}</span>
            </div>
            <Legend heat=mode == MapMode::Heat/>
            {move || picked.get().map(|c| view! { <CaseCard c picked/> })}
            {move || detail.get().map(|d| view! { <BuildingPanel d selected/> })}
        </div>
    }
    .into_any()
}

/// The map's legend: the severity colours and device states, or on the hot-spot map (where
/// neither is drawn) the density scale.
#[component]
fn Legend(heat: bool) -> impl IntoView {
    if heat {
        return view! {
            <ul class="map-legend" aria-label=bi("图例", "Legend") data-testid="heat-legend">
                <li>{bi("事件密度：稀", "Case density: sparse")}</li>
                <li><i class="heat-scale"></i></li>
                <li>{bi("密", "dense")}</li>
            </ul>
        }
        .into_any();
    }
    view! {
        <ul class="map-legend" aria-label=bi("图例", "Legend")>
            <li><i class="dot u-red"></i>{bi("特急", "Critical")}</li>
            <li><i class="dot u-orange"></i>{bi("紧急", "Urgent")}</li>
            <li><i class="dot u-yellow"></i>{bi("较急", "Pressing")}</li>
            <li><i class="dot u-blue"></i>{bi("一般", "Normal")}</li>
            <li><i class="dot dev-online"></i>{bi("设备在线", "Device online")}</li>
            <li><i class="dot dev-offline"></i>{bi("离线", "Offline")}</li>
        </ul>
    }
    .into_any()
}

const TOGGLE_NAMES: [(&str, &str, &str); 4] =
    [("buildings", "楼栋", "Buildings"), ("grids", "网格", "Grids"), ("devices", "设备", "Devices"), ("cases", "事件", "Cases")];

/// The layer toggles (on the hot-spot map only those of layers it draws).
#[component]
fn LayerToggles(id: &'static str, heat: bool) -> impl IntoView {
    view! {
        <div class="layer-toggles" role="group" aria-label=bi("图层", "Layers")>
            {TOGGLE_NAMES.iter().filter(|t| !heat || t.0 == "grids").map(|&(key, zh, en)| {
                let on = RwSignal::new(true);
                let flip = move |_| {
                    on.update(|v| *v = !*v);
                    #[cfg(feature = "hydrate")]
                    live_map::show_group(id, key, on.get_untracked());
                    #[cfg(not(feature = "hydrate"))]
                    let _ = (id, key);
                };
                view! {
                    <button type="button" class="chip" class:on=move || on.get() aria-pressed=move || on.get().to_string()
                        data-testid=format!("layer-{key}") on:click=flip>{bi(zh, en)}</button>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn MapSearch(id: &'static str, selected: RwSignal<Option<(i64, i32)>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let hits = RwSignal::new(None::<Result<Vec<SearchHit>, String>>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = text.get_untracked();
        leptos::task::spawn_local(async move {
            hits.set(Some(search_map(q).await.map_err(|e| error_text(&e))));
        });
    };
    let go = move |h: SearchHit| {
        hits.set(None);
        #[cfg(feature = "hydrate")]
        live_map::fly(id, h.at, h.zoom);
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
        if h.kind == "building" {
            selected.set(Some((h.id, 1)));
        }
    };
    view! {
        <form class="map-search" role="search" on:submit=search>
            <input type="search" data-testid="map-search" placeholder=bi("搜索地址、楼栋、网格", "Address, building or grid")
                prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))/>
            <button type="submit" class="btn">{bi("搜索", "Search")}</button>
            {move || hits.get().map(|r| match r {
                Err(e) => view! { <p class="form-error">{e}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="search-empty">{bi("没有找到。试试门牌号，如「磁南街27号」。", "Nothing found. Try a street number.")}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="search-hits" data-testid="search-hits">
                        {list.into_iter().map(|h| {
                            let label = h.label.clone();
                            let detail = h.detail.clone();
                            view! { <li><button type="button" on:click=move |_| go(h.clone())><b>{label}</b>" "<span>{detail}</span></button></li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </form>
    }
    .into_any()
}

#[component]
fn CaseCard(c: PickedCase, picked: RwSignal<Option<PickedCase>>) -> impl IntoView {
    // 「前往」 hands the place to the phone's own navigation app.
    let geo = format!("geo:{:.6},{:.6}?q={:.6},{:.6}", c.at[1], c.at[0], c.at[1], c.at[0]);
    let sev = match c.urgency.as_str() {
        "critical" => "sv-red",
        "high" => "sv-orange",
        "medium" => "sv-yellow",
        _ => "sv-blue",
    };
    view! {
        <div class=format!("map-case-card case-card {sev}") data-testid="map-case-card">
            <button type="button" class="close" aria-label=bi("关闭", "Close") on:click=move |_| picked.set(None)>"×"</button>
            <div class="case-no">{c.number}</div>
            <div class="case-cat">{c.category}</div>
            <div class="case-addr">{c.address}</div>
            <div class="actions">
                <a class="btn primary" href=format!("/cases/{}", c.id)>{bi("查看详情", "Open")}</a>
                <a class="btn" href=geo data-testid="go-there">{bi("导航前往", "Go there")}</a>
            </div>
        </div>
    }
}

/// One floor in the stack: a button, and when open its households, residents and devices.
#[component]
fn FloorItem(f: zhizhi_shared::map::FloorView, open_floor: RwSignal<Option<i32>>) -> impl IntoView {
    let floor = f.floor;
    let alarm = f.devices.iter().any(|x| x.state == "alarm");
    let n_house = f.households.len();
    let n_dev = f.devices.len();
    let households = f.households;
    let devices = f.devices;
    view! {
        <li class="floor" class:alarm=alarm class:open=move || open_floor.get() == Some(floor) data-floor=floor>
            <button type="button" class="floor-head" on:click=move |_| open_floor.update(|o| *o = if *o == Some(floor) { None } else { Some(floor) })>
                <span class="floor-no">{format!("{floor}F")}</span>
                <span>{pick(&format!("{n_house} 户"), &format!("{n_house} households")).to_string()}</span>
                <span>{pick(&format!("设备 {n_dev} 台"), &format!("{n_dev} devices")).to_string()}</span>
                {alarm.then(|| view! { <span class="tag u-red">{bi("报警", "Alarm")}</span> })}
            </button>
            {move || (open_floor.get() == Some(floor)).then(|| view! {
                <div class="floor-body">
                    {households.iter().map(|h| view! {
                        <div class="household">
                            <b>{h.unit.clone()}</b>
                            {h.residents.iter().map(|r| view! {
                                <span class="resident-chip">{r.name.clone()}" "<span class="phone">{r.phone.clone()}</span>
                                    {r.tags.iter().any(|t| t == "elderly_alone").then(|| view! {
                                        <span class="tag tag-elderly_alone">{bi("独居老人", "Elderly, alone")}</span>
                                    })}
                                </span>
                            }).collect_view()}
                        </div>
                    }).collect_view()}
                    {devices.iter().map(|x| view! {
                        <a class=format!("device-chip st-{}", x.state) href=format!("/devices/{}", x.id)>
                            {x.code.clone()}" · "{bi(x.kind.name_zh(), device_kind_en(x.kind))}
                        </a>
                    }).collect_view()}
                    {(households.is_empty() && devices.is_empty()).then(|| view! { <p class="note">{bi("本层没有登记的住户和设备。",
                        "No households or devices are registered on this floor.")}</p> })}
                </div>
            }.into_any())}
        </li>
    }
    .into_any()
}

/// The building panel on its own (the 人房企 building page).
pub(crate) fn building_panel(d: Result<BuildingDetail, String>, selected: RwSignal<Option<(i64, i32)>>) -> AnyView {
    view! { <BuildingPanel d selected/> }.into_any()
}

/// A building's floors from the top down; a floor opens to its households and residents.
#[component]
fn BuildingPanel(d: Result<BuildingDetail, String>, selected: RwSignal<Option<(i64, i32)>>) -> impl IntoView {
    let close = move |_| selected.set(None);
    let d = match d {
        Ok(d) => d,
        Err(e) => {
            return view! { <aside class="building-panel" role="alert"><button class="close" on:click=close>"×"</button><p class="form-error">{e}</p></aside> }.into_any();
        }
    };
    let open_floor = RwSignal::new(selected.get_untracked().map(|s| s.1));
    let (usage, usage_en) = match d.usage.as_str() {
        "residential" => ("住宅", "residential"),
        "mixed" => ("商住", "mixed use"),
        "commercial" => ("商业", "commercial"),
        _ => ("公共建筑", "public building"),
    };
    let people: usize = d.floor_list.iter().flat_map(|f| &f.households).map(|h| h.residents.len()).sum();
    view! {
        <aside class="building-panel" data-testid="building-panel" aria-label=d.address.clone()>
            <header>
                <h3>{d.address.clone()}</h3>
                <button type="button" class="close" aria-label=bi("关闭", "Close") on:click=close>"×"</button>
            </header>
            <p class="building-meta">{pick(
                &format!("{} · {usage} · {} 层 · 层高 {:.1} 米", d.name, d.floors, d.floor_height_m),
                &format!("{} · {usage_en} · {} floors · {:.1} m each", d.name, d.floors, d.floor_height_m),
            ).to_string()}</p>
            <p class="building-meta">{pick(&format!("{} · 网格员 {}", d.micro_grid, d.grid_worker),
                &format!("{} · grid worker {}", d.micro_grid, d.grid_worker))
                .to_string()}</p>
            <p class="note">{if d.residents_shown {
                pick(&format!("住户 {people} 人，信息已脱敏；本次查看已记入审计。"), &format!("{people} residents, masked; this view is in the audit log."))
                    .to_string()
            } else {
                pick("您无权查看住户信息。", "You may not see the residents.").to_string()
            }}</p>
            <ol class="floor-stack" data-testid="floor-stack">
                {d.floor_list.into_iter().map(|f| view! { <FloorItem f open_floor/> }).collect_view()}
            </ol>
            {(!d.other_devices.is_empty()).then(|| view! {
                <p class="building-meta">{bi("其他设备：", "Other devices: ")}{d.other_devices.iter()
                    .map(|x| view! { <a class="device-chip" href=format!("/devices/{}", x.id)>{x.code.clone()}</a> }).collect_view()}</p>
            })}
            <h4>{bi("近期事件", "Recent cases")}</h4>
            {if d.cases.is_empty() {
                view! { <p class="note">{bi("这栋楼近期没有事件。", "No recent cases in this building.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="building-cases">
                        {d.cases.into_iter().map(|c| view! {
                            <li><a href=format!("/cases/{}", c.id)><span class=format!("dot u-{}", c.urgency.colour())></span>{c.number}" "{c.category}" · "{c.state}</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </aside>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
mod live_map;
