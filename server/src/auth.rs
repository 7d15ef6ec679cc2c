//! Authentication: passwords, sessions, API tokens, login throttling, and who a caller is.
//! The request guards that use them are the HTTP layer's (`http/guard.rs`, `http/csrf.rs`).

pub mod address;
mod caller;
mod login;

pub use caller::{bearer_token, client_address, session_token, Caller, ClientAddress};
pub use login::{login, LoggedIn, LoginError};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::time::Duration;
use zhizhi_shared::auth::PasswordPolicy;

/// How sessions and logins behave.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after login, however busy.
    pub lifetime: Duration,
    /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    pub password_policy: PasswordPolicy,
    /// Failed logins allowed for one account from one client address, and from one address
    /// over all accounts, within `throttle_window`. An account is never locked as such: an
    /// attacker slows down their own guesses, not the owner on another address.
    pub max_failures_per_account_and_address: i64,
    pub max_failures_per_address: i64,
    pub throttle_window: Duration,
    /// How often an open live stream checks that its session is still alive (idle or
    /// absolute expiry, or ended on another server copy); ends on this copy close it at once.
    pub stream_recheck: Duration,
    /// Reverse proxies whose forwarding headers are believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<address::Cidr>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            password_policy: PasswordPolicy::default(),
            max_failures_per_account_and_address: 5,
            max_failures_per_address: 20,
            throttle_window: Duration::from_secs(15 * 60),
            stream_recheck: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
        }
    }
}

impl AuthConfig {
    /// The session cookie's name: `__Host-` prefixed when served over HTTPS, which browsers
    /// only accept with `Secure`, `Path=/` and no `Domain`.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies { "__Host-zz_session" } else { "zz_session" }
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn session_cookie(&self, token: &str) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}", self.cookie_name())
    }

    /// The `Set-Cookie` value that ends a session.
    pub fn clear_cookie(&self) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", self.cookie_name())
    }
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Whether `password` matches a stored Argon2 hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A new random secret for a session or an API token: 256 bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database keeps of a token: its SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("Ciqikou-141-demo");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "Ciqikou-141-demo"));
        assert!(!verify_password(&h, "ciqikou-141-demo"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn cookies_over_https_are_host_prefixed_and_secure() {
        let c = AuthConfig { secure_cookies: true, ..Default::default() };
        assert_eq!(c.session_cookie("t"), "__Host-zz_session=t; Path=/; HttpOnly; SameSite=Strict; Secure");
        let plain = AuthConfig::default();
        assert_eq!(plain.session_cookie("t"), "zz_session=t; Path=/; HttpOnly; SameSite=Strict");
    }
}

/// Argon2 runs on the blocking pool, at most as many at once as the machine has cores, so that
/// a burst of logins cannot stall the async workers (the live streams, ingest, every request).
fn argon2_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// [`verify_password`] off the async workers.
pub async fn verify_password_off_loop(hash: String, password: String) -> bool {
    let Ok(_permit) = argon2_permits().acquire().await else { return false };
    tokio::task::spawn_blocking(move || verify_password(&hash, &password)).await.unwrap_or(false)
}

/// [`hash_password`] off the async workers.
pub async fn hash_password_off_loop(password: String) -> String {
    let _permit = argon2_permits().acquire().await.ok();
    match tokio::task::spawn_blocking(move || hash_password(&password)).await {
        Ok(hash) => hash,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
