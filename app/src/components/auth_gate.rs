//! Pages for signed-in users only. The server refuses their data to anyone else anyway; this
//! gate sends a visitor without a session to the login page instead of an error.

use crate::api::get_me;
use crate::components::call::{CallCtx, CallLayer};
use crate::i18n::{tr, Msg};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use zhizhi_shared::auth::Principal;

/// Renders `page` for the signed-in user, or redirects to `/login`.
#[component]
pub fn AuthGate<F, IV>(page: F) -> impl IntoView
where
    F: Fn(Principal) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
            {move || me.get().map(|r| match r {
                // Every signed-in page can ring and show a video call.
                Ok(Some(p)) => {
                    let ctx = CallCtx::provide();
                    view! { {page(p.clone())} <CallLayer me=p ctx/> }.into_any()
                }
                _ => view! { <Redirect path="/login"/> }.into_any(),
            })}
        </Suspense>
    }
}
