//! KPIs (`/kpis`, 考核与分析): the indicators of digital city management for a day, a week or
//! a month, beside the period before; for the whole street as cards, or as a ranking (考核排名)
//! of boards, posts, grids, communities, categories or sources with a weighted score. Every
//! figure opens the cases behind it; every definition is written next to its figure; the table
//! exports to CSV (Excel opens it).

mod charts;
mod health;

use crate::api::error_text;
use crate::api::kpis::{get_kpi_cases, get_kpi_points, get_kpis, set_kpi_weights};
use crate::components::district_map::{DistrictMap, MapMode};
use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::kpi::{Definition, Figure, GroupFigures, Grouping, IndicatorWeight, KpiQuery, KpiReport, PeriodKind, Unit, DEFINITIONS};

/// The page at `/kpis`.
#[component]
pub fn KpisPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Kpis me/> }/> }
}

const PERIODS: [(PeriodKind, &str, &str); 3] = [(PeriodKind::Day, "日", "Day"), (PeriodKind::Week, "周", "Week"), (PeriodKind::Month, "月", "Month")];

fn period_code(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
        PeriodKind::Month => "month",
        PeriodKind::Custom => "custom",
    }
}

/// What the page shows: the period's kind, a moment inside it (`None`: now), the grouping.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ask {
    kind: PeriodKind,
    at: Option<i64>,
    by: Grouping,
}

impl Ask {
    fn query(self) -> KpiQuery {
        KpiQuery { period: Some(period_code(self.kind).into()), at: self.at, by: Some(self.by.code().into()), ..Default::default() }
    }
}

/// A figure picked for its cases: the group's key and name, the indicator.
#[derive(Clone, Debug, PartialEq)]
struct Pick {
    key: String,
    name: String,
    def: &'static Definition,
}

#[component]
fn Kpis(me: Principal) -> impl IntoView {
    let allowed = me.has(Role::Command) || me.has(Role::Admin) || me.has(Role::District);
    let admin = me.has(Role::Admin);
    let ask = RwSignal::new(Ask { kind: PeriodKind::Month, at: None, by: Grouping::Street });
    let data = Resource::new(move || ask.get(), |a| get_kpis(a.query()));
    // The report as last loaded, for the parts outside the Transition (the period's label, the
    // weights). Only the Transition reads the resource: on the server, a resource read by
    // several parts of a page can deadlock the render (leptos-rs/leptos#4673; seen here).
    let shown = RwSignal::new(None::<KpiReport>);
    Effect::new(move |_| {
        if let Some(Ok(r)) = data.get() {
            shown.set(Some(r));
        }
    });
    let picked = RwSignal::new(None::<Pick>);
    // Another period or grouping: the figure picked is no longer on screen.
    Effect::new(move |_| {
        ask.track();
        picked.set(None);
    });
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="kpi-main" data-testid="kpis">
                {if allowed {
                    view! {
                        <Controls ask shown/>
                        <Transition fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                            {move || Suspend::new(async move { match data.await {
                                Ok(report) => view! { <Report report picked xlsx=xlsx_href(ask.get_untracked())/> }.into_any(),
                                Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                            }})}
                        </Transition>
                        {move || picked.get().map(|p| view! { <DrillDown pick=p ask=ask.get_untracked() picked/> })}
                        <HotSpots ask/>
                        <Definitions data shown admin/>
                    }.into_any()
                } else {
                    view! { <p class="state error" role="alert">{bi("考核指标供指挥中心、系统管理员和区级查看。", "KPIs are for the command centre, administrators and the district.")}</p> }.into_any()
                }}
            </main>
        </div>
    }
}

