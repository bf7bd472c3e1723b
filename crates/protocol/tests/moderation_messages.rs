//! The moderation messages: every field is checked, and a bad one is named.

use tafelrunde_protocol::*;

fn ok(text: &str) -> ClientMessage {
    parse_client_message(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn refused(text: &str) -> (ErrorCode, Option<String>) {
    let e = parse_client_message(text).expect_err("must be refused");
    (e.code, e.field)
}

fn invalid(field: &str) -> (ErrorCode, Option<String>) {
    (ErrorCode::InvalidField, Some(field.into()))
}

#[test]
fn join_carries_an_optional_password() {
    let m = ok(r#"{"type":"join","version":1,"room":"r","name":"n","password":"geheim"}"#);
    assert!(matches!(m, ClientMessage::Join { password: Some(ref p), .. } if p == "geheim"));
    let m = ok(r#"{"type":"join","version":1,"room":"r","name":"n"}"#);
    assert!(matches!(m, ClientMessage::Join { password: None, .. }));
    assert_eq!(
        refused(r#"{"type":"join","version":1,"room":"r","name":"n","password":5}"#),
        invalid("password")
    );
    let long = "x".repeat(MAX_PASSWORD_CHARS + 1);
    assert_eq!(
        refused(&format!(
            r#"{{"type":"join","version":1,"room":"r","name":"n","password":"{long}"}}"#
        )),
        invalid("password")
    );
}

#[test]
fn moderator_messages_parse() {
    assert_eq!(
        ok(r#"{"type":"admit","participantIds":[3,4]}"#),
        ClientMessage::Admit {
            participant_ids: vec![ParticipantId(3), ParticipantId(4)]
        }
    );
    assert_eq!(
        ok(r#"{"type":"setRole","participantId":3,"role":"moderator"}"#),
        ClientMessage::SetRole {
            participant_id: ParticipantId(3),
            role: Role::Moderator
        }
    );
    assert_eq!(
        ok(r#"{"type":"forceMute","kind":"audio"}"#),
        ClientMessage::ForceMute {
            participant_id: None,
            kind: MediaKind::Audio
        }
    );
    assert_eq!(
        ok(r#"{"type":"grant","participantId":2,"kind":"screen","allowed":true}"#),
        ClientMessage::Grant {
            participant_id: ParticipantId(2),
            kind: PermissionKind::Screen,
            allowed: true
        }
    );
    assert_eq!(
        ok(r#"{"type":"roomSettings","lobby":true,"privateChat":false}"#),
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(true),
            private_chat: Some(false),
            ..Default::default()
        })
    );
    assert_eq!(ok(r#"{"type":"endMeeting"}"#), ClientMessage::EndMeeting);
    assert_eq!(
        ok(r#"{"type":"lowerHand"}"#),
        ClientMessage::LowerHand {
            participant_id: None
        }
    );
}

#[test]
fn bad_moderator_fields_are_named() {
    assert_eq!(
        refused(r#"{"type":"admit","participantIds":[1,"x"]}"#),
        invalid("participantIds[1]")
    );
    assert_eq!(
        refused(r#"{"type":"admit"}"#),
        (ErrorCode::MissingField, Some("participantIds".into()))
    );
    assert_eq!(
        refused(r#"{"type":"setRole","participantId":3,"role":"owner"}"#),
        invalid("role")
    );
    assert_eq!(
        refused(r#"{"type":"forceMute","kind":"smell"}"#),
        invalid("kind")
    );
    assert_eq!(
        refused(r#"{"type":"forceMute","kind":"audio","participantId":-1}"#),
        invalid("participantId")
    );
    assert_eq!(
        refused(r#"{"type":"grant","participantId":2,"kind":"screen"}"#),
        (ErrorCode::MissingField, Some("allowed".into()))
    );
    assert_eq!(
        refused(r#"{"type":"roomSettings","lobby":"yes"}"#),
        invalid("lobby")
    );
    assert_eq!(
        refused(r#"{"type":"remove"}"#),
        (ErrorCode::MissingField, Some("participantId".into()))
    );
}

#[test]
fn chat_hands_and_reactions_are_checked() {
    assert_eq!(
        ok(r#"{"type":"chat","text":"Hallo\nWelt","to":4}"#),
        ClientMessage::Chat {
            text: "Hallo\nWelt".into(),
            to: Some(ParticipantId(4))
        }
    );
    assert_eq!(refused(r#"{"type":"chat","text":"  "}"#), invalid("text"));
    assert_eq!(
        refused(r#"{"type":"chat","text":"a\u0007b"}"#),
        invalid("text")
    );
    let long = "x".repeat(MAX_CHAT_CHARS + 1);
    assert_eq!(
        refused(&format!(r#"{{"type":"chat","text":"{long}"}}"#)),
        invalid("text")
    );
    assert_eq!(
        refused(r#"{"type":"chat","text":"hi","to":"x"}"#),
        invalid("to")
    );
    assert_eq!(
        ok(r#"{"type":"hand","raised":true}"#),
        ClientMessage::Hand { raised: true }
    );
    assert_eq!(
        ok(r#"{"type":"react","emoji":"👍"}"#),
        ClientMessage::React {
            emoji: "👍".into()
        }
    );
    assert_eq!(
        refused(r#"{"type":"react","emoji":"💩"}"#),
        invalid("emoji")
    );
}

#[test]
fn server_messages_use_the_documented_names() {
    let m = ServerMessage::Moderated {
        action: ModerationAction::Granted,
        by: "Frau Lehrer".into(),
        kind: Some(PermissionKind::Screen),
    };
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"type":"moderated","action":"granted","by":"Frau Lehrer","kind":"screen"}"#
    );
    let m = ServerMessage::Waiting {
        reason: WaitReason::NotOpen,
    };
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"type":"waiting","reason":"notOpen"}"#
    );
    let s = serde_json::to_value(RoomSettings::default()).unwrap();
    assert_eq!(s["selfUnmuteAudio"], true);
    assert_eq!(s["privateChat"], false);
    assert_eq!(
        serde_json::to_string(&ByeReason::TestOver).unwrap(),
        r#""testOver""#
    );
}
