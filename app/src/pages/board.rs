//! The case board (事件处置): the live queue on the left, the selected case on the right.
//! For command staff it is the dispatch board; for post staff their post's inbox (岗位待办);
//! for the district the cases escalated to it.

use crate::api::cases::{get_case, get_cases, get_posts, get_streets};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::{CaseCard, CaseDetailView};
use crate::components::clock::use_now;
use crate::components::nav::{BottomNav, SideNav};
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{CaseDetail, CaseList, CaseQuery, CaseSummary, PostRef};
use zhizhi_shared::case::{CaseState, Timeliness, GROUPS};

/// The page at `/board`.
#[component]
pub fn BoardPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Board me/> }/> }
}

#[component]
fn Board(me: Principal) -> impl IntoView {
    // `?street=N`: one street's cases, as the district opens them from its view across streets.
    let street = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("street").and_then(|s| s.parse::<i64>().ok()));
    let data = Resource::new(
        || (),
        move |_| async move {
            let list = get_cases(CaseQuery { limit: Some(300), street, ..Default::default() }).await?;
            let posts = get_posts().await?;
            let street = match street {
                Some(id) => get_streets().await?.into_iter().find(|s| s.id == id).map(|s| (id, s.name)),
                None => None,
            };
            Ok::<_, ServerFnError>((list, posts, street))
        },
    );
    let me2 = me.clone();
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="board-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok((list, posts, street)) => view! { <Workbench me=me2.clone() list posts street/> }.into_any(),
                        Err(_) => view! { <p class="state error" role="alert">{tr(Msg::LoadFailed)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}

/// The queue filters, as chips.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Chip {
    Open,
    ToDispatch,
    Handling,
    ToVerify,
    Held,
    Overdue,
    Done,
    Drill,
}

const CHIPS: [(Chip, &str, &str); 8] = [
    (Chip::Open, "未办结", "Open"),
    (Chip::ToDispatch, "待派遣", "To dispatch"),
    (Chip::Handling, "处置中", "Handling"),
    (Chip::ToVerify, "待核查", "To verify"),
    (Chip::Held, "挂起/上报", "Held"),
    (Chip::Overdue, "已超时", "Overdue"),
    (Chip::Drill, "演练", "Drills"),
    (Chip::Done, "已办结", "Finished"),
];

impl Chip {
    /// Whether the chip lists `c`. Drills (演练) are listed under 「未办结」 too, so that a post
    /// finds its drill tasks, but every other chip is for real cases only.
    fn keeps(self, c: &CaseSummary, now: Option<i64>) -> bool {
        use CaseState as S;
        if c.drill && !matches!(self, Chip::Open | Chip::Drill) {
            return false;
        }
        match self {
            Chip::Open | Chip::Drill => !c.state.is_final() && (self == Chip::Open || c.drill),
            Chip::ToDispatch => matches!(c.state, S::Reported | S::Accepted | S::Registered),
            Chip::Handling => matches!(c.state, S::Dispatched | S::Handling),
            Chip::ToVerify => matches!(c.state, S::Verifying | S::Verified),
            Chip::Held => matches!(c.state, S::Suspended | S::Escalated),
            Chip::Overdue => now.is_some_and(|n| c.timeliness(n) == Timeliness::Overdue),
            Chip::Done => c.state.is_final(),
        }
    }
}

/// Puts `case` in the list (replacing an older version of it); whether it was new.
fn upsert(list: &mut Vec<CaseSummary>, case: CaseSummary) -> bool {
    match list.iter_mut().find(|c| c.id == case.id) {
        Some(old) => {
            if old.version <= case.version {
                *old = case;
            }
            false
        }
        None => {
            list.insert(0, case);
            true
        }
    }
}

