//! Flood control (`/flood`): on the command screen the gauges with their 72 hours and lines,
//! the level the river suggests and its confirmation (the flood plan at that level), the flood
//! zones on a flat map at a chosen level, the live head count, the evacuation list (vulnerable
//! first, ground floors first), shelters and checkpoints; on a grid worker's phone the
//! households of their grids to move, each marked in a tap or two. Every change arrives as a
//! `flood` event on the live stream and the board is read again.

use crate::api::error_text;
use crate::api::flood::{flood_act, get_flood};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::short_time;
use crate::components::nav::{BottomNav, SideNav};
use crate::components::top_bar::TopBar;
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::flood::view::{FloodAction, FloodBoard, GaugeView, LevelSource};
use zhizhi_shared::flood::Headcount;
use zhizhi_shared::plan::Level;

mod evacuation;
mod map;
mod settings;

/// The page at `/flood`.
#[component]
pub fn FloodPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <FloodScreen me/> }/> }
}

#[component]
fn FloodScreen(me: Principal) -> impl IntoView {
    let data = Resource::new(|| (), |_| get_flood(None));
    let phone = !me.has(Role::Command) && me.has(Role::GridWorker);
    view! {
        <div class=if phone { "screen phone" } else { "screen command" }>
            {if phone {
                view! { <header class="phone-top"><h1>{bi("防汛转移", "Flood evacuation")}</h1><UserMenu me=me.clone()/></header> }.into_any()
            } else {
                view! { <TopBar me=me.clone()/><SideNav/> }.into_any()
            }}
            <main class=if phone { "phone-main flood-phone" } else { "flood-main" }>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(b) => view! { <LiveFlood me=me.clone() board=b/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            {phone.then(|| view! { <BottomNav/> })}
        </div>
    }
}

/// The board as it stands, the level it is drawn for (chosen by the user, or the server's), an
/// action's error.
#[derive(Clone, Copy)]
pub(crate) struct Flood {
    pub board: RwSignal<FloodBoard>,
    pub chosen: RwSignal<Option<f64>>,
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// What waits on the phone to be sent (no signal when it was marked).
    pub queued: RwSignal<Option<String>>,
}

impl Flood {
    /// Reads the board again (after a `flood` event, or a level chosen).
    pub fn reload(self) {
        let level = self.chosen.get_untracked();
        spawn_local(async move {
            if let Ok(b) = get_flood(level).await {
                self.board.set(b);
            }
        });
    }

    /// Sends an action; the board comes back with it, or the error is shown.
    pub fn act(self, action: FloodAction, done: impl FnOnce() + 'static) {
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match flood_act(action.clone()).await {
                Ok(b) => {
                    self.chosen.set(None);
                    self.board.set(b);
                    done();
                }
                Err(e) => match &action {
                    // Without a signal a household's move waits on the phone (a resend of the
                    // same mark changes nothing on the server).
                    FloodAction::Update(u) if crate::components::outbox::is_network_failure(&e) => {
                        let address = self.board.with_untracked(|b| {
                            b.households.iter().find(|h| h.household_id == u.household_id).map(|h| format!("{} {}", h.address, h.unit)).unwrap_or_default()
                        });
                        let label = format!("{} · {address} · {}", pick("转移登记", "Evacuation"), pick(u.state.name_zh(), u.state.name_en()));
                        match crate::components::outbox::queue_json("/api/v1/flood/evacuation/households", &serde_json::to_string(u).unwrap_or_default(), &label).await {
                            Ok(()) => self.queued.set(Some(crate::components::outbox::queued_note(&label, &label))),
                            Err(m) => self.error.set(Some(m)),
                        }
                    }
                    _ => self.error.set(Some(error_text(&e))),
                },
            }
            self.busy.set(false);
        });
    }
}

