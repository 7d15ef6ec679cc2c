//! IoT screens: device health (`/iot`), the alarm list (`/alarms`), the device list
//! (`/devices`) and one device (`/devices/{id}`). No map: places are addresses, floors and
//! grids.

mod device;
mod manage;

pub use device::DevicePage;

use crate::api::iot::{get_alarms, get_devices, get_iot_health};
use crate::components::auth_gate::AuthGate;
use crate::components::nav::BottomNav;
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, device_kind_en, outcome_en, pick, tr, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::Urgency;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::iot::{AlarmView, DeviceQuery, DeviceView, FalseAlarmRate, OpenAlarm};
use zhizhi_shared::time::beijing_datetime;

fn when(t: Option<i64>) -> String {
    t.map(beijing_datetime).unwrap_or_else(|| "—".into())
}

fn kind_name(k: DeviceKind) -> String {
    pick(k.name_zh(), device_kind_en(k)).to_string()
}

/// The severity class of an alarm level: red, orange, yellow, blue.
fn level_pill(level: Urgency) -> impl IntoView {
    view! { <span class=format!("pill sev-{}", level.colour())>{bi(level.name_zh(), level.name_en())}</span> }
}

fn rule_name(rule: zhizhi_shared::iot::Rule) -> String {
    pick(rule.name_zh(), rule.name_en()).to_string()
}

/// The page frame shared by the IoT screens: a header with the section's tabs.
fn frame(me: Principal, title: (&'static str, &'static str), body: AnyView) -> impl IntoView {
    let tabs = [("/iot", "设备概况", "Health"), ("/alarms", "告警", "Alarms"), ("/devices", "设备", "Devices")];
    view! {
        <div class="screen page iot">
            <header class="phone-top">
                <a class="back" href="/">{bi("‹ 指挥中心", "‹ Centre")}</a>
                <h1>{bi(title.0, title.1)}</h1>
                <nav class="tabs">
                    {tabs
                        .into_iter()
                        .map(|(href, zh, en)| view! { <a class="tab" class:active=title.0 == zh href=href>{bi(zh, en)}</a> })
                        .collect_view()}
                </nav>
                <UserMenu me/>
            </header>
            <main class="page-main">{body}</main>
            <BottomNav/>
        </div>
    }
}

fn loading() -> impl IntoView {
    view! { <p class="state loading">{tr(Msg::Loading)}</p> }
}

fn failed(e: &ServerFnError) -> AnyView {
    view! { <p class="state error" role="alert">{crate::api::error_text(e)}</p> }.into_any()
}

/// `/iot`: online rates per kind, open alarms, low batteries, false-alarm rates.
#[component]
pub fn HealthPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| frame(me, ("设备概况", "Health"), view! { <Health/> }.into_any())/> }
}

