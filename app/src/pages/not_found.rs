//! The page for an address that leads nowhere.

use crate::i18n::{tr, Msg};
use leptos::prelude::*;

/// 404, in the user's language, with the way back.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="not-found">
            <h1>{tr(Msg::NotFound)}</h1>
            <a href="/">{tr(Msg::BackHome)}</a>
        </main>
    }
}
