//! The helpdesk: anyone files a request (a ticket) through the form, with
//! the connection test's result attached if they like; operator staff work
//! through the queue (status, assignment, internal notes, replies that are
//! mailed when SMTP is configured and the requester left an address).
//! Tickets are deleted after the retention period ([`purge`]). See
//! docs/helpdesk.md.

pub mod handlers;
pub mod hotline;
pub mod spam;
pub mod store;
pub mod validate;

use serde::{Deserialize, Serialize};

/// A ticket's number in the database; shown to people as `HD-000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct TicketId(pub i64);

impl TicketId {
    /// The number the requester gets as confirmation.
    pub fn number(self) -> String {
        format!("HD-{:06}", self.0)
    }

    /// `HD-000042`, `hd-42` or `42`.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text
            .strip_prefix("HD-")
            .or_else(|| text.strip_prefix("hd-"))
            .unwrap_or(text);
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(Self)
    }
}

/// What a request is about; the form offers these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TicketCategory)]
pub enum Category {
    Connection,
    AudioVideo,
    Account,
    Room,
    Privacy,
    Other,
}

impl Category {
    pub const ALL: [Self; 6] = [
        Self::Connection,
        Self::AudioVideo,
        Self::Account,
        Self::Room,
        Self::Privacy,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::AudioVideo => "audioVideo",
            Self::Account => "account",
            Self::Room => "room",
            Self::Privacy => "privacy",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// neu / in Bearbeitung / erledigt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TicketStatus)]
pub enum Status {
    New,
    InProgress,
    Done,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::InProgress => "inProgress",
            Self::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::New, Self::InProgress, Self::Done]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One request, as the operator staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: TicketId,
    /// `HD-000042`.
    pub number: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    pub category: Category,
    pub description: String,
    pub email: Option<String>,
    /// Dienststellennummer as the requester typed it.
    pub school: Option<String>,
    /// The attached connection-test result (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub diagnosis: Option<serde_json::Value>,
    pub status: Status,
    /// Account id of the staff member working on it.
    pub assignee: Option<String>,
    /// Their e-mail address.
    pub assignee_email: Option<String>,
    /// Notes and replies, oldest first (empty in the queue's list).
    pub entries: Vec<Entry>,
}

/// An internal note or a reply to the requester.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TicketEntry)]
pub struct Entry {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// E-mail address of the staff member.
    pub author: String,
    pub kind: EntryKind,
    pub body: String,
    /// A reply that went out by mail.
    pub mailed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TicketEntryKind)]
pub enum EntryKind {
    /// Seen by staff only.
    Note,
    /// To the requester (by mail when possible).
    Reply,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Reply => "reply",
        }
    }
}

/// Days a ticket is kept after its last change, unless the operator sets
/// another period.
pub const DEFAULT_RETENTION_DAYS: i64 = 180;

/// Deletes tickets (with their notes and replies) whose last change is
/// more than `days` before `now` (unix seconds); returns how many tickets went.
pub async fn purge(db: &crate::storage::Db, days: i64, now: i64) -> Result<u64, sqlx::Error> {
    store::purge(db, (now - days * 24 * 3600) * 1000).await
}

/// The helpdesk retention period the operator set (the settings key
/// `helpdesk_retention_days`, which `crate::settings` edits), else the default.
pub async fn retention_days(db: &crate::storage::Db) -> i64 {
    hotline::read_key(db, "helpdesk_retention_days")
        .await
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .filter(|d: &i64| *d > 0)
        .unwrap_or(DEFAULT_RETENTION_DAYS)
}

/// [`purge`] with [`retention_days`]: the retention job's one call.
pub async fn purge_expired(db: &crate::storage::Db, now: i64) -> Result<u64, sqlx::Error> {
    let n = purge(db, retention_days(db).await, now).await?;
    if n > 0 {
        tracing::info!(tickets = n, "retention: helpdesk tickets deleted");
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_round_trip() {
        assert_eq!(TicketId(42).number(), "HD-000042");
        assert_eq!(TicketId::parse("HD-000042"), Some(TicketId(42)));
        assert_eq!(TicketId::parse("42"), Some(TicketId(42)));
        assert_eq!(TicketId::parse("HD-"), None);
        assert_eq!(TicketId::parse("0"), None);
        assert_eq!(TicketId::parse("4x"), None);
    }
}
