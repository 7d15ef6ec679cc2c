//! Account management: the list of accounts and the form that creates one.

use super::AdminFrame;
use crate::api::{error_text, get_users, CreateAccount, SetUserDisabled};
use leptos::prelude::*;
use zhizhi_shared::auth::Role;
use zhizhi_shared::time::beijing_datetime;

/// `/admin/users`
#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <AdminFrame title="账号管理" body=Users/> }
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
            Ok(u) => view! { <p class="form-ok" role="status" data-testid="create-ok">{format!("已创建账号 {}（{}）", u.username, u.display_name)}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert" data-testid="create-error">{error_text(&e)}</p> }.into_any(),
        })
    };
    view! {
        <section class="panel">
            <h2>"新建账号"</h2>
            <ActionForm action=create attr:class="grid-form">
                <label><span>"用户名"</span><input name="account[username]" required placeholder="小写字母或数字，如 liwei"/></label>
                <label><span>"姓名"</span><input name="account[display_name]" required/></label>
                <label><span>"初始密码"</span><input name="account[password]" type="password" required placeholder="至少 12 位，含三类字符"/></label>
                <label><span>"角色"</span>
                    <select name="account[role]">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{r.name_zh()}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>"所属岗位（岗位人员）"</span><input name="account[post]" placeholder="如 城市管理"/></label>
                <label><span>"负责网格（网格员）"</span><input name="account[grids]" placeholder="网格编号，如 CQK-01-01"/></label>
                <button type="submit" class="primary">"创建"</button>
            </ActionForm>
            {result}
        </section>
        <section class="panel">
            <h2>"全部账号"</h2>
            {toggle_error}
            <Suspense fallback=|| view! { <p class="state loading">"正在加载…"</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="users-table">
                            <thead><tr><th>"用户名"</th><th>"姓名"</th><th>"角色"</th><th>"网格"</th><th>"创建时间"</th><th>"状态"</th><th>"操作"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let (id, disabled, testid) = (u.id, u.disabled, format!("toggle-{}", u.username));
                                    view! {
                                    <tr>
                                        <td>{u.username}</td>
                                        <td>{u.display_name}</td>
                                        <td>{u.roles.iter().map(|r| r.name_zh()).collect::<Vec<_>>().join("、")}</td>
                                        <td>{u.grid_ids.len()}" 个"</td>
                                        <td>{beijing_datetime(u.created_at)}</td>
                                        <td>{if u.disabled { "已停用" } else { "正常" }}</td>
                                        <td>
                                            <button class="small" data-testid=testid
                                                on:click=move |_| { toggle.dispatch(SetUserDisabled { id, disabled: !disabled }); }>
                                                {if disabled { "启用" } else { "停用" }}
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
