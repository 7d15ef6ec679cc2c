//! Administration: accounts, API tokens and the audit log.

use super::{user, ApiError, ApiResult};
use crate::auth::{hash_password, new_token, now_ms, token_hash, AuthConfig, Caller};
use crate::http::AppState;
use crate::storage::{AuditQuery, NewUser, Store, UserRecord};
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, CreateUser, Principal, Role, UserView};

fn admin(me: &Principal) -> ApiResult<&Principal> {
    if me.may_administer() { Ok(me) } else { Err(ApiError::Forbidden) }
}

fn user_view(u: UserRecord) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        roles: u.roles,
        post_id: u.post_id,
        grid_ids: u.grid_ids,
        created_at: u.created_at,
        disabled: u.disabled_at.is_some(),
    }
}

/// `GET /api/v1/users`
pub async fn users(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(list_users(state.store.as_ref(), user(&caller)?).await?))
}

/// Every account, for an administrator.
pub async fn list_users(store: &dyn Store, me: &Principal) -> ApiResult<Vec<UserView>> {
    admin(me)?;
    Ok(store.users().await?.into_iter().map(user_view).collect())
}

/// `POST /api/v1/users`: creates an account; the password must meet the policy.
pub async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateUser>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(add_user(state.store.as_ref(), &state.auth, user(&caller)?, body).await?))
}

/// Creates an account for an administrator, under the password policy; audited.
pub async fn add_user(store: &dyn Store, auth: &AuthConfig, me: &Principal, body: CreateUser) -> ApiResult<UserView> {
    admin(me)?;
    let username = body.username.trim();
    if !(3..=32).contains(&username.len()) || !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c)) {
        return Err(ApiError::invalid("username", "用户名须为 3–32 位小写字母、数字或 _ . -"));
    }
    if body.display_name.trim().is_empty() {
        return Err(ApiError::invalid("display_name", "请填写姓名"));
    }
    if body.roles.is_empty() {
        return Err(ApiError::invalid("roles", "至少选择一个角色"));
    }
    if body.roles.contains(&Role::Post) && body.post_id.is_none() {
        return Err(ApiError::invalid("post_id", "岗位人员须指定所属岗位"));
    }
    if body.roles.contains(&Role::GridWorker) && body.grid_ids.is_empty() {
        return Err(ApiError::invalid("grid_ids", "网格员须指定负责的网格"));
    }
    auth.password_policy.check(&body.password, username).map_err(|m| ApiError::invalid("password", m))?;
    let now = now_ms();
    let new = NewUser {
        username: username.into(),
        display_name: body.display_name.trim().into(),
        password_hash: hash_password(&body.password),
        roles: body.roles.clone(),
        post_id: body.post_id,
        grid_ids: body.grid_ids.clone(),
        now,
    };
    let id = store.create_user(&new).await?;
    let roles: Vec<&str> = body.roles.iter().map(|r| r.name_zh()).collect();
    store.append_audit(now, &me.username, "user_create", &format!("user:{username}"), &format!("角色：{}", roles.join("、"))).await?;
    let created = store.user_by_id(id).await?.ok_or(ApiError::NotFound("账号"))?;
    Ok(user_view(created))
}

/// The body of `POST /api/v1/users/{id}/disabled`.
#[derive(Debug, Deserialize)]
pub struct SetDisabled {
    pub disabled: bool,
}

/// `POST /api/v1/users/{id}/disabled`: disables (ending its sessions) or re-enables an account.
pub async fn set_disabled(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Json(body): Json<SetDisabled>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(disable_user(state.store.as_ref(), user(&caller)?, id, body.disabled).await?))
}

/// Disables or re-enables an account for an administrator; audited. Nobody disables themself.
pub async fn disable_user(store: &dyn Store, me: &Principal, id: i64, disabled: bool) -> ApiResult<UserView> {
    admin(me)?;
    if id == me.user_id && disabled {
        return Err(ApiError::invalid("id", "不能停用自己的账号"));
    }
    let target = store.user_by_id(id).await?.ok_or(ApiError::NotFound("没有这个账号"))?;
    let now = now_ms();
    store.set_user_disabled(id, disabled.then_some(now)).await?;
    let action = if disabled { "user_disable" } else { "user_enable" };
    store.append_audit(now, &me.username, action, &format!("user:{}", target.username), "").await?;
    Ok(user_view(store.user_by_id(id).await?.ok_or(ApiError::NotFound("没有这个账号"))?))
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since_ms: Option<i64>,
    pub limit: Option<i64>,
}

/// `GET /api/v1/audit`: entries, newest first.
pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(search_audit(state.store.as_ref(), user(&caller)?, p).await?))
}

/// Audit entries for an administrator, newest first.
pub async fn search_audit(store: &dyn Store, me: &Principal, p: AuditParams) -> ApiResult<Vec<AuditEntry>> {
    admin(me)?;
    let limit = p.limit.unwrap_or(200);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::invalid("limit", "每次 1–5000 条"));
    }
    let q = AuditQuery { actor: p.actor.filter(|s| !s.is_empty()), action: p.action.filter(|s| !s.is_empty()), since_ms: p.since_ms, limit };
    Ok(store.audit_entries(&q).await?)
}

/// `GET /api/v1/audit/verify`: walks the whole hash chain.
pub async fn verify(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<AuditVerdict>> {
    Ok(Json(verify_audit(state.store.as_ref(), user(&caller)?).await?))
}

/// Walks the audit chain for an administrator.
pub async fn verify_audit(store: &dyn Store, me: &Principal) -> ApiResult<AuditVerdict> {
    admin(me)?;
    Ok(match store.verify_audit().await? {
        Ok(n) => AuditVerdict { intact: true, entries: Some(n), broken_at: None, reason: None },
        Err(b) => AuditVerdict { intact: false, entries: None, broken_at: Some(b.seq), reason: Some(b.reason.into()) },
    })
}

/// The body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize)]
pub struct CreateToken {
    pub name: String,
    pub scopes: Vec<String>,
}

/// `POST /api/v1/tokens`: a token for a machine client; the secret is shown only in this answer.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateToken>,
) -> ApiResult<Json<serde_json::Value>> {
    let me = admin(user(&caller)?)?;
    const SCOPES: [&str; 4] = ["read", "cases", "ingest", "district"];
    if body.name.trim().is_empty() {
        return Err(ApiError::invalid("name", "请填写令牌名称"));
    }
    if body.scopes.is_empty() || body.scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(ApiError::invalid("scopes", format!("权限范围须取自 {}", SCOPES.join("、"))));
    }
    let token = new_token();
    let now = now_ms();
    let id = state.store.create_api_token(body.name.trim(), &token_hash(&token), &body.scopes, now).await?;
    state.store.append_audit(now, &me.username, "token_create", &format!("token:{id}"), &body.scopes.join(",")).await?;
    Ok(Json(serde_json::json!({ "id": id, "token": token })))
}
