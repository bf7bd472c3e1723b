//! The values the operator fills into every school's documents: who runs
//! the service, the data protection officer, the legal basis, where it is
//! hosted, the supervisory authority and the imprint. Kept in the `settings`
//! table under `privacy.*` keys; every change is audited.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::Db;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PrivacyTemplate)]
pub struct Template {
    /// Who is responsible for the processing at a school; `{schule}` becomes
    /// the school's name and town.
    pub controller: String,
    /// Who runs the service for the state (name and postal address).
    pub operator: String,
    /// How to reach the data protection officer.
    pub data_protection_officer: String,
    /// The legal basis of the processing.
    pub legal_basis: String,
    /// Where the servers are (data centre, country).
    pub hosting_location: String,
    /// The supervisory authority people may complain to.
    pub supervisory_authority: String,
    /// The imprint (Impressum) of the service, shown at /impressum.
    pub imprint: String,
}

/// (storage key, API field, maximum characters) of every value.
const FIELDS: [(&str, &str, usize); 7] = [
    ("privacy.controller", "controller", 500),
    ("privacy.operator", "operator", 500),
    ("privacy.dpo", "dataProtectionOfficer", 500),
    ("privacy.legal_basis", "legalBasis", 1000),
    ("privacy.hosting", "hostingLocation", 500),
    ("privacy.authority", "supervisoryAuthority", 500),
    ("privacy.imprint", "imprint", 3000),
];

impl Default for Template {
    fn default() -> Self {
        Self {
            controller: "{schule}, vertreten durch die Schulleiterin oder den Schulleiter".into(),
            operator: String::new(),
            data_protection_officer: String::new(),
            legal_basis: "Art. 6 Abs. 1 Buchst. e und Abs. 3 DSGVO in Verbindung mit dem Schulgesetz des Landes und der Schul-Datenschutzverordnung (Erfüllung des Bildungs- und Erziehungsauftrags der Schule)".into(),
            hosting_location: String::new(),
            supervisory_authority: String::new(),
            imprint: String::new(),
        }
    }
}

impl Template {
    fn get_mut(&mut self, key: &str) -> &mut String {
        match key {
            "privacy.controller" => &mut self.controller,
            "privacy.operator" => &mut self.operator,
            "privacy.dpo" => &mut self.data_protection_officer,
            "privacy.legal_basis" => &mut self.legal_basis,
            "privacy.hosting" => &mut self.hosting_location,
            "privacy.authority" => &mut self.supervisory_authority,
            _ => &mut self.imprint,
        }
    }

    fn get(&self, key: &str) -> &str {
        match key {
            "privacy.controller" => &self.controller,
            "privacy.operator" => &self.operator,
            "privacy.dpo" => &self.data_protection_officer,
            "privacy.legal_basis" => &self.legal_basis,
            "privacy.hosting" => &self.hosting_location,
            "privacy.authority" => &self.supervisory_authority,
            _ => &self.imprint,
        }
    }
}

pub async fn load(db: &Db) -> ApiResult<Template> {
    let rows = sqlx::query("SELECT key, value FROM settings WHERE key LIKE 'privacy.%'")
        .fetch_all(db.pool())
        .await?;
    let mut t = Template::default();
    for r in rows {
        let (key, value): (String, String) = (r.try_get("key")?, r.try_get("value")?);
        if FIELDS.iter().any(|(k, _, _)| *k == key) {
            *t.get_mut(&key) = value;
        }
    }
    Ok(t)
}

/// Checks and stores new values; audited with the names of what changed.
pub async fn save(db: &Db, actor: &Actor, new: Template) -> ApiResult<Template> {
    let mut clean = new.clone();
    for (key, field, max) in FIELDS {
        let value = clean.get_mut(key);
        *value = value.trim().replace("\r\n", "\n");
        if value.chars().count() > max {
            return Err(ApiError::field(
                field,
                format!("{field} may have at most {max} characters"),
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ApiError::field(
                field,
                format!("{field} contains control characters"),
            ));
        }
    }
    let before = load(db).await?;
    let changed: Vec<&str> = FIELDS
        .iter()
        .filter(|(key, _, _)| before.get(key) != clean.get(key))
        .map(|(_, field, _)| *field)
        .collect();
    let mut tx = db.begin().await?;
    for (key, _, _) in FIELDS {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(clean.get(key).to_string())
            .execute(&mut *tx)
            .await?;
    }
    let detail = if changed.is_empty() {
        "nothing changed".to_string()
    } else {
        format!("changed: {}", changed.join(", "))
    };
    audit::record(&mut tx, actor, "privacy.template", None, None, &detail).await?;
    tx.commit().await?;
    Ok(clean)
}
