//! A device's page: where it is, its state and readings, its open alarms and their history,
//! its recent messages, and (for administrators) its registration.

use super::{failed, frame, kind_name, loading, manage, reading, status, when, AlarmTable};
use crate::components::auth_gate::AuthGate;
use crate::api::iot::get_device;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::time::beijing_datetime;

/// `/devices/{id}`: the device's state, alarms and newest messages.
#[component]
pub fn DevicePage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| frame(me.clone(), ("设备详情", "Device"), view! { <Device me/> }.into_any())/> }
}

#[component]
fn Device(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, get_device);
    let notice = RwSignal::new(None::<(bool, String)>);
    view! {
        <Suspense fallback=loading>
            {move || data.get().map(|r| match r {
                Err(e) => failed(&e),
                Ok(p) => {
                    let d = p.device;
                    let manage = (me.has(Role::Admin) || (me.has(Role::Command) && d.absence_hours.is_some())).then(|| {
                        view! { <manage::DeviceAdmin me=me.clone() device=d.clone() changed=Callback::new(move |_| data.refetch()) message=notice/> }
                    });
                    view! {
                        <section class="panel device-card" data-testid="device-card">
                            <h2>{format!("{} · {}", d.code, kind_name(d.kind))}</h2>
                            <dl class="facts">
                                <dt>{bi("状态", "State")}</dt><dd>{status(&d)}</dd>
                                <dt>{bi("位置", "Place")}</dt><dd>{d.address.clone()}</dd>
                                <dt>{bi("网格", "Grid")}</dt><dd>{d.grid_name.clone()}</dd>
                                {d.resident.clone().map(|r| view! { <dt>{bi("关爱对象", "Watches over")}</dt><dd>{r}</dd> })}
                                <dt>{bi("型号 / 配置", "Model / profile")}</dt><dd>{format!("{} · {}", d.model, d.profile)}</dd>
                                <dt>{bi("电量", "Battery")}</dt><dd>{d.battery.map(|b| format!("{b}%")).unwrap_or_else(|| "—".into())}</dd>
                                <dt>{bi("读数", "Reading")}</dt><dd>{reading(&d)}</dd>
                                <dt>{bi("最近通信", "Last heard")}</dt><dd>{when(d.last_heard)}</dd>
                                {d.absence_hours.map(|h| view! { <dt>{bi("关爱告警", "Care alarm")}</dt><dd
                                    data-testid="care-limit">{pick(&format!("{h} 小时未开门即告警"),
                                        &format!("alarm after {h} hours without the door opening")).to_string()}</dd> })}
                            </dl>
                        </section>
                        {manage}
                        <section class="panel">
                            <h2>{bi("告警记录", "Alarms")}</h2>
                            {if p.alarms.is_empty() {
                                view! { <p class="note">{bi("这台设备没有告警记录。", "No alarms.")}</p> }.into_any()
                            } else {
                                view! { <AlarmTable alarms=p.alarms/> }.into_any()
                            }}
                        </section>
                        <section class="panel">
                            <h2>{bi("最近消息", "Newest messages")}</h2>
                            {if p.messages.is_empty() {
                                view! { <p class="note">{bi("尚未收到这台设备的消息。", "No message received yet.")}</p> }.into_any()
                            } else {
                                view! {
                                    <table class="data" data-testid="message-table"><thead><tr>
                                        <th>{bi("设备时间", "Device time")}</th><th>{bi("接收时间", "Received")}</th>
                                        <th>{bi("类型", "Kind")}</th><th>{bi("内容", "Payload")}</th><th>msg_id</th>
                                    </tr></thead>
                                    <tbody>{p.messages.into_iter().map(|m| view! {
                                        <tr>
                                            <td>{beijing_datetime(m.ts)}</td><td>{beijing_datetime(m.received_at)}</td><td>{m.kind}</td>
                                            <td><code>{m.payload}</code></td><td><code>{m.msg_id}</code></td>
                                        </tr>
                                    }).collect_view()}</tbody></table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}
