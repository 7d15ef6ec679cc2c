//! A grid worker's own grid on the phone: the residents they look after, masked.

use crate::api::get_my_grid_residents;
use zhizhi_shared::people::ResidentRow;
use crate::components::auth_gate::AuthGate;
use crate::components::district_map::{DistrictMap, MapMode};
use crate::components::nav::BottomNav;
use crate::components::outbox::OutboxBar;
use crate::components::user_menu::UserMenu;
use crate::format::count;
use crate::i18n::{bi, care_tag_en, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::people::CareTag;

/// The page at `/my-grid`.
#[component]
pub fn MyGridPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <MyGrid me/> }/> }
}

#[component]
fn MyGrid(me: Principal) -> impl IntoView {
    let no_grid = me.grid_ids.is_empty();
    let my_grids = me.grid_ids.clone();
    let exports = me.grid_ids.clone();
    let username = me.username.clone();
    let residents = Resource::new(|| (), |_| get_my_grid_residents());
    view! {
        <div class="screen phone">
            <header class="phone-top">
                <h1>{tr(Msg::MyGrid)}</h1>
                <UserMenu me/>
            </header>
            <main class="phone-main">
                <OutboxBar user=username/>
                {no_grid.then(|| view! { <p class="state empty">{tr(Msg::NoGrid)}</p> })}
                {(!no_grid).then(|| view! {
                    <a class="btn big-button" href="/flood" data-testid="flood-link">{crate::i18n::bi("防汛转移名单 →", "Flood evacuation list →")}</a>
                    {exports.iter().map(|&g| view! {
                        <a class="btn big-button" data-testid="export-residents" href=format!("/api/v1/grids/{g}/residents.xlsx") download>
                            {bi("导出本网格居民（Excel，已脱敏）", "Export my grid's residents (Excel, masked)")}
                        </a>
                        <PlainExport grid=g/>
                    }).collect_view()}
                    <section class="panel phone-map">
                        <h2>{crate::i18n::bi("网格地图 · 我的任务", "My grid and tasks")}</h2>
                        <DistrictMap id="phone-map" mode=MapMode::Phone focus_grids=my_grids.clone()/>
                    </section>
                })}
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || residents.get().map(|r| match r {
                        Ok(rows) => resident_list(rows).into_any(),
                        Err(_) => view! { <p class="state error" role="alert">{tr(Msg::LoadFailed)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}

/// The grid's residents unmasked, for a stated reason: the link appears once the reason is
/// long enough; the server audits the export with the reason and its row count.
#[component]
fn PlainExport(grid: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let ready = move || reason.get().trim().chars().count() >= 4;
    let href = move || format!("/api/v1/grids/{grid}/residents.xlsx?reason={}", crate::format::query_value(reason.get().trim()));
    view! {
        <button type="button" class="btn big-button" data-testid="export-plain-toggle" aria-expanded=move || if open.get() { "true" } else { "false" }
            on:click=move |_| open.update(|o| *o = !*o)>{bi("明文导出（需说明原因）", "Export unmasked (state why)")}</button>
        <Show when=move || open.get()>
            <div class="panel plain-export">
                <label class="field"><span>{bi("导出原因（至少 4 个字，记入审计日志）", "Why (at least 4 characters; kept in the audit log)")}</span>
                    <input type="text" data-testid="export-reason" placeholder=bi("如：入户走访核对联系电话", "e.g. checking phone numbers on home visits")
                        prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/></label>
                {move || if ready() {
                    view! { <a class="btn big-button primary" data-testid="export-plain" href=href() download>{bi("下载明文名单", "Download the unmasked list")}</a> }.into_any()
                } else {
                    view! { <button type="button" class="btn big-button" disabled>{bi("请先填写原因", "State the reason first")}</button> }.into_any()
                }}
            </div>
        </Show>
    }
}

/// How many residents the phone list shows at once.
const SHOWN: usize = 200;

fn resident_list(rows: Vec<ResidentRow>) -> impl IntoView {
    let in_care = rows.iter().filter(|r| r.care_tags.contains(&CareTag::ElderlyAlone)).count();
    let total = rows.len();
    // Elderly people living alone first, then everyone else in care: they are who a grid
    // worker visits.
    let mut rows = rows;
    rows.sort_by_key(|r| (!r.care_tags.contains(&CareTag::ElderlyAlone), r.care_tags.is_empty(), r.address.clone(), r.unit.clone()));
    view! {
        <section class="panel">
            <h2>{tr(Msg::MyGridResidents)}</h2>
            <div class="kpis">
                <div class="kpi" data-testid="my-grid-total"><dt>{tr(Msg::Residents)}</dt><dd><span class="value">{count(total as i64)}</span>
                    <span class="unit">{bi("人", "")}</span></dd></div>
                <div class="kpi" data-testid="my-grid-care"><dt>{tr(Msg::CareCount)}</dt>
                    <dd><span class="value sev-orange">{count(in_care as i64)}</span><span class="unit">{bi("人", "")}</span></dd></div>
            </div>
            <p class="note">{tr(Msg::MaskedNote)}</p>
            {(total > SHOWN).then(|| view! { <p class="note">{pick(&format!("按关爱优先排序，显示前 {SHOWN} 人（共 {} 人）", count(total as i64)),
                &format!("People in care first; the first {SHOWN} of {} shown", count(total as i64)))
                .to_string()}</p> })}
            <ul class="resident-list" data-testid="resident-list">
                {rows.into_iter().take(SHOWN).map(|r| view! {
                    <li class="resident">
                        <div class="resident-head">
                            <span class="resident-name">{r.name}</span>
                            <span class="resident-year">{pick(&format!("{}年生", r.birth_year), &format!("born {}", r.birth_year)).to_string()}</span>
                            {r.care_tags.iter()
                                .map(|t| view! { <span class=format!("tag tag-{}", t.code())>{bi(t.name_zh(), care_tag_en(*t))}</span> })
                                .collect_view()}
                        </div>
                        <div class="resident-place">{r.address}" "{r.unit}" · "<span class="phone">{r.phone}</span></div>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
