//! Who may enter which room, decided before the media plane hears of it:
//! the room's kind from its name, whether the person is a teacher of the
//! room's school, the room's persisted lobby and password. The browser's
//! word counts for nothing here; the session and device cookies do.

use axum::http::HeaderMap;
use sqlx::Row;
use tafelrunde_protocol::{ErrorCode, ProtocolError};
use tafelrunde_sfu::{Entry, RoomKind};

use std::time::Instant;

use crate::accounts::{password, Account, Role};
use crate::app::AppState;
use crate::auth::session;
use crate::control::Control;
use crate::cpu::CpuError;
use crate::limits::Limit;
use crate::rooms::RoomName;
use crate::schools;
use crate::storage::get_bool;

/// Connection-test rooms start with this.
pub const TEST_PREFIX: &str = "~test-";

/// Who opened the signaling socket, from its cookies.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The logged-in account, if the session cookie is valid.
    pub account: Option<Account>,
    /// That session's secret (from its cookie), to check later that the
    /// login still holds (crate::signaling re-checks it).
    pub session: Option<String>,
    /// The device cookie (set on the upgrade response when it was missing).
    pub device: String,
    /// The client's address (behind a trusted proxy: the forwarded one), for
    /// the limit on wrong room passwords.
    pub client: Option<std::net::IpAddr>,
}

