//! The command centre's main screen (指挥大屏): the street at a glance.

mod boards_panel;
mod grid_map;
mod summary_panel;

use crate::api::get_overview;
use crate::components::nav::{BottomNav, SideNav};
use crate::components::top_bar::TopBar;
use crate::i18n::{tr, Msg};
use boards_panel::BoardsPanel;
use grid_map::GridMapPanel;
use leptos::prelude::*;
use summary_panel::SummaryPanel;

/// The command screen: counts on the left, the map in the middle, boards and posts on the right.
#[component]
pub fn CommandCentre() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <div class="screen command">
            <TopBar/>
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
                            <GridMapPanel/>
                            <BoardsPanel boards=o.boards.clone()/>
                        }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}
