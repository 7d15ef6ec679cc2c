//! 人房企 (`/people`): one search across the street's residents, buildings and businesses — by
//! name, address, building, room, a phone or identity number whole, in part or as shown masked
//! (`138****1234`) — with the filters a grid worker and a coordinator use (care tags, age
//! bands, grid). Residents are masked and listed only in the grids the user may see (every
//! search audited); one resident is shown unmasked for a stated reason, audited too. A
//! building opens as its own page (`/people/buildings/{id}`): floors, households, residents,
//! devices and cases.

pub mod resident;

use crate::api::error_text;
use crate::api::map::get_building;
use crate::api::people::{find_people, reveal_resident};
use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::people::{AgeBand, CareTag, PeopleFound, PeopleQuery, ResidentHit, ResidentView};
use zhizhi_shared::place::Tenure;

/// `/people`
#[component]
pub fn PeoplePage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! {
        <div class="screen command">
            <TopBar me/>
            <SideNav/>
            <main class="people-main"><Search/></main>
        </div>
    }/> }
}

/// A tenure as the address carries it (`none` for not recorded).
fn tenure_param(t: Tenure) -> &'static str {
    if t == Tenure::Unknown { "none" } else { t.code() }
}

fn tenure_of(param: &str) -> Option<Tenure> {
    match param {
        "" => None,
        "none" => Some(Tenure::Unknown),
        p => Tenure::from_code(p),
    }
}

pub(crate) fn care_en(t: CareTag) -> &'static str {
    match t {
        CareTag::ElderlyAlone => "Elderly living alone",
        CareTag::LeftBehindChild => "Left-behind child",
        CareTag::Disabled => "Disabled",
        CareTag::Subsistence => "Subsistence allowance",
        CareTag::Veteran => "Veteran",
    }
}

#[component]
fn Search() -> impl IntoView {
    let query = use_query_map();
    // The search is in the address: it can be shared, reloaded and gone back to.
    let current = move || {
        query.with(|m| PeopleQuery {
            q: m.get("q").unwrap_or_default(),
            care: m.get("care").and_then(|c| CareTag::from_code(&c)),
            age: m.get("age").and_then(|a| AgeBand::from_code(&a)),
            grid_id: m.get("grid").and_then(|g| g.parse().ok()),
            tenure: m.get("tenure").and_then(|t| tenure_of(&t)),
        })
    };
    let found = Resource::new(current, find_people);
    // A filter's link: `None` keeps what the search has, `Some("")` clears it.
    let href = move |care: Option<&str>, age: Option<&str>, tenure: Option<&str>| {
        let cur = current();
        let care = care.map(str::to_string).unwrap_or_else(|| cur.care.map(|c| c.code().to_string()).unwrap_or_default());
        let age = age.map(str::to_string).unwrap_or_else(|| cur.age.map(|a| a.code().to_string()).unwrap_or_default());
        let tenure = tenure.map(str::to_string).unwrap_or_else(|| cur.tenure.map(|t| tenure_param(t).to_string()).unwrap_or_default());
        format!("/people?q={}&care={care}&age={age}&tenure={tenure}", crate::pages::kpis::percent(&cur.q))
    };
    view! {
        <section class="panel people-search">
            <h2>{bi("人房企查询", "People, houses and businesses")}</h2>
            <form class="filters" method="get" action="/people" data-testid="people-search">
                <input type="search" name="q" data-testid="people-q" prop:value=move || current().q
                    placeholder=bi("姓名、地址、楼栋、房号、电话或身份证号（可只输一部分，如 138****1234）", "Name, address, building, room, phone or ID (in part, or masked)")/>
                <input type="hidden" name="care" prop:value=move || current().care.map(|c| c.code()).unwrap_or_default()/>
                <input type="hidden" name="age" prop:value=move || current().age.map(|a| a.code()).unwrap_or_default()/>
                <input type="hidden" name="tenure" prop:value=move || current().tenure.map(tenure_param).unwrap_or_default()/>
                <button type="submit" class="act primary" data-testid="people-find">{bi("查询", "Search")}</button>
            </form>
            <div class="filters" data-testid="care-filters">
                <span class="note">{bi("关爱对象：", "In care: ")}</span>
                <a class="act small" class:active=move || current().care.is_none() href=move || href(Some(""), None, None)>{bi("不限", "Any")}</a>
                {CareTag::ALL.into_iter().map(|t| view! {
                    <a class="act small" class:active=move || current().care == Some(t) href=move || href(Some(t.code()), None, None)>{bi(t.name_zh(), care_en(t))}</a>
                }).collect_view()}
            </div>
            <div class="filters" data-testid="age-filters">
                <span class="note">{bi("年龄：", "Age: ")}</span>
                <a class="act small" class:active=move || current().age.is_none() href=move || href(None, Some(""), None)>{bi("不限", "Any")}</a>
                {AgeBand::ALL.into_iter().map(|a| {
                    let (zh, en) = a.name();
                    view! { <a class="act small" class:active=move || current().age == Some(a) href=move || href(None, Some(a.code()), None)>{bi(zh, en)}</a> }
                }).collect_view()}
            </div>
            <div class="filters" data-testid="tenure-filters">
                <span class="note">{bi("房屋：", "Home: ")}</span>
                <a class="act small" class:active=move || current().tenure.is_none() href=move || href(None, None, Some(""))>{bi("不限", "Any")}</a>
                {[Tenure::Rented, Tenure::Owned, Tenure::Unknown].into_iter().map(|t| {
                    let (zh, en) = t.name();
                    view! { <a class="act small" class:active=move || current().tenure == Some(t) href=move || href(None, None, Some(tenure_param(t)))>{bi(zh, en)}</a> }
                }).collect_view()}
            </div>
        </section>
        <Transition fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
            {move || found.get().map(|r| match r {
                Ok(f) => results(f).into_any(),
                Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
            })}
        </Transition>
    }
}

