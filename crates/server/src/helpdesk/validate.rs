//! The request form's body and its checks: every error names the field,
//! and a refused request stores nothing.

use serde::Deserialize;

use super::Category;
use crate::api::error::{ApiError, ApiResult};

pub const MIN_DESCRIPTION_CHARS: usize = 10;
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// The connection test's result is small; this leaves room and stops abuse.
pub const MAX_DIAGNOSIS_BYTES: usize = 16 * 1024;

/// What the form sends.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTicket {
    /// `connection`, `audioVideo`, `account`, `room`, `privacy` or `other`.
    pub category: String,
    pub description: String,
    /// Where a reply may go (optional).
    #[serde(default)]
    pub email: Option<String>,
    /// Dienststellennummer (optional).
    #[serde(default)]
    pub school: Option<String>,
    /// The connection test's result, as the requester saw it (optional).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub diagnosis: Option<serde_json::Value>,
    /// The token of `GET /api/helpdesk/form`.
    #[serde(default)]
    pub form_token: String,
    /// The honeypot: hidden from people, must stay empty.
    #[serde(default)]
    pub website: String,
}

/// A request that passed the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub category: Category,
    pub description: String,
    pub email: Option<String>,
    pub school: Option<String>,
    pub diagnosis: Option<String>,
}

fn optional(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// A plausible address: one `@`, a dot in the domain, no spaces. Whether it
/// exists only the mail server knows.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn check(req: &NewTicket) -> ApiResult<Checked> {
    let category = super::Category::parse(&req.category).ok_or_else(|| {
        ApiError::field(
            "category",
            format!(
                "{:?} is not a category; use one of {}",
                req.category,
                super::Category::ALL.map(|c| c.as_str()).join(", ")
            ),
        )
    })?;
    let description = req.description.trim().to_string();
    let chars = description.chars().count();
    if !(MIN_DESCRIPTION_CHARS..=MAX_DESCRIPTION_CHARS).contains(&chars) {
        return Err(ApiError::field(
            "description",
            format!("describe the problem in {MIN_DESCRIPTION_CHARS} to {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if description
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ApiError::field(
            "description",
            "the description contains control characters",
        ));
    }
    let email = optional(&req.email).map(|e| e.to_lowercase());
    if let Some(e) = &email {
        if !plausible_email(e) {
            return Err(ApiError::field(
                "email",
                format!("{e:?} is not an e-mail address"),
            ));
        }
    }
    let school = optional(&req.school);
    if let Some(s) = &school {
        if !(4..=10).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::field(
                "school",
                "the Dienststellennummer has 4 to 10 digits",
            ));
        }
    }
    let diagnosis = match &req.diagnosis {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ serde_json::Value::Object(_)) => {
            let text = v.to_string();
            if text.len() > MAX_DIAGNOSIS_BYTES {
                return Err(ApiError::field(
                    "diagnosis",
                    format!(
                        "the connection test's result is larger than {MAX_DIAGNOSIS_BYTES} bytes"
                    ),
                ));
            }
            Some(text)
        }
        Some(_) => {
            return Err(ApiError::field(
                "diagnosis",
                "the connection test's result must be a JSON object",
            ))
        }
    };
    Ok(Checked {
        category,
        description,
        email,
        school,
        diagnosis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(category: &str, description: &str) -> NewTicket {
        NewTicket {
            category: category.into(),
            description: description.into(),
            email: None,
            school: None,
            diagnosis: None,
            form_token: String::new(),
            website: String::new(),
        }
    }

    #[test]
    fn names_the_field() {
        let field = |r: &NewTicket| check(r).unwrap_err().field.unwrap();
        assert_eq!(field(&req("x", "Kamera geht nicht an")), "category");
        assert_eq!(field(&req("other", "kurz")), "description");
        let mut r = req("other", "Kamera geht nicht an");
        r.email = Some("keine-adresse".into());
        assert_eq!(field(&r), "email");
        r.email = Some(" ".into());
        r.school = Some("12a".into());
        assert_eq!(field(&r), "school");
        r.school = None;
        r.diagnosis = Some(serde_json::json!([1]));
        assert_eq!(field(&r), "diagnosis");
        r.diagnosis = Some(serde_json::json!({"udp": "ok"}));
        let ok = check(&r).unwrap();
        assert_eq!(ok.email, None, "a blank address is no address");
        assert_eq!(ok.diagnosis.as_deref(), Some(r#"{"udp":"ok"}"#));
    }
}
