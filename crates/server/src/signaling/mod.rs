//! One WebSocket signaling session: parse and check what the browser sends,
//! pass it to the participant's shard, and relay what the shard says.
//!
//! Bad input never reaches the shard: it is answered with an `error` that
//! names the problem, and too much of it closes this connection only.
//! Before the upgrade, [`guard`] lets in only this service's own pages and a
//! share of sockets per network; [`sink`] bounds what waits for a client
//! that does not read; [`recheck`] ends a session whose login ended.

mod guard;
mod recheck;
mod sink;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tafelrunde_protocol::{
    parse_client_message, ByeReason, ClientMessage, ErrorCode, ProtocolError, ServerMessage,
    MAX_MESSAGE_BYTES, PROTOCOL_VERSION,
};
use tafelrunde_sfu::{Busy, ResumeError, RoomSeat};
use tracing::debug;

pub use guard::MAX_SOCKETS_PER_NETWORK;
pub use recheck::RECHECK;
pub use sink::QUEUE;

use crate::api::ClientIp;
use crate::app::AppState;
use crate::room_access::{self, Identity};

/// How long a closing connection waits for the client's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// A write to the client that takes longer than this means it stopped
/// reading (its buffers and ours are full): the connection is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read and write buffer of a signaling socket, to begin with.
const SOCKET_BUFFER_BYTES: usize = 8 * 1024;
/// Errors tolerated per minute before the connection is closed.
const MAX_ERRORS_PER_MINUTE: usize = 20;
/// Sustained message rate, and the burst above it.
const MESSAGES_PER_SECOND: f64 = 50.0;
const MESSAGE_BURST: f64 = 100.0;

/// The signaling route, with its own count of open sockets per network.
pub fn router() -> Router<AppState> {
    let sockets = Arc::new(guard::Sockets::default());
    Router::new().route(
        "/ws",
        get(
            move |state: State<AppState>,
                  headers: HeaderMap,
                  client: ClientIp,
                  ws: WebSocketUpgrade| {
                upgrade(state, headers, client, ws, sockets.clone())
            },
        ),
    )
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(client): ClientIp,
    ws: WebSocketUpgrade,
    sockets: Arc<guard::Sockets>,
) -> Response {
    let public_url = state.control.as_ref().map(|c| c.public_url.as_str());
    if !guard::origin_allowed(&headers, public_url) {
        debug!("refused a signaling socket from another origin");
        return (
            StatusCode::FORBIDDEN,
            "signaling connections are accepted only from this service's own pages (Origin)",
        )
            .into_response();
    }
    let limit = state
        .control
        .as_ref()
        .map_or(MAX_SOCKETS_PER_NETWORK, |c| c.sockets_per_network);
    let Some(slot) = sockets.take(client, limit) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            format!("at most {limit} signaling connections per network are open at once"),
        )
            .into_response();
    };
    // Who this is comes from the cookies, never from what the socket says.
    let (identity, new_device) = Identity::from_headers(&state, &headers, client).await;
    let device = new_device.then(|| identity.device.clone());
    let secure = crate::device::secure(&state);
    // Nothing beyond the protocol's limit is buffered: a larger frame is
    // refused by its header (close 1009) before its payload is read. The
    // buffers start small: tungstenite zero-fills its whole read buffer on
    // every read, so its default of 128 KiB was 128 KiB of memory for every
    // participant, where most messages are a few hundred bytes; a larger one
    // (an SDP offer) grows the buffer as it comes.
    let mut response = ws
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            Session::new(state, identity).run(socket).await;
            drop(slot);
        });
    if let Some(device) = device {
        response
            .headers_mut()
            .append(SET_COOKIE, crate::device::cookie(&device, secure));
    }
    response
}

/// Resolves when the room lets go of the session's sink; never without one.
async fn detached(notify: Option<&tokio::sync::Notify>) {
    match notify {
        Some(notify) => notify.notified().await,
        None => std::future::pending().await,
    }
}