#[component]
fn Controls(ask: RwSignal<Ask>, shown: RwSignal<Option<KpiReport>>) -> impl IntoView {
    // Step to the period before or after the one shown.
    let step = move |forward: bool| {
        let Some(r) = shown.get_untracked() else { return };
        let at = if forward { r.period.to } else { r.previous.from };
        ask.update(|a| a.at = Some(at));
    };
    let label = move || shown.get().map(|r| {
        pick(&format!("{}（对比 {}）", r.period.label(), r.previous.label()), &format!("{} (against {})", r.period.label(), r.previous.label())).to_string()
    });
    view! {
        <header class="panel kpi-controls">
            <h2>{bi("考核与分析", "KPIs and analysis")}</h2>
            <div class="chips" role="group" aria-label=pick("统计周期", "Period").to_string()>
                {PERIODS.into_iter().map(|(k, zh, en)| view! {
                    <button class="chip" class:active=move || ask.get().kind == k data-testid=format!("period-{}", period_code(k))
                        on:click=move |_| ask.update(|a| { a.kind = k; })>{bi(zh, en)}</button>
                }).collect_view()}
            </div>
            <button class="btn" data-testid="period-before" on:click=move |_| step(false)>{bi("‹ 上一期", "‹ Earlier")}</button>
            <strong class="period-label" data-testid="period-label">{label}</strong>
            <button class="btn" data-testid="period-after" on:click=move |_| step(true)>{bi("下一期 ›", "Later ›")}</button>
            <label class="group-by">{bi("分组", "Group by")}
                <select data-testid="group-by" on:change=move |e| {
                    if let Some(g) = Grouping::from_code(&event_target_value(&e)) {
                        ask.update(|a| a.by = g);
                    }
                }>
                    {Grouping::ALL.into_iter().map(|g| view! {
                        <option value=g.code() selected=move || ask.get().by == g>{pick(g.name().0, g.name().1).to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
        </header>
    }
}

/// A figure's value with its unit: 「96.4%」, 「3.5 分钟」, or 「—」 when nothing counted.
fn value_text(f: &Figure) -> String {
    match (f.value, f.indicator.definition().unit) {
        (None, _) => "—".into(),
        (Some(v), Unit::Percent) => format!("{v:.1}%"),
        (Some(v), Unit::Minutes) => pick(&format!("{v:.1} 分钟"), &format!("{v:.1} min")).to_string(),
    }
}

/// The change against the previous period, coloured by whether it is better.
fn delta(now: &Figure, before: Option<&Figure>) -> impl IntoView + use<> {
    let def = now.indicator.definition();
    let d = match (now.value, before.and_then(|b| b.value)) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    d.map(|d| {
        let better = if def.higher_is_better { d > 0.0 } else { d < 0.0 };
        let unit = if def.unit == Unit::Percent { pick("个百分点", " pts") } else { pick(" 分钟", " min") };
        let arrow = if d > 0.0 { "▲" } else if d < 0.0 { "▼" } else { "=" };
        view! {
            <span class="delta" class:better=better && d != 0.0 class:worse=!better && d != 0.0 data-testid="delta">
                {format!("{arrow} {:.1}{unit}", d.abs())}
            </span>
        }
    })
}

fn figure_of<'a>(g: &'a GroupFigures, def: &Definition) -> Option<&'a Figure> {
    g.figures.iter().find(|f| f.indicator == def.indicator)
}

/// The report as an Excel workbook, from the server.
fn xlsx_href(a: Ask) -> String {
    let mut q = format!("/api/v1/kpis.xlsx?period={}&by={}", period_code(a.kind), a.by.code());
    if let Some(at) = a.at {
        q.push_str(&format!("&at={at}"));
    }
    q
}

#[component]
fn Report(report: KpiReport, picked: RwSignal<Option<Pick>>, xlsx: String) -> impl IntoView {
    let history = report.demo_history.map(|[played, planned]| view! {
        <p class="state loading" role="status" data-testid="demo-history">
            {pick(&format!("示范街道的历史事件正在经办理流程生成：已完成 {played} / {planned} 件，数字会随之变化，稍后刷新。"),
                &format!("The demo street's history is being played through the case flow: {played} of {planned} cases; the figures will change — refresh in a while.")).to_string()}
            <progress max=planned value=played></progress>
        </p>
    });
    if report.rows.is_empty() {
        return view! {
            {history}
            <section class="panel"><p class="state empty" data-testid="kpi-empty">{bi("这一周期没有上报的事件。换一个周期，或在「事件处置」中上报事件后再来看。", "No case was reported in this period. Choose another period.")}</p></section>
            {health::health_panel(&report)}
        }.into_any();
    }
    let csv = csv_href(&report);
    let file = format!("zhizhi-kpi-{}-{}.csv", report.grouping.code(), report.period.label().replace(' ', ""));
    let total = report.cases;
    let street = report.grouping == Grouping::Street;
    let body = if street { cards(&report, picked).into_any() } else { ranking(&report, picked).into_any() };
    view! {
        {history}
        <section class="panel kpi-report" data-testid="kpi-report">
            <header class="section-head">
                <p class="kpi-total">{pick(&format!("本期上报事件 {total} 件（不含演练）"), &format!("{total} cases reported this period (drills left out)")).to_string()}</p>
                <span class="exports">
                    <a class="btn primary" data-testid="export-xlsx" href=xlsx download>{bi("导出 Excel", "Export Excel")}</a>
                    <a class="btn" data-testid="export-csv" href=csv download=file>{bi("导出 CSV", "Export CSV")}</a>
                    <button class="btn" data-testid="print" on:click=|_| crate::browser::print_page()>{bi("打印月报", "Print report")}</button>
                </span>
            </header>
            {body}
        </section>
        <div class="kpi-charts">
            {(report.trend.len() > 1).then(|| charts::trend_chart(&report))}
            {(!report.hours.is_empty()).then(|| charts::heat_table(&report))}
        </div>
        {health::health_panel(&report)}
    }
    .into_any()
}

/// The whole street: one card per indicator, its definition beside it.
fn cards(report: &KpiReport, picked: RwSignal<Option<Pick>>) -> impl IntoView + use<> {
    let row = report.rows[0].clone();
    let before = report.previous_rows.first().cloned();
    view! {
        <div class="kpi-cards">
            {DEFINITIONS.iter().map(|def| {
                let f = figure_of(&row, def).cloned();
                let b = before.as_ref().and_then(|b| figure_of(b, def)).cloned();
                let (key, name) = (row.key.clone(), row.name.clone());
                f.map(|f| {
                    let open = f.has_misses();
                    view! {
                        <button class="kpi-card" data-testid="kpi-card" data-indicator=def.code disabled=!open
                            on:click=move |_| picked.set(Some(Pick { key: key.clone(), name: name.clone(), def }))>
                            <span class="kpi-name">{bi(def.name.0, def.name.1)}</span>
                            <strong class="kpi-value" data-testid="kpi-value">{value_text(&f)}</strong>
                            {delta(&f, b.as_ref())}
                            <span class="kpi-ratio" data-testid="kpi-ratio">{ratio_text(&f)}</span>
                        </button>
                    }
                })
            }).collect_view()}
        </div>
    }
}

fn ratio_text(f: &Figure) -> String {
    match f.indicator.definition().unit {
        Unit::Percent => format!("{} / {}", f.numerator, f.denominator),
        Unit::Minutes => match f.p90 {
            Some(p) => pick(&format!("90 分位 {p:.1} 分钟 · {} 件", f.denominator), &format!("p90 {p:.1} min · {} cases", f.denominator)).to_string(),
            None => "—".into(),
        },
    }
}

/// Groups ranked by their score, a bar for each, then every indicator in a table.
fn ranking(report: &KpiReport, picked: RwSignal<Option<Pick>>) -> impl IntoView + use<> {
    let mut rows = report.rows.clone();
    rows.sort_by(|a, b| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)).then(b.cases.cmp(&a.cases)));
    let previous = report.previous_rows.clone();
    let shown: Vec<&'static Definition> = DEFINITIONS.iter().filter(|d| rows.iter().any(|r| figure_of(r, d).is_some_and(|f| f.denominator > 0))).collect();
    let head = shown.iter().map(|d| view! { <th title=pick(d.numerator.0, d.numerator.1).to_string()>{bi(d.name.0, d.name.1)}</th> }).collect_view();
    let body = rows.iter().enumerate().map(|(i, r)| {
        let before = previous.iter().find(|p| p.key == r.key).cloned();
        let cells = shown.iter().map(|def| {
            let f = figure_of(r, def).cloned();
            let b = before.as_ref().and_then(|b| figure_of(b, def)).cloned();
            let (key, name, def) = (r.key.clone(), r.name.clone(), *def);
            match f {
                Some(f) if f.denominator > 0 => {
                    let open = f.has_misses();
                    view! {
                        <td class="kpi-cell" data-indicator=def.code>
                            <button class="cell-link" disabled=!open data-testid="kpi-cell"
                                on:click=move |_| picked.set(Some(Pick { key: key.clone(), name: name.clone(), def }))>{value_text(&f)}</button>
                            {delta(&f, b.as_ref())}
                        </td>
                    }.into_any()
                }
                _ => view! { <td class="dim">"—"</td> }.into_any(),
            }
        }).collect_view();
        let score = r.score;
        view! {
            <tr data-testid="rank-row" data-key=r.key.clone()>
                <td class="rank">{i + 1}</td>
                <th scope="row">{r.name.clone()}</th>
                <td>{r.cases}</td>
                <td class="score-cell">
                    <svg class="score-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                        <rect x="0" y="0" width="100" height="10" class="track"/>
                        <rect x="0" y="0" width=format!("{:.1}", score.unwrap_or(0.0)) height="10" class=format!("fill g{}", grade_class(score))/>
                    </svg>
                    <span data-testid="score">{score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into())}</span>
                </td>
                <td><span class=format!("grade g{}", grade_class(score))>{r.grade.clone().map(|g| grade_name(&g)).unwrap_or_default()}</span></td>
                {cells}
            </tr>
        }
    }).collect_view();
    view! {
        <div class="table-scroll">
            <table class="kpi-table" data-testid="ranking">
                <thead><tr><th>{bi("排名", "Rank")}</th><th>{bi("名称", "Name")}</th><th>{bi("案件", "Cases")}</th><th>{bi("考核得分", "Score")}</th><th>{bi("等级", "Grade")}</th>{head}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn grade_class(score: Option<f64>) -> u8 {
    match score {
        Some(s) if s >= 90.0 => 1,
        Some(s) if s >= 80.0 => 2,
        Some(s) if s >= 60.0 => 3,
        Some(_) => 4,
        None => 0,
    }
}

/// A grade as the server names it (Chinese), in the screen's language.
fn grade_name(g: &str) -> String {
    let pairs = [("优秀", "Excellent"), ("良好", "Good"), ("合格", "Adequate"), ("待改进", "Needs improvement")];
    pairs.iter().find(|p| p.0 == g).map(|p| pick(p.0, p.1).to_string()).unwrap_or_else(|| g.to_string())
}

/// The table as CSV, as a `data:` address (with a byte-order mark, so that Excel reads the
/// Chinese right).
fn csv_href(r: &KpiReport) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("\u{feff}");
    let mut head = vec![pick("分组", "Group").to_string(), pick("案件", "Cases").to_string(), pick("考核得分", "Score").to_string()];
    for d in DEFINITIONS.iter() {
        let name = pick(d.name.0, d.name.1);
        head.push(name.to_string());
        head.push(format!("{name}{}", pick("·分子", " numerator")));
        head.push(format!("{name}{}", pick("·分母", " denominator")));
    }
    out.push_str(&head.iter().map(|h| quote(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for g in &r.rows {
        let mut cells = vec![quote(&g.name), g.cases.to_string(), g.score.map(|s| format!("{s:.1}")).unwrap_or_default()];
        for d in DEFINITIONS.iter() {
            match figure_of(g, d) {
                Some(f) => {
                    cells.push(f.value.map(|v| format!("{v:.1}")).unwrap_or_default());
                    cells.push(f.numerator.to_string());
                    cells.push(f.denominator.to_string());
                }
                None => cells.extend([String::new(), String::new(), String::new()]),
            }
        }
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    format!("data:text/csv;charset=utf-8,{}", percent(&out))
}

/// Percent-encodes everything but unreserved ASCII (a URL's query value).
pub(crate) fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The cases behind a figure, each a link to its page.
#[component]
fn DrillDown(pick: Pick, ask: Ask, picked: RwSignal<Option<Pick>>) -> impl IntoView {
    let (key, code) = (pick.key.clone(), pick.def.code.to_string());
    let cases = Resource::new(|| (), move |_| get_kpi_cases(ask.query(), code.clone(), key.clone()));
    let def = pick.def;
    let title = format!("{} · {}", pick.name, crate::i18n::pick(def.name.0, def.name.1));
    let what = if def.unit == Unit::Minutes {
        crate::i18n::pick("慢于中位数的案件", "Cases slower than the median")
    } else if def.higher_is_better {
        crate::i18n::pick("未计入分子的案件", "Cases the numerator leaves out")
    } else {
        crate::i18n::pick("计入分子的案件", "Cases the numerator counts")
    };
    view! {
        <section class="panel drill-down" data-testid="drill-down">
            <header class="section-head">
                <h3>{title}" · "{what}</h3>
                <button class="btn" on:click=move |_| picked.set(None)>{bi("关闭", "Close")}</button>
            </header>
            <p class="hint">{bi("分子：", "Numerator: ")}{crate::i18n::pick(def.numerator.0, def.numerator.1).to_string()}{bi("；分母：", "; denominator: ")}{crate::i18n::pick(def.denominator.0, def.denominator.1).to_string()}</p>
            <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                {move || cases.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="state empty">{bi("没有案件。", "No cases.")}</p> }.into_any(),
                    Ok(list) => view! { <ul class="drill-list">{list.into_iter().map(drill_item).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

fn drill_item(c: CaseSummary) -> impl IntoView {
    let category = zhizhi_shared::case::category(&c.category).map(|k| crate::i18n::pick(k.name_zh, k.name_en).to_string()).unwrap_or(c.category.clone());
    view! {
        <li data-testid="drill-case">
            <a href=format!("/cases/{}", c.id)><strong>{c.number.clone()}</strong></a>
            <span>{category}</span>
            <span class="dim">{c.address.clone()}</span>
            <span class="pill">{crate::i18n::pick(c.state.name_zh(), c.state.name_en()).to_string()}</span>
            <time>{zhizhi_shared::time::beijing_datetime(c.created_at)}</time>
        </li>
    }
}

/// Hot spots (热点分布): where the period's cases were, of one category group or all, as a
/// heat layer on the district map (drawn in the browser; the count says how many).
#[component]
fn HotSpots(ask: RwSignal<Ask>) -> impl IntoView {
    let group = RwSignal::new(String::new());
    // A plain signal fed by an explicit fetch: every change of period or group asks again, and
    // only the answer to the latest question is shown (a slow earlier answer never wins).
    let points = RwSignal::new(None::<Result<Vec<zhizhi_shared::geo::LonLat>, ServerFnError>>);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (a, g) = (ask.get(), group.get());
        let n = asked.get_value() + 1;
        asked.set_value(n);
        leptos::task::spawn_local(async move {
            let answer = get_kpi_points(a.query(), (!g.is_empty()).then_some(g)).await;
            if asked.try_get_value() == Some(n) {
                points.try_set(Some(answer));
            }
        });
    });
    let heat = Signal::derive(move || points.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default()));
    let status = move || match points.get() {
        None => Some(tr(Msg::Loading)().to_string()),
        Some(Ok(p)) => Some(pick(&format!("{} 件事件", p.len()), &format!("{} cases", p.len())).to_string()),
        Some(Err(e)) => Some(error_text(&e)),
    };
    view! {
        <section class="panel kpi-hotspots" data-testid="hotspots">
            <header class="section-head">
                <h3>{bi("热点分布", "Hot spots")}</h3>
                <span class="dim" data-testid="hotspot-count">{status}</span>
                <label class="group-by">{bi("事件大类", "Category")}
                    <select data-testid="hotspot-group" on:change=move |e| group.set(event_target_value(&e))>
                        <option value="">{pick("全部", "All").to_string()}</option>
                        {zhizhi_shared::case::category::GROUPS.iter().map(|g| view! {
                            <option value=g.code>{pick(g.name_zh, g.name_en).to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </header>
            <div class="hotspot-map">
                <DistrictMap id="kpi-heat-map" mode=MapMode::Heat heat/>
            </div>
        </section>
    }
}

/// Every indicator's definition, in one table, with its weight in the score; administrators
/// change the weights here (考核权重), and the report is computed again with them.
#[component]
fn Definitions(data: Resource<Result<KpiReport, ServerFnError>>, shown: RwSignal<Option<KpiReport>>, admin: bool) -> impl IntoView {
    let in_force = move || shown.get().map(|r| r.weights).unwrap_or_default();
    let weight_of = move |d: &Definition| in_force().iter().find(|w| w.indicator == d.indicator).map_or(d.weight, |w| w.weight);
    let edits = RwSignal::new(Vec::<IndicatorWeight>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let save = Action::new(move |w: &Vec<IndicatorWeight>| {
        let w = w.clone();
        async move {
            match set_kpi_weights(w).await {
                Ok(_) => {
                    message.set(Some((true, pick("考核权重已保存，得分已按新权重重新计算。", "Weights saved; the scores are computed with them.").to_string())));
                    edits.set(Vec::new());
                    data.refetch();
                }
                Err(e) => message.set(Some((false, error_text(&e)))),
            }
        }
    });
    let set = move |d: &'static Definition, v: String| {
        let Ok(weight) = v.trim().parse::<u32>() else {
            message.set(Some((false, pick(&format!("「{}」的权重应为 0–100 的整数", d.name.0), &format!("The weight of {} must be a whole number 0–100", d.name.1)).to_string())));
            return;
        };
        message.set(None);
        edits.update(|e| {
            e.retain(|w| w.indicator != d.indicator);
            e.push(IndicatorWeight { indicator: d.indicator, weight });
        });
    };
    view! {
        <details class="panel kpi-definitions" data-testid="definitions">
            <summary>{bi("指标定义与考核权重（依据 GB/T 30428.4、CJ/T 292；演练不计入任何指标，案件按上报时间归入周期）", "Definitions and weights (after GB/T 30428.4 and CJ/T 292; drills count nowhere; a case belongs to the period it was reported in)")}</summary>
            <table class="kpi-table">
                <thead><tr><th>{bi("指标", "Indicator")}</th><th>{bi("分子", "Numerator")}</th><th>{bi("分母", "Denominator")}</th><th>{bi("得分权重", "Weight")}</th></tr></thead>
                <tbody>{DEFINITIONS.iter().map(|d| {
                    let weighted = d.unit == Unit::Percent;
                    view! {
                        <tr>
                            <th scope="row">{bi(d.name.0, d.name.1)}</th>
                            <td>{bi(d.numerator.0, d.numerator.1)}</td>
                            <td>{bi(d.denominator.0, d.denominator.1)}</td>
                            <td data-testid="weight" data-indicator=d.code>{move || if admin && weighted {
                                view! {
                                    <input class="weight-input" type="number" min="0" max="100" step="1" inputmode="numeric"
                                        aria-label=pick(&format!("{}的权重", d.name.0), &format!("Weight of {}", d.name.1)).to_string()
                                        prop:value=move || weight_of(d).to_string()
                                        on:change=move |e| set(d, event_target_value(&e))/>
                                }.into_any()
                            } else {
                                let w = weight_of(d);
                                view! { <span>{if w > 0 { w.to_string() } else { "—".into() }}</span> }.into_any()
                            }}</td>
                        </tr>
                    }
                }).collect_view()}
                {zhizhi_shared::kpi::HEALTH_DEFINITIONS.iter().map(|(_, name, n, d)| view! {
                    <tr>
                        <th scope="row">{bi(name.0, name.1)}</th>
                        <td>{bi(n.0, n.1)}</td>
                        <td>{bi(d.0, d.1)}</td>
                        <td><span>"—"</span></td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            {admin.then(|| view! {
                <div class="weights-save">
                    <button class="btn primary" data-testid="save-weights" disabled=move || edits.get().is_empty() || save.pending().get()
                        on:click=move |_| {
                            let mut all: Vec<IndicatorWeight> = DEFINITIONS.iter().map(|d| IndicatorWeight { indicator: d.indicator, weight: weight_of(d) }).collect();
                            for e in edits.get_untracked() {
                                if let Some(w) = all.iter_mut().find(|w| w.indicator == e.indicator) {
                                    *w = e;
                                }
                            }
                            save.dispatch(all);
                        }>{bi("保存考核权重", "Save weights")}</button>
                    <span class="hint">{bi("权重之和不必为 100：得分按有数值的指标加权平均。", "Weights need not add up to 100: a score is the weighted mean of the figures a group has.")}</span>
                </div>
            })}
            {move || message.get().map(|(ok, m)| view! { <p class="state" class:error=!ok role=if ok { "status" } else { "alert" } data-testid="weights-message">{m}</p> })}
        </details>
    }
}
