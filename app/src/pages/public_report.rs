//! The public report form (`/r`): a resident tells the street office about a problem without an
//! account — what, where (an address, the phone's location, or a tap on the small map), up to
//! three photos, and a phone number for the call back. Before sending, open reports of the
//! same kind nearby are shown ("这里已有人报告：…"). The answer is a case number and a private
//! link to follow it (`/f/{token}`); the photos go up afterwards on the report's one-time
//! upload grant.

use crate::api::cases::{public_buildings, public_report};
use crate::api::error_text;
use crate::api::follow::check_place;
use crate::browser;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use zhizhi_shared::case::follow::nearby::PlaceCheck;
use zhizhi_shared::case::follow::{Receipt, MAX_REPORT_PHOTOS};
use zhizhi_shared::case::view::{BuildingRef, NewCase};
use zhizhi_shared::case::{CATEGORIES, GROUPS};
use zhizhi_shared::time::beijing_datetime;

mod pick_map;

/// The file input of the photos.
const PHOTOS_INPUT: &str = "public-photos";

/// Where the problem is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Place {
    None,
    Building(BuildingRef),
    /// A point (the phone's location or a tap on the map), with the nearest address if any.
    Point { lon: f64, lat: f64, address: Option<String> },
}

impl Place {
    fn lon_lat(&self) -> Option<(f64, f64)> {
        match self {
            Place::None => None,
            Place::Building(b) => Some((b.lon, b.lat)),
            Place::Point { lon, lat, .. } => Some((*lon, *lat)),
        }
    }

    fn label(&self) -> String {
        match self {
            Place::None => pick("输入门牌地址后从列表选择，或使用当前位置、在地图上点选", "Type the address and pick it, use your location, or tap the map").into(),
            Place::Building(b) => b.address.clone(),
            Place::Point { address: Some(a), lon, lat } => format!("{a} {} ({lon:.5}, {lat:.5})", pick("附近", "nearby")),
            Place::Point { address: None, lon, lat } => format!("{} ({lon:.5}, {lat:.5})", pick("所选位置", "The chosen point")),
        }
    }
}

