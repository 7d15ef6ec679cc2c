//! Changing one's own password (also the only page open to a user whose password expired).

use crate::api::{error_text, get_me, get_password_min_length, ChangePassword};
use crate::i18n::{bi, pick, use_lang};
use leptos::prelude::*;

/// `/account/password`
#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let me = Resource::new(|| (), |_| get_me());
    let min_length = Resource::new(|| (), |_| get_password_min_length());
    let error = move || change.value().get().and_then(|r| r.err()).map(|e| error_text(&e));
    view! {
        <main class="login-screen">
            <div class="login-card panel">
                <h1>{bi("修改密码", "Change password")}</h1>
                <Suspense fallback=|| ()>
                    {move || me.get().and_then(|r| r.ok()).flatten().filter(|p| p.password_expired).map(|_| view! {
                        <p class="form-error" role="alert" data-testid="expired">
                            {bi("您的密码已超过有效期，请先修改密码后再继续使用。", "Your password has expired; change it to go on.")}
                        </p>
                    })}
                </Suspense>
                <ActionForm action=change attr:class="login-form">
                    <label><span>{bi("当前密码", "Current password")}</span>
                        <input type="password" name="current" autocomplete="current-password" required/></label>
                    <label><span>{bi("新密码", "New password")}</span><input type="password" name="new" autocomplete="new-password" required/></label>
                    <label><span>{bi("再次输入新密码", "New password again")}</span>
                        <input type="password" name="confirm" autocomplete="new-password" required/></label>
                    <Suspense fallback=|| ()>
                        {move || min_length.get().map(|n| view! { <p class="note" data-testid="password-rule">{rule(n.ok())}</p> })}
                    </Suspense>
                    {move || error().map(|m| view! { <p class="form-error" role="alert" data-testid="password-error">{m}</p> })}
                    <button type="submit" class="primary">{bi("确认修改", "Change")}</button>
                </ActionForm>
                <p class="note"><a href="/">{bi("返回", "Back")}</a></p>
            </div>
        </main>
    }
}

/// The password rule in the current language, with the server's minimum length (`None` when
/// it could not be read: the rule without the number).
fn rule(min_length: Option<usize>) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || {
        lang.track();
        let length = match min_length {
            Some(n) => pick(&format!("至少 {n} 个字符，"), &format!("At least {n} characters. ")).to_string(),
            None => String::new(),
        };
        let rest = pick(
            "包含小写字母、大写字母、数字、符号中的至少三类，且不含用户名。修改后需重新登录。",
            "Use at least three kinds (lower-case, upper-case, digits, symbols), and not the username. You sign in again afterwards.",
        );
        format!("{length}{rest}")
    }
}
