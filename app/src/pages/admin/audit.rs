//! The audit log viewer: search by person and action, and verify the hash chain.

use super::AdminFrame;
use crate::api::{error_text, get_audit, VerifyAuditChain};
use leptos::prelude::*;
use zhizhi_shared::time::beijing_datetime;

/// `/admin/audit`
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <AdminFrame title="审计日志" body=Audit/> }
}

/// What each recorded action means, in the words of the log's readers.
fn action_zh(action: &str) -> &str {
    match action {
        "login" => "登录",
        "login_failed" => "登录失败",
        "login_throttled" => "登录被限制",
        "login_refused" => "登录被拒绝",
        "logout" => "退出",
        "reveal" => "查看个人信息",
        "reveal_refused" => "查看被拒绝",
        "list_residents" => "查询居民列表",
        "user_create" => "创建账号",
        "user_disable" => "停用账号",
        "user_enable" => "启用账号",
        "password_change" => "修改密码",
        "token_create" => "创建接口令牌",
        other => other,
    }
}

#[component]
fn Audit() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let entries = Resource::new(move || (actor.get(), action.get()), |(a, b)| get_audit(a, b));
    let verify = ServerAction::<VerifyAuditChain>::new();
    let verdict = move || {
        verify.value().get().map(|r| match r {
            Ok(v) if v.intact => view! { <p class="form-ok" data-testid="verdict">{format!("审计链完整：共 {} 条记录，逐条校验通过。", v.entries.unwrap_or(0))}</p> }.into_any(),
            Ok(v) => view! { <p class="form-error" role="alert" data-testid="verdict">{format!("审计链在第 {} 条被篡改（{}）。", v.broken_at.unwrap_or(0), v.reason.unwrap_or_default())}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
        })
    };
    view! {
        <section class="panel">
            <h2>"审计日志"</h2>
            <div class="filters">
                <label><span>"操作人"</span><input data-testid="filter-actor" prop:value=actor on:change=move |ev| actor.set(event_target_value(&ev).trim().to_string()) placeholder="用户名"/></label>
                <label><span>"操作"</span>
                    <select data-testid="filter-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">"全部"</option>
                        {["login", "login_failed", "logout", "reveal", "list_residents", "user_create", "password_change", "token_create"]
                            .into_iter().map(|a| view! { <option value=a>{action_zh(a)}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" data-testid="verify" on:click=move |_| { verify.dispatch(VerifyAuditChain {}); }>"校验审计链"</button>
            </div>
            {verdict}
            <Transition fallback=|| view! { <p class="state loading">"正在加载…"</p> }>
                {move || entries.get().map(|r| match r {
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="state empty">"没有符合条件的记录。"</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="audit-table">
                            <thead><tr><th>"序号"</th><th>"时间（北京时间）"</th><th>"操作人"</th><th>"操作"</th><th>"对象"</th><th>"说明"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|e| view! {
                                    <tr>
                                        <td>{e.seq}</td>
                                        <td>{beijing_datetime(e.at_ms)}</td>
                                        <td>{e.actor}</td>
                                        <td>{action_zh(&e.action).to_string()}</td>
                                        <td>{e.target}</td>
                                        <td>{e.detail}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
