//! Enterprise supervision (`/enterprises`): the businesses by credit grade, the C/D businesses
//! with the reason for their grade and the help they were given (the analysis's first list), the
//! businesses the analysis flags for a re-grade, a search over every business, the joint
//! inspections under way with overdue rectifications as alarms, and the yearly random draw.
//! Every change arrives as a `supervision` event and the board is read again.

use crate::api::error_text;
use crate::api::supervision::{find_enterprises, get_supervision, supervise};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::short_time;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::enterprise::view::{EnterpriseQuery, EnterpriseRow, InspectionBrief, SupervisionAction, SupervisionBoard, WatchRow};
use zhizhi_shared::people::CreditRating;

pub mod detail;
pub mod inspection;
pub mod public;

/// The page at `/enterprises`.
#[component]
pub fn EnterprisesPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Screen me/> }/> }
}

#[component]
fn Screen(me: Principal) -> impl IntoView {
    let data = Resource::new(|| (), |_| get_supervision());
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="ent-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(b) => view! { <Live board=b/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

/// A grade's severity colour: D red, C orange, B yellow, A blue.
pub(crate) fn grade_colour(g: CreditRating) -> &'static str {
    match g {
        CreditRating::A => "blue",
        CreditRating::B => "yellow",
        CreditRating::C => "orange",
        CreditRating::D => "red",
    }
}

/// A grade as a chip.
pub(crate) fn grade_chip(g: CreditRating) -> impl IntoView + use<> {
    view! { <span class=format!("grade-chip g-{}", grade_colour(g)) data-testid="grade">{g.letter()}</span> }
}

/// An inspection's stage as a chip.
pub(crate) fn stage_chip(s: zhizhi_shared::enterprise::inspection::Stage) -> impl IntoView + use<> {
    view! { <span class=format!("chip st-{}", s.code()) data-testid="stage">{pick(s.name_zh(), s.name_en()).to_string()}</span> }
}

fn flags_text(r: &EnterpriseRow) -> String {
    r.flags.iter().map(|f| pick(&f.text_zh, &f.text_en).to_string()).collect::<Vec<_>>().join(pick("；", "; "))
}

#[component]
fn Live(board: SupervisionBoard) -> impl IntoView {
    let board = RwSignal::new(board);
    let connected = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            // Reads may answer out of order: never go back to an older board.
            if let Ok(b) = get_supervision().await
                && b.version >= board.with_untracked(|x| x.version)
            {
                board.set(b);
            }
        })
    };
    browser::follow_topic("supervision", connected, reload);
    let grader = board.with_untracked(|b| b.may_grade);
    view! {
        <section class="ent" data-testid="supervision" data-live=move || connected.get().then_some("1")>
            <div class="ent-grades" data-testid="grades">
                {move || {
                    let g = board.get().grades;
                    let total: u32 = g.iter().sum();
                    [CreditRating::A, CreditRating::B, CreditRating::C, CreditRating::D].into_iter().zip(g).map(|(grade, n)| {
                        let share = if total == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(total) };
                        view! {
                            <div class=format!("panel grade-card g-{}", grade_colour(grade)) data-testid=format!("grade-{}", grade.letter())>
                                <span class="grade-letter">{pick(&format!("{} 级", grade.letter()), &format!("Grade {}", grade.letter())).to_string()}</span>
                                <span class="grade-n">{pick(&format!("{n} 家"), &format!("{n}")).to_string()}</span>
                                <small>{format!("{share:.1}%")}</small>
                            </div>
                        }
                    }).collect_view()
                }}
                <a class="btn" href="/gongshi" data-testid="public-link">{bi("抽查结果公示 →", "Published draws →")}</a>
            </div>
            <div class="ent-grid">
                <div class="panel ent-watch">
                    <h3>{bi("重点帮扶：C、D 级商户", "Watch list: grades C and D")}</h3>
                    <p class="hint">{bi("帮扶中的商户在前，其次是最近评定的。点名称查看证照、等级变化和帮扶记录。", "Businesses being helped first, then the most recently graded. Open one for its licences, grade history and help.")}</p>
                    {move || { let b = board.get(); watch_list(b.watch, b.watch_total) }}
                </div>
                <div class="ent-centre">
                    <Dots board/>
                    <Search board/>
                </div>
                <div class="ent-side">
                    <div class="panel" data-testid="overdue">
                        <h3>{bi("整改逾期告警", "Overdue rectifications")}</h3>
                        {move || {
                            let o = board.get().overdue;
                            if o.is_empty() {
                                view! { <p class="empty">{bi("没有逾期的整改事项", "Nothing overdue")}</p> }.into_any()
                            } else {
                                o.into_iter().map(|i| view! {
                                    <a class="alarm-row sv-red" href=format!("/inspections/{}", i.inspection_id) data-testid="overdue-item">
                                        <strong>{i.enterprise}</strong>
                                        <span>{pick(&format!("{}：「{}」", i.post, i.item), &format!("{}: “{}”", i.post, i.item)).to_string()}</span>
                                        <small>{bi("期限 ", "Due ")}{short_time(i.deadline)}</small>
                                    </a>
                                }).collect_view().into_any()
                            }
                        }}
                    </div>
                    <div class="panel" data-testid="open-inspections">
                        <h3>{bi("联合检查（综合查一次）", "Joint inspections")}</h3>
                        {move || inspections(board.get().open)}
                    </div>
                    <Draw board grader/>
                </div>
            </div>
        </section>
    }
}

