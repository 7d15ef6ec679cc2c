//! Who may do what: roles, scopes and the password policy. The server enforces these on every
//! request; the interface only uses them to decide what to show.

use serde::{Deserialize, Serialize};

/// A role a user holds. A user may hold several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 指挥中心 / 综合协调岗: everything in the street; dispatch, plans, escalation.
    Command,
    /// A post's member (岗位): the cases and tasks of their post.
    Post,
    /// 网格员: their own grids only.
    GridWorker,
    /// 系统管理员: users, posts, grids, devices, rules; no casual access to personal data.
    Admin,
    /// 区城运中心: cases escalated to the district.
    District,
    /// 区司法局审批: approves or returns joint inspections (综合查一次); nothing else.
    Approver,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [Self::Command, Self::Post, Self::GridWorker, Self::Admin, Self::District, Self::Approver];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Command => "command",
            Self::Post => "post",
            Self::GridWorker => "grid_worker",
            Self::Admin => "admin",
            Self::District => "district",
            Self::Approver => "approver",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The role's Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Command => "指挥中心",
            Self::Post => "岗位人员",
            Self::GridWorker => "网格员",
            Self::Admin => "系统管理员",
            Self::District => "区城运中心",
            Self::Approver => "区级审批（综合查一次）",
        }
    }
}

/// The signed-in user a request acts for, with the scope of their roles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The post a post member works in.
    pub post_id: Option<i64>,
    /// The grids a grid worker answers for.
    pub grid_ids: Vec<i64>,
    /// The street the user works for; `None` for the whole district (district staff, and every
    /// user of a deployment of one street).
    #[serde(default)]
    pub street_id: Option<i64>,
    /// For a street's staff, the grids of their street (filled when the session is resolved);
    /// empty for the whole district.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub street_grids: Vec<i64>,
    /// The password is older than the policy allows: until it is changed, the user may do
    /// nothing else.
    #[serde(default)]
    pub password_expired: bool,
}

impl Principal {
    /// Whether the user holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the user may list the (masked) residents of `grid_id`: command staff for their
    /// street (every street for the district's), grid workers for their own grids,
    /// administrators (masked only) likewise for their street.
    pub fn may_list_residents_of(&self, grid_id: i64) -> bool {
        ((self.has(Role::Command) || self.has(Role::Admin)) && self.in_my_street(grid_id))
            || (self.has(Role::GridWorker) && self.grid_ids.contains(&grid_id))
    }

    /// Whether `grid_id` lies in the user's street (any grid for a user of the whole district).
    pub fn in_my_street(&self, grid_id: i64) -> bool {
        self.street_id.is_none() || self.street_grids.contains(&grid_id)
    }

    /// Whether the user may reveal one resident's unmasked data in `grid_id`, with a reason.
    /// Every reveal is audited, whoever makes it.
    pub fn may_reveal_resident_of(&self, grid_id: i64) -> bool {
        self.may_list_residents_of(grid_id)
    }

    /// Whether a thing of `street` lies within the user's street: anything for a user of the
    /// whole district, only their own street's for a street's staff (a thing of no street is
    /// the district's).
    pub fn covers_street(&self, street: Option<i64>) -> bool {
        self.street_id.is_none() || street == self.street_id
    }

    /// Whether the user may manage accounts and read the audit log.
    pub fn may_administer(&self) -> bool {
        self.has(Role::Admin)
    }
}

/// Rules a new password must meet. MLPS 2.0 assessors ask for length, complexity and
/// rotation; each is configurable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of the four classes (lower case, upper case, digits, symbols) must occur.
    pub min_classes: usize,
    /// Days after which a password must be changed; 0 for never.
    pub max_age_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_length: 12, min_classes: 3, max_age_days: 90 }
    }
}

