//! Administrators' screens: accounts and the audit log.

pub mod audit;
pub mod grids;
pub mod import;
pub mod keys;
pub mod users;

use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;

/// The desktop frame of an administration screen, for administrators only (the server refuses
/// everyone else's requests; this says so instead of showing an empty page). `tab` names the
/// screen's tab: `users`, `audit`, `grids`, `keys` or `import`.
#[component]
pub fn AdminFrame<F, IV>(tab: &'static str, body: F) -> impl IntoView
where
    F: Fn() -> IV + Send + Sync + Clone + 'static,
    IV: IntoView + 'static,
{
    view! {
        <AuthGate page=move |me: Principal| {
            let allowed = me.may_administer();
            let body = body.clone();
            view! {
                <div class="screen command admin">
                    <TopBar me/>
                    <SideNav/>
                    <main class="admin-main">
                        <nav class="tabs" aria-label=tr(Msg::NavAdmin)>
                            <a href="/admin/users" class:active=move || tab == "users">{bi("账号管理", "Accounts")}</a>
                            <a href="/admin/audit" class:active=move || tab == "audit">{bi("审计日志", "Audit log")}</a>
                            <a href="/admin/grids" class:active=move || tab == "grids">{bi("网格管理", "Grids")}</a>
                            <a href="/admin/keys" class:active=move || tab == "keys">{bi("接口密钥", "API keys")}</a>
                            <a href="/admin/import" class:active=move || tab == "import">{bi("数据导入", "Import")}</a>
                        </nav>
                        {if allowed {
                            body().into_any()
                        } else {
                            view! { <p class="state error" role="alert">{bi("仅系统管理员可以访问此页面。",
                                "Only system administrators may open this page.")}</p> }.into_any()
                        }}
                    </main>
                </div>
            }
        }/>
    }
}