#[component]
fn LiveFlood(me: Principal, board: FloodBoard) -> impl IntoView {
    let f = Flood { board: RwSignal::new(board), chosen: RwSignal::new(None), error: RwSignal::new(None), busy: RwSignal::new(false), queued: RwSignal::new(None) };
    let connected = RwSignal::new(false);
    browser::follow_topic("flood", connected, move || f.reload());
    let command = me.has(Role::Command);
    // Kept outside the parts that redraw with every change, so typing survives them.
    let reason = RwSignal::new(String::new());
    let primary = f.board.with_untracked(|b| b.gauges.iter().find(|g| g.gauge.primary).map(|g| g.gauge.device_id));
    if f.board.with_untracked(|b| b.mine_only) {
        return view! {
            <section class="flood flood-mine" data-testid="flood" data-live=move || connected.get().then_some("1")>
                <crate::components::outbox::OutboxBar user=me.username.clone()/>
                {move || response_line(&f.board.get())}
                {move || headcount_strip(&f.board.get().headcount)}
                <evacuation::PhoneList f/>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="flood" data-testid="flood" data-live=move || connected.get().then_some("1")>
            <div class="flood-top">
                {move || f.board.get().gauges.into_iter().find(|g| g.gauge.primary).map(|g| gauge_card(&g))}
                <div class="panel flood-level">
                    <h3>{bi("响应级别", "Response level")}</h3>
                    {move || level_panel(&f.board.get(), command, f, reason)}
                    {command.then(|| primary.map(|device_id| forecast_form(device_id, f)))}
                </div>
            </div>
            {move || f.error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="flood-error">{e}</p> })}
            <div class="flood-grid">
                <div class="panel flood-chart">
                    <h3>{bi("水位过程线（72 小时）", "Water level, last 72 hours")}</h3>
                    {move || f.board.get().gauges.into_iter().find(|g| g.gauge.primary).map(|g| chart(&g))}
                    {move || gauge_list(&f.board.get())}
                </div>
                <map::FloodMap f/>
                <div class="panel flood-count">
                    <h3>{bi("转移人数", "Head count")}</h3>
                    {move || headcount_strip(&f.board.get().headcount)}
                    {move || by_grid(&f.board.get())}
                </div>
            </div>
            <evacuation::CommandList f command/>
            <div class="flood-grid two">
                <evacuation::Shelters f/>
                <evacuation::Checkpoints f command/>
            </div>
            {(command || me.has(Role::Admin)).then(|| view! {
                <div class="flood-grid two">
                    <settings::ZoneImport f/>
                    <settings::ShelterForm f/>
                </div>
            })}
        </section>
    }
    .into_any()
}

/// Metres with two decimals and the unit.
pub(crate) fn metres(m: f64) -> String {
    pick(&format!("{m:.2} 米"), &format!("{m:.2} m")).to_string()
}

fn gauge_card(g: &GaugeView) -> impl IntoView + use<> {
    let gauge = &g.gauge;
    let latest = g.latest.map(|r| metres(r.m)).unwrap_or_else(|| pick("暂无读数", "No reading").to_string());
    let rise = g.rise_per_hour.map(|r| pick(&format!("{r:+.2} 米/时"), &format!("{r:+.2} m/h")).to_string());
    let forecast = gauge.forecast.as_ref().map(|f| {
        pick(&format!("预报洪峰 {} · {}", metres(f.peak_m), short_time(f.peak_at)), &format!("Forecast peak {} · {}", metres(f.peak_m), short_time(f.peak_at))).to_string()
    });
    view! {
        <div class=format!("panel gauge-card st-{}", g.stage.colour()) data-testid="gauge-card">
            <div class="gauge-station">{gauge.station.clone()}<small>{pick(gauge.datum.name_zh(), gauge.datum.name_en()).to_string()}</small></div>
            <div class="gauge-level" data-testid="gauge-level">{latest}</div>
            <div class="gauge-meta">
                <span class=format!("chip sev-{}", g.stage.colour()) data-testid="gauge-stage">{pick(g.stage.name_zh(), g.stage.name_en()).to_string()}</span>
                {rise.map(|r| view! { <span data-testid="gauge-rise">{r}</span> })}
            </div>
            <div class="gauge-lines">
                {bi("警戒 ", "Warning ")}{metres(gauge.warning_m)}" · "{bi("保证 ", "Guaranteed ")}{metres(gauge.guaranteed_m)}
            </div>
            {forecast.map(|t| view! { <div class="gauge-forecast" data-testid="gauge-forecast">{t}</div> })}
        </div>
    }
}