impl PasswordPolicy {
    /// Checks a new password; the error says in Chinese what is missing.
    pub fn check(&self, password: &str, username: &str) -> Result<(), String> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(format!("密码至少需要 {} 个字符（当前 {len} 个）", self.min_length));
        }
        let classes = [
            password.chars().any(|c| c.is_lowercase()),
            password.chars().any(|c| c.is_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_alphanumeric()),
        ];
        let have = classes.iter().filter(|x| **x).count();
        if have < self.min_classes {
            return Err(format!("密码需包含小写字母、大写字母、数字、符号中的至少 {} 类（当前 {have} 类）", self.min_classes));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err("密码不能包含用户名".into());
        }
        Ok(())
    }

    /// Whether a password set at `changed_at_ms` must be changed at `now_ms`.
    pub fn expired(&self, changed_at_ms: i64, now_ms: i64) -> bool {
        self.max_age_days > 0 && now_ms - changed_at_ms > i64::from(self.max_age_days) * 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], grids: &[i64]) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            post_id: None,
            grid_ids: grids.to_vec(),
            street_id: None,
            street_grids: vec![],
            password_expired: false,
        }
    }

    #[test]
    fn who_may_list_residents_of_grid_7() {
        let table = [
            (user(&[Role::Command], &[]), true),
            (user(&[Role::GridWorker], &[7]), true),
            (user(&[Role::GridWorker], &[8]), false),
            (user(&[Role::Post], &[]), false),
            (user(&[Role::District], &[]), false),
            (user(&[Role::Admin], &[]), true),
            (user(&[], &[7]), false),
        ];
        for (u, expected) in table {
            assert_eq!(u.may_list_residents_of(7), expected, "{:?}", u.roles);
        }
    }

    #[test]
    fn password_policy() {
        let p = PasswordPolicy::default();
        assert!(p.check("short1A!", "zz").unwrap_err().contains("至少需要 12 个字符"));
        assert!(p.check("alllowercaseletters", "zz").unwrap_err().contains("至少 3 类"));
        assert!(p.check("Grid-worker-2026", "grid-worker").unwrap_err().contains("用户名"));
        assert_eq!(p.check("Ciqikou-141-Centre", "wangwei"), Ok(()));
        let day = 86_400_000;
        assert!(!p.expired(0, 90 * day));
        assert!(p.expired(0, 91 * day));
        assert!(!PasswordPolicy { max_age_days: 0, ..p }.expired(0, 1000 * day));
    }
}

/// An account as administrators see it (never its password hash).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub post_id: Option<i64>,
    pub grid_ids: Vec<i64>,
    /// The street the user works for; `None` for the whole district.
    #[serde(default)]
    pub street_id: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub disabled: bool,
}

/// A new account, as an administrator fills it in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub post_id: Option<i64>,
    #[serde(default)]
    pub grid_ids: Vec<i64>,
    /// The street the user works for; none for the whole district.
    #[serde(default)]
    pub street_id: Option<i64>,
}

/// A new account as the administrator's form submits it: the post by name and grids by code,
/// as a person types them (the accounts service resolves them to a [`CreateUser`]).
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
    /// The street's name; empty for the whole district.
    #[serde(default)]
    pub street: String,
}

/// The result of walking the audit log's hash chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditVerdict {
    pub intact: bool,
    /// Entries verified, when intact.
    pub entries: Option<i64>,
    /// The first entry that fails, when not.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// What an API token may be allowed: `(code, 中文, English)`.
pub const TOKEN_SCOPE_NAMES: [(&str, &str, &str); 7] = [
    ("read", "只读查询", "Read"),
    ("report", "只上报事件（如 12345 热线）", "Report cases only (e.g. a 12345 hotline)"),
    ("cases", "事件上报与办理", "Cases"),
    ("ingest", "设备数据接入", "Device ingest"),
    ("district", "区级对接", "District"),
    ("open311", "Open311 居民上报接口", "Open311 reports"),
    ("metrics", "运行监控（Prometheus 指标）", "Monitoring (Prometheus metrics)"),
];
/// The codes of [`TOKEN_SCOPE_NAMES`].
pub const TOKEN_SCOPES: [&str; TOKEN_SCOPE_NAMES.len()] = {
    let mut codes = [""; TOKEN_SCOPE_NAMES.len()];
    let mut i = 0;
    while i < codes.len() {
        codes[i] = TOKEN_SCOPE_NAMES[i].0;
        i += 1;
    }
    codes
};
/// The longest an API token may be issued for, in days.
pub const TOKEN_MAX_DAYS: u32 = 3650;

/// An API token as administrators see it (the secret is never stored, only its hash).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// Refused from this time on (`None`: until revoked).
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A new API token: its id and the secret, shown only once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub token: String,
}
