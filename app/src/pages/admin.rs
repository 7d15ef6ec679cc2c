//! Administrators' screens: accounts and the audit log.

pub mod audit;
pub mod grids;
pub mod users;

use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use leptos::prelude::*;
use zhizhi_shared::auth::Principal;

/// The desktop frame of an administration screen, for administrators only (the server refuses
/// everyone else's requests; this says so instead of showing an empty page).
#[component]
pub fn AdminFrame<F, IV>(title: &'static str, body: F) -> impl IntoView
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
                        <nav class="tabs" aria-label="系统管理">
                            <a href="/admin/users" class:active=move || title == "账号管理">"账号管理"</a>
                            <a href="/admin/audit" class:active=move || title == "审计日志">"审计日志"</a>
                            <a href="/admin/grids" class:active=move || title == "网格管理">"网格管理"</a>
                        </nav>
                        {if allowed {
                            body().into_any()
                        } else {
                            view! { <p class="state error" role="alert">"仅系统管理员可以访问此页面。"</p> }.into_any()
                        }}
                    </main>
                </div>
            }
        }/>
    }
}