/// Resolves at the next change of the schools on BigBlueButton; never when
/// there is no control plane (or it is gone).
async fn next_change(watch: &mut Option<tokio::sync::watch::Receiver<u64>>) {
    if let Some(rx) = watch {
        if rx.changed().await.is_ok() {
            return;
        }
    }
    std::future::pending().await
}

type Sender = SplitSink<WebSocket, Message>;

/// Why a message did not reach the client.
enum Unwritten {
    /// It stopped reading: nothing went out for [`WRITE_TIMEOUT`].
    NotReading,
    /// The connection is gone.
    Gone,
}

/// One message to the client.
async fn write(sender: &mut Sender, message: Message) -> Result<(), Unwritten> {
    match tokio::time::timeout(WRITE_TIMEOUT, sender.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Unwritten::Gone),
        Err(_) => Err(Unwritten::NotReading),
    }
}

struct Session {
    state: AppState,
    identity: Identity,
    participant: Option<Box<dyn RoomSeat>>,
    /// Notified when the room lets go of this session's sink (after `bye`,
    /// or when the participant resumed on another connection).
    detached: Option<Arc<tokio::sync::Notify>>,
    /// The room joined, for the one-service-per-school watch.
    room: Option<String>,
    errors: Vec<Instant>,
    tokens: f64,
    refilled: Instant,
}

/// What to do after a step.
enum Flow {
    Continue,
    Close(u16, &'static str),
}

impl Session {
    fn new(state: AppState, identity: Identity) -> Self {
        Self {
            state,
            identity,
            participant: None,
            detached: None,
            room: None,
            errors: Vec::new(),
            tokens: MESSAGE_BURST,
            refilled: Instant::now(),
        }
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sender, mut receiver) = socket.split();
        let mut queue = sink::Queue::new();
        let mut shutting_down = self.state.shutting_down.clone();
        let mut schools_switched = self.state.control.as_ref().map(|c| c.bbb.watch());
        let mut recheck = tokio::time::interval(recheck::RECHECK);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let close = loop {
            let mut replies = Vec::new();
            let detached_now = self.detached.clone();
            let flow = tokio::select! {
                frame = receiver.next() => match frame {
                    Some(Ok(Message::Text(text))) => self.on_text(&text, &queue, &mut replies).await,
                    Some(Ok(Message::Binary(_))) => {
                        self.refuse(ProtocolError::new(ErrorCode::BinaryFrame, "binary frames are not used; send JSON text"), &mut replies)
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Continue,
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(e)) => {
                        debug!(error = %e, "signaling socket error");
                        break Some((1009, "message too big or broken frame"));
                    }
                },
                message = queue.rx.recv() => match message {
                    Some(message) => self.relay(message, &mut replies),
                    None => Flow::Continue,
                },
                () = detached(detached_now.as_deref()) => {
                    // What the room said before it let go still goes out.
                    let mut flow = Flow::Continue;
                    while let Ok(message) = queue.rx.try_recv() {
                        if let Flow::Close(code, reason) = self.relay(message, &mut replies) {
                            flow = Flow::Close(code, reason);
                        }
                    }
                    match flow {
                        Flow::Continue if self.participant.is_some() => {
                            drop(self.participant.take());
                            Flow::Close(1000, "the session continues on another connection")
                        }
                        flow => flow,
                    }
                }
                () = queue.overflow.notified() => {
                    debug!(queued = sink::QUEUE, "a client stopped reading; closing its connection");
                    self.leave_room();
                    Flow::Close(1008, "too slow: messages for this client piled up unread")
                }
                _ = recheck.tick(), if self.identity.account.is_some() => self.recheck(&mut replies).await,
                () = next_change(&mut schools_switched), if self.room.is_some() => {
                    if self.room_school_uses_bbb() {
                        self.leave_room();
                        replies.push(ServerMessage::Bye { reason: ByeReason::SchoolUsesBigBlueButton });
                        Flow::Close(1000, "the school uses BigBlueButton")
                    } else {
                        Flow::Continue
                    }
                }
                _ = shutting_down.changed(), if self.participant.is_none() => {
                    replies.push(ServerMessage::Bye { reason: ByeReason::ServerShutdown });
                    Flow::Close(1001, "server shutdown")
                }
            };
            for reply in replies {
                let text = serde_json::to_string(&reply).expect("server messages serialise");
                match write(&mut sender, Message::Text(Utf8Bytes::from(text))).await {
                    Ok(()) => {}
                    // A client that does not read leaves; a connection that
                    // broke keeps its place for a reconnect. No goodbye can
                    // reach either.
                    Err(Unwritten::NotReading) => return self.leave_room(),
                    Err(Unwritten::Gone) => return self.let_go(),
                }
            }
            if let Flow::Close(code, reason) = flow {
                break Some((code, reason));
            }
        };
        // Dropping the handle tells the shard this participant is gone.
        drop(self.participant.take());
        if let Some((code, reason)) = close {
            close_politely(sender, receiver, code, reason).await;
        }
    }

