//! The TypeScript mirror (web/src/protocol/messages.ts) must know every
//! message type, every field name, every error code and every bye reason
//! that this crate puts on the wire.

use serde_json::Value;
use tafelrunde_protocol::*;

fn mirror() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/src/protocol/messages.ts"
    );
    std::fs::read_to_string(path).expect("web/src/protocol/messages.ts exists")
}

fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn samples() -> Vec<Value> {
    let p = ParticipantInfo {
        id: ParticipantId(1),
        name: "n".into(),
        audio_muted: true,
        video_muted: true,
        role: Role::Owner,
        teacher: true,
        hand_raised: false,
        may: Permissions {
            audio: true,
            video: true,
            screen: true,
        },
        reconnecting: true,
    };
    let chat = ChatMessage {
        id: 1,
        from: ParticipantId(1),
        from_name: "n".into(),
        to: Some(ParticipantId(2)),
        text: "t".into(),
        at: 1,
    };
    let t = TrackInfo {
        id: TrackId(1),
        participant_id: ParticipantId(1),
        kind: MediaKind::Video,
        source: TrackSource::Screen,
    };
    let ice = IceServer {
        urls: vec!["turn:x".into()],
        username: "u".into(),
        credential: "c".into(),
    };
    let server = vec![
        ServerMessage::Joined {
            version: 1,
            participant_id: ParticipantId(1),
            room: "r".into(),
            participants: vec![p.clone()],
            tracks: vec![t.clone()],
            ice_servers: vec![ice],
            you: p.clone(),
            settings: RoomSettings::default(),
            chat: vec![chat.clone()],
            hands: vec![ParticipantId(1)],
            resume_token: "t".into(),
            resume_within_ms: 60_000,
            resumed: false,
        },
        ServerMessage::ParticipantJoined {
            participant: p.clone(),
        },
        ServerMessage::ParticipantUpdated { participant: p },
        ServerMessage::ParticipantLeft {
            participant_id: ParticipantId(1),
        },
        ServerMessage::TrackAdded { track: t },
        ServerMessage::TrackRemoved {
            track_id: TrackId(1),
        },
        ServerMessage::Answer { sdp: "v=0".into() },
        ServerMessage::Pong,
        ServerMessage::DominantSpeaker {
            participant_id: Some(ParticipantId(1)),
        },
        ServerMessage::PublishLayers {
            mid: "1".into(),
            active: vec!["q".into()],
        },
        ServerMessage::Error {
            code: ErrorCode::BadJson,
            field: Some("f".into()),
            message: "m".into(),
        },
        ServerMessage::Bye {
            reason: ByeReason::Left,
        },
        ServerMessage::Waiting {
            reason: WaitReason::Lobby,
        },
        ServerMessage::Lobby {
            waiting: vec![LobbyEntry {
                id: ParticipantId(2),
                name: "n".into(),
                removed: false,
            }],
        },
        ServerMessage::LobbyChanged {
            added: vec![LobbyEntry {
                id: ParticipantId(3),
                name: "n".into(),
                removed: true,
            }],
            removed: vec![ParticipantId(2)],
        },
        ServerMessage::RoomSettings {
            settings: RoomSettings::default(),
        },
        ServerMessage::Moderated {
            action: ModerationAction::Granted,
            by: "n".into(),
            kind: Some(PermissionKind::Audio),
        },
        ServerMessage::UnmuteRequest {
            kind: MediaKind::Audio,
            by: "n".into(),
        },
        ServerMessage::Hands {
            queue: vec![ParticipantId(1)],
        },
        ServerMessage::Reaction {
            participant_id: ParticipantId(1),
            emoji: "👍".into(),
        },
        ServerMessage::ChatMessage { message: chat },
    ];
    let client = vec![
        ClientMessage::Join {
            version: 1,
            room: "r".into(),
            name: "n".into(),
            password: Some("p".into()),
        },
        ClientMessage::Resume {
            version: 1,
            token: "t".into(),
        },
        ClientMessage::Offer {
            sdp: "v=0".into(),
            publish: vec![PublishedTrack {
                mid: "0".into(),
                kind: MediaKind::Video,
                source: TrackSource::Device,
                layers: vec![LayerSpec {
                    rid: "q".into(),
                    height: 180,
                }],
            }],
            subscribe: vec![Subscription {
                mid: "1".into(),
                track_id: TrackId(1),
            }],
        },
        ClientMessage::Mute {
            audio: true,
            video: false,
        },
        ClientMessage::Layout {
            tiles: vec![TileSize {
                track_id: TrackId(1),
                width: 320,
                height: 180,
            }],
        },
        ClientMessage::Ping,
        ClientMessage::Leave,
        ClientMessage::Admit {
            participant_ids: vec![ParticipantId(1)],
        },
        ClientMessage::Deny {
            participant_ids: vec![ParticipantId(1)],
        },
        ClientMessage::SetRole {
            participant_id: ParticipantId(1),
            role: Role::Moderator,
        },
        ClientMessage::ForceMute {
            participant_id: Some(ParticipantId(1)),
            kind: MediaKind::Audio,
        },
        ClientMessage::Grant {
            participant_id: ParticipantId(1),
            kind: PermissionKind::Screen,
            allowed: true,
        },
        ClientMessage::AskToUnmute {
            participant_id: ParticipantId(1),
            kind: MediaKind::Video,
        },
        ClientMessage::StopScreenShare {
            participant_id: ParticipantId(1),
        },
        ClientMessage::Remove {
            participant_id: ParticipantId(1),
        },
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(true),
            locked: Some(true),
            self_unmute_audio: Some(true),
            self_unmute_video: Some(true),
            chat: Some(true),
            private_chat: Some(true),
        }),
        ClientMessage::EndMeeting,
        ClientMessage::Hand { raised: true },
        ClientMessage::LowerHand {
            participant_id: Some(ParticipantId(1)),
        },
        ClientMessage::React {
            emoji: "👍".into()
        },
        ClientMessage::Chat {
            text: "t".into(),
            to: Some(ParticipantId(1)),
        },
    ];
    server
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .chain(client.iter().map(|m| serde_json::to_value(m).unwrap()))
        .collect()
}

