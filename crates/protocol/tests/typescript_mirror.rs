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
    ];
    let client = vec![
        ClientMessage::Join {
            version: 1,
            room: "r".into(),
            name: "n".into(),
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
        ErrorCode::RateLimited,
        ErrorCode::ShuttingDown,
        ErrorCode::SchoolUsesBigBlueButton,
    ];
    let reasons = [
        ByeReason::Left,
        ByeReason::ServerShutdown,
        ByeReason::ConnectionLost,
        ByeReason::ProtocolAbuse,
        ByeReason::InternalError,
    ];
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