    /// A message from the room to the client: the session adds what only it
    /// knows (TURN credentials, the resume token) and ends with `bye`. A
    /// failed resume lets go of the seat: the client may join afresh.
    fn relay(&mut self, mut message: ServerMessage, replies: &mut Vec<ServerMessage>) -> Flow {
        match &mut message {
            ServerMessage::Joined {
                participant_id,
                room,
                ice_servers,
                resume_token,
                ..
            } => {
                // A resumed session learns its room here.
                let room = self.room.get_or_insert_with(|| room.clone());
                *ice_servers = crate::turn::for_participant(
                    &self.state,
                    room,
                    self.identity.client,
                    &participant_id.to_string(),
                );
                if let Some(seat) = &self.participant {
                    *resume_token = seat.resume_token().to_string();
                }
            }
            ServerMessage::Error {
                code: ErrorCode::ResumeFailed,
                ..
            } => self.let_go(),
            _ => {}
        }
        match &message {
            ServerMessage::Joined { .. } => self.admission(true),
            ServerMessage::Bye { reason } if leaves_for_good(*reason) => self.admission(false),
            _ => {}
        }
        let flow = match &message {
            ServerMessage::Bye {
                reason: ByeReason::ServerShutdown,
            } => Flow::Close(1001, "server shutdown"),
            ServerMessage::Bye { .. } => Flow::Close(1000, "bye"),
            _ => Flow::Continue,
        };
        replies.push(message);
        flow
    }

