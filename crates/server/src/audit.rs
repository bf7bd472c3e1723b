//! The audit log: every administrative action with who, what, when and for
//! which school. Visible to the operator, and to a school admin for their
//! own school. It never holds a password, token or session id.

use serde::Serialize;
use sqlx::Row;

use crate::api::error::ApiResult;
use crate::storage::{self, Db};

/// Who acts: an account, or the system itself (first-start setup).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    /// E-mail address of the account, or "system".
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            id: None,
            name: "system".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub school: Option<String>,
    pub target: Option<String>,
    pub detail: String,
}

pub async fn record(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    action: &str,
    school: Option<&str>,
    target: Option<&str>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, actor, action, school, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(storage::now_millis())
        .bind(actor.id.clone())
        .bind(actor.name.clone())
        .bind(action)
        .bind(school.map(str::to_string))
        .bind(target.map(str::to_string))
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    // The log names the account by its id: the address is personal data,
    // and the log is kept under other rules than the audit table.
    let actor_id = actor.id.as_deref().unwrap_or("system");
    tracing::info!(action, school, actor = actor_id, "audit");
    Ok(())
}

/// The newest entries first; only one school's when `school` is given.
pub async fn list(db: &Db, school: Option<&str>, limit: i64) -> ApiResult<Vec<Entry>> {
    let rows = match school {
        Some(s) => {
            sqlx::query("SELECT id, at, actor, action, school, target, detail FROM audit_log WHERE school = $1 ORDER BY id DESC LIMIT $2")
                .bind(s)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query("SELECT id, at, actor, action, school, target, detail FROM audit_log ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Entry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            school: r.try_get("school")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
        });
    }
    Ok(out)
}