#[component]
fn Health() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_iot_health());
    view! {
        <Suspense fallback=loading>
            {move || data.get().map(|r| match r {
                Err(e) => failed(&e),
                Ok(h) => {
                    let total: i64 = h.kinds.iter().map(|k| k.1).sum();
                    let online: i64 = h.kinds.iter().map(|k| k.2).sum();
                    view! {
                        <section class="kpis" data-testid="iot-kpis">
                            <div class="kpi"><b>{total}</b><span>{bi("在用设备（台）", "Devices in service")}</span></div>
                            <div class="kpi">
                                <b>{format!("{:.1}%", if total > 0 { online as f64 * 100.0 / total as f64 } else { 0.0 })}</b>
                                <span>{bi("在线率", "Online")}</span>
                            </div>
                            <div class="kpi sv-red">
                                <b><a href="/alarms" data-testid="open-alarms">{h.open_alarms}</a></b>
                                <span>{bi("未消除告警（条）", "Open alarms")}</span>
                            </div>
                            <div class="kpi sv-yellow"><b>{h.low_battery.len()}</b><span>{bi("低电量（台）", "Low battery")}</span></div>
                        </section>
                        <section class="panel">
                            <h2>{bi("各类设备在线情况", "Online by kind")}</h2>
                            <table class="data"><thead><tr>
                                <th>{bi("类型", "Kind")}</th><th>{bi("在用", "In service")}</th><th>{bi("在线", "Online")}</th>
                                <th>{bi("在线率", "Rate")}</th><th>{bi("未接入", "Never heard")}</th>
                            </tr></thead>
                            <tbody>{h.kinds.into_iter().map(|(k, n, on, never)| view! {
                                <tr><td><a href=format!("/devices?kind={}", k.code())>{kind_name(k)}</a></td><td>{n}</td><td>{on}</td>
                                <td>{if n > 0 { format!("{:.1}%", on as f64 * 100.0 / n as f64) } else { "—".into() }}</td><td>{never}</td></tr>
                            }).collect_view()}</tbody></table>
                        </section>
                        <section class="panel" data-testid="false-alarm-rates">
                            <h2>{bi("误报率（按规则）", "False alarms by rule")}</h2>
                            <RateTable rows=h.by_rule empty=pick("尚无已办结的告警。告警事件结案或误报结案后在此统计。", "No concluded alarms yet.").to_string()/>
                            <h2>{bi("误报最多的设备", "Devices with most false alarms")}</h2>
                            <RateTable rows=h.by_device empty=pick("没有误报记录。", "No false alarms.").to_string()/>
                        </section>
                        <section class="panel">
                            <h2>{bi("低电量设备", "Low batteries")}</h2>
                            <DeviceTable devices=h.low_battery empty=pick("没有低电量设备。", "No device is low on battery.").to_string()/>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn RateTable(rows: Vec<FalseAlarmRate>, empty: String) -> impl IntoView {
    if rows.iter().all(|r| r.concluded == 0) {
        return view! { <p class="note">{empty}</p> }.into_any();
    }
    view! {
        <table class="data"><thead><tr>
            <th>{bi("规则 / 设备", "Rule / device")}</th><th>{bi("已办结（条）", "Concluded")}</th>
            <th>{bi("误报（条）", "False")}</th><th>{bi("误报率", "Rate")}</th>
        </tr></thead>
        <tbody>{rows.into_iter().map(|r| view! {
            <tr><td>{format!("{} {}", r.name, if r.name == r.key { String::new() } else { r.key.clone() })}</td>
            <td>{r.concluded}</td><td>{r.false_alarms}</td>
            <td>{r.percent().map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into())}</td></tr>
        }).collect_view()}</tbody></table>
    }
    .into_any()
}

/// `/alarms`: open alarms first, or all, with their cases.
#[component]
pub fn AlarmsPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| frame(me, ("告警", "Alarms"), view! { <Alarms/> }.into_any())/> }
}

#[component]
fn Alarms() -> impl IntoView {
    let query = use_query_map();
    let all = move || query.with(|q| q.get("all").is_some());
    let data = Resource::new(all, |all| get_alarms(!all));
    view! {
        <div class="filters">
            <a class="act small" class:active=move || !all() href="/alarms">{bi("未消除", "Open")}</a>
            <a class="act small" class:active=all href="/alarms?all=1">{bi("全部", "All")}</a>
            <span class="sep"></span>
            <a class="act small" data-testid="export-alarms" download
                href=move || if all() { "/api/v1/alarms.xlsx" } else { "/api/v1/alarms.xlsx?open=true" }>{bi("导出 Excel", "Export Excel")}</a>
        </div>
        <Suspense fallback=loading>
            {move || data.get().map(|r| match r {
                Err(e) => failed(&e),
                Ok(list) if list.is_empty() => view! {
                    <p class="note" data-testid="no-alarms">
                        {bi("当前没有未消除的告警。设备上报异常后，告警会出现在这里并自动生成事件。", "No open alarms.")}
                    </p>
                }.into_any(),
                Ok(list) => view! { <AlarmTable alarms=list/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn AlarmTable(alarms: Vec<AlarmView>) -> impl IntoView {
    view! {
        <table class="data" data-testid="alarm-table"><thead><tr>
            <th>{bi("告警时间", "Raised")}</th><th>{bi("级别", "Level")}</th><th>{bi("规则", "Rule")}</th><th>{bi("设备", "Device")}</th>
            <th>{bi("位置", "Place")}</th><th>{bi("详情", "Detail")}</th><th>{bi("事件", "Case")}</th><th>{bi("状态", "State")}</th>
        </tr></thead>
        <tbody>{alarms.into_iter().map(|a| {
            let state = match (a.outcome, a.cleared_at) {
                (Some(o), _) => {
                    let note = if a.outcome_note.is_empty() { String::new() } else { format!("{}{}", pick("：", ": "), a.outcome_note) };
                    format!("{}{note}", pick(o.name_zh(), outcome_en(o)))
                }
                (None, Some(t)) => format!("{} {}", pick("已恢复", "Cleared"), beijing_datetime(t)),
                (None, None) => pick("告警中", "Active").to_string(),
            };
            view! {
                <tr class:active-alarm=a.cleared_at.is_none()>
                    <td>{beijing_datetime(a.raised_at)}</td><td>{level_pill(a.level)}</td><td>{rule_name(a.rule)}</td>
                    <td><a href=format!("/devices/{}", a.device_id)>{a.device_code}</a></td><td>{a.address}</td><td>{a.detail}</td>
                    <td>{match (a.case_id, a.case_number) {
                        (Some(id), Some(n)) => view! { <a href=format!("/cases/{id}")>{n}</a> }.into_any(),
                        _ => view! { <span class="note">{bi("不生成事件", "No case")}</span> }.into_any(),
                    }}</td>
                    <td>{state}</td>
                </tr>
            }
        }).collect_view()}</tbody></table>
    }
}

/// `/devices`: every device the user may see, by kind and state.
#[component]
pub fn DevicesPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| frame(me.clone(), ("设备", "Devices"), view! { <Devices me/> }.into_any())/> }
}

#[component]
fn Devices(me: Principal) -> impl IntoView {
    let admin = me.has(Role::Admin);
    let panel = RwSignal::new(None::<&'static str>);
    let toggle = move |which: &'static str| panel.update(|p| *p = if *p == Some(which) { None } else { Some(which) });
    let query = use_query_map();
    let q = move || {
        query.with(|m| DeviceQuery {
            kind: m.get("kind"),
            status: m.get("status"),
            q: m.get("q"),
            limit: Some(200),
            ..Default::default()
        })
    };
    let data = Resource::new(q, get_devices);
    let admin_bar = admin.then(|| view! {
        <div class="filters" data-testid="device-admin-bar">
            <button type="button" class="act primary" data-testid="device-new" on:click=move |_| toggle("new")>
                {bi("＋ 登记设备", "＋ Register a device")}
            </button>
            <button type="button" class="act" data-testid="device-import" on:click=move |_| toggle("import")>{bi("批量导入", "Import CSV")}</button>
        </div>
        {move || match panel.get() {
            Some("new") => view! {
                <manage::DeviceForm current=None saved=Callback::new(|id| crate::browser::go(&format!("/devices/{id}")))/>
            }.into_any(),
            Some(_) => view! { <manage::CsvImport done=Callback::new(move |_| data.refetch())/> }.into_any(),
            None => ().into_any(),
        }}
    });
    let kinds = [
        ("", "全部类型", "All kinds"),
        ("smoke_detector", "烟感", "Smoke"),
        ("door_sensor", "门磁", "Door"),
        ("camera", "摄像头", "Camera"),
        ("water_level_gauge", "水位计", "Gauge"),
    ];
    let states = [
        ("", "在用", "In service"),
        ("online", "在线", "Online"),
        ("offline", "离线", "Offline"),
        ("never", "未接入", "Never heard"),
        ("alarm", "告警中", "Alarming"),
        ("low_battery", "低电量", "Low battery"),
        ("retired", "已停用", "Retired"),
    ];
    let link = move |kind: Option<&str>, status: Option<&str>| {
        let cur = q();
        let k = kind.map(str::to_string).or(cur.kind).unwrap_or_default();
        let s = status.map(str::to_string).or(cur.status).unwrap_or_default();
        format!("/devices?kind={k}&status={s}")
    };
    view! {
        {admin_bar}
        <div class="filters" data-testid="device-filters">
            {kinds.into_iter().map(|(c, zh, en)| view! {
                <a class="act small" class:active=move || q().kind.unwrap_or_default() == c href=move || link(Some(c), None)>
                    {bi(zh, en)}
                </a>
            }).collect_view()}
            <span class="sep"></span>
            {states.into_iter().map(|(c, zh, en)| view! {
                <a class="act small" class:active=move || q().status.unwrap_or_default() == c href=move || link(None, Some(c))>
                    {bi(zh, en)}
                </a>
            }).collect_view()}
        </div>
        <form class="filters" method="get" action="/devices" data-testid="device-search">
            <input type="search" name="q" placeholder=bi("设备编号或地址，如：磁南街27号", "Device code or address") prop:value=move || q().q.unwrap_or_default()/>
            <input type="hidden" name="kind" prop:value=move || q().kind.unwrap_or_default()/>
            <input type="hidden" name="status" prop:value=move || q().status.unwrap_or_default()/>
            <button type="submit" class="act">{bi("查找", "Find")}</button>
            <a class="act" data-testid="export-devices" download href=move || {
                let cur = q();
                let enc = |v: Option<String>| v.map(|v| crate::pages::kpis::percent(&v)).unwrap_or_default();
                format!("/api/v1/devices.xlsx?kind={}&status={}&q={}", enc(cur.kind), enc(cur.status), enc(cur.q))
            }>{bi("导出 Excel", "Export Excel")}</a>
        </form>
        <Suspense fallback=loading>
            {move || data.get().map(|r| match r {
                Err(e) => failed(&e),
                Ok(list) => view! {
                    <p class="note" data-testid="device-count">
                        {pick(&format!("共 {} 台", list.total), &format!("{} devices", list.total)).to_string()}
                        {(list.total > list.devices.len()).then(|| pick("，显示前 200 台，请用筛选缩小范围",
                            "; the first 200 are shown, filter to narrow").to_string())}
                    </p>
                    <DeviceTable devices=list.devices empty=pick("没有符合条件的设备。", "No device matches.").to_string()/>
                }.into_any(),
            })}
        </Suspense>
    }
}

fn reading(d: &DeviceView) -> String {
    match (d.kind, d.value, d.last_open) {
        (DeviceKind::WaterLevelGauge, Some(v), _) => pick(&format!("{v:.2} 米"), &format!("{v:.2} m")).to_string(),
        (DeviceKind::SmokeDetector, Some(v), _) => format!("{v:.1} ℃"),
        (DeviceKind::DoorSensor, _, Some(t)) => format!("{} {}", pick("最近开门", "Last opened"), beijing_datetime(t)),
        _ => "—".into(),
    }
}

fn status(d: &DeviceView) -> AnyView {
    let alarms: Vec<OpenAlarm> = d.open_alarms.clone();
    let base = if d.retired {
        view! { <span class="pill muted">{bi("已停用", "Retired")}</span> }.into_any()
    } else if d.last_heard.is_none() {
        view! { <span class="pill muted">{bi("未接入", "Never heard")}</span> }.into_any()
    } else if d.online {
        view! { <span class="pill ok">{bi("在线", "Online")}</span> }.into_any()
    } else {
        view! { <span class="pill sev-yellow">{bi("离线", "Offline")}</span> }.into_any()
    };
    view! {
        {base}
        {alarms.into_iter().map(|a| view! { <span class=format!("pill sev-{}", a.level.colour())>{rule_name(a.rule)}</span> }).collect_view()}
    }
    .into_any()
}

#[component]
fn DeviceTable(devices: Vec<DeviceView>, empty: String) -> impl IntoView {
    if devices.is_empty() {
        return view! { <p class="note">{empty}</p> }.into_any();
    }
    view! {
        <table class="data" data-testid="device-table"><thead><tr>
            <th>{bi("编号", "Code")}</th><th>{bi("类型", "Kind")}</th><th>{bi("位置", "Place")}</th><th>{bi("网格", "Grid")}</th>
            <th>{bi("状态", "State")}</th><th>{bi("电量", "Battery")}</th><th>{bi("读数", "Reading")}</th><th>{bi("最近通信", "Last heard")}</th>
        </tr></thead>
        <tbody>{devices.into_iter().map(|d| view! {
            <tr>
                <td><a href=format!("/devices/{}", d.id)>{d.code.clone()}</a></td><td>{kind_name(d.kind)}</td>
                <td>{d.address.clone()}{d.resident.clone().map(|r| format!(" · {r}"))}</td><td>{d.grid_name.clone()}</td>
                <td>{status(&d)}</td><td>{d.battery.map(|b| format!("{b}%")).unwrap_or_else(|| "—".into())}</td>
                <td>{reading(&d)}</td><td>{when(d.last_heard)}</td>
            </tr>
        }).collect_view()}</tbody></table>
    }
    .into_any()
}
