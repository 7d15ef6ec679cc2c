//! One case on its own page (`/cases/{id}`): reachable by link, usable on a phone, printable.

use crate::api::cases::{get_case, get_posts};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::CaseDetailView;
use crate::components::clock::use_now;
use crate::components::nav::BottomNav;
use crate::components::outbox::OutboxBar;
use zhizhi_shared::auth::Role;
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{CaseDetail, PostRef};

/// The page at `/cases/{id}`.
#[component]
pub fn CasePage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <CaseScreen me/> }/> }
}

#[component]
fn CaseScreen(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, |id| async move {
        let d = get_case(id).await?;
        let posts = get_posts().await?;
        Ok::<_, ServerFnError>((d, posts))
    });
    let back = if me.roles == [zhizhi_shared::auth::Role::GridWorker] { "/m/tasks" } else { "/board" };
    let me2 = me.clone();
    // Those who work from a phone in the street keep their work on it without a signal.
    let on_phone = !me.has(Role::Command) && (me.has(Role::GridWorker) || me.has(Role::Post));
    let username = me.username.clone();
    view! {
        <div class="screen page">
            <header class="phone-top no-print">
                <a class="back" href=back data-testid="back">{bi("‹ 返回", "‹ Back")}</a>
                <h1>{bi("事件详情", "Case")}</h1>
                <button class="act small no-print" data-testid="print" on:click=move |_| print()>{bi("打印", "Print")}</button>
                <UserMenu me/>
            </header>
            <main class="page-main">
                {on_phone.then(|| view! { <OutboxBar user=username.clone()/> })}
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok((d, posts)) => view! { <LiveCase me=me2.clone() detail=d posts/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{crate::api::error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}

fn print() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// The case, kept current by the live stream.
#[component]
fn LiveCase(me: Principal, detail: CaseDetail, posts: Vec<PostRef>) -> impl IntoView {
    let id = detail.case.id;
    let cursor = detail.cursor;
    let current = RwSignal::new(detail);
    let connected = RwSignal::new(false);
    let now = use_now(std::time::Duration::from_secs(20));
    browser::follow_live(
        cursor,
        connected,
        move |case| {
            if case.id == id && current.get_untracked().case.version < case.version {
                spawn_local(async move {
                    if let Ok(d) = get_case(id).await {
                        current.set(d);
                    }
                });
            }
        },
        move || browser::go(&format!("/cases/{id}")),
    );
    let on_changed = Callback::new(move |d: CaseDetail| current.set(d));
    // Hydrated (its buttons work), with a signal or without.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <section class="panel case-page" data-testid="case-page" data-live=move || connected.get().then_some("1")
            data-ready=move || ready.get().then_some("1")>
            {move || view! { <CaseDetailView me=me.clone() detail=current.get() posts=posts.clone() on_changed now/> }}
        </section>
    }
}
