//! The street's figures beside the cases': device health (设备在线率) and enterprise grade
//! changes (企业信用等级变动), each beside the previous period, its definition under it, and
//! the devices or gradings behind it one click away.

use crate::i18n::{bi, device_kind_en, pick};
use leptos::prelude::*;
use zhizhi_shared::device::DeviceKind;
use zhizhi_shared::kpi::{KpiReport, HEALTH_DEFINITIONS};

fn hours(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

fn kind_name(code: &str) -> String {
    DeviceKind::from_code(code).map_or_else(|| code.to_string(), |k| pick(k.name_zh(), device_kind_en(k)).to_string())
}

/// What a figure's definition says, under it.
fn definition(code: &str) -> impl IntoView + use<> {
    HEALTH_DEFINITIONS.iter().find(|d| d.0 == code).map(|(_, _, n, d)| view! {
        <p class="kpi-def dim">{bi("分子：", "Numerator: ")}{bi(n.0, n.1)}<br/>{bi("分母：", "Denominator: ")}{bi(d.0, d.1)}</p>
    })
}

pub(super) fn health_panel(r: &KpiReport) -> impl IntoView + use<> {
    let (d, p) = (r.health.devices.clone(), r.previous_health.devices.clone());
    let (g, pg) = (r.health.grades.clone(), r.previous_health.grades.clone());
    let show_devices = RwSignal::new(false);
    let show_grades = RwSignal::new(false);
    let device_value = d.value.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    let device_delta = d.value.zip(p.value).map(|(a, b)| {
        let x = a - b;
        let arrow = if x > 0.0 { "▲" } else if x < 0.0 { "▼" } else { "=" };
        let (better, worse) = (x > 0.0, x < 0.0);
        view! { <span class="delta" class:better=better class:worse=worse data-testid="delta">{format!("{arrow} {:.1}{}", x.abs(), pick("个百分点", " pts"))}</span> }
    });
    let device_ratio = if d.devices == 0 {
        pick("没有在网设备：设备接入并收到第一条消息后开始统计", "No device in service: counted once a device has sent its first message").to_string()
    } else {
        pick(
            &format!("在线 {} / 在网 {} 设备·小时 · {} 台在网，{} 台有离线", hours(d.online_minutes), hours(d.minutes), d.devices, d.offline_devices),
            &format!("online {} / in service {} device-hours · {} devices, {} went offline", hours(d.online_minutes), hours(d.minutes), d.devices, d.offline_devices),
        )
        .to_string()
    };
    let offline_rows = d.offline.iter().map(|x| view! {
        <tr data-testid="offline-device">
            <td><a href=format!("/devices/{}", x.id)>{x.code.clone()}</a></td>
            <td>{kind_name(&x.kind)}</td>
            <td>{pick(&format!("{} 小时", hours(x.minutes)), &format!("{} h", hours(x.minutes))).to_string()}</td>
            <td>{pick(&format!("{} 次", x.spells), &format!("{} times", x.spells)).to_string()}</td>
        </tr>
    }).collect_view();
    let more = (d.offline_devices > d.offline.len() as i64).then(|| pick(
        &format!("另有 {} 台未列出（按离线时长取前 {} 台）", d.offline_devices - d.offline.len() as i64, d.offline.len()),
        &format!("{} more not listed (the {} longest offline shown)", d.offline_devices - d.offline.len() as i64, d.offline.len()),
    ).to_string());
    let grade_rows = g.changes.iter().map(|c| {
        let dir = match c.direction() {
            1 => "up",
            -1 => "down",
            _ => "first",
        };
        let from = c.from.clone().unwrap_or_else(|| pick("初评", "first").to_string());
        view! {
            <tr data-testid="grade-change" data-direction=dir>
                <td><a href=format!("/enterprises/{}", c.enterprise_id)>{c.name.clone()}</a></td>
                <td class=format!("grade-move {dir}")>{format!("{from} → {}", c.to)}</td>
                <td>{zhizhi_shared::time::beijing_datetime(c.at)}</td>
                <td>{c.reason.clone()}</td>
            </tr>
        }
    }).collect_view();
    let grades_value = pick(&format!("升 {} · 降 {}", g.raised, g.lowered), &format!("up {} · down {}", g.raised, g.lowered)).to_string();
    let grades_before = pick(
        &format!("上期 升 {} · 降 {}", pg.raised, pg.lowered),
        &format!("last period up {} · down {}", pg.raised, pg.lowered),
    )
    .to_string();
    let grades_ratio = pick(&format!("共评级 {} 次（含初评）", g.gradings), &format!("{} gradings (first gradings included)", g.gradings)).to_string();
    let (no_offline, no_gradings) = (d.offline.is_empty(), g.changes.is_empty());
    view! {
        <section class="panel kpi-health" data-testid="kpi-health">
            <header class="section-head"><h3>{bi("设备与企业", "Devices and enterprises")}</h3><span class="dim">{bi("全街道", "Whole street")}</span></header>
            <div class="kpi-cards">
                <button class="kpi-card" data-testid="health-card" data-indicator="device_availability" disabled=no_offline
                    on:click=move |_| show_devices.update(|v| *v = !*v)>
                    <span class="kpi-name">{bi(HEALTH_DEFINITIONS[0].1.0, HEALTH_DEFINITIONS[0].1.1)}</span>
                    <strong class="kpi-value" data-testid="kpi-value">{device_value}</strong>
                    {device_delta}
                    <span class="kpi-ratio" data-testid="kpi-ratio">{device_ratio}</span>
                </button>
                <button class="kpi-card" data-testid="health-card" data-indicator="grade_changes" disabled=no_gradings
                    on:click=move |_| show_grades.update(|v| *v = !*v)>
                    <span class="kpi-name">{bi(HEALTH_DEFINITIONS[1].1.0, HEALTH_DEFINITIONS[1].1.1)}</span>
                    <strong class="kpi-value" data-testid="kpi-value">{grades_value}</strong>
                    <span class="delta">{grades_before}</span>
                    <span class="kpi-ratio" data-testid="kpi-ratio">{grades_ratio}</span>
                </button>
            </div>
            <div class="kpi-health-defs">{definition("device_availability")}{definition("grade_changes")}</div>
            <div class="table-scroll" data-testid="offline-devices" hidden=move || !show_devices.get()>
                <table class="kpi-table">
                    <caption>{bi("本期有离线的设备（离线最久的在前）", "Devices that went offline this period (longest first)")}</caption>
                    <thead><tr><th>{bi("设备编号", "Device")}</th><th>{bi("类型", "Kind")}</th><th>{bi("离线时长", "Offline")}</th><th>{bi("离线次数", "Spells")}</th></tr></thead>
                    <tbody>{offline_rows}</tbody>
                </table>
                {more.map(|m| view! { <p class="dim">{m}</p> })}
            </div>
            <div class="table-scroll" data-testid="grade-changes" hidden=move || !show_grades.get()>
                <table class="kpi-table">
                    <caption>{bi("本期企业信用评级（新的在前）", "Gradings this period (newest first)")}</caption>
                    <thead><tr><th>{bi("企业", "Business")}</th><th>{bi("等级", "Grade")}</th><th>{bi("时间", "When")}</th><th>{bi("理由", "Reason")}</th></tr></thead>
                    <tbody>{grade_rows}</tbody>
                </table>
            </div>
        </section>
    }
}
