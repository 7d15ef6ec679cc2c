//! The signed-in user's name, roles and the way out.

use crate::api::Logout;
use crate::i18n::{tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;

/// Name and roles, with a sign-out button (a form, so it works before hydration too).
#[component]
pub fn UserMenu(me: Principal) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let roles = me.roles.iter().map(|r| r.name_zh()).collect::<Vec<_>>().join("、");
    view! {
        <div class="user-menu" data-testid="user-menu">
            <a class="user-name" href="/account/password" title="修改密码">{me.display_name.clone()}</a>
            <span class="user-roles">{roles}</span>
            <ActionForm action=logout attr:class="logout-form">
                <button type="submit" class="logout">{tr(Msg::Logout)}</button>
            </ActionForm>
        </div>
    }
}
