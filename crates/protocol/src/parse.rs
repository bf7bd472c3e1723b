//! Turning a WebSocket text frame into a [`ClientMessage`], with errors that
//! name the offending field. Serde alone would say "invalid type" without
//! saying where, so the shape is checked first against a small schema.

use serde_json::{Map, Value};

use crate::error::{ErrorCode, ProtocolError};
use crate::messages::ClientMessage;
use crate::moderation::{Role, MAX_CHAT_CHARS, MAX_PASSWORD_CHARS, REACTIONS};
use crate::text;

/// Largest text frame the server reads. An offer for a full class with every
/// camera on stays well below this.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 96;
/// Longest resume token (the server's are 43 characters).
const MAX_TOKEN_CHARS: usize = 64;

#[derive(Clone, Copy)]
enum Shape {
    String,
    Bool,
    UInt,
    /// An array of non-negative integers.
    UInts,
    /// A string from this set.
    Enum(&'static [&'static str]),
    /// An array of objects, each with these fields.
    Objects(&'static [(&'static str, Shape)]),
}

const PUBLISHED: &[(&str, Shape)] = &[("mid", Shape::String), ("kind", Shape::String)];
const SUBSCRIBED: &[(&str, Shape)] = &[("mid", Shape::String), ("trackId", Shape::UInt)];
const TILES: &[(&str, Shape)] = &[
    ("trackId", Shape::UInt),
    ("width", Shape::UInt),
    ("height", Shape::UInt),
];

const ROLES: &[&str] = &["moderator", "participant"];
const MEDIA: &[&str] = &["audio", "video"];
const GRANTS: &[&str] = &["audio", "video", "screen"];

/// Required fields of each message type.
fn schema(kind: &str) -> Option<&'static [(&'static str, Shape)]> {
    Some(match kind {
        "join" => &[
            ("version", Shape::UInt),
            ("room", Shape::String),
            ("name", Shape::String),
        ],
        "resume" => &[("version", Shape::UInt), ("token", Shape::String)],
        "offer" => &[
            ("sdp", Shape::String),
            ("publish", Shape::Objects(PUBLISHED)),
            ("subscribe", Shape::Objects(SUBSCRIBED)),
        ],
        "mute" => &[("audio", Shape::Bool), ("video", Shape::Bool)],
        "layout" => &[("tiles", Shape::Objects(TILES))],
        "ping" | "leave" | "endMeeting" | "roomSettings" | "lowerHand" => &[],
        "admit" | "deny" => &[("participantIds", Shape::UInts)],
        "setRole" => &[("participantId", Shape::UInt), ("role", Shape::Enum(ROLES))],
        "forceMute" => &[("kind", Shape::Enum(MEDIA))],
        "grant" => &[
            ("participantId", Shape::UInt),
            ("kind", Shape::Enum(GRANTS)),
            ("allowed", Shape::Bool),
        ],
        "askToUnmute" => &[("participantId", Shape::UInt), ("kind", Shape::Enum(MEDIA))],
        "stopScreenShare" | "remove" => &[("participantId", Shape::UInt)],
        "hand" => &[("raised", Shape::Bool)],
        "react" => &[("emoji", Shape::String)],
        "chat" => &[("text", Shape::String)],
        _ => return None,
    })
}

/// Fields that may be absent but, when present, must have this shape.
fn optional(kind: &str) -> &'static [(&'static str, Shape)] {
    match kind {
        "join" => &[("password", Shape::String)],
        "forceMute" | "lowerHand" => &[("participantId", Shape::UInt)],
        "chat" => &[("to", Shape::UInt)],
        "roomSettings" => &[
            ("lobby", Shape::Bool),
            ("locked", Shape::Bool),
            ("selfUnmuteAudio", Shape::Bool),
            ("selfUnmuteVideo", Shape::Bool),
            ("chat", Shape::Bool),
            ("privateChat", Shape::Bool),
        ],
        _ => &[],
    }
}

/// At most this many ids in one `admit` or `deny`.
const MAX_IDS: usize = 500;

/// Parse and validate one text frame from a client.
pub fn parse_client_message(text: &str) -> Result<ClientMessage, ProtocolError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::MessageTooLarge,
            format!(
                "message has {} bytes; the limit is {MAX_MESSAGE_BYTES}",
                text.len()
            ),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ProtocolError::new(ErrorCode::BadJson, format!("not valid JSON: {e}")))?;
    let Value::Object(object) = &value else {
        return Err(ProtocolError::new(
            ErrorCode::BadJson,
            "a message must be a JSON object",
        ));
    };
    let kind = match object.get("type") {
        None => return Err(missing("type")),
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => return Err(wrong_type("type", "a string")),
    };
    let Some(fields) = schema(&kind) else {
        return Err(ProtocolError::field(
            ErrorCode::UnknownType,
            "type",
            format!("unknown message type {kind:?}"),
        ));
    };
    check_fields(object, fields, "")?;
    let present: Vec<(&str, Shape)> = optional(&kind)
        .iter()
        .filter(|(name, _)| object.get(*name).is_some_and(|v| !v.is_null()))
        .copied()
        .collect();
    check_fields(object, &present, "")?;
    let mut message: ClientMessage = serde_json::from_value(value).map_err(|e| {
        // The schema caught missing fields and wrong JSON types; what is left
        // is a value outside its set, such as an unknown media kind.
        ProtocolError::new(
            ErrorCode::InvalidField,
            format!("invalid {kind} message: {e}"),
        )
    })?;
    validate(&mut message)?;
    Ok(message)
}

