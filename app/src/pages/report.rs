//! Reporting a case (`/report`): on the phone by a grid worker on patrol (category, words,
//! photo, place from the phone or picked from their grid's buildings), or at the desk by the
//! command centre taking a 12345 call.

use crate::api::cases::{find_buildings, report_case};
use crate::api::error_text;
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::nav::BottomNav;
use crate::components::outbox::{self, OutboxBar};
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{BuildingRef, NewCase};
use zhizhi_shared::case::{Source, CATEGORIES, GROUPS};

/// The page at `/report`.
#[component]
pub fn ReportPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <ReportForm me/> }/> }
}

/// Where the case is.
#[derive(Clone, Debug, PartialEq)]
enum Place {
    None,
    Building(BuildingRef),
    Here(f64, f64),
}

#[component]
fn ReportForm(me: Principal) -> impl IntoView {
    let grid_worker = me.has(Role::GridWorker) && !me.has(Role::Command);
    let username = me.username.clone();
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let place = RwSignal::new(Place::None);
    let query = RwSignal::new(String::new());
    let source = RwSignal::new(if grid_worker { "patrol".to_string() } else { "hotline".to_string() });
    let caller = RwSignal::new(String::new());
    let caller_phone = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<String>);
    let locating = RwSignal::new(false);
    let client_id = RwSignal::new(String::new());
    // The form is usable only once hydrated; a marker tells tests (and styles) when it is.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    // What was chosen or typed before the page hydrated is read from the fields themselves.
    let category_field = NodeRef::<leptos::html::Select>::new();
    let description_field = NodeRef::<leptos::html::Textarea>::new();
    // A grid worker sees their own grid's buildings; everyone else searches the street.
    let buildings = Resource::new(move || query.get(), move |q| find_buildings(q, grid_worker));

    let locate = move |_| {
        locating.set(true);
        error.set(None);
        // Scoped, so that the messages after the wait are picked in the page's language.
        spawn_local_scoped(async move {
            match browser::current_position().await {
                Ok((lon, lat)) => place.set(Place::Here(lon, lat)),
                Err(e) => error.set(Some(pick(&format!("{e}。请从下方列表选择楼栋。"), &format!("{e}. Pick the building from the list below.")).to_string())),
            }
            locating.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut new = NewCase {
            category: category_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| category.get_untracked()),
            description: description_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| description.get_untracked()),
            source: Source::from_code(&source.get_untracked()),
            reporter_name: caller.get_untracked(),
            reporter_phone: caller_phone.get_untracked(),
            ..Default::default()
        };
        if new.category.is_empty() {
            error.set(Some(pick("请选择事件类别", "Choose the kind of case").into()));
            return;
        }
        match place.get_untracked() {
            Place::Building(b) => new.building_id = Some(b.id),
            Place::Here(lon, lat) => (new.lon, new.lat) = (Some(lon), Some(lat)),
            Place::None => {
                error.set(Some(pick("请选择事件地点：点「使用当前位置」或从列表选择楼栋", "Choose the place: tap “Use my location” or pick a building from the list").into()));
                return;
            }
        }
        // One id for this report, however often it is sent: a retry after a lost answer, or
        // the outbox's send when the signal returns, makes it once.
        if client_id.get_untracked().is_empty() {
            client_id.set(outbox::new_client_id());
        }
        new.client_id = Some(client_id.get_untracked()).filter(|c| !c.is_empty());
        busy.set(true);
        error.set(None);
        progress.set(Some(pick("正在上报…", "Reporting…")));
        spawn_local_scoped(async move {
            let kept = new.clone();
            match report_case(new).await {
                Ok(d) => {
                    progress.set(Some(pick("正在上传照片…", "Uploading the photo…")));
                    let id = d.case.id;
                    if !outbox::online() {
                        // The signal went after the report: the photo waits on the phone.
                        let label = pick(&format!("{} · 照片", d.case.number), &format!("{} · photo", d.case.number)).to_string();
                        if outbox::queue_photo(id, "report-photo", &label).await.is_ok() {
                            browser::go("/m/tasks");
                            return;
                        }
                    }
                    if let Err(e) = browser::upload_photo(id, "report-photo").await {
                        // The case is stored; say so, and let the user add the photo on its page.
                        let n = &d.case.number;
                        let text = pick(&format!("事件已上报（{n}），但{e}。可在事件页重新上传。"),
                            &format!("Case {n} reported, but {e}. Upload it again on the case page."))
                            .to_string();
                        error.set(Some(text));
                        busy.set(false);
                        progress.set(None);
                        return;
                    }
                    browser::go(&format!("/cases/{id}"));
                }
                // No signal: the report (and its photo) waits on the phone.
                Err(e) if outbox::is_network_failure(&e) => {
                    let label = zhizhi_shared::case::category(&kept.category)
                        .map(|c| format!("{} · {}", pick("上报", "Report"), pick(c.name_zh, c.name_en)))
                        .unwrap_or_else(|| kept.category.clone());
                    match outbox::queue_report(&kept, "report-photo", &label).await {
                        Ok(()) => browser::go("/m/tasks"),
                        Err(m) => {
                            error.set(Some(m));
                            busy.set(false);
                            progress.set(None);
                        }
                    }
                }
                Err(e) => {
                    error.set(Some(error_text(&e)));
                    busy.set(false);
                    progress.set(None);
                }
            }
        });
    };

    view! {
        <div class="screen phone report-screen">
            <header class="phone-top">
                <a class="back" href=if grid_worker { "/m/tasks" } else { "/board" }>{bi("‹ 返回", "‹ Back")}</a>
                <h1>{bi("上报事件", "Report a case")}</h1>
                <UserMenu me/>
            </header>
            <main class="phone-main">
                {grid_worker.then(|| view! { <OutboxBar user=username.clone()/> })}
                <form class="panel report-form" on:submit=submit data-testid="report-form" data-ready=move || ready.get().then_some("1")>
                    <label>{bi("事件类别", "Category")}
                        <select data-testid="category" node_ref=category_field required on:change=move |e| category.set(event_target_value(&e))>
                            <option value="">{bi("请选择", "Choose")}</option>
                            {GROUPS.iter().map(|g| view! {
                                <optgroup label=g.name_zh>
                                    {CATEGORIES.iter().filter(|c| c.group == g.code).map(|c| view! {
                                        <option value=c.code>{c.name_zh}</option>
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{bi("情况描述", "What is happening")}
                        <textarea data-testid="description" node_ref=description_field rows="3" placeholder=bi("例如：行道树断枝悬挂在人行道上方，有坠落危险",
                            "e.g. a broken branch hangs over the pavement and may fall")
                            prop:value=move || description.get() on:input=move |e| description.set(event_target_value(&e))></textarea>
                    </label>
                    <fieldset class="place">
                        <legend>{bi("事件地点", "Place")}</legend>
                        <p class="chosen-place" data-testid="chosen-place">{move || match place.get() {
                            Place::None => pick("尚未选择", "Not chosen yet").to_string(),
                            Place::Building(b) => pick(&format!("{}（{} 层）", b.address, b.floors),
                                &format!("{} ({} floors)", b.address, b.floors)).to_string(),
                            Place::Here(lon, lat) => format!("{} {lon:.5}, {lat:.5}", pick("当前位置", "Here")),
                        }}</p>
                        <button type="button" class="act big" data-testid="locate" disabled=move || locating.get() on:click=locate>
                            {move || if locating.get() { pick("正在定位…", "Locating…") } else { pick("◎ 使用当前位置", "◎ Use my location") }}
                        </button>
                        <input type="search" data-testid="building-search" placeholder=if grid_worker { bi("在本网格楼栋中查找，如：27号",
                            "Search my grid's buildings, e.g. 27") } else { bi("输入地址查找楼栋，如：磁南街27号", "Type an address to find the building") }
                            prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                        <ul class="building-list" data-testid="building-list">
                            <Suspense fallback=|| ()>
                                {move || buildings.get().map(|r| match r {
                                    Ok(list) if list.is_empty() => view! { <li class="note">{bi("没有找到楼栋", "No building found")}</li> }.into_any(),
                                    Ok(list) => list.into_iter().take(40).map(|b| {
                                        let b2 = b.clone();
                                        let id = b.id;
                                        view! {
                                            <li><button type="button" class="building" data-testid="building"
                                                class:chosen=move || matches!(place.get(), Place::Building(ref x) if x.id == id)
                                                on:click=move |_| place.set(Place::Building(b2.clone()))>
                                                {b.address.clone()}<small>{format!(" {}", b.name)}</small>
                                            </button></li>
                                        }
                                    }).collect_view().into_any(),
                                    Err(e) => view! { <li class="form-error">{error_text(&e)}</li> }.into_any(),
                                })}
                            </Suspense>
                        </ul>
                    </fieldset>
                    <label class="photo-field">{bi("现场照片", "Photo")}
                        <input id="report-photo" type="file" accept="image/jpeg,image/png,image/webp" capture="environment" data-testid="photo"/>
                    </label>
                    {(!grid_worker).then(|| view! {
                        <fieldset class="caller">
                            <legend>{bi("来源与来电人", "Source and caller")}</legend>
                            <select data-testid="source" on:change=move |e| source.set(event_target_value(&e))>
                                {[Source::Hotline, Source::Resident, Source::District, Source::Patrol].into_iter().map(|s| view! {
                                    <option value=s.code() selected=s == Source::Hotline>{bi(s.name_zh(), s.name_en())}</option>
                                }).collect_view()}
                            </select>
                            <input type="text" placeholder=bi("来电人姓名", "Caller's name") prop:value=move || caller.get()
                                on:input=move |e| caller.set(event_target_value(&e))/>
                            <input type="tel" placeholder=bi("联系电话", "Phone") prop:value=move || caller_phone.get()
                                on:input=move |e| caller_phone.set(event_target_value(&e))/>
                            <p class="note">{bi("来电人信息仅脱敏显示。", "Caller details are shown masked.")}</p>
                        </fieldset>
                    })}
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="report-error">{e}</p> })}
                    <button type="submit" class="primary big-button" data-testid="submit" disabled=move || busy.get()>
                        {move || progress.get().unwrap_or_else(tr(Msg::PhoneReport))}
                    </button>
                </form>
            </main>
            <BottomNav/>
        </div>
    }
}