/// `street`: only this street's cases (its id and name).
#[component]
fn Workbench(me: Principal, list: CaseList, posts: Vec<PostRef>, street: Option<(i64, String)>) -> impl IntoView {
    let street_id = street.as_ref().map(|s| s.0);
    let cases = RwSignal::new(list.cases);
    let selected = RwSignal::new(None::<i64>);
    let detail = RwSignal::new(None::<CaseDetail>);
    let fresh = RwSignal::new(Vec::<i64>::new());
    let sound = RwSignal::new(false);
    let connected = RwSignal::new(false);
    let chip = RwSignal::new(Chip::Open);
    let group = RwSignal::new(String::new());
    let grid = RwSignal::new(None::<i64>);
    let detail_error = RwSignal::new(None::<String>);
    let now = use_now(std::time::Duration::from_secs(20));
    // Bumped whenever the low ratings waiting for review may have changed.
    let reviews_seen = RwSignal::new(0u32);

    let load = move |id: i64| {
        spawn_local(async move {
            match get_case(id).await {
                Ok(d) => {
                    if selected.get_untracked() == Some(id) {
                        detail_error.set(None);
                        detail.set(Some(d));
                    }
                }
                Err(e) => detail_error.set(Some(crate::api::error_text(&e))),
            }
        })
    };
    let pick_case = Callback::new(move |id: i64| {
        selected.set(Some(id));
        fresh.update(|f| f.retain(|x| *x != id));
        if detail.get_untracked().is_none_or(|d| d.case.id != id) {
            detail.set(None);
        }
        load(id);
    });
    browser::follow_live(
        list.cursor,
        connected,
        move |case: CaseSummary| {
            if street_id.is_some() && case.street_id != street_id {
                return;
            }
            let id = case.id;
            let version = case.version;
            // A rating or a review is written on a closed case: the reviews may have changed.
            if case.state == CaseState::Closed {
                reviews_seen.update(|n| *n += 1);
            }
            let mut is_new = false;
            cases.update(|l| is_new = upsert(l, case));
            if is_new {
                fresh.update(|f| f.push(id));
                if sound.get_untracked() {
                    browser::chime();
                }
            }
            if selected.get_untracked() == Some(id) && detail.get_untracked().is_some_and(|d| d.case.version < version) {
                load(id);
            }
        },
        || browser::go("/board"),
    );
    let on_changed = Callback::new(move |d: CaseDetail| {
        cases.update(|l| {
            upsert(l, d.case.clone());
        });
        reviews_seen.update(|n| *n += 1);
        detail.set(Some(d));
    });

    let title = if me.has(Role::Command) {
        ("事件处置 · 指挥调度", "Cases · dispatch")
    } else if me.has(Role::Post) {
        ("岗位待办", "My post's tasks")
    } else if me.has(Role::District) {
        ("区级事件", "Escalated cases")
    } else {
        ("事件", "Cases")
    };
    let shown = move || {
        let (c, g, n, gr) = (chip.get(), group.get(), now.get(), grid.get());
        cases
            .get()
            .into_iter()
            .filter(|x| c.keeps(x, n) && (g.is_empty() || x.category.starts_with(&format!("{g}."))) && (gr.is_none() || x.grid_id == gr))
            .collect::<Vec<_>>()
    };
    // The counts are of real cases: a drill never adds to them (the 「演练」 chip counts drills).
    let count_of = move |c: Chip| {
        let n = now.get();
        cases.with(|l| l.iter().filter(|x| c.keeps(x, n) && (x.drill == (c == Chip::Drill))).count())
    };
    let may_report = me.may_report_case();
    // The grids the listed cases lie in, by the name routing gave them (社区 · 网格 · 微网格).
    let grids = move || {
        let mut out: Vec<(i64, String)> = Vec::new();
        for c in cases.get() {
            if let Some(g) = c.grid_id
                && !out.iter().any(|x| x.0 == g)
            {
                let name = c.place.split(" · ").take(2).collect::<Vec<_>>().join(" · ");
                out.push((g, name));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    };
    let me_detail = me.clone();
    // The export follows what the queue shows: the chip's states, the category and the grid.
    let export_href = move || {
        let mut q: Vec<String> = Vec::new();
        match chip.get() {
            Chip::Open => q.push("state=open".into()),
            Chip::ToDispatch => q.push("state=reported,accepted,registered".into()),
            Chip::Handling => q.push("state=dispatched,handling".into()),
            Chip::ToVerify => q.push("state=verifying,verified".into()),
            Chip::Held => q.push("state=suspended,escalated".into()),
            Chip::Overdue => q.push("overdue=true".into()),
            Chip::Done => q.push("state=closed,rejected".into()),
            Chip::Drill => {}
        }
        let g = group.get();
        if !g.is_empty() {
            q.push(format!("category={g}"));
        }
        if let Some(id) = grid.get() {
            q.push(format!("grid={id}"));
        }
        if let Some(id) = street_id {
            q.push(format!("street={id}"));
        }
        format!("/api/v1/cases.xlsx?{}", q.join("&"))
    };

    view! {
        <section class="panel queue" data-testid="queue">
            <div class="queue-head">
                <h2>{bi(title.0, title.1)}</h2>
                <span class="live" class:on=move || connected.get() data-testid="live-status"
                    title=move || if connected.get() { pick("实时连接正常", "Live") } else { pick("实时连接中断，正在重连", "Reconnecting") }>
                    {move || if connected.get() { pick("实时", "Live") } else { pick("连接中", "Connecting") }}
                </span>
                <label class="sound-toggle">
                    <input type="checkbox" data-testid="sound" prop:checked=move || sound.get()
                        on:change=move |e| sound.set(event_target_checked(&e))/>
                    {bi("提示音", "Sound")}
                </label>
                {may_report.then(|| view! {
                    <a class="act primary small-link" href="/report" data-testid="new-case">{bi("＋ 登记事件", "+ New case")}</a>
                })}
            </div>
            {street.map(|(_, name)| view! {
                <p class="street-scope" data-testid="street-scope">
                    {bi("仅看 ", "Only ")}<strong>{name}</strong>
                    <a href="/board">{bi("查看全区", "All streets")}</a>
                </p>
            })}
            {me.has(Role::Command).then(|| view! { <Reviews seen=reviews_seen on_pick=pick_case/> })}
            <div class="chips" role="tablist">
                {CHIPS.into_iter().map(|(c, zh, en)| view! {
                    <button role="tab" class="chip" class:drill-chip=c == Chip::Drill hidden=move || c == Chip::Drill && count_of(c) == 0 class:active=move || chip.get() == c aria-selected=move || (chip.get() == c).to_string()
                        data-testid=format!("chip-{c:?}").to_lowercase() on:click=move |_| chip.set(c)>
                        {bi(zh, en)}<span class="chip-count">{move || count_of(c)}</span>
                    </button>
                }).collect_view()}
            </div>
            <label class="group-filter">{bi("筛选", "Filter")}
                <select data-testid="group-filter" on:change=move |e| group.set(event_target_value(&e))>
                    <option value="">{bi("全部类别", "All categories")}</option>
                    {GROUPS.iter().map(|g| view! { <option value=g.code>{bi(g.name_zh, g.name_en)}</option> }).collect_view()}
                </select>
                <select data-testid="grid-filter" on:change=move |e| grid.set(event_target_value(&e).parse().ok())>
                    <option value="">{bi("全部网格", "All grids")}</option>
                    {move || grids().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </label>
            <a class="act small-link export-cases" data-testid="export-cases" href=export_href download>{bi("导出 Excel", "Export Excel")}</a>
            <ul class="case-list" data-testid="case-list">
                {move || {
                    let rows = shown();
                    if rows.is_empty() {
                        view! { <li class="state empty" data-testid="queue-empty">{bi(
                            "暂无此类事件。网格员巡查上报、12345 热线和物联感知告警的事件会即时出现在这里。",
                            "No cases here. Cases reported by grid workers, the 12345 hotline and sensors appear here at once.")}</li> }.into_any()
                    } else {
                        rows.into_iter().map(|c| {
                            let id = c.id;
                            view! { <CaseCard case=c selected=Signal::derive(move || selected.get() == Some(id))
                                fresh=Signal::derive(move || fresh.get().contains(&id)) now on_pick=pick_case/> }
                        }).collect_view().into_any()
                    }
                }}
            </ul>
        </section>
        <section class="panel detail-pane" data-testid="detail-pane">
            {move || detail_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {move || match (detail.get(), selected.get()) {
                (Some(d), _) => view! { <CaseDetailView me=me_detail.clone() detail=d posts=posts.clone() on_changed now/> }.into_any(),
                (None, Some(_)) => view! { <p class="state loading">{tr(Msg::Loading)}</p> }.into_any(),
                (None, None) => view! {
                    <p class="state empty">
                        {bi(
                            "从左侧队列选择一个事件，查看详情、派遣和流转记录。",
                            "Pick a case from the queue to see it, dispatch it and follow its timeline.",
                        )}
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

/// The low ratings waiting for the command staff's review (差评待复核), oldest first; nothing
/// when there are none. Read again whenever `seen` changes.
#[component]
fn Reviews(seen: RwSignal<u32>, on_pick: Callback<i64>) -> impl IntoView {
    let items = RwSignal::new(Vec::<zhizhi_shared::case::follow::ReviewItem>::new());
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        let n = seen.get();
        asked.set_value(n);
        spawn_local(async move {
            if let Ok(list) = crate::api::follow::get_reviews().await
                && asked.try_get_value() == Some(n)
            {
                items.try_set(list);
            }
        });
    });
    view! {
        <div class="reviews" data-testid="reviews" hidden=move || items.with(|l| l.is_empty())>
            <strong>{move || pick(&format!("差评待复核 {} 件", items.with(|l| l.len())), &format!("{} low ratings to review", items.with(|l| l.len()))).to_string()}</strong>
            <ul>
                {move || items.get().into_iter().map(|r| {
                    let id = r.case.id;
                    let (zh, en) = r.case.category_names();
                    view! {
                        <li><button class="review-item" data-testid="review-item" on:click=move |_| on_pick.run(id)>
                            <span class="stars">{crate::components::case_view::stars(r.rating.score)}</span>
                            " "{r.case.number.clone()}" · "{pick(&zh, &en).to_string()}
                        </button></li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
