//! The accounts service: who a caller is, signing in and out, passwords, accounts, API tokens
//! and the audit log. The JSON API and the pages' server functions both call it.

use crate::auth::{self, AuthConfig, Caller, LoggedIn};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::{AuditQuery, NewUser, Store, UserRecord};
use std::sync::Arc;
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, CreateUser, NewAccount, Principal, Role, UserView};

/// Scopes an API token may carry.
pub use zhizhi_shared::auth::TOKEN_SCOPES;

/// Filters of an audit search.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since_ms: Option<i64>,
    pub limit: Option<i64>,
}

pub use zhizhi_shared::auth::NewToken;

/// Audit entries are kept at least this many days before they may be archived.
pub const AUDIT_RETENTION_DAYS: u32 = 180;

/// Accounts over a store, under the authentication settings.
pub struct Accounts {
    pub store: Arc<dyn Store>,
    pub auth: Arc<AuthConfig>,
    /// Sessions ended here (logout, password change, account disabled): open live streams of
    /// them close at once.
    ended: tokio::sync::broadcast::Sender<SessionEnded>,
}

/// A session, or every session of a user, that has just ended.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionEnded {
    /// By the hash of its token.
    Session(String),
    /// Every session of this user.
    User(i64),
}

fn admin(me: &Principal) -> ServiceResult<&Principal> {
    if me.may_administer() { Ok(me) } else { Err(ServiceError::Forbidden) }
}

fn user_view(u: UserRecord) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        roles: u.roles,
        post_id: u.post_id,
        grid_ids: u.grid_ids,
        street_id: u.street_id,
        created_at: u.created_at,
        disabled: u.disabled_at.is_some(),
    }
}

impl Accounts {
    /// Accounts over `store` under `auth`.
    pub fn new(store: Arc<dyn Store>, auth: Arc<AuthConfig>) -> Self {
        Accounts { store, auth, ended: tokio::sync::broadcast::channel(256).0 }
    }

    /// Sessions as they end on this server copy.
    pub fn session_ends(&self) -> tokio::sync::broadcast::Receiver<SessionEnded> {
        self.ended.subscribe()
    }

    /// Whether the session (by its token's hash) is still alive; reading does not keep it
    /// alive.
    pub async fn session_alive(&self, session: &str) -> crate::storage::Result<bool> {
        let (idle, lifetime) = (self.auth.idle_timeout.as_millis() as i64, self.auth.lifetime.as_millis() as i64);
        self.store.session_alive(session, auth::now_ms(), idle, lifetime).await
    }