impl Identity {
    /// Read the cookies of the upgrade request. A new device id is made when
    /// there is none; `true` then: the response must set it.
    pub async fn from_headers(
        state: &AppState,
        headers: &HeaderMap,
        client: Option<std::net::IpAddr>,
    ) -> (Self, bool) {
        let (account, session) = match (&state.control, session::secret_from(headers)) {
            (Some(control), Some(secret)) => match session::lookup(&control.db, &secret).await {
                Ok(Ok(session)) => (Some(session.account), Some(secret)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        let (device, new) = match crate::device::from_headers(headers) {
            Some(device) => (device, false),
            None => (crate::device::new_id(), true),
        };
        (
            Self {
                account,
                session,
                device,
                client,
            },
            new,
        )
    }

    /// The key a room knows this person by: the account, else the device.
    pub fn key(&self) -> String {
        match &self.account {
            Some(account) => format!("account:{}", account.id.0),
            None => format!("device:{}", self.device),
        }
    }

    /// A teacher or school admin of this school.
    fn teaches_at(&self, school: &str) -> bool {
        self.account.as_ref().is_some_and(|a| {
            matches!(a.role, Role::Teacher | Role::SchoolAdmin) && a.school_str() == Some(school)
        })
    }

    /// Whether this is the room's own teacher, who opens it, leads it and
    /// needs no password. A room saved on "Meine Räume" belongs to the
    /// account that saved it (`owner`): a colleague of the same school is a
    /// guest there like anybody (password, lobby), whom the owner may
    /// promote or remove. A school room name nobody saved is opened by any
    /// teacher of the school.
    fn is_the_rooms_teacher(&self, school: &str, owner: Option<&str>) -> bool {
        self.teaches_at(school)
            && owner.is_none_or(|owner| self.account.as_ref().is_some_and(|a| a.id.0 == owner))
    }
}

/// Decide how `identity` enters `room`, or why not. The password is checked
/// here (argon2) for everyone but the room's teachers.
pub async fn decide(
    state: &AppState,
    identity: &Identity,
    room: &str,
    given_password: Option<&str>,
) -> Result<Entry, ProtocolError> {
    let key = identity.key();
    if room.starts_with(TEST_PREFIX) {
        return Ok(Entry {
            key,
            teacher: false,
            kind: RoomKind::Test,
            lobby: false,
            admitted_before: false,
        });
    }
    // Without a control plane there are no schools: every room is open.
    let Some(control) = &state.control else {
        return Ok(Entry::open_guest(key));
    };
    let school = match RoomName::parse(room) {
        Ok(name) => schools::get(&control.db, &name.school)
            .await
            .map_err(internal)?
            .map(|s| s.id.0),
        Err(_) => None,
    };
    let Some(school) = school else {
        if control.open_rooms {
            return Ok(Entry::open_guest(key));
        }
        return Err(ProtocolError::field(
            ErrorCode::UnknownRoom,
            "room",
            "no school room has this name (Dienststellennummer-Lerngruppe-Kürzel of a known school)",
        ));
    };
    let row = sqlx::query("SELECT lobby, password_hash, owner FROM rooms WHERE name = $1")
        .bind(room)
        .fetch_optional(control.db.pool())
        .await
        .map_err(|e| internal(e.into()))?;
    let (lobby, hash, owner) = match &row {
        Some(row) => (
            get_bool(row, "lobby"),
            row.try_get::<Option<String>, _>("password_hash")
                .map_err(|e| internal(e.into()))?,
            Some(
                row.try_get::<String, _>("owner")
                    .map_err(|e| internal(e.into()))?,
            ),
        ),
        None => (false, None, None),
    };
    let teacher = identity.is_the_rooms_teacher(&school, owner.as_deref());
    if let (Some(hash), false) = (hash, teacher) {
        check_password(state, control, identity.client, room, given_password, hash).await?;
    }
    let admitted_before = lobby
        && !teacher
        && crate::rooms::admissions::admitted(&control.db, room, &key)
            .await
            .map_err(|e| internal(e.into()))?;
    Ok(Entry {
        key,
        teacher,
        kind: RoomKind::School,
        lobby,
        admitted_before,
    })
}

/// Wrong passwords allowed per room and client network within 15 minutes
/// (`Limit::RoomPasswordNetworkRoom`): enough for a class behind one school
/// address mistyping, far too few to guess one. There is no limit per room
/// alone, which would let anyone lock a class out of its room; a right
/// password hands its try back.
pub const WRONG_PASSWORDS: u32 = Limit::RoomPasswordNetworkRoom.rate().burst;

/// Checks a room's password. The try is counted (per client network and
/// room, and per network) before argon2 runs, so simultaneous guesses cannot
/// all pass the limit; the hash runs on the bounded CPU pool (19 MiB and
/// tens of milliseconds each), and a full pool answers `rateLimited`.
async fn check_password(
    state: &AppState,
    control: &Control,
    client: Option<std::net::IpAddr>,
    room: &str,
    given: Option<&str>,
    hash: String,
) -> Result<(), ProtocolError> {
    let Some(given) = given
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
    else {
        return Err(ProtocolError::field(
            ErrorCode::PasswordRequired,
            "password",
            "this room has a password",
        ));
    };
    let network = crate::client_ip::network_key(client);
    let keys = [
        control
            .limits
            .key(Limit::RoomPasswordNetworkRoom, &[&network, room]),
        control.limits.key(Limit::RoomPasswordNetwork, &[&network]),
    ];
    let taken = control.limits.take(&keys, Instant::now()).map_err(|wait| {
        ProtocolError::field(
            ErrorCode::RateLimited,
            "password",
            format!(
                "too many wrong passwords from your network; try again in {} minutes",
                wait.secs().div_ceil(60)
            ),
        )
    })?;
    let checked = password::verify_on(&state.cpu, given, Some(hash)).await;
    if !matches!(checked, Ok(false)) {
        // Right, or not checked at all: not a wrong guess.
        control.limits.give_back(taken, Instant::now());
    }
    match checked {
        Ok(true) => Ok(()),
        Ok(false) => Err(ProtocolError::field(
            ErrorCode::WrongPassword,
            "password",
            "the password is wrong",
        )),
        Err(CpuError::Busy) => Err(ProtocolError::field(
            ErrorCode::RateLimited,
            "password",
            "the server is busy; try again in a moment",
        )),
        Err(e @ CpuError::Panicked) => Err(internal(crate::api::error::ApiError::internal(
            "checking a room password",
            e,
        ))),
    }
}

fn internal(e: crate::api::error::ApiError) -> ProtocolError {
    tracing::error!(error = %e.message, "room access check failed");
    ProtocolError::new(
        ErrorCode::InternalError,
        "the room cannot be checked now; try again",
    )
}