/// The response: what the river suggests and the confirmation, or the running response with
/// its level, the list and the stand-down.
fn level_panel(b: &FloodBoard, command: bool, f: Flood, reason: RwSignal<String>) -> impl IntoView + use<> {
    let running = b.response.clone().filter(|r| r.stood_down_at.is_none());
    let suggestion = b.suggestion.clone();
    match (&running, &suggestion) {
        (Some(r), _) => {
            let list_level = b.level_m;
            let other: Vec<Level> = Level::ALL.into_iter().filter(|l| *l != r.level).collect();
            let suggested = suggestion.as_ref().filter(|s| s.level != r.level).map(|s| s.level);
            view! {
                <div class="flood-response">
                    <span class=format!("level-chip lv-{}", r.level.colour()) data-testid="flood-level">{pick(r.level.name_zh(), r.level.name_en()).to_string()}</span>
                    <span>{bi("防汛响应中 · ", "Flood response · ")}{short_time(r.started_at)}" · "{r.started_by.clone()}</span>
                    <a href=format!("/activations/{}", r.activation_id) data-testid="flood-incident">{bi("预案任务 →", "Plan tasks →")}</a>
                </div>
                {suggested.map(|l| view! { <p class="hint" data-testid="flood-suggestion">{bi("水情建议调整为 ", "The river suggests ")}{pick(l.name_zh(), l.name_en()).to_string()}</p> })}
                {command.then(|| view! {
                    <div class="row-actions">
                        {list_level.map(|m| view! {
                            <button class="btn primary" data-testid="draw-list" disabled=move || f.busy.get()
                                on:click=move |_| f.act(FloodAction::DrawList { level_m: Some(m) }, || ())>
                                {pick(&format!("下达转移名单（按 {}）", metres(m)), &format!("Issue the evacuation list (at {})", metres(m))).to_string()}
                            </button>
                        })}
                        {other.into_iter().map(|l| view! {
                            <button class=format!("btn lv-{}", l.colour()) disabled=move || f.busy.get()
                                on:click=move |_| f.act(FloodAction::Confirm { level: l, reason: reason.get_untracked() }, || ())>
                                {pick(&format!("调整为{}", l.name_zh()), &format!("Change to {}", l.name_en())).to_string()}
                            </button>
                        }).collect_view()}
                    </div>
                    <div class="row-actions">
                        <input type="text" maxlength="200" placeholder=bi("说明（提前终止须写明理由）", "Reason (required to stand down early)")
                            data-testid="flood-reason" prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                        <button class="btn" data-testid="flood-stand-down" disabled=move || f.busy.get()
                            on:click=move |_| f.act(FloodAction::StandDown { reason: reason.get_untracked() }, || ())>
                            {bi("终止响应，群众返家", "Stand down, people go home")}
                        </button>
                    </div>
                })}
            }
            .into_any()
        }
        (None, Some(s)) => {
            let level = s.level;
            view! {
                <div class=format!("flood-suggest lv-{}", level.colour()) data-testid="flood-suggestion">
                    <strong>{pick(&format!("建议启动{}响应", level.name_zh()), &format!("Suggested: {} response", level.name_en())).to_string()}</strong>
                    <span>{pick(&s.reason_zh, &s.reason_en).to_string()}</span>
                </div>
                {command.then(|| view! {
                    <button class="btn primary big-button" data-testid="confirm-level" disabled=move || f.busy.get()
                        on:click=move |_| f.act(FloodAction::Confirm { level, reason: String::new() }, || ())>
                        {pick(&format!("确认启动{}响应", level.name_zh()), &format!("Confirm {} response", level.name_en())).to_string()}
                    </button>
                })}
            }
            .into_any()
        }
        (None, None) => view! {
            <p class="state empty" data-testid="flood-quiet">{bi("水位正常，未达响应条件。", "The river is below every response line.")}</p>
        }
        .into_any(),
    }
}

