//! Tickets and their entries in the database. Staff actions are written
//! to the audit log (without the ticket's text) in the same transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::spam::{Refusal, Valid};
use super::validate::Checked;
use super::{Category, Entry, EntryKind, Status, Ticket, TicketId};
use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::{now_millis, Db};

const COLUMNS: &str = "t.id, t.created_at, t.updated_at, t.category, t.description, t.email, \
     t.school, t.diagnosis, t.status, t.assignee, a.email AS assignee_email";

fn from_row(r: &AnyRow) -> Result<Ticket, sqlx::Error> {
    let id = TicketId(r.try_get("id")?);
    let category: String = r.try_get("category")?;
    let status: String = r.try_get("status")?;
    let diagnosis: Option<String> = r.try_get("diagnosis")?;
    Ok(Ticket {
        id,
        number: id.number(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        category: Category::parse(&category).unwrap_or(Category::Other),
        description: r.try_get("description")?,
        email: r.try_get("email")?,
        school: r.try_get("school")?,
        diagnosis: diagnosis.and_then(|d| serde_json::from_str(&d).ok()),
        status: Status::parse(&status).unwrap_or(Status::New),
        assignee: r.try_get("assignee")?,
        assignee_email: r.try_get("assignee_email")?,
        entries: Vec::new(),
    })
}

/// Stores a new request filed with form token `token` (by `account` when
/// the requester was logged in); returns its id, or [`Refusal::Used`] when
/// that form has filed a request already. Both in one transaction: a
/// request that fails leaves its form usable.
pub async fn create(
    db: &Db,
    t: &Checked,
    account: Option<&str>,
    token: &Valid,
) -> ApiResult<Result<TicketId, Refusal>> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM helpdesk_form_tokens WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let fresh = sqlx::query(
        "INSERT INTO helpdesk_form_tokens (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
    )
    .bind(token.nonce.clone())
    .bind(token.expires_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(Err(Refusal::Used));
    }
    let row = sqlx::query(
        "INSERT INTO helpdesk_tickets (created_at, updated_at, category, description, email, school, diagnosis, status, account_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(now)
    .bind(now)
    .bind(t.category.as_str())
    .bind(t.description.clone())
    .bind(t.email.clone())
    .bind(t.school.clone())
    .bind(t.diagnosis.clone())
    .bind(Status::New.as_str())
    .bind(account.map(str::to_string))
    .fetch_one(&mut *tx)
    .await?;
    let id = TicketId(row.try_get("id")?);
    tx.commit().await?;
    Ok(Ok(id))
}

/// The queue: open tickets first (new, then in progress), newest first
/// within each; `status` narrows it to one.
pub async fn list(db: &Db, status: Option<Status>) -> ApiResult<Vec<Ticket>> {
    let order = "ORDER BY CASE t.status WHEN 'new' THEN 0 WHEN 'inProgress' THEN 1 ELSE 2 END, t.id DESC LIMIT 500";
    let from = "FROM helpdesk_tickets t LEFT JOIN accounts a ON a.id = t.assignee";
    let rows = match status {
        Some(s) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} {from} WHERE t.status = $1 {order}"
            ))
            .bind(s.as_str())
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} {from} {order}"))
                .fetch_all(db.pool())
                .await?
        }
    };
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// One ticket with its notes and replies.
pub async fn get(db: &Db, id: TicketId) -> ApiResult<Ticket> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM helpdesk_tickets t LEFT JOIN accounts a ON a.id = t.assignee WHERE t.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| ApiError::not_found(&format!("ticket {}", id.number())))?;
    let mut ticket = from_row(&row)?;
    let rows = sqlx::query(
        "SELECT id, at, author, kind, body, mailed FROM helpdesk_entries WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(db.pool())
    .await?;
    for r in rows {
        let kind: String = r.try_get("kind")?;
        ticket.entries.push(Entry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            author: r.try_get("author")?,
            kind: if kind == "reply" {
                EntryKind::Reply
            } else {
                EntryKind::Note
            },
            body: r.try_get("body")?,
            mailed: r.try_get::<i64, _>("mailed")? != 0,
        });
    }
    Ok(ticket)
}

/// A change of status and/or assignee. `assignee: Some(None)` removes it.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: TicketId,
    status: Option<Status>,
    assignee: Option<Option<String>>,
) -> ApiResult<Ticket> {
    let before = get(db, id).await?;
    let mut tx = db.begin().await?;
    let mut changes = Vec::new();
    if let Some(s) = status.filter(|s| *s != before.status) {
        sqlx::query("UPDATE helpdesk_tickets SET status = $1 WHERE id = $2")
            .bind(s.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        changes.push(format!("status {}", s.as_str()));
    }
    if let Some(a) = assignee.filter(|a| *a != before.assignee) {
        if let Some(account) = &a {
            let staff =
                sqlx::query("SELECT email FROM accounts WHERE id = $1 AND role = 'operator'")
                    .bind(account.clone())
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(staff) = staff else {
                return Err(ApiError::field(
                    "assignee",
                    "the assignee must be an operator account",
                ));
            };
            changes.push(format!(
                "assigned to {}",
                staff.try_get::<String, _>("email")?
            ));
        } else {
            changes.push("unassigned".into());
        }
        sqlx::query("UPDATE helpdesk_tickets SET assignee = $1 WHERE id = $2")
            .bind(a)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
    }
    if !changes.is_empty() {
        touch(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "helpdesk.update",
            None,
            Some(&id.number()),
            &changes.join(", "),
        )
        .await?;
    }
    tx.commit().await?;
    get(db, id).await
}

async fn touch(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: TicketId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE helpdesk_tickets SET updated_at = $1 WHERE id = $2")
        .bind(now_millis())
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a note or a reply. A reply to a new ticket puts it in progress.
pub async fn add_entry(
    db: &Db,
    actor: &Actor,
    id: TicketId,
    kind: EntryKind,
    body: &str,
    mailed: bool,
) -> ApiResult<()> {
    let ticket = get(db, id).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO helpdesk_entries (ticket_id, at, author, kind, body, mailed) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(now_millis())
    .bind(actor.name.clone())
    .bind(kind.as_str())
    .bind(body.to_string())
    .bind(i64::from(mailed))
    .execute(&mut *tx)
    .await?;
    if kind == EntryKind::Reply && ticket.status == Status::New {
        sqlx::query("UPDATE helpdesk_tickets SET status = $1 WHERE id = $2")
            .bind(Status::InProgress.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
    }
    touch(&mut tx, id).await?;
    let detail = match (kind, mailed) {
        (EntryKind::Note, _) => "internal note",
        (EntryKind::Reply, true) => "reply, mailed",
        (EntryKind::Reply, false) => "reply, not mailed",
    };
    audit::record(
        &mut tx,
        actor,
        "helpdesk.entry",
        None,
        Some(&id.number()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes tickets last changed before `cutoff` (milliseconds), with their entries.
pub async fn purge(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    // Entries first: SQLite enforces ON DELETE CASCADE only with its
    // foreign-key pragma on, so the job does not rely on it.
    sqlx::query(
        "DELETE FROM helpdesk_entries WHERE ticket_id IN (SELECT id FROM helpdesk_tickets WHERE updated_at < $1)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query("DELETE FROM helpdesk_tickets WHERE updated_at < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
