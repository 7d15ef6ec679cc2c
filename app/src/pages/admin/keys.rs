//! API keys for machine clients (`/admin/keys`): Open311 integrations, device gateways, the
//! district's systems. An administrator issues a key with its scopes (the secret is shown
//! once, never stored), and revokes it at once; both are in the audit log.

use super::AdminFrame;
use crate::api::{error_text, get_api_tokens, CreateApiToken, RevokeApiToken};
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::TOKEN_SCOPE_NAMES;
use zhizhi_shared::time::beijing_datetime;

/// `/admin/keys`
#[component]
pub fn KeysPage() -> impl IntoView {
    view! { <AdminFrame tab="keys" body=Keys/> }
}

#[component]
fn Keys() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["open311".to_string()]);
    let days = RwSignal::new(String::from("365"));
    // The form works once hydrated; a marker tells tests (and styles) when it does.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| get_api_tokens());
    let issue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateApiToken { name: name.get_untracked(), scopes: scopes.get_untracked(), days: days.get_untracked().parse().ok() });
    };
    let result = move || {
        create.value().get().map(|r| match r {
            Ok(t) => view! {
                <div class="form-ok secret" role="status" data-testid="key-secret">
                    <p>{bi("密钥已生成，只显示这一次，请立即复制交给对接方：", "The key is shown this once only: copy it to the integration now:")}</p>
                    <code data-testid="key-value">{t.token}</code>
                </div>
            }
            .into_any(),
            Err(e) => view! { <p class="form-error" role="alert" data-testid="key-error">{error_text(&e)}</p> }.into_any(),
        })
    };
    let revoke_error = move || revoke.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{error_text(&e)}</p> });
    view! {
        <section class="panel">
            <h2>{bi("新建接口密钥", "New API key")}</h2>
            <p class="note">{bi("供 Open311 居民上报应用、设备网关、区级平台等系统调用接口。每个对接方一把密钥，不再使用时立即吊销。",
                "For Open311 reporting apps, device gateways and the district's systems. One key per integration; revoke it as soon as it is no longer used.")}</p>
            <form class="grid-form" on:submit=issue data-testid="key-form" data-ready=move || ready.get().then_some("1")>
                <label><span>{bi("对接方名称", "Integration")}</span>
                    <input data-testid="key-name" required placeholder=bi("如：市民通 App", "e.g. the city's reporting app")
                        prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/></label>
                <label><span>{bi("有效期", "Valid for")}</span>
                    <select data-testid="key-days" on:change=move |e| days.set(event_target_value(&e)) prop:value=move || days.get()>
                        <option value="30">{bi("30 天", "30 days")}</option>
                        <option value="90">{bi("90 天", "90 days")}</option>
                        <option value="365">{bi("1 年", "1 year")}</option>
                        <option value="">{bi("长期（直至吊销）", "Until revoked")}</option>
                    </select>
                </label>
                <fieldset class="scopes">
                    <legend>{bi("权限范围", "Scopes")}</legend>
                    {TOKEN_SCOPE_NAMES.iter().map(|&(code, zh, en)| view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("scope-{code}") prop:checked=move || scopes.with(|s| s.iter().any(|c| c == code))
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    scopes.update(|s| {
                                        s.retain(|c| c != code);
                                        if on { s.push(code.to_string()); }
                                    });
                                }/>
                            {bi(zh, en)}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary" data-testid="key-create">{bi("生成密钥", "Issue the key")}</button>
            </form>
            {result}
        </section>
        <section class="panel">
            <h2>{bi("全部接口密钥", "All API keys")}</h2>
            {revoke_error}
            <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                {move || tokens.get().map(|r| match r {
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="state empty">{bi("还没有接口密钥：对接系统时在上方生成。", "No API keys yet: issue one above when a system is connected.")}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="keys-table">
                            <thead><tr>
                                <th>{bi("对接方", "Integration")}</th><th>{bi("权限范围", "Scopes")}</th><th>{bi("生成时间", "Issued")}</th><th>{bi("到期", "Expires")}</th>
                                <th>{bi("状态", "Status")}</th><th>{bi("操作", "Action")}</th>
                            </tr></thead>
                            <tbody>
                                {let now = js_now(); list.into_iter().map(move |t| {
                                    let id = t.id;
                                    let scope_names = t.scopes.iter().map(|c| {
                                        TOKEN_SCOPE_NAMES.iter().find(|s| s.0 == c).map_or(c.clone(), |s| pick(s.1, s.2).to_string())
                                    }).collect::<Vec<_>>().join(pick("、", ", "));
                                    view! {
                                        <tr data-testid="key-row" data-revoked=t.revoked_at.is_some().then_some("1")>
                                            <td>{t.name}</td>
                                            <td>{scope_names}</td>
                                            <td>{beijing_datetime(t.created_at)}</td>
                                            <td>{match t.expires_at {
                                                Some(at) => view! { <span>{beijing_datetime(at)}</span> }.into_any(),
                                                None => view! { <span>{bi("直至吊销", "Until revoked")}</span> }.into_any(),
                                            }}</td>
                                            <td>{match (t.revoked_at, t.expires_at.is_some_and(|at| at <= now)) {
                                                (Some(at), _) => view! { <span class="muted">{bi("已吊销 ", "Revoked ")}{beijing_datetime(at)}</span> }.into_any(),
                                                (None, true) => view! { <span class="muted">{bi("已过期", "Expired")}</span> }.into_any(),
                                                (None, false) => view! { <span>{bi("有效", "Active")}</span> }.into_any(),
                                            }}</td>
                                            <td>{t.revoked_at.is_none().then(|| view! {
                                                <button class="small danger" data-testid="key-revoke"
                                                    on:click=move |_| { revoke.dispatch(RevokeApiToken { id }); }>{bi("吊销", "Revoke")}</button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// Now, in milliseconds since the epoch (the server's clock while rendering, the browser's after).
fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
    }
}
