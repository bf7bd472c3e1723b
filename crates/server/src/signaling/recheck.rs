//! Who a socket belongs to is read from its cookies when it opens; the
//! login behind it can end later (logout, deactivation, deletion, expiry, the
//! school switched to BigBlueButton). So a socket opened with a login checks
//! it again before every message that uses a right the login gave (joining,
//! every moderation action) and every [`RECHECK`] besides. When it has ended,
//! the session ends with `bye {sessionEnded}`: the room's Leitung and
//! moderator rights go with it.

use std::time::Duration;

use tafelrunde_protocol::ClientMessage;

use crate::app::AppState;
use crate::auth::session;
use crate::room_access::Identity;

/// How often an open socket with a login checks it without being asked.
pub const RECHECK: Duration = Duration::from_secs(10);

/// Whether the login a socket was opened with still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Still logged in, as the same active account (or no login at all).
    Holds,
    /// Logged out, deactivated, deleted, expired.
    Ended,
    /// The database could not tell now.
    Unknown,
}

pub async fn standing(state: &AppState, identity: &Identity) -> Standing {
    let (Some(account), Some(secret), Some(control)) =
        (&identity.account, &identity.session, &state.control)
    else {
        return Standing::Holds;
    };
    match session::lookup(&control.db, secret).await {
        Ok(Ok(current)) if current.account.id.0 == account.id.0 => Standing::Holds,
        Ok(_) => Standing::Ended,
        Err(e) => {
            tracing::warn!(error = %e, "re-checking a signaling socket's login failed");
            Standing::Unknown
        }
    }
}

/// Whether `message` uses a right that a login may give: entering a room
/// as its teacher, and every moderation action on others or on the room.
/// Exhaustive on purpose: a new message type must be sorted in here.
pub fn privileged(message: &ClientMessage) -> bool {
    match message {
        ClientMessage::Join { .. }
        | ClientMessage::Resume { .. }
        | ClientMessage::Admit { .. }
        | ClientMessage::Deny { .. }
        | ClientMessage::SetRole { .. }
        | ClientMessage::ForceMute { .. }
        | ClientMessage::Grant { .. }
        | ClientMessage::AskToUnmute { .. }
        | ClientMessage::StopScreenShare { .. }
        | ClientMessage::Remove { .. }
        | ClientMessage::RoomSettings(_)
        | ClientMessage::EndMeeting
        | ClientMessage::LowerHand { .. } => true,
        ClientMessage::Offer { .. }
        | ClientMessage::Layout { .. }
        | ClientMessage::Mute { .. }
        | ClientMessage::Ping
        | ClientMessage::Leave
        | ClientMessage::Hand { .. }
        | ClientMessage::React { .. }
        | ClientMessage::Chat { .. } => false,
    }
}
