//! Administering devices where they are listed: registering or changing one (its building,
//! floor, household and the resident it watches over, or a point for a device outdoors),
//! importing many from CSV, taking one out of service or back, issuing its secret, and the care
//! limit of the resident a door sensor watches over.

use crate::api::cases::find_buildings;
use crate::api::error_text;
use crate::api::iot::{import_devices, new_device_secret, retire_device, save_device, set_absence_hours};
use crate::api::map::get_building;
use crate::i18n::{bi, device_kind_en, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{DeviceView, NewDevice, DEFAULT_ABSENCE_HOURS, PROFILES};
use zhizhi_shared::map::HouseholdView;

/// A building's households floor by floor (residents masked), top floor first.
type Floors = Vec<(i32, Vec<HouseholdView>)>;

/// Loads the households of building `id` (the read of its residents is audited by the server);
/// says why in `error` when it cannot.
fn load_floors(id: i64, into: RwSignal<Floors>, error: RwSignal<Option<String>>) {
    // Picked here: the task below runs outside the component's context.
    let why = pick("无法读取该楼栋的楼层和住户：", "Cannot read the building's floors and households: ");
    spawn_local(async move {
        match get_building(id).await {
            Ok(b) => into.set(b.floor_list.into_iter().map(|f| (f.floor, f.households)).collect()),
            Err(e) => error.set(Some(format!("{why}{}", error_text(&e)))),
        }
    });
}

fn parse_opt<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.trim().parse().ok()
}