/// Staff enter a forecast peak: level and hours from now.
fn forecast_form(device_id: i64, f: Flood) -> impl IntoView {
    let peak = RwSignal::new(String::new());
    let hours = RwSignal::new("12".to_string());
    let send = move |_| {
        let Ok(peak_m) = peak.get_untracked().trim().parse::<f64>() else {
            f.error.set(Some(pick("请填写预报洪峰水位（米）", "Enter the forecast peak in metres").to_string()));
            return;
        };
        let h = hours.get_untracked().trim().parse::<f64>().unwrap_or(12.0);
        let peak_at = crate::components::clock::js_now() + (h * 3_600_000.0) as i64;
        f.act(FloodAction::Forecast { device_id, peak_m, peak_at }, move || peak.set(String::new()));
    };
    view! {
        <div class="row-actions forecast-form">
            <label>{bi("预报洪峰", "Forecast peak")}
                <input type="number" step="0.01" data-testid="forecast-peak" prop:value=move || peak.get() on:input=move |e| peak.set(event_target_value(&e))/>
                {bi("米", "m")}</label>
            <label>{bi("约", "in")}
                <input type="number" min="0" max="240" data-testid="forecast-hours" prop:value=move || hours.get() on:input=move |e| hours.set(event_target_value(&e))/>
                {bi("小时后", "hours")}</label>
            <button class="btn" data-testid="forecast-save" disabled=move || f.busy.get() on:click=send>{bi("录入", "Enter")}</button>
        </div>
    }
}

fn response_line(b: &FloodBoard) -> impl IntoView + use<> {
    match b.response.as_ref().filter(|r| r.stood_down_at.is_none()) {
        Some(r) => view! {
            <p class="flood-response">
                <span class=format!("level-chip lv-{}", r.level.colour())>{pick(r.level.name_zh(), r.level.name_en()).to_string()}</span>
                {bi(" 防汛响应中：请按名单逐户转移，先老弱病残、先低楼层。", " Flood response: move every household on the list, the vulnerable and ground floors first.")}
            </p>
        }
        .into_any(),
        None => view! { <p class="state empty">{bi("当前没有防汛响应。", "No flood response is running.")}</p> }.into_any(),
    }
}

/// 应转移 · 已转移 · 未落实 · 拒绝, and 「全部转移」 once everyone is out.
pub(crate) fn headcount_strip(h: &Headcount) -> impl IntoView + use<> {
    let people = |n: i64| pick(&format!("{n} 人"), &format!("{n}")).to_string();
    let unaccounted_class = if h.unaccounted > 0 { "warn" } else { "" };
    view! {
        <div class="headcount" data-testid="headcount" data-all-moved=h.all_moved().then_some("1")>
            <div><span class="value" data-testid="hc-must">{people(h.must_move)}</span><small>{bi("应转移", "To move")}</small></div>
            <div class="ok"><span class="value" data-testid="hc-moved">{people(h.moved)}</span><small>{bi("已转移", "Moved")}</small></div>
            <div class=unaccounted_class><span class="value" data-testid="hc-unaccounted">{people(h.unaccounted)}</span><small>{bi("未落实", "Unaccounted")}</small></div>
            <div><span class="value">{people(h.refused)}</span><small>{bi("拒绝转移", "Refused")}</small></div>
            {h.all_moved().then(|| view! { <strong class="all-moved" data-testid="all-moved">{bi("全部转移", "All moved")}</strong> })}
            {(h.returned > 0).then(|| view! { <strong class="all-moved home" data-testid="all-home">{pick(&format!("响应已终止，{} 人已返家", h.returned), &format!("Stood down: {} people home again", h.returned)).to_string()}</strong> })}
        </div>
    }
}

