//! Account management: the list of accounts and the form that creates one.

use super::AdminFrame;
use crate::api::{error_text, get_password_min_length, get_users, problem_of, CreateAccount, SetUserDisabled};
use crate::i18n::{bi, pick, role_en, tr, use_lang, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::Role;
use zhizhi_shared::time::beijing_datetime;

/// `/admin/users`
#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <AdminFrame tab="users" body=Users/> }
}

#[component]
fn Users() -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let toggle = ServerAction::<SetUserDisabled>::new();
    // Reload the list whenever an account was created, disabled or enabled.
    let users = Resource::new(move || (create.version().get(), toggle.version().get()), |_| get_users());
    let toggle_error = move || toggle.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{error_text(&e)}</p> });
    let result = move || {
        create.value().get().map(|r| match r {
            Ok(u) => {
                let text = pick(&format!("已创建账号 {}（{}）", u.username, u.display_name), &format!("Account {} ({}) created", u.username, u.display_name))
                    .to_string();
                view! { <p class="form-ok" role="status" data-testid="create-ok">{text}</p> }.into_any()
            }
            Err(e) => view! { <p class="form-error" role="alert" data-testid="create-error">{error_text(&e)}</p> }.into_any(),
        })
    };
    // The field the server named as wrong is marked (the form's names for the account's fields).
    let wrong = move |input: &'static str| {
        move || {
            let field = create.value().get().and_then(|r| r.err()).and_then(|e| problem_of(&e).field);
            let field = match field.as_deref() {
                Some("roles") => "role",
                Some("post_id") => "post",
                Some("grid_ids") => "grids",
                Some("street_id") => "street",
                other => other.unwrap_or(""),
            };
            (field == input).to_string()
        }
    };
    let lang = use_lang();
    // The policy's minimum is the server's (`--password-min-length`), not a number of ours.
    let min_length = Resource::new(|| (), |_| get_password_min_length());
    let password_hint = move || {
        lang.track();
        match min_length.get().and_then(Result::ok) {
            Some(n) => pick(&format!("至少 {n} 位，含三类字符"), &format!("At least {n} characters of three kinds")).to_string(),
            None => pick("含三类字符", "Characters of three kinds").to_string(),
        }
    };
    view! {
        <section class="panel">
            <h2>{bi("新建账号", "New account")}</h2>
            <ActionForm action=create attr:class="grid-form">
                <label><span>{tr(Msg::Username)}</span>
                    <input name="account[username]" aria-invalid=wrong("username") required
                        placeholder=bi("小写字母或数字，如 liwei", "Lower-case letters or digits, e.g. liwei")/></label>
                <label><span>{bi("姓名", "Name")}</span><input name="account[display_name]" aria-invalid=wrong("display_name") required/></label>
                // The hint waits for the server's minimum (in a Suspense, so hydration matches).
                <Suspense fallback=|| ()>
                    <label><span>{bi("初始密码", "First password")}</span>
                        <input name="account[password]" aria-invalid=wrong("password") type="password" required
                            placeholder=password_hint/></label>
                </Suspense>
                <label><span>{bi("角色", "Role")}</span>
                    <select name="account[role]" aria-invalid=wrong("role")>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{bi(r.name_zh(), role_en(r))}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>{bi("所属岗位（岗位人员）", "Post (post members)")}</span>
                    <input name="account[post]" aria-invalid=wrong("post")
                        placeholder=bi("如 城市管理", "The post's name, as written in Chinese")/></label>
                <label><span>{bi("负责网格（网格员）", "Grids (grid workers)")}</span>
                    <input name="account[grids]" aria-invalid=wrong("grids")
                        placeholder=bi("网格编号，如 CQK-01-01", "Grid codes, e.g. CQK-01-01")/></label>
                <label><span>{bi("所属街道", "Street")}</span>
                    <input name="account[street]" aria-invalid=wrong("street")
                        placeholder=bi("如 磁器口街道；留空为全区", "The street's name in Chinese; empty for the whole district")/></label>
                <button type="submit" class="primary">{bi("创建", "Create")}</button>
            </ActionForm>
            {result}
        </section>
        <section class="panel">
            <h2>{bi("全部账号", "All accounts")}</h2>
            {toggle_error}
            <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="users-table">
                            <thead><tr>
                                <th>{tr(Msg::Username)}</th><th>{bi("姓名", "Name")}</th><th>{bi("角色", "Roles")}</th><th>{bi("网格", "Grids")}</th>
                                <th>{bi("创建时间", "Created")}</th><th>{bi("状态", "Status")}</th><th>{bi("操作", "Action")}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let (id, disabled, testid) = (u.id, u.disabled, format!("toggle-{}", u.username));
                                    let roles = u.roles.clone();
                                    let role_names = move || {
                                        lang.track();
                                        roles.iter().map(|r| pick(r.name_zh(), role_en(*r))).collect::<Vec<_>>().join(pick("、", ", "))
                                    };
                                    let grids = u.grid_ids.len();
                                    view! {
                                    <tr>
                                        <td>{u.username}</td>
                                        <td>{u.display_name}</td>
                                        <td>{role_names}</td>
                                        <td>{grids}{bi(" 个", "")}</td>
                                        <td>{beijing_datetime(u.created_at)}</td>
                                        <td>{if u.disabled { bi("已停用", "Disabled") } else { bi("正常", "Active") }}</td>
                                        <td>
                                            <button class="small" data-testid=testid
                                                on:click=move |_| { toggle.dispatch(SetUserDisabled { id, disabled: !disabled }); }>
                                                {if disabled { bi("启用", "Enable") } else { bi("停用", "Disable") }}
                                            </button>
                                        </td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
