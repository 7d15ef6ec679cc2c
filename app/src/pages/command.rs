//! The command centre's main screen (指挥大屏): the street at a glance.

mod boards_panel;
mod grid_map;
mod streets_panel;
mod summary_panel;

use crate::api::get_overview;
use crate::components::auth_gate::AuthGate;
use crate::components::nav::{BottomNav, SideNav};
use crate::components::top_bar::TopBar;
use crate::i18n::{tr, Msg};
use boards_panel::BoardsPanel;
use grid_map::GridMapPanel;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use zhizhi_shared::auth::{Principal, Role};
use streets_panel::StreetsPanel;
use summary_panel::SummaryPanel;

/// The command screen for signed-in staff; grid workers go to their own grid's page, post staff
/// and the district to their case inbox.
#[component]
pub fn CommandCentre() -> impl IntoView {
    view! {
        <AuthGate page=|me: Principal| {
            if me.roles == [Role::GridWorker] {
                view! { <Redirect path="/my-grid"/> }.into_any()
            } else if me.roles == [Role::Approver] {
                // The district approver works from the joint inspections.
                view! { <Redirect path="/enterprises"/> }.into_any()
            } else if !me.has(Role::Command) && !me.has(Role::Admin) && (me.has(Role::Post) || me.has(Role::District)) {
                // Post staff and the district work from their case inbox.
                view! { <Redirect path="/board"/> }.into_any()
            } else {
                view! { <CommandScreen me/> }.into_any()
            }
        }/>
    }
}

/// Counts on the left, the map in the middle, boards and posts on the right.
#[component]
fn CommandScreen(me: Principal) -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <div class="screen command">
            <TopBar me/>
            <SideNav/>
            <main class="command-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || overview.get().map(|result| match result {
                        Err(_) => view! { <p class="state error" role="alert">{tr(Msg::LoadFailed)}</p> }.into_any(),
                        Ok(o) if o.street.is_none() => view! {
                            <p class="state empty" data-testid="empty-street">{tr(Msg::EmptyStreet)}</p>
                        }.into_any(),
                        Ok(o) => view! {
                            <SummaryPanel summary=o.summary.clone() street=o.street.clone()/>
                            <GridMapPanel map=o.grid_map.clone() streets=o.streets.clone()/>
                            {if o.streets.is_empty() {
                                view! { <BoardsPanel boards=o.boards.clone()/> }.into_any()
                            } else {
                                view! { <StreetsPanel streets=o.streets.clone()/> }.into_any()
                            }}
                        }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}