fn watch_list(rows: Vec<WatchRow>, total: u32) -> impl IntoView {
    let shown: Vec<WatchRow> = rows.into_iter().take(30).collect();
    let shown_n = shown.len();
    view! {
        <ul class="watch-list">
            {shown.into_iter().map(|w| {
                let help = w.help.first().map(|h| format!("{} · {}", pick(h.kind.name_zh(), h.kind.name_en()), h.note));
                let n = w.help.len();
                view! {
                    <li class=format!("watch-row sv-{}", grade_colour(w.row.grade)) data-testid="watch-row">
                        <div class="watch-head">
                            {grade_chip(w.row.grade)}
                            <a href=format!("/enterprises/{}", w.row.id) data-testid="watch-name">{w.row.name.clone()}</a>
                            <small>{w.row.grid.clone()}</small>
                        </div>
                        {(!w.reason.is_empty()).then(|| view! { <p class="watch-reason">{w.reason.clone()}{w.since.map(|t| pick(&format!("（{}）", short_time(t)), &format!(" ({})", short_time(t))).to_string())}</p> })}
                        {(!w.row.flags.is_empty()).then(|| view! { <p class="watch-flags">{flags_text(&w.row)}</p> })}
                        {match help {
                            Some(h) => view! { <p class="watch-help" data-testid="watch-help">{pick(&format!("帮扶 {n} 次：", ), &format!("Helped {n}×: ")).to_string()}{h}</p> }.into_any(),
                            None => view! { <p class="watch-help none">{bi("尚无帮扶记录", "No help recorded yet")}</p> }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(total as usize > shown_n).then(|| view! { <p class="hint">{pick(&format!("共 {total} 家，其余可按等级查询"), &format!("{total} in all; search for the rest")).to_string()}</p> })}
    }
}

fn inspections(list: Vec<InspectionBrief>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">{bi("没有进行中的联合检查。在企业页面点「发起联合检查」。", "No joint inspection under way. Start one from a business's page.")}</p> }.into_any();
    }
    list.into_iter()
        .map(|i| view! {
            <a class="insp-row" href=format!("/inspections/{}", i.id) data-testid="inspection-row">
                <strong>{i.enterprise.clone()}</strong>
                {stage_chip(i.stage)}
                <small>{i.posts.join(pick("、", ", "))}</small>
                {i.scheduled_at.map(|t| view! { <small>{short_time(t)}</small> })}
                {(i.overdue > 0).then(|| view! { <span class="chip sev-red">{pick(&format!("逾期 {}", i.overdue), &format!("{} overdue", i.overdue)).to_string()}</span> })}
            </a>
        })
        .collect_view()
        .into_any()
}

/// Businesses as a table.
pub(crate) fn rows_table(rows: Vec<EnterpriseRow>) -> impl IntoView {
    view! {
        <table class="data ent-table" data-testid="enterprise-table">
            <thead><tr>
                <th>{bi("名称", "Name")}</th><th>{bi("行业", "Sector")}</th><th>{bi("信用", "Grade")}</th>
                <th>{bi("网格", "Grid")}</th><th>{bi("今年检查", "Visits")}</th><th>{bi("提示", "Flags")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="enterprise-row">
                        <td><a href=format!("/enterprises/{}", r.id)>{r.name.clone()}</a><br/><small>{r.address.clone()}</small></td>
                        <td>{r.sector.clone()}</td>
                        <td>{grade_chip(r.grade)}</td>
                        <td>{r.grid.clone()}</td>
                        <td>{pick(&format!("{} 次", r.visits_year), &format!("{}×", r.visits_year)).to_string()}</td>
                        <td class="flags">{flags_text(&r)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The search; before any, the businesses the analysis flags for a re-grade.
#[component]
fn Search(board: RwSignal<SupervisionBoard>) -> impl IntoView {
    let words = RwSignal::new(String::new());
    let grade = RwSignal::new(String::new());
    let sector = RwSignal::new(String::new());
    let flagged = RwSignal::new(false);
    let plain = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let found: RwSignal<Option<Result<Vec<EnterpriseRow>, String>>> = RwSignal::new(None);
    let run = move || {
        let q = EnterpriseQuery { q: words.get_untracked(), grid_id: None, grade: CreditRating::from_letter(&grade.get_untracked()), sector: sector.get_untracked(), flagged: flagged.get_untracked() };
        spawn_local(async move {
            found.set(Some(find_enterprises(q).await.map_err(|e| error_text(&e))));
        });
    };
    let set_grade = move |e| grade.set(event_target_value(&e));
    // The export takes what the search asks, whole (the list shows the first matches only).
    let export_href = move || {
        let enc = crate::format::query_value(words.get().trim());
        let enc_sector = crate::format::query_value(&sector.get());
        let mut href = format!("/api/v1/enterprises.xlsx?q={enc}");
        if !enc_sector.is_empty() {
            href.push_str(&format!("&sector={enc_sector}"));
        }
        if !grade.get().is_empty() {
            href.push_str(&format!("&grade={}", grade.get()));
        }
        if flagged.get() {
            href.push_str("&flagged=true");
        }
        href
    };
    view! {
        <div class="panel ent-search">
            <h3>{bi("企业查询", "Find a business")}</h3>
            <form class="row-actions" on:submit=move |e| { e.prevent_default(); run(); }>
                <input type="search" data-testid="ent-q" placeholder=bi("名称、信用代码或地址", "Name, credit code or address")
                    prop:value=move || words.get() on:input=move |e| words.set(event_target_value(&e))/>
                <select data-testid="ent-sector" aria-label=bi("行业", "Sector") on:change=move |e| sector.set(event_target_value(&e))>
                    <option value="">{bi("全部行业", "Any sector")}</option>
                    {move || board.get().sectors.into_iter().map(|(s, n)| view! { <option value=s.clone()>{pick(&format!("{s}（{n}）"), &format!("{s} ({n})")).to_string()}</option> }).collect_view()}
                </select>
                <select data-testid="ent-grade" on:change=set_grade>
                    <option value="">{bi("全部等级", "Any grade")}</option>
                    <option value="A">"A"</option><option value="B">"B"</option><option value="C">"C"</option><option value="D">"D"</option>
                </select>
                <label class="check"><input type="checkbox" prop:checked=move || flagged.get() on:change=move |e| flagged.set(event_target_checked(&e))/>{bi("仅看分析提示", "Flagged only")}</label>
                <button class="btn primary" type="submit" data-testid="ent-search">{bi("查询", "Search")}</button>
                <a class="btn" data-testid="export-enterprises" href=export_href download>{bi("导出 Excel", "Export Excel")}</a>
                {move || board.get().may_grade.then(|| view! {
                    <button type="button" class="btn" data-testid="export-plain-toggle" on:click=move |_| plain.update(|o| *o = !*o)>{bi("明文导出…", "Export in full…")}</button>
                })}
            </form>
            <Show when=move || plain.get()>
                <div class="row-actions plain-export-row">
                    <input type="text" data-testid="export-reason" placeholder=bi("明文导出原因（至少 4 个字，记入审计日志）", "Why in full (4+ characters; kept in the audit log)")
                        prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                    {move || if reason.get().trim().chars().count() >= 4 {
                        let href = format!("{}&reason={}", export_href(), crate::format::query_value(reason.get().trim()));
                        view! { <a class="btn primary" data-testid="export-plain" href=href download>{bi("下载明文名单", "Download in full")}</a> }.into_any()
                    } else {
                        view! { <button type="button" class="btn" disabled>{bi("请先填写原因", "State the reason first")}</button> }.into_any()
                    }}
                </div>
            </Show>
            {move || match found.get() {
                None => {
                    let f = board.get().flagged;
                    view! {
                        <h4 data-testid="flagged-title">{bi("分析提示：建议复核信用等级", "Analysis: grades to review")}</h4>
                        {if f.is_empty() {
                            view! { <p class="empty">{bi("暂无需要复核的商户。可输入名称、统一社会信用代码或地址查询。", "No business to review. Search by name, credit code or address.")}</p> }.into_any()
                        } else {
                            rows_table(f).into_any()
                        }}
                    }.into_any()
                }
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="empty">{bi("没有符合条件的企业", "No business matches")}</p> }.into_any(),
                Some(Ok(rows)) => view! {
                    <p class="hint" data-testid="found">{pick(&format!("找到 {} 家", rows.len()), &format!("{} found", rows.len())).to_string()}</p>
                    {rows_table(rows)}
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Draw(board: RwSignal<SupervisionBoard>, grader: bool) -> impl IntoView {
    let seed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let draw = move |_| {
        let Ok(seed) = seed.get_untracked().trim().parse::<u64>() else {
            error.set(Some(pick("随机种子应为数字（可用公证摇号的号码）", "The seed is a number (e.g. the notarised lottery number)").to_string()));
            return;
        };
        let year = zhizhi_shared::time::beijing_day_start(crate::components::clock::js_now()).1.0 as i32;
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match supervise(SupervisionAction::Draw { year, seed }).await {
                Ok(_) => {
                    if let Ok(b) = get_supervision().await {
                        board.set(b);
                    }
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="panel" data-testid="draw">
            <h3>{bi("双随机抽查", "Random inspection draw")}</h3>
            {move || match board.get().draw {
                Some(d) => view! {
                    <p data-testid="draw-brief">
                        {pick(&format!("{} 年度 · 抽中 {} 家 · 种子 {}", d.year, d.targets, d.seed), &format!("{} · {} drawn · seed {}", d.year, d.targets, d.seed)).to_string()}
                        <br/><small>{d.drawn_by.clone()}" · "{short_time(d.drawn_at)}</small>
                    </p>
                    <table class="data small">
                        <thead><tr><th>{bi("等级", "Grade")}</th><th>{bi("企业数", "Businesses")}</th><th>{bi("抽中", "Drawn")}</th><th>{bi("比例", "Share")}</th></tr></thead>
                        <tbody>
                            {["A", "B", "C", "D"].into_iter().zip(d.by_grade).map(|(g, (n, k))| view! {
                                <tr><td>{g}</td><td>{n}</td><td>{k}</td><td>{if n == 0 { "—".to_string() } else { format!("{:.1}%", f64::from(k) * 100.0 / f64::from(n)) }}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                None => view! { <p class="empty">{bi("本年度尚未抽取。输入公证摇号得到的随机种子后抽取。", "No draw this year yet. Enter the seed from the notarised lottery and draw.")}</p> }.into_any(),
            }}
            {grader.then(|| view! {
                <div class="row-actions">
                    <input type="text" inputmode="numeric" data-testid="draw-seed" placeholder=bi("随机种子", "Seed")
                        prop:value=move || seed.get() on:input=move |e| seed.set(event_target_value(&e))/>
                    <button class="btn primary" data-testid="draw-run" disabled=move || busy.get() on:click=draw>{bi("抽取本年度检查对象", "Draw this year's targets")}</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </div>
    }
}

/// Every business as a dot at its place, coloured by grade (D red, C orange, B yellow, A blue),
/// the worse grades drawn last so that they show; a dot opens its business.
#[component]
fn Dots(board: RwSignal<SupervisionBoard>) -> impl IntoView {
    const W: f64 = 560.0;
    const H: f64 = 230.0;
    let drawing = move || {
        let mut dots = board.get().dots;
        if dots.is_empty() {
            return view! { <p class="empty">{bi("还没有企业数据", "No businesses yet")}</p> }.into_any();
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (_, lon, lat, _) in &dots {
            (x0, y0, x1, y1) = (x0.min(*lon), y0.min(*lat), x1.max(*lon), y1.max(*lat));
        }
        // Metres east and north are not the same number of degrees: scale longitude by cos(lat).
        let k = ((y0 + y1) / 2.0).to_radians().cos();
        let (w, h) = (((x1 - x0) * k).max(1e-6), (y1 - y0).max(1e-6));
        let s = ((W - 16.0) / w).min((H - 16.0) / h);
        let (ox, oy) = ((W - w * s) / 2.0, (H - h * s) / 2.0);
        dots.sort_by_key(|d| d.3);
        view! {
            <svg class="ent-dots" viewBox=format!("0 0 {W} {H}") role="img" aria-label=bi("企业分布（按信用等级着色）", "Businesses by credit grade") data-testid="ent-dots">
                {dots.into_iter().map(|(id, lon, lat, g)| {
                    let (x, y) = (ox + (lon - x0) * k * s, H - oy - (lat - y0) * s);
                    let r = if g >= CreditRating::C { "3.2" } else { "2.2" };
                    view! {
                        <a href=format!("/enterprises/{id}")>
                            <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r=r class=format!("dot g-{}", grade_colour(g))/>
                        </a>
                    }
                }).collect_view()}
            </svg>
        }.into_any()
    };
    view! {
        <div class="panel ent-map">
            <h3>{bi("企业分布（按信用等级）", "Businesses by credit grade")}</h3>
            {drawing}
            <div class="legend">
                {[CreditRating::A, CreditRating::B, CreditRating::C, CreditRating::D].into_iter().map(|g| view! {
                    <span><i class=format!("swatch dot-swatch g-{}", grade_colour(g))></i>{pick(&format!("{} 级", g.letter()), &format!("Grade {}", g.letter())).to_string()}</span>
                }).collect_view()}
            </div>
        </div>
    }
}