fn by_grid(b: &FloodBoard) -> impl IntoView + use<> {
    if b.by_grid.is_empty() {
        return view! { <p class="state empty">{bi("尚未下达转移名单。", "No evacuation list has been issued.")}</p> }.into_any();
    }
    view! {
        <table class="kpi-table">
            <thead><tr><th>{bi("网格", "Grid")}</th><th>{bi("应转移", "To move")}</th><th>{bi("已转移", "Moved")}</th><th>{bi("未落实", "Unaccounted")}</th></tr></thead>
            <tbody>
                {b.by_grid.iter().map(|(g, h)| view! {
                    <tr><td>{g.clone()}</td><td>{h.must_move}</td><td>{h.moved}</td><td class:u-red={h.unaccounted > 0}>{h.unaccounted}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn gauge_list(b: &FloodBoard) -> impl IntoView + use<> {
    let source = match b.level_source {
        LevelSource::Current => pick("按当前水位", "at the current level"),
        LevelSource::Forecast => pick("按预报洪峰", "at the forecast peak"),
        LevelSource::Chosen => pick("按所选水位", "at the chosen level"),
        LevelSource::List => pick("按转移名单的水位", "at the list's level"),
    };
    view! {
        <p class="hint">{b.level_m.map(|m| format!("{} {}", source, metres(m)))}</p>
        <ul class="gauge-list">
            {b.gauges.iter().filter(|g| !g.gauge.primary).map(|g| view! {
                <li><span class=format!("dot sev-{}", g.stage.colour())></span>{g.gauge.station.clone()}" "{g.latest.map(|r| metres(r.m))}</li>
            }).collect_view()}
        </ul>
    }
}

/// The primary gauge's last 72 hours as an SVG line, with the set-up, warning and guaranteed
/// lines and the forecast peak.
fn chart(g: &GaugeView) -> impl IntoView + use<> {
    const W: f64 = 560.0;
    const H: f64 = 200.0;
    let Some(last) = g.readings.last() else {
        return view! { <p class="state empty">{bi("72 小时内没有读数。", "No readings in 72 hours.")}</p> }.into_any();
    };
    let first = g.readings[0];
    let forecast = g.gauge.forecast.clone();
    let t1 = forecast.as_ref().map(|f| f.peak_at.max(last.ts)).unwrap_or(last.ts);
    let t0 = first.ts.min(t1 - 3_600_000);
    let mut lo = g.readings.iter().map(|r| r.m).fold(f64::INFINITY, f64::min);
    let mut hi = g.readings.iter().map(|r| r.m).fold(f64::NEG_INFINITY, f64::max);
    for m in [Some(g.gauge.warning_m), Some(g.gauge.guaranteed_m), forecast.as_ref().map(|f| f.peak_m)].into_iter().flatten() {
        lo = lo.min(m);
        hi = hi.max(m);
    }
    let (lo, hi) = (lo - 0.5, hi + 0.5);
    let x = move |t: i64| 40.0 + (t - t0) as f64 / (t1 - t0).max(1) as f64 * (W - 50.0);
    let y = move |m: f64| 10.0 + (hi - m) / (hi - lo) * (H - 30.0);
    let points: String = g.readings.iter().map(|r| format!("{:.1},{:.1}", x(r.ts), y(r.m))).collect::<Vec<_>>().join(" ");
    let line = |m: f64, class: &'static str, label: String| {
        view! {
            <line class=class x1="40" x2=W - 10.0 y1=y(m) y2=y(m)/>
            <text class="chart-label" x="44" y=y(m) - 3.0>{label}</text>
        }
    };
    view! {
        <svg class="level-chart" viewBox=format!("0 0 {W} {H}") role="img" data-testid="level-chart"
            aria-label=bi("72 小时水位过程线", "Water level over 72 hours")>
            {g.gauge.setup_m.map(|m| line(m, "ln-setup", pick(&format!("设防 {m:.2}"), &format!("Set-up {m:.2}")).to_string()))}
            {line(g.gauge.warning_m, "ln-warning", pick(&format!("警戒 {:.2}", g.gauge.warning_m), &format!("Warning {:.2}", g.gauge.warning_m)).to_string())}
            {line(g.gauge.guaranteed_m, "ln-guaranteed", pick(&format!("保证 {:.2}", g.gauge.guaranteed_m), &format!("Guaranteed {:.2}", g.gauge.guaranteed_m)).to_string())}
            <polyline class="level-line" points=points/>
            {forecast.map(|f| view! {
                <line class="ln-forecast" x1=x(last.ts) y1=y(last.m) x2=x(f.peak_at) y2=y(f.peak_m)/>
                <circle class="forecast-peak" cx=x(f.peak_at) cy=y(f.peak_m) r="4"/>
            })}
            <text class="chart-label" x="40" y=H - 4.0>{short_time(t0)}</text>
            <text class="chart-label end" x=W - 10.0 y=H - 4.0>{short_time(t1)}</text>
        </svg>
    }
    .into_any()
}