fn results(f: PeopleFound) -> impl IntoView {
    let residents = f.residents.len();
    let more_note = if f.more_residents { ("（仅显示前 200 人，请缩小范围）", " (the first 200: narrow the search)") } else { ("", "") };
    view! {
        <section class="panel" data-testid="people-residents">
            <h2>{bi("居民", "Residents")}<small class="note">{pick(
                &format!(" {residents} 人{}，信息已脱敏，本次查询已记入审计", more_note.0),
                &format!(" {residents}{}, masked; this search is in the audit log", more_note.1)).to_string()}</small></h2>
            {if !f.residents_shown {
                view! { <p class="note">{bi("您的岗位不查看居民信息。", "Your post does not see residents.")}</p> }.into_any()
            } else if f.residents.is_empty() {
                view! { <p class="empty">{bi("没有符合条件的居民。换个关键词，或去掉筛选条件。", "No resident matches. Try other words or fewer filters.")}</p> }.into_any()
            } else {
                resident_table(f.residents).into_any()
            }}
        </section>
        {(!f.buildings.is_empty()).then(|| view! {
            <section class="panel" data-testid="people-buildings">
                <h2>{bi("楼栋", "Buildings")}<small class="note">{format!(" {}", f.buildings.len())}</small></h2>
                <table class="data">
                    <thead><tr><th>{bi("楼栋", "Building")}</th><th>{bi("地址", "Address")}</th><th>{bi("网格", "Grid")}</th><th>{bi("户数", "Households")}</th><th>{bi("人数", "Residents")}</th></tr></thead>
                    <tbody>{f.buildings.into_iter().map(|b| view! {
                        <tr><td><a href=format!("/people/buildings/{}", b.id)>{b.name}</a></td><td>{b.address}</td><td>{b.grid}</td>
                            <td>{pick(&format!("{} 户", b.households), &format!("{}", b.households)).to_string()}</td>
                            <td>{pick(&format!("{} 人", b.residents), &format!("{}", b.residents)).to_string()}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </section>
        })}
        {(!f.enterprises.is_empty()).then(|| view! {
            <section class="panel" data-testid="people-enterprises">
                <h2>{bi("企业商户", "Businesses")}<small class="note">{format!(" {}", f.enterprises.len())}</small></h2>
                <table class="data">
                    <thead><tr><th>{bi("名称", "Name")}</th><th>{bi("行业", "Sector")}</th><th>{bi("信用等级", "Grade")}</th><th>{bi("地址", "Address")}</th></tr></thead>
                    <tbody>{f.enterprises.into_iter().map(|e| view! {
                        <tr><td><a href=format!("/enterprises/{}", e.id)>{e.name}</a></td><td>{e.sector}</td>
                            <td>{crate::pages::enterprises::grade_chip(e.grade)}</td><td>{e.address}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </section>
        })}
    }
}

/// Residents in a table, masked, each with the reveal.
pub(crate) fn resident_table(rows: Vec<ResidentHit>) -> impl IntoView {
    view! {
        <table class="data" data-testid="resident-table">
            <thead><tr><th>{bi("姓名", "Name")}</th><th>{bi("性别", "Sex")}</th><th>{bi("年龄", "Age")}</th><th>{bi("关爱标签", "Care")}</th>
                <th>{bi("联系电话", "Phone")}</th><th>{bi("身份证号", "ID number")}</th><th>{bi("住址", "Home")}</th><th></th></tr></thead>
            <tbody>{rows.into_iter().map(resident_row).collect_view()}</tbody>
        </table>
    }
}

/// One resident, masked, with the reveal: a reason, then the record unmasked in place.
fn resident_row(h: ResidentHit) -> impl IntoView {
    let shown = RwSignal::new(h.resident.clone());
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = h.resident.id;
    let reveal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            match reveal_resident(id, reason.get_untracked()).await {
                Ok(v) => {
                    shown.set(v);
                    asking.set(false);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let tags = |v: &ResidentView| v.care_tags.iter().map(|t| pick(t.name_zh(), care_en(*t)).to_string()).collect::<Vec<_>>().join(pick("、", ", "));
    let sex = |v: &ResidentView| if v.sex == "male" { pick("男", "M") } else { pick("女", "F") }.to_string();
    view! {
        <tr data-testid="resident-row" data-resident=id>
            <td class="resident-name"><a href=format!("/people/residents/{id}") data-testid="resident-link">{move || shown.get().name}</a></td>
            <td>{move || sex(&shown.get())}</td>
            <td>{pick(&format!("{} 岁", h.age), &format!("{}", h.age)).to_string()}</td>
            <td>{move || tags(&shown.get())}</td>
            <td class="phone">{move || shown.get().phone}</td>
            <td class="id-number">{move || shown.get().id_number}</td>
            <td><a href=format!("/people/buildings/{}", h.building_id)>{h.resident.address.clone()}</a>{" "}{h.resident.unit.clone()}</td>
            <td>{move || if !shown.get().masked {
                view! { <span class="note" data-testid="revealed">{bi("已显示（已审计）", "Shown (audited)")}</span> }.into_any()
            } else if asking.get() {
                view! {
                    <form class="reveal-form" on:submit=reveal>
                        <input data-testid="reveal-reason" required placeholder=bi("查看原因（至少 4 个字）", "Why (4+ characters)")
                            prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                        <button type="submit" class="act small" data-testid="reveal-confirm">{bi("显示", "Show")}</button>
                        {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
                    </form>
                }.into_any()
            } else {
                view! { <button type="button" class="act small" data-testid="reveal" on:click=move |_| asking.set(true)>{bi("查看完整信息", "Show in full")}</button> }.into_any()
            }}</td>
        </tr>
    }
}

/// `/people/buildings/{id}`: a building's floors, households and residents (masked), devices
/// and recent cases, as the map's building panel shows them, on a page of its own.
#[component]
pub fn BuildingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let detail = Resource::new(id, get_building);
    view! { <AuthGate page=move |me: Principal| view! {
        <div class="screen command">
            <TopBar me/>
            <SideNav/>
            <main class="people-main people-building">
                <p><a class="act small" href="/people">{bi("‹ 人房企查询", "‹ People search")}</a></p>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || detail.get().map(|r| crate::components::district_map::building_panel(r.map_err(|e| error_text(&e)), RwSignal::new(Some((id(), 0)))))}
                </Suspense>
            </main>
        </div>
    }/> }
}
