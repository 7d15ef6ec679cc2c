//! One resident's page (`/people/residents/{id}`): the resident masked (revealed in place for a
//! stated reason, audited), the others of their household, the devices watching over them, and
//! their building — floors, households, devices and recent cases — as the building's page
//! shows it. Opening the page is audited.

use crate::api::error_text;
use crate::api::map::get_building;
use crate::api::people::get_resident_page;
use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, device_kind_en, pick, tr, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::people::{CareDevice, ResidentPage as Page};

/// `/people/residents/{id}`
#[component]
pub fn ResidentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let page = Resource::new(id, get_resident_page);
    view! { <AuthGate page=move |me: Principal| view! {
        <div class="screen command">
            <TopBar me/>
            <SideNav/>
            <main class="people-main people-resident">
                <p><a class="act small" href="/people">{bi("‹ 人房企查询", "‹ People search")}</a></p>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || page.get().map(|r| match r {
                        Ok(p) => resident(p).into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }/> }
}

fn resident(p: Page) -> impl IntoView {
    let building_id = p.resident.building_id;
    let building = Resource::new(move || building_id, get_building);
    let home = format!("{} {}", p.resident.resident.address, p.resident.resident.unit);
    let floor = p.floor;
    let (tenure_zh, tenure_en) = p.tenure.name();
    let members = p.members.len();
    let mut rows = vec![p.resident];
    rows.extend(p.members);
    view! {
        <section class="panel" data-testid="resident-household">
            <h2>{home}<small class="note" data-testid="resident-home-note">{pick(
                &format!(" {floor} 层 · 房屋{tenure_zh} · 本户 {} 人 · 信息已脱敏，查看已记入审计", members + 1),
                &format!(" floor {floor} · {} · {} in the household · masked; this view is in the audit log", tenure_en.to_lowercase(), members + 1)).to_string()}</small></h2>
            {crate::pages::people::resident_table(rows)}
        </section>
        <section class="panel" data-testid="resident-devices">
            <h2>{bi("守护设备", "Devices watching over them")}</h2>
            {if p.devices.is_empty() {
                view! { <p class="empty">{bi("本户还没有设备。独居老人可在「物联感知」为其登记门磁，超时未开门即告警。", "No device in this home. For an elderly person living alone, register a door sensor under IoT: no opening within the limit raises an alarm.")}</p> }.into_any()
            } else {
                view! {
                    <table class="data">
                        <thead><tr><th>{bi("编号", "Code")}</th><th>{bi("类型", "Kind")}</th><th>{bi("型号", "Model")}</th><th>{bi("守护", "Watches")}</th><th>{bi("状态", "Status")}</th></tr></thead>
                        <tbody>{p.devices.into_iter().map(device_row).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <Suspense fallback=|| ()>
            {move || building.get().map(|r| crate::components::district_map::building_panel(r.map_err(|e| error_text(&e)), RwSignal::new(Some((building_id, 0)))))}
        </Suspense>
    }
}

fn device_row(d: CareDevice) -> impl IntoView {
    view! {
        <tr data-testid="care-device">
            <td><a href=format!("/devices/{}", d.id)>{d.code}</a></td>
            <td>{pick(d.kind.name_zh(), device_kind_en(d.kind))}</td>
            <td>{d.model}</td>
            <td>{if d.for_resident { bi("本人", "This resident") } else { bi("本户", "The household") }}</td>
            <td>{if d.retired { bi("已停用", "Retired") } else { bi("在用", "In service") }}</td>
        </tr>
    }
}
