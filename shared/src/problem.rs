//! Why a request to the server was refused, as the pages receive it: the message to show and,
//! when one field of a form is wrong, its name, so that the form can mark it.

use serde::{Deserialize, Serialize};

/// A refusal or failure, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What to show (Chinese: the server speaks the default language).
    pub message: String,
    /// The form field that is wrong (e.g. `password`), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The HTTP status the refusal answers with (401, 403, 404, 409, 422, 429 …), when the
    /// server knows it: a server function answers with it instead of a bare 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl Problem {
    /// A problem with no particular field.
    pub fn new(message: impl Into<String>) -> Self {
        Problem { message: message.into(), field: None, status: None }
    }

    /// A problem answered with the HTTP `status`.
    pub fn with_status(self, status: u16) -> Self {
        Problem { status: Some(status), ..self }
    }

    /// A problem with `field`.
    pub fn in_field(field: &str, message: impl Into<String>) -> Self {
        Problem { message: message.into(), field: Some(field.to_string()), status: None }
    }

    /// The form in which a problem crosses a server function's error text: the plain message
    /// when neither a field nor a status is named, else JSON (a message never starts with `{`).
    pub fn to_wire(&self) -> String {
        match (&self.field, self.status) {
            (None, None) => self.message.clone(),
            _ => serde_json::to_string(self).unwrap_or_else(|_| self.message.clone()),
        }
    }

    /// Reads what [`Problem::to_wire`] wrote (any other text is a message without a field).
    pub fn from_wire(text: &str) -> Self {
        if text.starts_with('{') {
            if let Ok(p) = serde_json::from_str::<Problem>(text) {
                return p;
            }
        }
        Problem::new(text)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Problem::new(message)
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem::new(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_survives_the_wire_and_a_plain_message_stays_plain() {
        let p = Problem::in_field("password", "password：至少 12 位");
        assert_eq!(Problem::from_wire(&p.to_wire()), p);
        let plain = Problem::new("请先登录");
        assert_eq!(plain.to_wire(), "请先登录");
        assert_eq!(Problem::from_wire("请先登录"), plain);
        assert_eq!(Problem::from_wire("{not json").field, None);
        let refused = Problem::new("请先登录").with_status(401);
        assert_eq!(Problem::from_wire(&refused.to_wire()), refused);
    }
}