/// The page at `/r`.
#[component]
pub fn PublicReportPage() -> impl IntoView {
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let place = RwSignal::new(Place::None);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let photos = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let locating = RwSignal::new(false);
    let progress = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let photo_error = RwSignal::new(None::<String>);
    let nearby = RwSignal::new(PlaceCheck::default());
    let done = RwSignal::new(None::<Receipt>);
    let found = Resource::new(move || query.get(), public_buildings);
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let category_field = NodeRef::<leptos::html::Select>::new();
    let description_field = NodeRef::<leptos::html::Textarea>::new();

    // A point is checked as soon as it is chosen (in the street? which address?), and the
    // place with the category for reports already open nearby.
    // The place and category last asked about: a point's own check already brought its
    // nearby reports, so the effect below does not ask again.
    let checked = RwSignal::new(None::<((f64, f64), String)>);
    let set_point = move |lon: f64, lat: f64| {
        error.set(None);
        spawn_local_scoped(async move {
            let cat = category.get_untracked();
            match check_place(lon, lat, cat.clone()).await {
                Ok(c) if !c.in_street => {
                    place.set(Place::None);
                    error.set(Some(pick("这个位置不在本街道范围内：请输入地址，或在地图上点选街道内的位置", "That point is outside the street: type the address, or tap a point inside the street").into()));
                }
                Ok(c) => {
                    checked.set(Some(((lon, lat), cat)));
                    place.set(Place::Point { lon, lat, address: c.address.clone() });
                    nearby.set(c);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    Effect::new(move |_| {
        let (at, cat) = (place.with(Place::lon_lat), category.get());
        let Some((lon, lat)) = at.filter(|_| !cat.is_empty()) else {
            nearby.set(PlaceCheck::default());
            return;
        };
        if checked.with_untracked(|c| c.as_ref().is_some_and(|(p, c)| *p == (lon, lat) && *c == cat)) {
            return;
        }
        checked.set(Some(((lon, lat), cat.clone())));
        spawn_local_scoped(async move {
            if let Ok(c) = check_place(lon, lat, cat).await {
                nearby.set(c);
            }
        });
    });
    let locate = move |_| {
        locating.set(true);
        error.set(None);
        spawn_local_scoped(async move {
            match browser::current_position().await {
                Ok((lon, lat)) => set_point(lon, lat),
                Err(e) => error.set(Some(pick(&format!("{e}。请输入地址或在地图上点选。"), &format!("{e}. Type the address or tap the map.")).to_string())),
            }
            locating.set(false);
        });
    };
    let on_photos = move |_| {
        let n = browser::chosen_files(PHOTOS_INPUT);
        photos.set(n);
        photo_error.set((n > MAX_REPORT_PHOTOS as u32).then(|| {
            pick(&format!("最多 {MAX_REPORT_PHOTOS} 张照片，只会上传前 {MAX_REPORT_PHOTOS} 张"), &format!("At most {MAX_REPORT_PHOTOS} photos: only the first {MAX_REPORT_PHOTOS} will be sent")).to_string()
        }));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut new = NewCase {
            category: category_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| category.get_untracked()),
            description: description_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| description.get_untracked()),
            reporter_name: name.get_untracked(),
            reporter_phone: phone.get_untracked(),
            ..Default::default()
        };
        match place.get_untracked() {
            Place::None => {
                error.set(Some(pick("请选择地点：输入地址后从列表选择，或使用当前位置、在地图上点选", "Choose the place: pick an address, use your location, or tap the map").into()));
                return;
            }
            Place::Building(b) => new.building_id = Some(b.id),
            // The server names the place by the nearest address.
            Place::Point { lon, lat, .. } => (new.lon, new.lat) = (Some(lon), Some(lat)),
        }
        busy.set(true);
        error.set(None);
        spawn_local_scoped(async move {
            match public_report(new).await {
                Ok(receipt) => {
                    // The report is stored: the photos follow on its upload grant. A photo that
                    // fails does not lose the report; the receipt says so.
                    let chosen = browser::chosen_files(PHOTOS_INPUT).min(MAX_REPORT_PHOTOS as u32);
                    if let (Some(grant), true) = (&receipt.upload, chosen > 0) {
                        progress.set(Some(pick(&format!("报告已收到，正在上传照片 0/{chosen}…"), &format!("Report received, sending photos 0/{chosen}…")).into()));
                        let url = format!("/api/v1/public/uploads/{grant}");
                        let shown = move |sent: u32, of: u32| {
                            progress.set(Some(pick(&format!("报告已收到，正在上传照片 {sent}/{of}…"), &format!("Report received, sending photos {sent}/{of}…")).into()));
                        };
                        if let Err(e) = browser::upload_files(&url, PHOTOS_INPUT, MAX_REPORT_PHOTOS as u32, shown).await {
                            photo_error.set(Some(pick(&format!("照片未能全部上传：{e}"), &format!("Not every photo was sent: {e}")).to_string()));
                        } else {
                            photo_error.set(None);
                        }
                        progress.set(None);
                    }
                    done.set(Some(receipt));
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let intro = || {
        bi(
            "发现井盖缺失、树木断枝、下水道堵塞、占道经营、噪声扰民等问题，告诉我们。紧急情况请拨打 110、119。",
            "Tell us about missing manhole covers, broken branches, blocked drains, street vending, noise…  In an emergency call 110 or 119.",
        )
    };
    view! {
        <div class="screen phone public">
            <header class="phone-top">
                <h1>{bi("智治 · 居民随手报", "Zhizhi · Report a problem")}</h1>
            </header>
            <main class="phone-main">
                {move || match done.get() {
                    Some(receipt) => view! {
                        <section class="panel receipt" data-testid="receipt">
                            <h2>{bi("已收到，谢谢您！", "Received, thank you!")}</h2>
                            <p>{bi("事件编号", "Case number")}" "<strong data-testid="receipt-number">{receipt.number}</strong></p>
                            {move || (photos.get() > 0 && photo_error.get().is_none()).then(|| {
                                let n = photos.get().min(MAX_REPORT_PHOTOS as u32);
                                view! { <p data-testid="receipt-photos">{pick(&format!("已附照片 {n} 张"), &format!("{n} photo(s) attached")).to_string()}</p> }
                            })}
                            {move || photo_error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="photo-error">{e}</p> })}
                            <a class="act big-button" data-testid="follow-link" href=format!("/f/{}", receipt.token)>{bi("查看办理进度", "Follow its progress")}</a>
                            <p class="note">{bi("请收藏这个进度链接：只有您能看到办理情况，办结后可以评价。街道指挥中心会尽快派人处理，并按您留的电话回访。紧急情况请直接拨打 110、119 或 12345。",
                                "Bookmark the progress link: only you can see how it goes, and you can rate the result when done. The street's command centre will send someone and call you back. In an emergency call 110, 119 or 12345.")}</p>
                            <a class="act" href="/r">{bi("再报一件", "Report another")}</a>
                        </section>
                    }.into_any(),
                    None => view! {
                        <form class="panel report-form" on:submit=submit data-testid="public-form" data-ready=move || ready.get().then_some("1")>
                            <p class="note">{intro()}</p>
                            <label>{bi("问题类别", "Category")}
                                <select data-testid="category" node_ref=category_field required
                                    on:change=move |e| category.set(event_target_value(&e))>
                                    <option value="">{bi("请选择", "Choose")}</option>
                                    {GROUPS.iter().map(|g| view! {
                                        <optgroup label=g.name_zh>
                                            {CATEGORIES
                                                .iter()
                                                .filter(|c| c.group == g.code)
                                                .map(|c| view! { <option value=c.code>{c.name_zh}</option> })
                                                .collect_view()}
                                        </optgroup>
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{bi("情况描述", "What is happening")}
                                <textarea data-testid="description" node_ref=description_field rows="3"
                                    prop:value=move || description.get() on:input=move |e| description.set(event_target_value(&e))></textarea>
                            </label>
                            <fieldset class="place">
                                <legend>{bi("地点", "Where")}</legend>
                                <p class="chosen-place" data-testid="chosen-place" class:chosen=move || place.with(|p| *p != Place::None)>
                                    {move || place.with(Place::label)}
                                </p>
                                <button type="button" class="act big-button locate" data-testid="locate" on:click=locate disabled=move || locating.get()>
                                    {move || if locating.get() { bi("正在定位…", "Locating…") } else { bi("使用我的当前位置", "Use my location") }}
                                </button>
                                <pick_map::PickMap place on_pick=set_point/>
                                <input type="search" data-testid="address" placeholder=bi("或输入门牌，如：磁南街27号", "Or type the address, as written in Chinese")
                                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                                <ul class="building-list">
                                    <Suspense fallback=|| ()>
                                        {move || found.get().map(|r| r.unwrap_or_default().into_iter().map(|b| {
                                            let b2 = b.clone();
                                            view! {
                                                <li>
                                                    <button type="button" class="building" data-testid="address-option"
                                                        on:click=move |_| place.set(Place::Building(b2.clone()))>{b.address.clone()}</button>
                                                </li>
                                            }
                                        }).collect_view())}
                                    </Suspense>
                                </ul>
                            </fieldset>
                            <NearbyReports nearby/>
                            // The file field itself is hidden behind a large target (its own button is small
                            // and speaks the browser's language).
                            <label class="photo-pick">
                                <span class="act big-button">{bi("拍照或从相册选择照片", "Take or choose photos")}</span>
                                <span class="note">{bi("最多 3 张，可不传", "Up to 3, optional")}</span>
                                <input type="file" class="file-hidden" id=PHOTOS_INPUT data-testid="photos" accept="image/jpeg,image/png,image/webp" multiple on:change=on_photos/>
                            </label>
                            {move || (photos.get() > 0).then(|| {
                                let n = photos.get();
                                view! { <p class="note" data-testid="photos-chosen">{pick(&format!("已选 {n} 张照片"), &format!("{n} photo(s) chosen")).to_string()}</p> }
                            })}
                            {move || photo_error.get().map(|e| view! { <p class="form-error" data-testid="photo-error">{e}</p> })}
                            <label>{bi("您的称呼（可不填）", "Your name (optional)")}
                                <input type="text" data-testid="name" prop:value=move || name.get()
                                    on:input=move |e| name.set(event_target_value(&e))/>
                            </label>
                            <label>{bi("手机号码（用于回访，不会公开）", "Mobile (for the call back, never shown)")}
                                <input type="tel" inputmode="numeric" data-testid="phone" prop:value=move || phone.get()
                                    on:input=move |e| phone.set(event_target_value(&e))/>
                            </label>
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="public-error">{e}</p> })}
                            {move || progress.get().map(|p| view! { <p class="progress" role="status" data-testid="upload-progress">{p}</p> })}
                            <button type="submit" class="primary big-button" data-testid="submit" disabled=move || busy.get()>
                                {bi("提交", "Send")}
                            </button>
                        </form>
                    }.into_any(),
                }}
            </main>
        </div>
    }
}

/// Open reports of the same kind near the chosen place: the resident may not need to report
/// it again (and may still send theirs).
#[component]
fn NearbyReports(nearby: RwSignal<PlaceCheck>) -> impl IntoView {
    move || {
        let reports = nearby.with(|n| n.reports.clone());
        (!reports.is_empty()).then(|| {
            view! {
                <section class="nearby" data-testid="nearby">
                    <h3>{bi("这里已有人报告：", "Already reported here:")}</h3>
                    <ul>
                        {reports.into_iter().map(|r| view! {
                            <li data-testid="nearby-report">
                                <strong>{pick(&r.category.0, &r.category.1).to_string()}</strong>
                                " · "{r.address}" · "{beijing_datetime(r.reported_at)}
                                <span class="stage">{pick(&r.now.0, &r.now.1).to_string()}</span>
                                <span class="dist">{pick(&format!("约 {} 米", r.metres), &format!("about {} m", r.metres)).to_string()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="note">{bi("如果是同一件事，工作人员已在处理，无需重复报告；情况不同或有新情况，请继续提交。", "If it is the same problem, staff are on it and you need not report it again; if it differs or there is news, send yours.")}</p>
                </section>
            }
        })
    }
}
