//! The login page.

use crate::api::{error_text, Login};
use crate::i18n::{bi, set_lang, t, tr, use_lang, Lang, Msg};
use leptos::prelude::*;

/// Username and password, large enough to type on a phone; errors in words, not codes.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let lang = use_lang();
    // Marks the page once hydrated (the form then signs in without a page load).
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let error = move || {
        login.value().get().and_then(|r| r.err()).map(|e| error_text(&e))
    };
    view! {
        <main class="login-screen" data-ready=move || ready.get().then_some("1")>
            <form class="lang-row" on:submit=|ev| ev.prevent_default()>
                <button type="button" class="lang-switch" data-testid="lang-switch"
                    on:click=move |_| set_lang(if lang.get_untracked() == Lang::Zh { Lang::En } else { Lang::Zh })>
                    {tr(Msg::SwitchLanguage)}
                </button>
            </form>
            <div class="login-card panel">
                <div class="login-brand">
                    <span class="logo" aria-hidden="true">"治"</span>
                    <div>
                        <h1>{tr(Msg::LoginTitle)}</h1>
                        <p class="login-sub">{tr(Msg::Centre)}</p>
                    </div>
                </div>
                <ActionForm action=login attr:class="login-form">
                    <label>
                        <span>{tr(Msg::Username)}</span>
                        <input type="text" name="username" autocomplete="username" required autocapitalize="off" spellcheck="false"/>
                    </label>
                    <label>
                        <span>{tr(Msg::Password)}</span>
                        <input type="password" name="password" autocomplete="current-password" required/>
                    </label>
                    {move || error().map(|m| view! { <p class="form-error" role="alert"
                        data-testid="login-error">{t(lang.get(), Msg::LoginFailed)}{bi("：", ": ")}{m}</p> })}
                    <button type="submit" class="primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { t(lang.get(), Msg::SigningIn) } else { t(lang.get(), Msg::SignIn) }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
