//! Who was let into which room lately. A server restart ends every session;
//! the pupils a teacher had let in come back by themselves and should not
//! wait in the lobby again. So the room's admission of a person (account id
//! or device cookie) is kept for [`KEPT_FOR`] after they last entered, and
//! ends at once when they leave on purpose, are removed or denied, or the
//! meeting ends. The person is kept only as the SHA-256 of their key (the
//! device cookie is a random id; an account's id is hashed likewise), and
//! the retention job deletes what expired.

use sha2::{Digest, Sha256};

use crate::storage::{self, Db};

/// How long an admission outlives the last time its holder entered: longer
/// than a double lesson, shorter than a school day.
pub const KEPT_FOR: i64 = 2 * 3600;

/// `person` entered `room` (or came back to it).
pub async fn remember(db: &Db, room: &str, person: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO room_admissions (room, person, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (room, person) DO UPDATE SET expires_at = excluded.expires_at",
    )
    .bind(room)
    .bind(hashed(person))
    .bind(storage::now() + KEPT_FOR)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// `person` left `room` for good (on purpose, removed, denied, meeting over).
pub async fn forget(db: &Db, room: &str, person: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM room_admissions WHERE room = $1 AND person = $2")
        .bind(room)
        .bind(hashed(person))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Whether `person` was let into `room` lately.
pub async fn admitted(db: &Db, room: &str, person: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM room_admissions WHERE room = $1 AND person = $2 AND expires_at > $3",
    )
    .bind(room)
    .bind(hashed(person))
    .bind(storage::now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// Delete what expired by `t` (unix seconds); the retention job calls it.
pub async fn purge_expired(db: &Db, t: i64) -> Result<u64, sqlx::Error> {
    let gone = sqlx::query("DELETE FROM room_admissions WHERE expires_at <= $1")
        .bind(t)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(gone)
}

/// What is stored of a person's key.
fn hashed(person: &str) -> String {
    Sha256::digest(person.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
