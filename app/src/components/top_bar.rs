//! The bar across the top of every desktop screen.

use crate::components::clock::Clock;
use crate::components::user_menu::UserMenu;
use zhizhi_shared::auth::Principal;
use crate::i18n::{set_lang, t, tr, use_lang, Lang, Msg};
use leptos::prelude::*;

/// Product and centre name, the clock, the language switch and the user.
#[component]
pub fn TopBar(me: Principal) -> impl IntoView {
    let lang = use_lang();
    let toggle = move |_| set_lang(if lang.get_untracked() == Lang::Zh { Lang::En } else { Lang::Zh });
    view! {
        <header class="top-bar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"治"</span>
                <span class="product">{tr(Msg::Product)}</span>
                <span class="centre">{tr(Msg::Centre)}</span>
                <span class="badge demo">{tr(Msg::DemoBadge)}</span>
            </div>
            <div class="top-right">
                <Clock/>
                <button class="lang-switch" data-testid="lang-switch" on:click=toggle
                    title=move || t(lang.get(), Msg::SwitchLanguage)>
                    {tr(Msg::SwitchLanguage)}
                </button>
                <UserMenu me/>
            </div>
        </header>
    }
}