    /// Remember (or forget) that the room let this person in, so that after
    /// a server restart they come back without the lobby. Written beside
    /// the session, never holding up its messages.
    fn admission(&self, admitted: bool) {
        let (Some(control), Some(room)) = (&self.state.control, &self.room) else {
            return;
        };
        let (db, room, person) = (control.db.clone(), room.clone(), self.identity.key());
        tokio::spawn(async move {
            use crate::rooms::admissions;
            let done = if admitted {
                admissions::remember(&db, &room, &person).await
            } else {
                admissions::forget(&db, &room, &person).await
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "cannot record a room admission");
            }
        });
    }

    /// The login behind the socket ended: so does the session (and its
    /// rights in the room).
    fn session_ended(&mut self, replies: &mut Vec<ServerMessage>) -> Flow {
        debug!("a signaling socket's login ended; closing it");
        self.leave_room();
        replies.push(ServerMessage::Bye {
            reason: ByeReason::SessionEnded,
        });
        Flow::Close(1000, "session ended")
    }

    /// The server ends this session for good (abuse, a client that does not
    /// read, an ended login): the person leaves the room now instead of
    /// keeping the place for a reconnect.
    fn leave_room(&mut self) {
        if let Some(seat) = &self.participant {
            // A busy shard still learns of the departure when the seat drops.
            let _ = seat.send(ClientMessage::Leave);
        }
        self.let_go();
    }

    /// Give up the seat (the room is told the connection is gone).
    fn let_go(&mut self) {
        drop(self.participant.take());
        self.detached = None;
        self.room = None;
    }

    /// The socket's login, checked again; the session ends with it.
    async fn recheck(&mut self, replies: &mut Vec<ServerMessage>) -> Flow {
        match recheck::standing(&self.state, &self.identity).await {
            recheck::Standing::Ended => self.session_ended(replies),
            recheck::Standing::Holds | recheck::Standing::Unknown => Flow::Continue,
        }
    }

    async fn on_text(
        &mut self,
        text: &str,
        queue: &sink::Queue,
        replies: &mut Vec<ServerMessage>,
    ) -> Flow {
        if !self.take_token() {
            return self.refuse(
                ProtocolError::new(ErrorCode::RateLimited, "too many messages; slow down"),
                replies,
            );
        }
        let message = match parse_client_message(text) {
            Ok(message) => message,
            Err(e) => return self.refuse(e, replies),
        };
        // A right the login gave is used only while the login holds.
        if self.identity.account.is_some() && recheck::privileged(&message) {
            match recheck::standing(&self.state, &self.identity).await {
                recheck::Standing::Holds => {}
                recheck::Standing::Ended => return self.session_ended(replies),
                recheck::Standing::Unknown => {
                    return self.refuse(
                        ProtocolError::new(
                            ErrorCode::InternalError,
                            "your login cannot be checked now; try again",
                        ),
                        replies,
                    )
                }
            }
        }
        match (message, &self.participant) {
            (ClientMessage::Ping, _) => replies.push(ServerMessage::Pong),
            (
                ClientMessage::Join {
                    version,
                    room,
                    name,
                    password,
                },
                None,
            ) => {
                if let Some(refused) = self.may_enter(version) {
                    return self.refuse(refused, replies);
                }
                // The one-service-per-school rule: a school on BigBlueButton has no rooms here.
                if let Some(school) = self
                    .state
                    .control
                    .as_ref()
                    .and_then(|c| c.bbb.school_of_room(&room))
                {
                    let message = format!(
                        "school {school} uses BigBlueButton in itslearning; its rooms are there"
                    );
                    return self.refuse(
                        ProtocolError::field(ErrorCode::SchoolUsesBigBlueButton, "room", message),
                        replies,
                    );
                }
                // Room kind, teacher or guest, persisted lobby, password.
                // `room` and `name` come normalised from the parser.
                let entry = match room_access::decide(
                    &self.state,
                    &self.identity,
                    &room,
                    password.as_deref(),
                )
                .await
                {
                    Ok(entry) => entry,
                    Err(e) => return self.refuse(e, replies),
                };
                let (sink, detached) = queue.sink();
                match self.state.rooms.join(&room, &name, entry, Box::new(sink)) {
                    Ok(participant) => {
                        self.participant = Some(participant);
                        self.detached = Some(detached);
                        self.room = Some(room);
                    }
                    Err(Busy) => return self.refuse(media_busy(), replies),
                }
            }
            (ClientMessage::Resume { version, token }, None) => {
                if let Some(refused) = self.may_enter(version) {
                    return self.refuse(refused, replies);
                }
                let (sink, detached) = queue.sink();
                let key = self.identity.key();
                match self.state.rooms.resume(&token, &key, Box::new(sink)) {
                    Ok(participant) => {
                        self.participant = Some(participant);
                        self.detached = Some(detached);
                    }
                    Err(ResumeError::UnknownToken) => {
                        // Not counted as abuse: a token from before a restart
                        // is expected; the client joins afresh.
                        let error = ProtocolError::field(
                            ErrorCode::ResumeFailed,
                            "token",
                            "this session cannot be continued (unknown, used or expired token); join again",
                        );
                        replies.push(error.to_message());
                    }
                    Err(ResumeError::Busy) => return self.refuse(media_busy(), replies),
                }
            }
            (ClientMessage::Join { .. } | ClientMessage::Resume { .. }, Some(_)) => {
                return self.refuse(
                    ProtocolError::field(ErrorCode::AlreadyJoined, "type", "already joined"),
                    replies,
                );
            }
            (_, None) => {
                return self.refuse(
                    ProtocolError::field(ErrorCode::NotJoined, "type", "send join first"),
                    replies,
                );
            }
            (message, Some(participant)) => {
                if let Err(Busy) = participant.send(message) {
                    return self.refuse(media_busy(), replies);
                }
            }
        }
        Flow::Continue
    }

    /// Whether a `join` or `resume` may go on: the client's protocol
    /// version is ours, and the server is not stopping.
    fn may_enter(&self, version: u32) -> Option<ProtocolError> {
        if version != PROTOCOL_VERSION {
            let message =
                format!("this server speaks protocol version {PROTOCOL_VERSION}, not {version}");
            return Some(ProtocolError::field(
                ErrorCode::UnsupportedVersion,
                "version",
                message,
            ));
        }
        if *self.state.shutting_down.borrow() {
            return Some(ProtocolError::new(
                ErrorCode::ShuttingDown,
                "the server is shutting down",
            ));
        }
        None
    }

    /// Answer with the error; close the connection when it keeps erring.
    fn refuse(&mut self, error: ProtocolError, replies: &mut Vec<ServerMessage>) -> Flow {
        debug!(%error, "refused a signaling message");
        replies.push(error.to_message());
        let now = Instant::now();
        self.errors
            .retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        self.errors.push(now);
        if self.errors.len() > MAX_ERRORS_PER_MINUTE {
            self.leave_room();
            replies.push(ServerMessage::Bye {
                reason: ByeReason::ProtocolAbuse,
            });
            return Flow::Close(1008, "too many protocol errors");
        }
        Flow::Continue
    }

    /// Whether the operator has switched the joined room's school to BigBlueButton.
    fn room_school_uses_bbb(&self) -> bool {
        match (&self.room, &self.state.control) {
            (Some(room), Some(control)) => control.bbb.school_of_room(room).is_some(),
            _ => false,
        }
    }

    fn take_token(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.refilled = now;
        self.tokens = (self.tokens + elapsed * MESSAGES_PER_SECOND).min(MESSAGE_BURST);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// A `bye` after which coming back means the lobby again: they left on
/// purpose, were removed or denied, or the meeting is over. A restart, a
/// lost connection or an error on our side keeps the admission.
fn leaves_for_good(reason: ByeReason) -> bool {
    match reason {
        ByeReason::Left
        | ByeReason::Removed
        | ByeReason::Denied
        | ByeReason::MeetingEnded
        | ByeReason::TestOver
        | ByeReason::ProtocolAbuse
        | ByeReason::SessionEnded
        | ByeReason::SchoolUsesBigBlueButton => true,
        ByeReason::ServerShutdown | ByeReason::ConnectionLost | ByeReason::InternalError => false,
    }
}

/// Say goodbye with a close code, then read what the client still sends
/// until it answers the close: a socket closed with unread data is reset,
/// and the reset can destroy our last messages (`bye`, the close code) in
/// flight.
async fn close_politely(
    mut sender: Sender,
    mut receiver: SplitStream<WebSocket>,
    code: u16,
    reason: &'static str,
) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    if write(&mut sender, Message::Close(Some(frame)))
        .await
        .is_err()
    {
        return;
    }
    let drain = async {
        while let Some(Ok(frame)) = receiver.next().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
}

/// The room's media shard is overloaded (its command queue is full): the
/// message was not taken, and the client may try again in a moment.
fn media_busy() -> ProtocolError {
    ProtocolError::new(
        ErrorCode::RateLimited,
        "the media server is busy; try again in a moment",
    )
}