#[test]
fn every_message_type_and_field_is_mirrored() {
    let ts = mirror();
    for sample in samples() {
        let kind = sample["type"].as_str().unwrap();
        assert!(
            ts.contains(&format!("type: \"{kind}\"")),
            "messages.ts lacks message type {kind:?}"
        );
        let mut names = Vec::new();
        keys(&sample, &mut names);
        for name in names {
            assert!(
                ts.contains(&format!("{name}:")) || ts.contains(&format!("{name}?:")),
                "messages.ts lacks field {name:?} (of {kind})"
            );
        }
    }
}

#[test]
fn every_error_code_and_bye_reason_is_mirrored() {
    let ts = mirror();
    let codes = [
        ErrorCode::BadJson,
        ErrorCode::BinaryFrame,
        ErrorCode::UnknownType,
        ErrorCode::MissingField,
        ErrorCode::InvalidField,
        ErrorCode::MessageTooLarge,
        ErrorCode::NotJoined,
        ErrorCode::AlreadyJoined,
        ErrorCode::UnsupportedVersion,
        ErrorCode::BadSdp,
        ErrorCode::RoomFull,
        ErrorCode::LobbyFull,
        ErrorCode::RateLimited,
        ErrorCode::ShuttingDown,
        ErrorCode::SchoolUsesBigBlueButton,
        ErrorCode::NotAllowed,
        ErrorCode::PasswordRequired,
        ErrorCode::WrongPassword,
        ErrorCode::RoomLocked,
        ErrorCode::ChatDisabled,
        ErrorCode::NoSuchParticipant,
        ErrorCode::UnknownRoom,
        ErrorCode::InternalError,
    ];
    let reasons = [
        ByeReason::Left,
        ByeReason::ServerShutdown,
        ByeReason::ConnectionLost,
        ByeReason::ProtocolAbuse,
        ByeReason::InternalError,
        ByeReason::SchoolUsesBigBlueButton,
        ByeReason::Removed,
        ByeReason::Denied,
        ByeReason::MeetingEnded,
        ByeReason::TestOver,
        ByeReason::SessionEnded,
    ];
    let roles = [Role::Owner, Role::Moderator, Role::Participant];
    let actions = [
        ModerationAction::AudioMuted,
        ModerationAction::VideoMuted,
        ModerationAction::ScreenShareStopped,
        ModerationAction::Promoted,
        ModerationAction::Demoted,
        ModerationAction::Granted,
        ModerationAction::Revoked,
        ModerationAction::HandLowered,
    ];
    let other = roles
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .chain(actions.iter().map(|a| serde_json::to_string(a).unwrap()))
        .chain(
            [WaitReason::NotOpen, WaitReason::Lobby]
                .iter()
                .map(|w| serde_json::to_string(w).unwrap()),
        )
        .chain(REACTIONS.iter().map(|e| format!("\"{e}\"")));
    for literal in other {
        assert!(ts.contains(&literal), "messages.ts lacks {literal}");
    }
    let literals = codes
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .chain(reasons.iter().map(|r| serde_json::to_string(r).unwrap()));
    for literal in literals {
        assert!(ts.contains(&literal), "messages.ts lacks {literal}");
    }
    for source in [TrackSource::Device, TrackSource::Screen] {
        let literal = serde_json::to_string(&source).unwrap();
        assert!(ts.contains(&literal), "messages.ts lacks {literal}");
    }
    assert!(ts.contains(&format!("PROTOCOL_VERSION = {PROTOCOL_VERSION}")));
}
