//! The services' error: what went wrong, in words a user can act on, with no HTTP in it.
//!
//! Services (`cases`, `devices`, `map`, `accounts`, `residents`, `directory`) answer
//! [`ServiceResult`]; the JSON API turns a [`ServiceError`] into a response (`api.rs`), the
//! server functions into a [`Problem`] (`backend.rs`). Each variant says which HTTP status it
//! stands for in [`ServiceError::status`], so both ways out of the server agree.

use crate::auth::LoginError;
use zhizhi_shared::case::Refusal;
use zhizhi_shared::problem::Problem;

/// Why a service refused or failed. User errors say what is wrong (in Chinese, naming the
/// field); storage errors are logged in full and shown as one generic sentence.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("请先登录")]
    Unauthenticated,
    #[error("密码已过期，请先修改密码")]
    PasswordExpired,
    #[error("无权执行此操作")]
    Forbidden,
    /// Not allowed, with the reason (the case rules' `NotAllowed`, a token without a scope).
    #[error("{0}")]
    Denied(String),
    /// Credentials that are not right (a device's secret); the caller may try others.
    #[error("{0}")]
    BadCredentials(String),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{field}：{message}")]
    Invalid { field: &'static str, message: String },
    /// The thing changed, or is in a state that does not allow this (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from this address (429).
    #[error("{0}")]
    Throttled(String),
    /// More than one request may carry (413).
    #[error("{0}")]
    TooLarge(String),
    /// A part of the server is stopping or not ready (503).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Login(#[from] LoginError),
    #[error(transparent)]
    Storage(#[from] crate::storage::Error),
}

/// The result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// A user error in `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field, message: message.into() }
    }

    /// The HTTP status this error stands for.
    pub fn status(&self) -> u16 {
        use crate::storage::Error as S;
        match self {
            ServiceError::Unauthenticated | ServiceError::BadCredentials(_) => 401,
            ServiceError::Forbidden | ServiceError::PasswordExpired | ServiceError::Denied(_) => 403,
            ServiceError::NotFound(_) => 404,
            ServiceError::Invalid { .. } => 422,
            ServiceError::Conflict(_) => 409,
            ServiceError::Throttled(_) => 429,
            ServiceError::TooLarge(_) => 413,
            ServiceError::Unavailable(_) => 503,
            ServiceError::Login(LoginError::Throttled | LoginError::ThrottledForDay) => 429,
            ServiceError::Login(LoginError::Disabled) => 403,
            ServiceError::Login(LoginError::BadCredentials) => 401,
            ServiceError::Login(LoginError::Storage) => 500,
            ServiceError::Storage(S::Conflict { .. } | S::Stale) => 409,
            ServiceError::Storage(S::Invalid(_)) => 422,
            ServiceError::Storage(e) if e.is_unavailable() => 503,
            ServiceError::Storage(_) => 500,
        }
    }

    /// The field that is wrong, when one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ServiceError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// What the user is told: the whole story for their own mistakes, a generic sentence for
    /// ours (logged in full here).
    pub fn user_message(&self) -> String {
        use crate::storage::Error as S;
        match self {
            ServiceError::Storage(S::Conflict { what }) => format!("{what} 已存在"),
            ServiceError::Storage(S::Stale) => "事件已被他人更新，请刷新后重试".into(),
            ServiceError::Storage(S::Invalid(message)) => message.clone(),
            ServiceError::Storage(e) => {
                tracing::error!(error = %e, "storage error");
                "数据库暂时无法访问，请稍后重试".into()
            }
            e => e.to_string(),
        }
    }

    /// The answer the pages get: the message and, apart, the field to mark (so the message
    /// does not start with the field's English name, as the JSON API's does).
    pub fn problem(&self) -> Problem {
        let message = match self {
            ServiceError::Invalid { message, .. } => message.clone(),
            e => e.user_message(),
        };
        Problem { message, field: self.field().map(str::to_string), status: Some(self.status()) }
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        e.problem()
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotAllowed(m) => ServiceError::Denied(m),
            Refusal::WrongState(m) => ServiceError::Conflict(m),
            Refusal::Invalid { field, message } => ServiceError::Invalid { field, message },
        }
    }
}

/// The signed-in user behind a caller, or why not: 401, or 403 while their password has
/// expired.
pub fn signed_in(me: Option<&zhizhi_shared::auth::Principal>) -> ServiceResult<&zhizhi_shared::auth::Principal> {
    let me = me.ok_or(ServiceError::Unauthenticated)?;
    if me.password_expired { Err(ServiceError::PasswordExpired) } else { Ok(me) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_stands_for_its_status_and_pages_get_the_field_apart() {
        let e = ServiceError::invalid("password", "密码至少需要 12 个字符");
        assert_eq!((e.status(), e.field()), (422, Some("password")));
        assert_eq!(e.user_message(), "password：密码至少需要 12 个字符", "the JSON API names the field in the text");
        assert_eq!(e.problem(), Problem::in_field("password", "密码至少需要 12 个字符").with_status(422));
        let cases = [
            (ServiceError::from(Refusal::NotAllowed("只有指挥中心可以派遣".into())), 403),
            (ServiceError::from(Refusal::WrongState("事件已结案".into())), 409),
            (ServiceError::Throttled("提交过于频繁".into()), 429),
            (ServiceError::TooLarge("每批最多 5000 条".into()), 413),
            (ServiceError::Unavailable("设备服务已停止".into()), 503),
            (ServiceError::BadCredentials("设备编号或密钥不正确".into()), 401),
            (ServiceError::Login(LoginError::Throttled), 429),
            (ServiceError::Storage(crate::storage::Error::Stale), 409),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status, "{e:?}");
            assert_eq!(e.problem().field, None);
            assert_eq!(e.problem().status, Some(status), "a server function answers with it too");
        }
        let internal = ServiceError::Storage(crate::storage::Error::Corrupt { table: "cases", id: 7, detail: "bad state".into() });
        assert_eq!((internal.status(), internal.problem().message.as_str()), (500, "数据库暂时无法访问，请稍后重试"), "ours is not told");
    }
}
