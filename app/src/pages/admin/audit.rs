//! The audit log viewer: search by person and action, and verify the hash chain.

use super::AdminFrame;
use crate::api::{error_text, get_audit, VerifyAuditChain};
use crate::i18n::{bi, pick, tr, use_lang, Msg};
use leptos::prelude::*;
use zhizhi_shared::time::beijing_datetime;

/// `/admin/audit`
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <AdminFrame tab="audit" body=Audit/> }
}

/// What each recorded action means, in the words of the log's readers: (Chinese, English).
fn action_names(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        "login" => ("登录", "Sign-in"),
        "login_failed" => ("登录失败", "Sign-in failed"),
        "login_throttled" => ("登录被限制", "Sign-in throttled"),
        "login_refused" => ("登录被拒绝", "Sign-in refused"),
        "logout" => ("退出", "Sign-out"),
        "reveal" => ("查看个人信息", "Personal data revealed"),
        "reveal_refused" => ("查看被拒绝", "Reveal refused"),
        "list_residents" => ("查询居民列表", "Resident list read"),
        "user_create" => ("创建账号", "Account created"),
        "user_disable" => ("停用账号", "Account disabled"),
        "user_enable" => ("启用账号", "Account enabled"),
        "password_change" => ("修改密码", "Password changed"),
        "token_create" => ("创建接口令牌", "API token created"),
        _ => return None,
    })
}

/// An action's name in the current language (an action without one shows its code).
fn action_name(action: &str) -> AnyView {
    match action_names(action) {
        Some((zh, en)) => bi(zh, en).into_any(),
        None => action.to_string().into_any(),
    }
}

#[component]
fn Audit() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let entries = Resource::new(move || (actor.get(), action.get()), |(a, b)| get_audit(a, b));
    let verify = ServerAction::<VerifyAuditChain>::new();
    let lang = use_lang();
    let verdict = move || {
        lang.track();
        verify.value().get().map(|r| match r {
            Ok(v) if v.intact => {
                let n = v.entries.unwrap_or(0);
                let text = pick(&format!("审计链完整：共 {n} 条记录，逐条校验通过。"), &format!("The audit chain is intact: all {n} records verified."))
                    .to_string();
                view! { <p class="form-ok" data-testid="verdict">{text}</p> }.into_any()
            }
            Ok(v) => {
                let (at, why) = (v.broken_at.unwrap_or(0), v.reason.unwrap_or_default());
                let text = pick(&format!("审计链在第 {at} 条被篡改（{why}）。"),
                    &format!("The audit chain was tampered with at record {at} ({why}).")).to_string();
                view! { <p class="form-error" role="alert" data-testid="verdict">{text}</p> }.into_any()
            }
            Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
        })
    };
    view! {
        <section class="panel">
            <h2>{bi("审计日志", "Audit log")}</h2>
            <div class="filters">
                <label><span>{bi("操作人", "User")}</span><input data-testid="filter-actor" prop:value=actor
                    on:change=move |ev| actor.set(event_target_value(&ev).trim().to_string()) placeholder=tr(Msg::Username)/></label>
                <label><span>{bi("操作", "Action")}</span>
                    <select data-testid="filter-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{bi("全部", "All")}</option>
                        {["login", "login_failed", "logout", "reveal", "list_residents", "user_create", "password_change", "token_create"]
                            .into_iter().map(|a| view! { <option value=a>{action_name(a)}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" data-testid="verify" on:click=move |_| { verify.dispatch(VerifyAuditChain {}); }>
                    {bi("校验审计链", "Verify the chain")}
                </button>
            </div>
            {verdict}
            <Transition fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                {move || entries.get().map(|r| match r {
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="state empty">{bi("没有符合条件的记录。", "No records match.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="audit-table">
                            <thead><tr>
                                <th>{bi("序号", "No.")}</th><th>{bi("时间（北京时间）", "Time (Beijing)")}</th><th>{bi("操作人", "User")}</th>
                                <th>{bi("操作", "Action")}</th><th>{bi("对象", "Target")}</th><th>{bi("说明", "Details")}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|e| view! {
                                    <tr>
                                        <td>{e.seq}</td>
                                        <td>{beijing_datetime(e.at_ms)}</td>
                                        <td>{e.actor}</td>
                                        <td>{action_name(&e.action)}</td>
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
