//! Server functions: what the pages ask the server for, and the shapes of the answers.

pub mod cases;
pub mod iot;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, Principal, UserView};
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::people::CareTag;
use zhizhi_shared::Summary;

/// What the command centre's first screen shows: the street, its counts and its boards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// `None` until a street has been loaded (for example with `zhizhi serve --demo`).
    pub street: Option<StreetName>,
    pub summary: Summary,
    pub boards: Vec<BoardView>,
    pub grid_map: GridMap,
}

/// The names of the street and its district.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreetName {
    pub street: String,
    pub district: String,
}

/// A board and the names of its posts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    /// The board's stable code, e.g. `safety_law`.
    pub code: String,
    pub name: String,
    pub posts: Vec<String>,
}

/// The grid network as outlines, for the overview map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GridMap {
    pub communities: Vec<MapArea>,
    pub grids: Vec<MapArea>,
    /// Micro-grid outlines only: there are many, and the overview shows no names for them.
    pub micro_grids: Vec<Vec<LonLat>>,
}

/// A named outline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    pub name: String,
    pub ring: Vec<LonLat>,
}

/// A resident as a grid worker's list shows them (masked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentRow {
    pub id: i64,
    pub name: String,
    pub birth_year: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
    pub address: String,
    pub unit: String,
}

/// The street's overview, read from the database.
#[server(prefix = "/fn")]
pub async fn get_overview() -> Result<Overview, ServerFnError> {
    crate::backend::require_user()?;
    crate::backend::backend()?.overview().await.map_err(ServerFnError::new)
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
    let cookie = crate::backend::backend()?.login(username.trim(), &password, &parts).await.map_err(ServerFnError::new)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs out and goes to the login page.
#[server(prefix = "/fn")]
pub async fn logout() -> Result<(), ServerFnError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    let cookie = crate::backend::backend()?.logout(&parts).await.map_err(ServerFnError::new)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The residents of the signed-in grid worker's grids, masked.
#[server(prefix = "/fn")]
pub async fn get_my_grid_residents() -> Result<Vec<ResidentRow>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.my_grid_residents(&me).await.map_err(ServerFnError::new)
}


/// A new account as the administrator's form submits it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// One role code, e.g. `grid_worker`.
    pub role: String,
    /// The post's name, for post staff.
    pub post: String,
    /// Grid codes separated by commas, for grid workers, e.g. `CQK-01-01,CQK-01-02`.
    pub grids: String,
}

/// Every account.
#[server(prefix = "/fn")]
pub async fn get_users() -> Result<Vec<UserView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.users(&me).await.map_err(ServerFnError::new)
}

/// Creates an account.
#[server(prefix = "/fn")]
pub async fn create_account(account: NewAccount) -> Result<UserView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.create_user(&me, account).await.map_err(ServerFnError::new)
}

/// Disables or re-enables an account.
#[server(prefix = "/fn")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<UserView, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.set_user_disabled(&me, id, disabled).await.map_err(ServerFnError::new)
}

/// Audit entries by actor and action (empty for any).
#[server(prefix = "/fn")]
pub async fn get_audit(actor: String, action: String) -> Result<Vec<AuditEntry>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.audit(&me, actor, action).await.map_err(ServerFnError::new)
}

/// Walks the audit chain.
#[server(prefix = "/fn")]
pub async fn verify_audit_chain() -> Result<AuditVerdict, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.verify_audit(&me).await.map_err(ServerFnError::new)
}

/// The message of a server function's error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Changes the signed-in user's password, then sends them to sign in again.
#[server(prefix = "/fn")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), ServerFnError> {
    let me = crate::backend::principal().ok_or_else(|| ServerFnError::new("请先登录"))?;
    if new != confirm {
        return Err(ServerFnError::new("两次输入的新密码不一致"));
    }
    let cookie = crate::backend::backend()?.change_password(&me, &current, &new).await.map_err(ServerFnError::new)?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| ServerFnError::new(e.to_string()))?);
    leptos_axum::redirect("/login");
    Ok(())
}