/// Registers a device (`current` = None) or changes one; calls `saved` with its id.
#[component]
pub fn DeviceForm(current: Option<DeviceView>, saved: Callback<i64>) -> impl IntoView {
    let editing = current.is_some();
    let c = current.clone();
    let code = RwSignal::new(c.as_ref().map(|d| d.code.clone()).unwrap_or_default());
    let kind = RwSignal::new(c.as_ref().map(|d| d.kind).unwrap_or(DeviceKind::SmokeDetector));
    let model = RwSignal::new(c.as_ref().map(|d| d.model.clone()).unwrap_or_default());
    let profile = RwSignal::new(c.as_ref().map(|d| d.profile_code.clone()).unwrap_or_default());
    let building = RwSignal::new(c.as_ref().and_then(|d| d.building_id.map(|b| (b, d.address.clone()))));
    let floor = RwSignal::new(c.as_ref().and_then(|d| d.floor));
    let household = RwSignal::new(c.as_ref().and_then(|d| d.household_id));
    let resident = RwSignal::new(c.as_ref().and_then(|d| d.resident_id));
    let outdoor = c.as_ref().is_some_and(|d| d.building_id.is_none());
    let lon = RwSignal::new(c.as_ref().filter(|_| outdoor).map(|d| format!("{:.6}", d.lon)).unwrap_or_default());
    let lat = RwSignal::new(c.as_ref().filter(|_| outdoor).map(|d| format!("{:.6}", d.lat)).unwrap_or_default());
    let query = RwSignal::new(String::new());
    let floors = RwSignal::new(Floors::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    Effect::new(move |_| {
        if let Some((id, _)) = building.get() {
            load_floors(id, floors, error);
        }
    });
    let buildings = Resource::new(move || query.get(), |q| async move { if q.trim().is_empty() { Ok(Vec::new()) } else { find_buildings(q, false).await } });
    let households = move || floors.with(|f| f.iter().find(|(n, _)| Some(*n) == floor.get()).map(|(_, h)| h.clone()).unwrap_or_default());
    let residents = move || households().into_iter().find(|h| Some(h.id) == household.get()).map(|h| h.residents).unwrap_or_default();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (lon_v, lat_v) = (parse_opt::<f64>(&lon.get_untracked()), parse_opt::<f64>(&lat.get_untracked()));
        let b = building.get_untracked().map(|(id, _)| id);
        if b.is_none() && (lon_v.is_none() || lat_v.is_none()) {
            error.set(Some(pick("请选择设备所在楼栋，或填写室外设备的经度和纬度（数字）", "Choose a building, or give longitude and latitude").into()));
            return;
        }
        let d = NewDevice {
            code: code.get_untracked(),
            kind: kind.get_untracked(),
            model: model.get_untracked(),
            profile: Some(profile.get_untracked()).filter(|p| !p.is_empty()),
            building_id: b,
            floor: b.and(floor.get_untracked()),
            household_id: b.and(household.get_untracked()),
            resident_id: b.and(resident.get_untracked()),
            lon: if b.is_none() { lon_v } else { None },
            lat: if b.is_none() { lat_v } else { None },
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match save_device(d).await {
                Ok(id) => saved.run(id),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="panel device-form grid-form" on:submit=submit data-testid="device-form" data-ready=move || ready.get().then_some("1")>
            <h2 class="wide">{if editing { bi("修改设备登记", "Change the device") } else { bi("登记新设备", "Register a device") }}</h2>
            <label>{bi("设备编号", "Code")}
                <input type="text" data-testid="device-code" required maxlength="32" placeholder=bi("如 YG-004001", "e.g. YG-004001") readonly=editing
                    prop:value=move || code.get() on:input=move |e| code.set(event_target_value(&e))/>
            </label>
            <label>{bi("设备类型", "Kind")}
                <select data-testid="device-kind" disabled=editing on:change=move |e| {
                    if let Some(k) = DeviceKind::from_code(&event_target_value(&e)) { kind.set(k); profile.set(String::new()); }
                }>
                    {DeviceKind::ALL.into_iter().map(|k| view! { <option value=k.code()
                        selected=move || kind.get() == k>{bi(k.name_zh(), device_kind_en(k))}</option> }).collect_view()}
                </select>
            </label>
            <label>{bi("型号", "Model")}
                <input type="text" data-testid="device-model" placeholder=bi("如 JTY-GD-H386", "e.g. JTY-GD-H386") prop:value=move || model.get()
                    on:input=move |e| model.set(event_target_value(&e))/>
            </label>
            <label>{bi("告警配置", "Profile")}
                <select data-testid="device-profile" on:change=move |e| profile.set(event_target_value(&e))>
                    <option value="" selected=move || profile.get().is_empty()>{bi("该类型的标准配置", "Standard for the kind")}</option>
                    {move || PROFILES.iter().filter(|p| p.kind == kind.get()).map(|p| {
                        let code = p.code;
                        view! { <option value=code selected=move || profile.get() == code>{p.name_zh}</option> }
                    }).collect_view()}
                </select>
            </label>
            <fieldset class="wide place">
                <legend>{bi("安装位置", "Place")}</legend>
                <p class="chosen-place" data-testid="device-building">{move || match building.get() {
                    Some((_, a)) => a,
                    None => pick("尚未选择楼栋（室外设备可只填经纬度）", "No building chosen (outdoor devices: give coordinates)").to_string(),
                }}</p>
                {move || building.get().is_some().then(|| view! {
                    <button type="button" class="act small" data-testid="device-building-clear" on:click=move |_| {
                        building.set(None);
                        (floors.set(Floors::new()), floor.set(None), household.set(None), resident.set(None));
                    }>{bi("不在楼内（室外设备）", "Outdoors, not in a building")}</button>
                })}
                <input type="search" data-testid="device-building-search" placeholder=bi("输入地址查找楼栋，如：磁南街27号", "Type an address to find the building")
                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                <ul class="building-list">
                    <Suspense fallback=|| ()>
                        {move || buildings.get().map(|r| match r {
                            Ok(list) => list.into_iter().take(12).map(|b| {
                                let (id, address) = (b.id, b.address.clone());
                                view! {
                                    <li><button type="button" class="building" data-testid="device-building-option" data-building-id=id
                                        class:chosen=move || building.get().is_some_and(|(x, _)| x == id)
                                        on:click=move |_| {
                                            building.set(Some((id, address.clone())));
                                            (floor.set(None), household.set(None), resident.set(None), query.set(String::new()));
                                        }>
                                        {b.address.clone()}<small>{pick(&format!(" {} · {} 层", b.name, b.floors),
                                            &format!(" {} · {} floors", b.name, b.floors)).to_string()}</small>
                                    </button></li>
                                }
                            }).collect_view().into_any(),
                            Err(e) => view! { <li class="form-error">{error_text(&e)}</li> }.into_any(),
                        })}
                    </Suspense>
                </ul>
                <div class="grid-form">
                    <label>{bi("楼层", "Floor")}
                        <select data-testid="device-floor" disabled=move || building.get().is_none() on:change=move |e| {
                            floor.set(parse_opt(&event_target_value(&e)));
                            (household.set(None), resident.set(None));
                        }>
                            <option value="" selected=move || floor.get().is_none()>{bi("不分楼层", "Whole building")}</option>
                            {move || floors.get().into_iter().map(|(n, _)| view! { <option value=n.to_string()
                                selected=move || floor.get() == Some(n)>{pick(&format!("{n} 层"),
                                    &format!("floor {n}")).to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{bi("住户", "Household")}
                        <select data-testid="device-household" disabled=move || floor.get().is_none() on:change=move |e| {
                            household.set(parse_opt(&event_target_value(&e)));
                            resident.set(None);
                        }>
                            <option value="" selected=move || household.get().is_none()>{bi("公共区域", "Common area")}</option>
                            {move || households().into_iter().map(|h| {
                                let id = h.id;
                                view! { <option value=id.to_string() selected=move || household.get() == Some(id)>{h.unit}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{bi("关爱对象", "Watches over")}
                        <select data-testid="device-resident" disabled=move || household.get().is_none() on:change=move |e| resident.set(parse_opt(&event_target_value(&e)))>
                            <option value="" selected=move || resident.get().is_none()>{bi("不关联居民", "Nobody")}</option>
                            {move || residents().into_iter().map(|r| {
                                let id = r.id;
                                let care = if r.tags.iter().any(|t| t == "elderly_alone") { pick("（独居老人）", " (elderly, alone)") } else { "" };
                                view! { <option value=id.to_string() selected=move || resident.get() == Some(id)>{format!("{} {}{care}", r.name, r.phone)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{bi("经度（室外设备）", "Longitude (outdoors)")}
                        <input type="text" inputmode="decimal" data-testid="device-lon" disabled=move || building.get().is_some() placeholder="106.4512" prop:value=move || lon.get() on:input=move |e| lon.set(event_target_value(&e))/>
                    </label>
                    <label>{bi("纬度（室外设备）", "Latitude (outdoors)")}
                        <input type="text" inputmode="decimal" data-testid="device-lat" disabled=move || building.get().is_some() placeholder="29.5812" prop:value=move || lat.get() on:input=move |e| lat.set(event_target_value(&e))/>
                    </label>
                </div>
                <p class="note">{bi(
                    "门磁关联「独居老人」后，超过设定时长（默认 24 小时）未开门即产生关爱告警。选择楼栋后经纬度取楼栋位置。",
                    "A door sensor watching over a resident living alone raises a care alarm after 24 h without an opening.",
                )}</p>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="form-error wide" role="alert" data-testid="device-error">{e}</p> })}
            <button type="submit" class="primary" data-testid="device-save" disabled=move || busy.get()>
                {move || if busy.get() { pick("正在保存…", "Saving…") } else if editing { pick("保存修改", "Save") } else { pick("登记", "Register") }}
            </button>
        </form>
    }
}

/// Many devices at once from a spreadsheet (.xlsx, .xls, .ods, uploaded as it is) or CSV
/// (pasted or read from a file); every bad row is named and nothing is stored unless all are
/// good.
#[component]
pub fn CsvImport(done: Callback<usize>) -> impl IntoView {
    const FILE_INPUT: &str = "device-import-file";
    let text = RwSignal::new(String::new());
    let workbook = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let ok = RwSignal::new(None::<usize>);
    let busy = RwSignal::new(false);
    let read_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = _ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files()).and_then(|f| f.get(0));
            if let Some(file) = file {
                if !file.name().to_lowercase().ends_with(".csv") {
                    // A workbook goes to the server as it is.
                    workbook.set(Some(file.name()));
                    return;
                }
                workbook.set(None);
                let unreadable = pick("无法读取该文件，请确认是 UTF-8 编码的 CSV", "Cannot read the file; is it a UTF-8 CSV?");
                spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                        Some(t) => text.set(t),
                        None => error.set(Some(unreadable.into())),
                    }
                });
            }
        }
    };
    let finished = move |result: Result<usize, String>| {
        match result {
            Ok(n) => {
                ok.set(Some(n));
                done.run(n);
            }
            Err(e) => error.set(Some(e)),
        }
        busy.set(false);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        (error.set(None), ok.set(None));
        spawn_local(async move {
            if workbook.get_untracked().is_some() {
                let answer = crate::browser::upload_file("/api/v1/devices/import?from=page", FILE_INPUT).await.and_then(|body| {
                    let v: serde_json::Value = serde_json::from_str(&body.unwrap_or_default()).map_err(|e| e.to_string())?;
                    Ok(v["imported"].as_u64().unwrap_or(0) as usize)
                });
                finished(answer);
            } else {
                finished(import_devices(text.get_untracked()).await.map_err(|e| error_text(&e)));
            }
        });
    };
    view! {
        <form class="panel csv-import" on:submit=submit data-testid="csv-import">
            <h2>{bi("批量导入设备", "Import devices")}</h2>
            <p class="note">{bi(
                "上传 Excel（.xlsx、.xls）、.ods 或 CSV：首行为列名，中文或英文均可（设备编号 code、设备类型 kind、型号 model、告警规则 profile、楼栋编号 building_id、楼层 floor、住户编号 household_id、居民编号 resident_id、经度 lon、纬度 lat）。\
                 设备类型填 烟感、门磁、摄像头、水位计；已有编号的设备按新内容更新。任何一行有误则整批不导入，并逐行说明原因。",
                "Upload Excel (.xlsx, .xls), .ods or CSV: the first row names the columns, in Chinese or English (code, kind, model, profile, building_id, floor, household_id, resident_id, lon, lat). \
                 kind is smoke_detector / door_sensor / camera / water_level_gauge; a device whose code exists is updated. If any row is wrong, nothing is imported and each wrong row is explained.",
            )}</p>
            <div class="row-actions">
                <a class="act" href="/api/v1/devices/template.xlsx" download data-testid="device-template">{bi("下载模板", "Download the template")}</a>
                <label class="act file-pick">{bi("选择表格文件…", "Choose a spreadsheet…")}
                    <input type="file" id=FILE_INPUT accept=".xlsx,.xls,.ods,.csv,text/csv" data-testid="csv-file" on:change=read_file/>
                </label>
                {move || workbook.get().map(|name| view! { <span class="hint" data-testid="device-workbook">{name}</span> })}
            </div>
            <textarea rows="6" data-testid="csv-text" placeholder="code,kind,model,profile,building_id,floor,household_id,resident_id,lon,lat"
                prop:value=move || text.get() on:input=move |e| { workbook.set(None); text.set(event_target_value(&e)) }></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="csv-error">{e}</p> })}
            {move || ok.get().map(|n| view! { <p class="form-ok" role="status" data-testid="csv-ok">{pick(&format!("已导入 {n} 台设备。"),
                &format!("{n} devices imported.")).to_string()}</p> })}
            <button type="submit" class="primary" data-testid="csv-submit" disabled=move || busy.get() || (text.get().trim().is_empty() && workbook.get().is_none())>
                {move || if busy.get() { pick("正在导入…", "Importing…") } else { pick("导入", "Import") }}
            </button>
        </form>
    }
}

/// The device page's administration: change, retire or restore, issue a secret; and the
/// care limit of the resident a door sensor watches over (command staff too).
///
/// `message` belongs to the page, so what was said survives the reload of the device that
/// follows every change.
#[component]
pub fn DeviceAdmin(me: Principal, device: DeviceView, changed: Callback<()>, message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let admin = me.has(Role::Admin);
    let editing = RwSignal::new(false);
    let confirm_retire = RwSignal::new(false);
    let secret = RwSignal::new(None::<String>);
    let (id, retired) = (device.id, device.retired);
    let care = device.absence_hours.zip(device.resident_id).filter(|_| admin || me.has(Role::Command));
    let hours = RwSignal::new(care.map(|(h, _)| h.to_string()).unwrap_or_default());
    let report = move |r: Result<(), ServerFnError>, done: &'static str| match r {
        Ok(()) => {
            message.set(Some((true, done.to_string())));
            changed.run(());
        }
        Err(e) => message.set(Some((false, error_text(&e)))),
    };
    let retire = move |_| {
        if !confirm_retire.get_untracked() && !retired {
            confirm_retire.set(true);
            return;
        }
        confirm_retire.set(false);
        let done = if retired {
            pick("已恢复启用。", "Back in service.")
        } else {
            pick("已停用：不再接收这台设备的消息，也不再产生告警。", "Retired: its messages are no longer received and it raises no alarms.")
        };
        spawn_local(async move { report(retire_device(id, !retired).await, done) });
    };
    let issue_secret = move |_| {
        message.set(None);
        spawn_local(async move {
            match new_device_secret(id).await {
                Ok(s) => secret.set(Some(s)),
                Err(e) => message.set(Some((false, error_text(&e)))),
            }
        })
    };
    let save_hours = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, resident)) = care else { return };
        let h = hours.get_untracked();
        let value = if h.trim().is_empty() { None } else {
            match parse_opt::<i64>(&h) {
                Some(v) => Some(v),
                None => return message.set(Some((false, pick("时长应为 1–168 之间的整数（小时）", "The limit is a whole number of hours, 1–168").into()))),
            }
        };
        let done = pick("已保存关爱告警时长。", "Care alarm limit saved.");
        spawn_local(async move { report(set_absence_hours(resident, value).await, done) });
    };
    let current = device.clone();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <section class="panel device-admin" data-testid="device-admin" data-ready=move || ready.get().then_some("1")>
            {admin.then(|| view! {
                <div class="filters">
                    <button type="button" class="act" data-testid="device-edit" on:click=move |_| editing.update(|e| *e = !*e)>{bi("修改登记", "Change")}</button>
                    <button type="button" class="act" data-testid="device-retire" class:danger=move || confirm_retire.get() on:click=retire>
                        {move || match (retired, confirm_retire.get()) {
                            (true, _) => pick("恢复启用", "Back in service"),
                            (false, true) => pick("确认停用？再点一次", "Click again to retire"),
                            (false, false) => pick("停用", "Retire"),
                        }}
                    </button>
                    <button type="button" class="act" data-testid="device-secret-issue" on:click=issue_secret>
                        {if device.has_secret { bi("重新生成设备密钥", "New device secret") } else { bi("生成设备密钥", "Issue a device secret") }}
                    </button>
                </div>
            })}
            {move || secret.get().map(|s| view! {
                <p class="form-ok" role="status">{bi("设备密钥（只显示这一次，旧密钥已失效）：", "Device secret (shown once):")}
                    <code data-testid="device-secret">{s}</code></p>
            })}
            {care.map(|_| view! {
                <form class="filters" on:submit=save_hours data-testid="care-hours">
                    <label>{bi("无开门关爱告警时长（小时）", "Hours without an opening before the care alarm")}
                        <input type="number" min="1" max="168" data-testid="care-hours-input" placeholder=DEFAULT_ABSENCE_HOURS.to_string()
                            prop:value=move || hours.get() on:input=move |e| hours.set(event_target_value(&e))/>
                    </label>
                    <button type="submit" class="act">{bi("保存时长", "Save")}</button>
                </form>
            })}
            {move || message.get().map(|(good, m)| {
                let class = if good { "form-ok" } else { "form-error" };
                view! { <p class=class role="status" data-testid="device-admin-message">{m}</p> }
            })}
            {move || editing.get().then(|| view! { <DeviceForm current=Some(current.clone()) saved=Callback::new(move |_| { editing.set(false); changed.run(()); })/> })}
        </section>
    }
}
