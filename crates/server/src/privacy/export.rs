//! Everything the service stores about one account, as one JSON document
//! (GDPR Art. 15 and 20): the account, its school, its rooms, its sessions
//! (times only), the audit entries by or about it, and helpdesk requests
//! it filed while logged in. Secrets (password and room password hashes,
//! session ids) are never part of it.

use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Row;

use crate::accounts::{Account, Role};
use crate::api::error::ApiResult;
use crate::storage::{self, Db};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub exported_at: i64,
    pub notice: &'static str,
    pub account: Value,
    pub school: Option<Value>,
    pub rooms: Vec<Value>,
    pub sessions: Vec<Value>,
    pub audit_log: Vec<Value>,
    pub helpdesk_requests: Vec<Value>,
}

const NOTICE: &str = "Alle Daten, die Tafelrunde über dieses Konto speichert. Bild, Ton und Chat werden nie gespeichert. Passwörter und Sitzungskennungen sind nur als Hash gespeichert und deshalb nicht enthalten.";

pub async fn export(db: &Db, account: &Account) -> ApiResult<Export> {
    let row = sqlx::query(
        "SELECT oidc_subject, deactivated_at, password_hash FROM accounts WHERE id = $1",
    )
    .bind(&account.id.0)
    .fetch_one(db.pool())
    .await?;
    let mut acc = serde_json::to_value(account).unwrap_or(Value::Null);
    acc["identityProviderLinked"] =
        json!(row.try_get::<Option<String>, _>("oidc_subject")?.is_some());
    acc["passwordSet"] = json!(row.try_get::<Option<String>, _>("password_hash")?.is_some());
    acc["deactivatedAt"] = json!(row.try_get::<Option<i64>, _>("deactivated_at")?);

    let school = match account.school_str() {
        Some(s) => crate::schools::get(db, s)
            .await?
            .map(|s| serde_json::to_value(s).unwrap_or(Value::Null)),
        None => None,
    };
    let rooms = if account.role == Role::Operator {
        Vec::new()
    } else {
        crate::rooms::list(db, account)
            .await?
            .into_iter()
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .collect()
    };
    let sessions = sqlx::query("SELECT created_at, expires_at FROM sessions WHERE account_id = $1 ORDER BY created_at")
        .bind(&account.id.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(json!({"createdAt": r.try_get::<i64, _>("created_at")?, "expiresAt": r.try_get::<i64, _>("expires_at")?}))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let audit_log = sqlx::query("SELECT at, actor, action, school, target, detail FROM audit_log WHERE actor_id = $1 OR target = $2 ORDER BY id")
        .bind(&account.id.0)
        .bind(&account.email)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(json!({
                "at": r.try_get::<i64, _>("at")?,
                "actor": r.try_get::<String, _>("actor")?,
                "action": r.try_get::<String, _>("action")?,
                "school": r.try_get::<Option<String>, _>("school")?,
                "target": r.try_get::<Option<String>, _>("target")?,
                "detail": r.try_get::<String, _>("detail")?,
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Export {
        exported_at: storage::now(),
        notice: NOTICE,
        account: acc,
        school,
        rooms,
        sessions,
        audit_log,
        helpdesk_requests: helpdesk(db, &account.id.0).await,
    })
}

/// Helpdesk requests filed while logged in as this account. Not those that
/// merely name its address: anyone can type any address into the form, and
/// a stranger's text is not this person's data (none while the helpdesk's
/// table does not exist).
async fn helpdesk(db: &Db, account_id: &str) -> Vec<Value> {
    let rows = sqlx::query("SELECT id, created_at, category, description, school, status FROM helpdesk_tickets WHERE account_id = $1 ORDER BY id")
        .bind(account_id)
        .fetch_all(db.pool())
        .await
        .unwrap_or_default();
    rows.iter()
        .filter_map(|r| {
            Some(json!({
                "id": r.try_get::<i64, _>("id").ok()?,
                "createdAt": r.try_get::<i64, _>("created_at").ok()?,
                "category": r.try_get::<String, _>("category").ok()?,
                "description": r.try_get::<String, _>("description").ok()?,
                "school": r.try_get::<Option<String>, _>("school").ok()?,
                "status": r.try_get::<String, _>("status").ok()?,
            }))
        })
        .collect()
}