    /// The caller behind a bearer token or a session token (either may be absent); an unknown,
    /// expired or disabled one is anonymous. A used session is kept alive.
    pub async fn caller(&self, bearer: Option<&str>, session: Option<&str>) -> crate::storage::Result<Caller> {
        if let Some(token) = bearer {
            return Ok(match self.store.api_token_scopes(&auth::token_hash(token), auth::now_ms()).await? {
                Some((name, scopes)) => Caller::Token { name, scopes },
                None => Caller::Anonymous,
            });
        }
        // A session token is 64 hex characters: anything else is not looked up.
        let Some(token) = session.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) else {
            return Ok(Caller::Anonymous);
        };
        let hash = auth::token_hash(token);
        let (idle, lifetime) = (self.auth.idle_timeout.as_millis() as i64, self.auth.lifetime.as_millis() as i64);
        let Some(user_id) = self.store.use_session(&hash, auth::now_ms(), idle, lifetime).await? else {
            return Ok(Caller::Anonymous);
        };
        Ok(match self.store.user_by_id(user_id).await? {
            Some(u) if u.disabled_at.is_none() => {
                let mut principal = u.principal();
                principal.password_expired = self.auth.password_policy.expired(u.password_changed_at, auth::now_ms());
                if let Some(street) = principal.street_id {
                    principal.street_grids = self.store.street_grids(street).await?;
                }
                Caller::User { principal, session: hash }
            }
            _ => Caller::Anonymous,
        })
    }

    /// Checks credentials (throttled per account and address, audited) and starts a session.
    pub async fn login(&self, username: &str, password: &str, address: &str) -> ServiceResult<LoggedIn> {
        Ok(auth::login(self.store.as_ref(), &self.auth, username.trim(), password, address).await?)
    }

    /// Ends the session whose token hash is `session`; audited for the user.
    pub async fn logout(&self, session: &str, who: Option<&Principal>) -> ServiceResult<()> {
        self.store.end_session(session).await?;
        let _ = self.ended.send(SessionEnded::Session(session.to_string()));
        if let Some(p) = who {
            self.store.append_audit(auth::now_ms(), &p.username, "logout", "session", "").await?;
        }
        Ok(())
    }

    /// The shortest password the policy accepts.
    pub fn password_min_length(&self) -> usize {
        self.auth.password_policy.min_length
    }

    /// Replaces the user's own password after checking the current one and the policy; ends
    /// every session of the user; audited.
    pub async fn set_own_password(&self, me: &Principal, current: &str, new: &str) -> ServiceResult<()> {
        let record = self.store.user_by_id(me.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        if !auth::verify_password_off_loop(record.password_hash.clone(), current.to_string()).await {
            return Err(ServiceError::invalid("current_password", "当前密码不正确"));
        }
        if new == current {
            return Err(ServiceError::invalid("new_password", "新密码不能与当前密码相同"));
        }
        self.auth.password_policy.check(new, &me.username).map_err(|m| ServiceError::invalid("new_password", m))?;
        let now = auth::now_ms();
        self.store.set_password(me.user_id, &auth::hash_password_off_loop(new.to_string()).await, now).await?;
        let _ = self.ended.send(SessionEnded::User(me.user_id));
        self.store.append_audit(now, &me.username, "password_change", &format!("user:{}", me.username), "").await?;
        Ok(())
    }

    /// Every account, for an administrator.
    pub async fn list(&self, me: &Principal) -> ServiceResult<Vec<UserView>> {
        admin(me)?;
        Ok(self.store.users().await?.into_iter().map(user_view).collect())
    }

    /// Creates an account for an administrator, under the password policy; audited.
    pub async fn create(&self, me: &Principal, body: CreateUser) -> ServiceResult<UserView> {
        admin(me)?;
        let username = body.username.trim();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
        if !(3..=32).contains(&username.len()) || !username.chars().all(allowed) {
            return Err(ServiceError::invalid("username", "用户名须为 3–32 位小写字母、数字或 _ . -"));
        }
        if body.display_name.trim().is_empty() {
            return Err(ServiceError::invalid("display_name", "请填写姓名"));
        }
        if body.roles.is_empty() {
            return Err(ServiceError::invalid("roles", "至少选择一个角色"));
        }
        if body.roles.contains(&Role::Post) && body.post_id.is_none() {
            return Err(ServiceError::invalid("post_id", "岗位人员须指定所属岗位"));
        }
        if body.roles.contains(&Role::GridWorker) && body.grid_ids.is_empty() {
            return Err(ServiceError::invalid("grid_ids", "网格员须指定负责的网格"));
        }
        // A street's staff (command, posts, grid workers) belong to one street once the
        // deployment has several; the district's roles (district, approver, administrator) to none.
        let streets = self.store.streets().await?;
        let street_roles = body.roles.iter().any(|r| matches!(r, Role::Command | Role::Post | Role::GridWorker));
        match body.street_id {
            Some(s) if !streets.iter().any(|x| x.id == s) => return Err(ServiceError::invalid("street_id", format!("没有编号为 {s} 的街道"))),
            Some(_) if !street_roles => return Err(ServiceError::invalid("street_id", "区级角色和系统管理员属于全区，不能指定街道")),
            None if street_roles && streets.len() > 1 && !body.roles.contains(&Role::Command) => {
                return Err(ServiceError::invalid("street_id", "本系统有多个街道：岗位人员和网格员须指定所属街道"));
            }
            _ => {}
        }
        if let Some(s) = body.street_id {
            let mine = self.store.street_grids(s).await?;
            if let Some(g) = body.grid_ids.iter().find(|g| !mine.contains(g)) {
                return Err(ServiceError::invalid("grid_ids", format!("网格 {g} 不属于所指定的街道")));
            }
        }
        self.auth.password_policy.check(&body.password, username).map_err(|m| ServiceError::invalid("password", m))?;
        let now = auth::now_ms();
        let new = NewUser {
            username: username.into(),
            display_name: body.display_name.trim().into(),
            password_hash: auth::hash_password_off_loop(body.password.clone()).await,
            roles: body.roles.clone(),
            post_id: body.post_id,
            grid_ids: body.grid_ids.clone(),
            street_id: body.street_id,
            now,
        };
        let id = self.store.create_user(&new).await?;
        let roles: Vec<&str> = body.roles.iter().map(|r| r.name_zh()).collect();
        let mut detail = format!("角色：{}", roles.join("、"));
        if let Some(s) = body.street_id {
            detail.push_str(&format!("；街道 {s}"));
        }
        self.store.append_audit(now, &me.username, "user_create", &format!("user:{username}"), &detail).await?;
        let created = self.store.user_by_id(id).await?.ok_or(ServiceError::NotFound("账号"))?;
        Ok(user_view(created))
    }

    /// Creates an account from the administrator's form: the post by name, grids by code.
    pub async fn create_from_form(&self, me: &Principal, form: NewAccount) -> ServiceResult<UserView> {
        admin(me)?;
        let role = Role::from_code(&form.role).ok_or_else(|| ServiceError::invalid("role", "请选择一个角色"))?;
        let post = form.post.trim();
        let post_id = if post.is_empty() {
            None
        } else {
            let boards = self.store.boards().await?;
            let found = boards.iter().flat_map(|b| &b.posts).find(|p| p.name == post);
            Some(found.ok_or_else(|| ServiceError::invalid("post", format!("没有名为「{post}」的岗位")))?.id)
        };
        let grids = self.store.grids().await?;
        let mut grid_ids = Vec::new();
        for code in form.grids.split([',', '，', ' ']).map(str::trim).filter(|c| !c.is_empty()) {
            let g = grids.iter().find(|g| g.code.eq_ignore_ascii_case(code));
            grid_ids.push(g.ok_or_else(|| ServiceError::invalid("grids", format!("没有编号为 {code} 的网格")))?.id);
        }
        let street = form.street.trim();
        let street_id = if street.is_empty() {
            None
        } else {
            let streets = self.store.streets().await?;
            Some(streets.iter().find(|s| s.name == street).ok_or_else(|| ServiceError::invalid("street", format!("没有名为「{street}」的街道")))?.id)
        };
        let body = CreateUser {
            street_id,
            username: form.username,
            display_name: form.display_name,
            password: form.password,
            roles: vec![role],
            post_id,
            grid_ids,
        };
        self.create(me, body).await
    }

    /// Disables (ending its sessions) or re-enables an account for an administrator; audited.
    /// Nobody disables themself.
    pub async fn set_disabled(&self, me: &Principal, id: i64, disabled: bool) -> ServiceResult<UserView> {
        admin(me)?;
        if id == me.user_id && disabled {
            return Err(ServiceError::invalid("id", "不能停用自己的账号"));
        }
        let target = self.store.user_by_id(id).await?.ok_or(ServiceError::NotFound("没有这个账号"))?;
        let now = auth::now_ms();
        self.store.set_user_disabled(id, disabled.then_some(now)).await?;
        if disabled {
            let _ = self.ended.send(SessionEnded::User(id));
        }
        let action = if disabled { "user_disable" } else { "user_enable" };
        self.store.append_audit(now, &me.username, action, &format!("user:{}", target.username), "").await?;
        Ok(user_view(self.store.user_by_id(id).await?.ok_or(ServiceError::NotFound("没有这个账号"))?))
    }

    /// Audit entries for an administrator, newest first.
    pub async fn audit(&self, me: &Principal, p: AuditParams) -> ServiceResult<Vec<AuditEntry>> {
        admin(me)?;
        let limit = p.limit.unwrap_or(200);
        if !(1..=5000).contains(&limit) {
            return Err(ServiceError::invalid("limit", "每次 1–5000 条"));
        }
        let q = AuditQuery {
            actor: p.actor.filter(|s| !s.is_empty()),
            action: p.action.filter(|s| !s.is_empty()),
            since_ms: p.since_ms,
            limit,
        };
        Ok(self.store.audit_entries(&q).await?)
    }

    /// Walks the audit chain for an administrator.
    pub async fn verify_audit(&self, me: &Principal) -> ServiceResult<AuditVerdict> {
        admin(me)?;
        Ok(match self.store.verify_audit().await? {
            Ok(n) => AuditVerdict { intact: true, entries: Some(n), broken_at: None, reason: None },
            Err(b) => AuditVerdict { intact: false, entries: None, broken_at: Some(b.seq), reason: Some(b.reason.into()) },
        })
    }

    /// Archives the audit entries older than `days` (at least [`AUDIT_RETENTION_DAYS`]) to a
    /// new JSON-lines file at `out`, one entry a line with its hashes, and only once the file
    /// is on disk removes them from the table, remembering where the chain now starts. The
    /// number archived and the range of sequence numbers; the archive is itself audited.
    pub async fn archive_audit(&self, days: u32, out: &std::path::Path, now: i64) -> anyhow::Result<(u64, Option<(i64, i64)>)> {
        use std::io::Write as _;
        anyhow::ensure!(days >= AUDIT_RETENTION_DAYS, "审计日志至少保留 {AUDIT_RETENTION_DAYS} 天：--older-than-days 不能小于 {AUDIT_RETENTION_DAYS}");
        let before = now - i64::from(days) * 86_400_000;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| anyhow::anyhow!("不能新建归档文件 {}（已存在的归档不会被覆盖）：{e}", out.display()))?;
        let (mut count, mut first, mut last) = (0u64, None, None::<(i64, String)>);
        let mut after = 0;
        loop {
            let page = self.store.audit_to_archive(before, after, 10_000).await?;
            let Some(end) = page.last() else { break };
            after = end.seq;
            for e in &page {
                writeln!(file, "{}", serde_json::to_string(e)?)?;
            }
            first = first.or(page.first().map(|e| e.seq));
            last = Some((end.seq, end.hash.clone()));
            count += page.len() as u64;
        }
        file.sync_all()?;
        let Some((up_to, hash)) = last else {
            drop(file);
            std::fs::remove_file(out)?;
            return Ok((0, None));
        };
        let name = out.display().to_string();
        self.store.drop_archived_audit(up_to, &hash, &name, now).await?;
        let range = first.map(|f| (f, up_to));
        self.store.append_audit(now, "system", "audit_archive", "audit", &format!("归档 {count} 条（#{}–#{up_to}，{days} 天以前）至 {name}", first.unwrap_or(up_to))).await?;
        Ok((count, range))
    }

    /// The audit chain's checkpoints, for an administrator to export and keep apart: with them a
    /// copy of the database cannot drop or rewrite entries unnoticed.
    pub async fn audit_checkpoints(&self, me: &Principal) -> ServiceResult<Vec<zhizhi_shared::audit::Checkpoint>> {
        admin(me)?;
        let list = self.store.audit_checkpoints().await?;
        Ok(list.into_iter().map(|(seq, hash, at_ms)| zhizhi_shared::audit::Checkpoint { seq, hash, at_ms }).collect())
    }

    /// A token for a machine client, for an administrator, valid for `days` (`None`: until
    /// revoked); the secret is only in this answer.
    pub async fn create_token(&self, me: &Principal, name: &str, scopes: &[String], days: Option<u32>) -> ServiceResult<NewToken> {
        admin(me)?;
        if name.trim().is_empty() {
            return Err(ServiceError::invalid("name", "请填写令牌名称"));
        }
        if name.trim().chars().count() > 60 {
            return Err(ServiceError::invalid("name", "令牌名称不能超过 60 个字"));
        }
        if days.is_some_and(|d| d == 0 || d > zhizhi_shared::auth::TOKEN_MAX_DAYS) {
            return Err(ServiceError::invalid("expires_in_days", format!("有效期应为 1–{} 天，或不填（长期有效）", zhizhi_shared::auth::TOKEN_MAX_DAYS)));
        }
        if scopes.is_empty() || scopes.iter().any(|s| !TOKEN_SCOPES.contains(&s.as_str())) {
            return Err(ServiceError::invalid("scopes", format!("权限范围须取自 {}", TOKEN_SCOPES.join("、"))));
        }
        let token = auth::new_token();
        let now = auth::now_ms();
        let expires_at = days.map(|d| now + i64::from(d) * 86_400_000);
        let id = self.store.create_api_token(name.trim(), &auth::token_hash(&token), scopes, now, expires_at).await?;
        let until = days.map_or("长期有效".to_string(), |d| format!("{d} 天"));
        self.store.append_audit(now, &me.username, "token_create", &format!("token:{id}"), &format!("{}；{until}", scopes.join(","))).await?;
        Ok(NewToken { id, token })
    }

    /// Every API token, for an administrator (names and scopes; the secrets are not kept).
    pub async fn tokens(&self, me: &Principal) -> ServiceResult<Vec<crate::storage::accounts::TokenRow>> {
        admin(me)?;
        Ok(self.store.api_tokens().await?)
    }

    /// Revokes a token at once (an administrator's act, audited): its holder is refused from
    /// the next request on.
    pub async fn revoke_token(&self, me: &Principal, id: i64) -> ServiceResult<()> {
        admin(me)?;
        let now = auth::now_ms();
        if !self.store.revoke_api_token(id, now).await? {
            return Err(ServiceError::NotFound("没有这个令牌，或它已被吊销"));
        }
        self.store.append_audit(now, &me.username, "token_revoke", &format!("token:{id}"), "").await?;
        Ok(())
    }
}
