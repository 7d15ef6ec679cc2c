//! Signing in: throttled per account and per address, audited either way.

use super::{hash_password, new_token, now_ms, token_hash, verify_password_off_loop, AuthConfig};
use zhizhi_shared::audit::bounded;
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
    /// Failed again and again over a day from this address: the wait grows to a day.
    #[error("今天从这台设备登录失败的次数过多，请明天再试，或联系系统管理员")]
    ThrottledForDay,
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
///
/// Throttling is per account *and* address (five failures in the window, and twenty in a day:
/// the wait grows from the window to a day), and per address over all accounts (twenty): an
/// attacker slows down their own guesses, never the owner signing in from elsewhere (OWASP
/// Authentication Cheat Sheet: account lockout must not become a denial of service). Each
/// attempt takes its slots before the password is checked, in one step with the count, so
/// parallel guesses cannot pass the limit; the slots are given back when the password was right.
/// While throttled, one audit entry per key and window says so (not one per attempt), and
/// throttled attempts write nothing else.
pub async fn login(store: &dyn Store, cfg: &AuthConfig, username: &str, password: &str, address: &str) -> Result<LoggedIn, LoginError> {
    let storage = |e: crate::storage::Error| {
        tracing::error!(error = %e, "login failed on storage");
        LoginError::Storage
    };
    // Usernames are short: whatever is sent is bounded before it is looked up, stored or logged.
    let (username, address) = (bounded(username, 64), bounded(address, 64));
    let (username, address) = (username.as_ref(), address.as_ref());
    let now = now_ms();
    let since = now - cfg.throttle_window.as_millis() as i64;
    let (pair_key, addr_key) = (format!("pair:{username}|{address}"), format!("addr:{address}"));
    // Progressive: beyond a few windows' worth of failures in a day, the wait grows to a day
    // (for this account from this address only).
    let (day_key, day_since) = (format!("day:{username}|{address}"), now - 86_400_000);
    let throttled = |key: String, error: LoginError| async move {
        // One entry per key and window: a flood does not fill the audit log.
        if store.take_slot(&format!("throttled:{key}"), since, 1, now).await.map_err(storage)? {
            let minutes = cfg.throttle_window.as_secs() / 60;
            let detail = format!("地址 {address}，{key}；{minutes} 分钟内的后续尝试不再逐条记录");
            store.append_audit(now, username, "login_throttled", "session", &detail).await.map_err(storage)?;
        }
        Err::<LoggedIn, _>(error)
    };
    if !store.take_slot(&pair_key, since, cfg.max_failures_per_account_and_address, now).await.map_err(storage)? {
        return throttled(pair_key, LoginError::Throttled).await;
    }
    if !store.take_slot(&day_key, day_since, cfg.max_failures_per_account_and_address * 4, now).await.map_err(storage)? {
        store.release_slot(&pair_key, now).await.map_err(storage)?;
        return throttled(day_key, LoginError::ThrottledForDay).await;
    }
    if !store.take_slot(&addr_key, since, cfg.max_failures_per_address, now).await.map_err(storage)? {
        store.release_slot(&pair_key, now).await.map_err(storage)?;
        store.release_slot(&day_key, now).await.map_err(storage)?;
        return throttled(addr_key, LoginError::Throttled).await;
    }
    let user = store.user_by_username(username).await.map_err(storage)?;
    // Verify against a dummy hash when the account does not exist, so that the answer takes as
    // long either way and timing does not reveal which usernames exist.
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => DUMMY.get_or_init(|| hash_password("not-a-real-password")).clone(),
    };
    let ok = verify_password_off_loop(hash, password.to_string()).await && user.is_some();
    let user = match user {
        Some(u) if ok => u,
        _ => {
            // The slots taken stay: they are this failure's record.
            store.append_audit(now, username, "login_failed", "session", &format!("地址 {address}")).await.map_err(storage)?;
            return Err(LoginError::BadCredentials);
        }
    };
    // The password was right: the attempt does not count against the address.
    store.release_slot(&addr_key, now).await.map_err(storage)?;
    if user.disabled_at.is_some() {
        store.release_slot(&pair_key, now).await.map_err(storage)?;
        store.release_slot(&day_key, now).await.map_err(storage)?;
        store.append_audit(now, username, "login_refused", "session", "账号已停用").await.map_err(storage)?;
        return Err(LoginError::Disabled);
    }
    store.clear_login_failures(&pair_key).await.map_err(storage)?;
    store.clear_login_failures(&day_key).await.map_err(storage)?;
    let token = new_token();
    store.create_session(&token_hash(&token), user.id, now, address).await.map_err(storage)?;
    store.append_audit(now, username, "login", "session", &format!("地址 {address}")).await.map_err(storage)?;
    let password_expired = cfg.password_policy.expired(user.password_changed_at, now);
    Ok(LoggedIn { token, user, password_expired })
}
