//! Signing in: throttled per account and per address, audited either way.

use super::{hash_password, new_token, now_ms, token_hash, verify_password, AuthConfig};
use crate::storage::{Store, UserRecord};
use std::sync::OnceLock;

/// Why a login was refused. The messages are what the user sees; they never say whether the
/// account exists.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("登录失败次数过多，请 15 分钟后再试")]
    Throttled,
    #[error("账号已停用，请联系系统管理员")]
    Disabled,
    #[error("数据库暂时无法访问")]
    Storage,
}

/// A successful login: the session token for the cookie, and the user.
pub struct LoggedIn {
    pub token: String,
    pub user: UserRecord,
    /// The password is older than the policy allows and must be changed.
    pub password_expired: bool,
}

/// Checks credentials and starts a session.
pub async fn login(store: &dyn Store, cfg: &AuthConfig, username: &str, password: &str, address: &str) -> Result<LoggedIn, LoginError> {
    let storage = |e: crate::storage::Error| {
        tracing::error!(error = %e, "login failed on storage");
        LoginError::Storage
    };
    let now = now_ms();
    let since = now - cfg.throttle_window.as_millis() as i64;
    let (user_key, addr_key) = (format!("user:{username}"), format!("addr:{address}"));
    if store.login_failures_since(&user_key, since).await.map_err(storage)? >= cfg.max_failures_per_account
        || store.login_failures_since(&addr_key, since).await.map_err(storage)? >= cfg.max_failures_per_address
    {
        store.append_audit(now, username, "login_throttled", "session", &format!("地址 {address}")).await.map_err(storage)?;
        return Err(LoginError::Throttled);
    }
    let user = store.user_by_username(username).await.map_err(storage)?;
    // Verify against a dummy hash when the account does not exist, so that the answer takes as
    // long either way and timing does not reveal which usernames exist.
    let ok = match &user {
        Some(u) => verify_password(&u.password_hash, password),
        None => {
            static DUMMY: OnceLock<String> = OnceLock::new();
            verify_password(DUMMY.get_or_init(|| hash_password("not-a-real-password")), password);
            false
        }
    };
    let user = match user {
        Some(u) if ok => u,
        _ => {
            store.record_login_failure(&user_key, now).await.map_err(storage)?;
            store.record_login_failure(&addr_key, now).await.map_err(storage)?;
            store.append_audit(now, username, "login_failed", "session", &format!("地址 {address}")).await.map_err(storage)?;
            return Err(LoginError::BadCredentials);
        }
    };
    if user.disabled_at.is_some() {
        store.append_audit(now, username, "login_refused", "session", "账号已停用").await.map_err(storage)?;
        return Err(LoginError::Disabled);
    }
    store.clear_login_failures(&user_key).await.map_err(storage)?;
    let token = new_token();
    store.create_session(&token_hash(&token), user.id, now, address).await.map_err(storage)?;
    store.append_audit(now, username, "login", "session", &format!("地址 {address}")).await.map_err(storage)?;
    let password_expired = cfg.password_policy.expired(user.password_changed_at, now);
    Ok(LoggedIn { token, user, password_expired })
}