fn check_fields(
    object: &Map<String, Value>,
    fields: &[(&str, Shape)],
    prefix: &str,
) -> Result<(), ProtocolError> {
    for (name, shape) in fields {
        let path = format!("{prefix}{name}");
        let value = object.get(*name).ok_or_else(|| missing(&path))?;
        match (shape, value) {
            (Shape::String, Value::String(_)) | (Shape::Bool, Value::Bool(_)) => {}
            (Shape::UInt, Value::Number(n)) if n.is_u64() => {}
            (Shape::Enum(values), Value::String(v)) => {
                if !values.contains(&v.as_str()) {
                    return Err(ProtocolError::field(
                        ErrorCode::InvalidField,
                        path,
                        format!("{name} must be one of {}", values.join(", ")),
                    ));
                }
            }
            (Shape::UInts, Value::Array(items)) => {
                if items.len() > MAX_IDS {
                    return Err(ProtocolError::field(
                        ErrorCode::InvalidField,
                        path,
                        format!("at most {MAX_IDS} ids"),
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    if item.as_u64().is_none() {
                        return Err(wrong_type(
                            &format!("{path}[{i}]"),
                            "a non-negative integer",
                        ));
                    }
                }
            }
            (Shape::Objects(inner), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let Value::Object(item) = item else {
                        return Err(wrong_type(&format!("{path}[{i}]"), "an object"));
                    };
                    check_fields(item, inner, &format!("{path}[{i}]."))?;
                }
            }
            (shape, _) => return Err(wrong_type(&path, shape_name(*shape))),
        }
    }
    Ok(())
}

fn validate(message: &mut ClientMessage) -> Result<(), ProtocolError> {
    match message {
        ClientMessage::Join {
            room,
            name,
            password,
            ..
        } => {
            // Stored and shown as normalised here; see crate::text.
            *room = text::room_name(room, MAX_ROOM_CHARS).map_err(|e| text_error("room", &e))?;
            *name = text::display_text(name, MAX_NAME_CHARS).map_err(|e| text_error("name", &e))?;
            if let Some(password) = password {
                let chars = password.chars().count();
                if chars > MAX_PASSWORD_CHARS {
                    return Err(ProtocolError::field(
                        ErrorCode::InvalidField,
                        "password",
                        format!("password has {chars} characters; at most {MAX_PASSWORD_CHARS} are allowed"),
                    ));
                }
            }
        }
        ClientMessage::SetRole {
            role: Role::Owner, ..
        } => {
            return Err(ProtocolError::field(
                ErrorCode::InvalidField,
                "role",
                "role must be \"moderator\" or \"participant\"",
            ));
        }
        ClientMessage::React { emoji } if !REACTIONS.contains(&emoji.as_str()) => {
            return Err(ProtocolError::field(
                ErrorCode::InvalidField,
                "emoji",
                format!("emoji must be one of {}", REACTIONS.join(" ")),
            ));
        }
        ClientMessage::Chat { text, .. } => check_chat(text)?,
        ClientMessage::Resume { token, .. } => {
            let well_formed = (1..=MAX_TOKEN_CHARS).contains(&token.len())
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !well_formed {
                return Err(ProtocolError::field(
                    ErrorCode::InvalidField,
                    "token",
                    format!(
                        "token must be 1–{MAX_TOKEN_CHARS} characters of A–Z, a–z, 0–9, - and _"
                    ),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Chat text may span lines, but carries no other control characters.
fn check_chat(text: &str) -> Result<(), ProtocolError> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return Err(ProtocolError::field(
            ErrorCode::InvalidField,
            "text",
            "text is empty",
        ));
    }
    if chars > MAX_CHAT_CHARS {
        return Err(ProtocolError::field(
            ErrorCode::InvalidField,
            "text",
            format!("text has {chars} characters; at most {MAX_CHAT_CHARS} are allowed"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ProtocolError::field(
            ErrorCode::InvalidField,
            "text",
            "text contains control characters",
        ));
    }
    Ok(())
}

fn text_error(field: &str, problem: &text::TextProblem) -> ProtocolError {
    ProtocolError::field(ErrorCode::InvalidField, field, format!("{field} {problem}"))
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::String => "a string",
        Shape::Bool => "true or false",
        Shape::UInt => "a non-negative integer",
        Shape::UInts => "an array of non-negative integers",
        Shape::Enum(_) => "a string",
        Shape::Objects(_) => "an array of objects",
    }
}

fn missing(field: &str) -> ProtocolError {
    ProtocolError::field(
        ErrorCode::MissingField,
        field,
        format!("field {field:?} is missing"),
    )
}

fn wrong_type(field: &str, expected: &str) -> ProtocolError {
    ProtocolError::field(
        ErrorCode::InvalidField,
        field,
        format!("field {field:?} must be {expected}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MediaKind, TrackId};

    fn err(text: &str) -> ProtocolError {
        parse_client_message(text).expect_err("must be refused")
    }

    #[test]
    fn parses_resume_and_refuses_a_malformed_token() {
        let m = parse_client_message(r#"{"type":"resume","version":1,"token":"aB3-_x"}"#);
        assert_eq!(
            m.unwrap(),
            ClientMessage::Resume {
                version: 1,
                token: "aB3-_x".into()
            }
        );
        for token in ["", "a b", "ä", &"a".repeat(65)] {
            let text = serde_json::json!({"type": "resume", "version": 1, "token": token});
            let e = err(&text.to_string());
            assert_eq!(
                (e.code, e.field.as_deref()),
                (ErrorCode::InvalidField, Some("token"))
            );
        }
        let e = err(r#"{"type":"resume","version":1}"#);
        assert_eq!(e.field.as_deref(), Some("token"));
    }

    #[test]
    fn parses_join() {
        let m = parse_client_message(r#"{"type":"join","version":1,"room":"r","name":"Ada"}"#);
        assert_eq!(
            m.unwrap(),
            ClientMessage::Join {
                version: 1,
                room: "r".into(),
                name: "Ada".into(),
                password: None,
            }
        );
    }

    #[test]
    fn parses_offer_with_tracks() {
        let m = parse_client_message(
            r#"{"type":"offer","sdp":"v=0","publish":[{"mid":"0","kind":"audio"}],
                "subscribe":[{"mid":"2","trackId":7}]}"#,
        )
        .unwrap();
        let ClientMessage::Offer {
            publish, subscribe, ..
        } = m
        else {
            panic!("{m:?}")
        };
        assert_eq!(publish[0].kind, MediaKind::Audio);
        assert_eq!(subscribe[0].track_id, TrackId(7));
    }

    #[test]
    fn bad_json_is_named() {
        assert_eq!(err("{nope").code, ErrorCode::BadJson);
        assert_eq!(err("[1,2]").code, ErrorCode::BadJson);
    }

    #[test]
    fn unknown_type_is_named() {
        let e = err(r#"{"type":"dance"}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::UnknownType, Some("type"))
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let e = err(r#"{"version":1}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("type"))
        );
        let e = err(r#"{"type":"join","version":1,"room":"r"}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("name"))
        );
        let e = err(r#"{"type":"offer","sdp":"","publish":[{"mid":"0"}],"subscribe":[]}"#);
        assert_eq!(e.field.as_deref(), Some("publish[0].kind"));
    }

    #[test]
    fn wrong_types_are_named() {
        let e = err(r#"{"type":"mute","audio":"yes","video":false}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidField, Some("audio"))
        );
        let e = err(r#"{"type":"join","version":-1,"room":"r","name":"n"}"#);
        assert_eq!(e.field.as_deref(), Some("version"));
    }

    #[test]
    fn names_are_checked() {
        let e = err(r#"{"type":"join","version":1,"room":"r","name":"   "}"#);
        assert_eq!(e.field.as_deref(), Some("name"));
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let e = err(&format!(
            r#"{{"type":"join","version":1,"room":"r","name":"{long}"}}"#
        ));
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = err(r#"{"type":"join","version":1,"room":"a\u0000b","name":"n"}"#);
        assert_eq!(e.field.as_deref(), Some("room"));
    }

    #[test]
    fn parses_layout_and_simulcast_layers() {
        let m = parse_client_message(
            r#"{"type":"layout","tiles":[{"trackId":2,"width":320,"height":180}]}"#,
        )
        .unwrap();
        assert!(matches!(m, ClientMessage::Layout { ref tiles } if tiles[0].height == 180));
        let e = err(r#"{"type":"layout","tiles":[{"trackId":2,"width":320}]}"#);
        assert_eq!(e.field.as_deref(), Some("tiles[0].height"));
        let m = parse_client_message(
            r#"{"type":"offer","sdp":"","subscribe":[],"publish":[{"mid":"1","kind":"video","source":"screen",
                "layers":[{"rid":"q","height":180},{"rid":"f","height":720}]}]}"#,
        )
        .unwrap();
        let ClientMessage::Offer { publish, .. } = m else {
            panic!()
        };
        assert_eq!(
            (publish[0].source, publish[0].layers.len()),
            (crate::TrackSource::Screen, 2)
        );
    }

    #[test]
    fn invalid_enum_value_is_refused() {
        let e = err(
            r#"{"type":"offer","sdp":"","publish":[{"mid":"0","kind":"smell"}],"subscribe":[]}"#,
        );
        assert_eq!(e.code, ErrorCode::InvalidField);
    }

    #[test]
    fn oversized_is_refused_before_parsing() {
        let big = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert_eq!(err(&big).code, ErrorCode::MessageTooLarge);
    }

    #[test]
    fn server_messages_serialise_in_camel_case() {
        let m = crate::ServerMessage::ParticipantLeft {
            participant_id: crate::ParticipantId(3),
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"type":"participantLeft","participantId":3}"#
        );
    }
}
