//! A grid worker's tasks on the phone (`/m/tasks`): what waits for them first, then the rest
//! of their grid's open cases, kept current by the live stream.

use crate::api::cases::get_cases;
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::CaseCard;
use crate::components::clock::use_now;
use crate::components::nav::BottomNav;
use crate::components::outbox::{self, OutboxBar};
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{CaseList, CaseQuery, CaseSummary};
use zhizhi_shared::case::{CaseState, Holder};

/// The page at `/m/tasks`.
#[component]
pub fn TasksPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <PhoneTasks me/> }/> }
}

#[component]
fn PhoneTasks(me: Principal) -> impl IntoView {
    let data = Resource::new(|| (), |_| get_cases(CaseQuery { limit: Some(200), ..Default::default() }));
    let me2 = me.clone();
    let username = me.username.clone();
    view! {
        <div class="screen phone">
            <header class="phone-top">
                <h1>{bi("我的任务", "My tasks")}</h1>
                <UserMenu me/>
            </header>
            <main class="phone-main">
                <OutboxBar user=username/>
                <a class="primary big-button" href="/report" data-testid="report-button">{bi("＋ 上报事件", "+ Report a case")}</a>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(list) => view! { <TaskLists me=me2.clone() list/> }.into_any(),
                        Err(_) => view! { <p class="state error" role="alert">{tr(Msg::LoadFailed)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}

/// Whether the case waits for this grid worker: a task of their grid to handle, or a case of
/// their grid to verify.
fn waits_for(me: &Principal, c: &CaseSummary) -> bool {
    let my_task = c.tasks.iter().any(|t| t.state.is_open() && matches!(t.holder, Holder::Grid(g) if me.grid_ids.contains(&g)));
    let to_verify = c.state == CaseState::Verifying && c.grid_id.is_some_and(|g| me.grid_ids.contains(&g));
    my_task || to_verify
}

#[component]
fn TaskLists(me: Principal, list: CaseList) -> impl IntoView {
    let cases = RwSignal::new(list.cases);
    let connected = RwSignal::new(false);
    let now = use_now(std::time::Duration::from_secs(30));
    browser::follow_live(
        list.cursor,
        connected,
        move |case: CaseSummary| {
            cases.update(|l| match l.iter_mut().find(|c| c.id == case.id) {
                Some(old) => *old = case,
                None => l.insert(0, case),
            })
        },
        || browser::go("/m/tasks"),
    );
    // The phone keeps the pages of the cases waiting for the worker and those they reported,
    // so that they open (and can be acted on) without a signal.
    let mine: Vec<String> = cases
        .get_untracked()
        .iter()
        .filter(|c| !c.state.is_final() && (waits_for(&me, c) || c.reporter_id == Some(me.user_id)))
        .take(30)
        .map(|c| format!("/cases/{}", c.id))
        .collect();
    Effect::new(move |_| outbox::warm(mine.clone()));
    let open = Callback::new(|id: i64| browser::go(&format!("/cases/{id}")));
    let section = move |title: (&'static str, &'static str),
                        testid: &'static str,
                        keep: std::sync::Arc<dyn Fn(&CaseSummary) -> bool + Send + Sync>,
                        empty: (&'static str, &'static str)| {
        view! {
            <section class="panel">
                <h2>{bi(title.0, title.1)}</h2>
                <ul class="case-list" data-testid=testid>
                    {move || {
                        let rows: Vec<CaseSummary> = cases.get().into_iter().filter(|c| keep(c)).take(30).collect();
                        if rows.is_empty() {
                            view! { <li class="note">{bi(empty.0, empty.1)}</li> }.into_any()
                        } else {
                            rows.into_iter()
                                .map(|c| view! { <CaseCard case=c selected=false fresh=false now on_pick=open/> })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </ul>
            </section>
        }
    };
    let (m1, m2, m3) = (me.clone(), me.clone(), me.clone());
    view! {
        <div class="task-lists" data-testid="task-lists" data-live=move || connected.get().then_some("1")>
        {section(("待我处置", "Waiting for me"), "my-tasks", std::sync::Arc::new(move |c| waits_for(&m1, c)), ("没有待处置的任务。", "Nothing waits for you."))}
        {section(
            ("我上报的", "Reported by me"),
            "my-reports",
            std::sync::Arc::new(move |c| c.reporter_id == Some(m2.user_id) && !waits_for(&m2, c)),
            ("还没有上报过事件。巡查发现问题时，点上方「上报事件」。", "You have not reported a case yet."),
        )}
        {section(
            ("本网格其他事件", "Other cases in my grid"),
            "grid-cases",
            std::sync::Arc::new(move |c| !c.state.is_final() && c.reporter_id != Some(m3.user_id) && !waits_for(&m3, c)),
            ("本网格暂无其他未办结事件。", "No other open cases in your grid."),
        )}
        </div>
    }
}
