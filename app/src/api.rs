//! Server functions: what the pages ask the server for (their answer types live in `shared`).

pub mod calls;
pub mod cases;
pub mod flood;
pub mod imports;
pub mod follow;
pub mod iot;
pub mod kpis;
pub mod map;
pub mod people;
pub mod plans;
pub mod supervision;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, NewAccount, Principal, UserView};
use zhizhi_shared::overview::Overview;
use zhizhi_shared::people::ResidentRow;
use zhizhi_shared::problem::Problem;

/// The street's overview, read from the database.
#[server(prefix = "/fn")]
pub async fn get_overview() -> Result<Overview, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.overview(&me).await.map_err(crate::backend::fail)
}

/// The signed-in user, if any.
#[server(prefix = "/fn")]
pub async fn get_me() -> Result<Option<Principal>, ServerFnError> {
    Ok(crate::backend::principal())
}

/// Signs in, sets the session cookie and goes to the start page.
#[server(prefix = "/fn")]
pub async fn login(username: String, password: String) -> Result<(), ServerFnError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    let cookie = crate::backend::backend()?.login(username.trim(), &password, &parts).await.map_err(crate::backend::fail)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs out and goes to the login page.
#[server(prefix = "/fn")]
pub async fn logout() -> Result<(), ServerFnError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    let cookie = crate::backend::backend()?.logout(&parts).await.map_err(crate::backend::fail)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The residents of the signed-in grid worker's grids, masked.
#[server(prefix = "/fn")]
pub async fn get_my_grid_residents() -> Result<Vec<ResidentRow>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.my_grid_residents(&me).await.map_err(crate::backend::fail)
}


/// Every account.
#[server(prefix = "/fn")]
pub async fn get_users() -> Result<Vec<UserView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.users(&me).await.map_err(crate::backend::fail)
}

/// Every API token, without its secret (administrators).
#[server(prefix = "/fn")]
pub async fn get_api_tokens() -> Result<Vec<zhizhi_shared::auth::ApiToken>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.api_tokens(&me).await.map_err(crate::backend::fail)
}

/// Issues an API token (administrators); the secret is shown once.
#[server(prefix = "/fn", input = Json)]
pub async fn create_api_token(name: String, scopes: Vec<String>, days: Option<u32>) -> Result<zhizhi_shared::auth::NewToken, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.create_api_token(&me, name, scopes, days).await.map_err(crate::backend::fail)
}

/// Revokes an API token at once (administrators).
#[server(prefix = "/fn")]
pub async fn revoke_api_token(id: i64) -> Result<(), ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.revoke_api_token(&me, id).await.map_err(crate::backend::fail)
}

/// Creates an account.
#[server(prefix = "/fn")]
pub async fn create_account(account: NewAccount) -> Result<UserView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.create_user(&me, account).await.map_err(crate::backend::fail)
}

/// Disables or re-enables an account.
#[server(prefix = "/fn")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<UserView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.set_user_disabled(&me, id, disabled).await.map_err(crate::backend::fail)
}

/// Audit entries by actor and action (empty for any).
#[server(prefix = "/fn")]
pub async fn get_audit(actor: String, action: String) -> Result<Vec<AuditEntry>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.audit(&me, actor, action).await.map_err(crate::backend::fail)
}

/// Walks the audit chain.
#[server(prefix = "/fn")]
pub async fn verify_audit_chain() -> Result<AuditVerdict, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.verify_audit(&me).await.map_err(crate::backend::fail)
}

/// A server function's error as the problem the server described: its message and the form
/// field that is wrong, when one is.
pub fn problem_of(e: &ServerFnError) -> Problem {
    match e {
        ServerFnError::ServerError(m) => Problem::from_wire(m),
        // The request never got an answer: no signal, or the server is unreachable.
        ServerFnError::Request(_) => Problem::new(crate::i18n::pick("网络不通，请检查信号后重试", "No connection: check the signal and try again").to_string()),
        other => Problem::new(other.to_string()),
    }
}

/// The message of a server function's error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    problem_of(e).message
}

/// The shortest password the server's policy accepts (`--password-min-length`).
#[server(prefix = "/fn")]
pub async fn get_password_min_length() -> Result<usize, ServerFnError> {
    // Signed-in users only (also those whose password has expired: they are changing it).
    crate::backend::principal().ok_or_else(|| crate::backend::fail(Problem::new("请先登录").with_status(401)))?;
    Ok(crate::backend::backend()?.password_min_length())
}

/// Changes the signed-in user's password, then sends them to sign in again.
#[server(prefix = "/fn")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), ServerFnError> {
    let me = crate::backend::principal().ok_or_else(|| crate::backend::fail(Problem::new("请先登录").with_status(401)))?;
    if new != confirm {
        return Err(crate::backend::fail(Problem::in_field("confirm", "两次输入的新密码不一致")));
    }
    let cookie = crate::backend::backend()?.change_password(&me, &current, &new).await.map_err(crate::backend::fail)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/login");
    Ok(())
}
