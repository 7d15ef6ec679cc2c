//! The signed-in user's name, roles and the way out.

use crate::api::Logout;
use crate::i18n::{bi, pick, role_en, tr, use_lang, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;

/// Name and roles, with a sign-out button (a form, so it works before hydration too).
#[component]
pub fn UserMenu(me: Principal) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let lang = use_lang();
    let my_roles = me.roles.clone();
    let roles = move || {
        lang.track();
        my_roles.iter().map(|r| pick(r.name_zh(), role_en(*r))).collect::<Vec<_>>().join(pick("、", ", "))
    };
    view! {
        <div class="user-menu" data-testid="user-menu">
            <a class="user-name" href="/account/password" title=bi("修改密码", "Change password")>{me.display_name.clone()}</a>
            <span class="user-roles">{roles}</span>
            <ActionForm action=logout attr:class="logout-form">
                // What the phone kept of this session goes with it.
                <button type="submit" class="logout" on:click=|_| crate::components::outbox::forget_kept()>{tr(Msg::Logout)}</button>
            </ActionForm>
        </div>
    }
}
