//! The signaling protocol over a real WebSocket against a real server.

mod common;

use common::TestServer;

#[tokio::test]
async fn participants_see_each_other_come_and_go() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    let joined = ada.join("klasse-7a", "Ada").await;
    assert_eq!(joined["participants"].as_array().unwrap().len(), 0);
    let ada_id = joined["participantId"].clone();
    let turn = &joined["iceServers"][0];
    assert_eq!(turn["urls"][0], "turn:127.0.0.1:3478");
    assert!(
        turn["username"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":p{ada_id}")),
        "{turn}"
    );

    let mut bob = server.client().await;
    let joined = bob.join("klasse-7a", "Bob").await;
    assert_eq!(joined["participants"][0]["name"], "Ada");
    assert_eq!(joined["participants"][0]["id"], ada_id);
    assert_eq!(
        joined["participants"][0]["audioMuted"], true,
        "devices are off by default"
    );
    let bob_id = joined["participantId"].clone();

    let seen = ada.recv_type("participantJoined").await;
    assert_eq!(seen["participant"]["name"], "Bob");

    bob.send(r#"{"type":"mute","audio":false,"video":true}"#)
        .await;
    let updated = ada.recv_type("participantUpdated").await;
    assert_eq!(updated["participant"]["audioMuted"], false);

    bob.send(r#"{"type":"leave"}"#).await;
    assert_eq!(bob.recv_type("bye").await["reason"], "left");
    let left = ada.recv_type("participantLeft").await;
    assert_eq!(left["participantId"], bob_id);
}

const ADA_DEVICE: &str = "tafelrunde_device=AAAAAAAAAAAAAAAAAAAAAA";
const EVE_DEVICE: &str = "tafelrunde_device=EEEEEEEEEEEEEEEEEEEEEE";

#[tokio::test]
async fn a_closed_socket_keeps_the_place_and_the_session_resumes_once_by_its_holder() {
    let server = TestServer::start().await;
    let mut ada = server.client_with(&[("cookie", ADA_DEVICE)]).await.unwrap();
    let joined = ada.join("r", "Ada").await;
    let (ada_id, token) = (
        joined["participantId"].clone(),
        joined["resumeToken"].clone(),
    );
    assert_eq!(token.as_str().unwrap().len(), 43, "{joined}");
    assert_eq!(joined["resumeWithinMs"], 60_000);
    assert_eq!(joined["resumed"], false);
    let mut bob = server.client().await;
    bob.join("r", "Bob").await;
    ada.send(r#"{"type":"hand","raised":true}"#).await;
    bob.recv_type("hands").await;
    drop(ada);
    let update = loop {
        let update = bob.recv_type("participantUpdated").await;
        if update["participant"]["reconnecting"] == true {
            break update;
        }
    };
    assert_eq!(update["participant"]["id"], ada_id);
    assert_eq!(update["participant"]["handRaised"], true, "{update}");

    // Someone else's browser cannot take the session over with the token.
    let resume = format!(r#"{{"type":"resume","version":1,"token":{token}}}"#);
    let mut eve = server.client_with(&[("cookie", EVE_DEVICE)]).await.unwrap();
    eve.send(resume.clone()).await;
    let refused = eve.recv().await;
    assert_eq!(refused["code"], "resumeFailed", "{refused}");

    // Ada's own browser can, once.
    let mut back = server.client_with(&[("cookie", ADA_DEVICE)]).await.unwrap();
    back.send(resume.clone()).await;
    let resumed = back.recv_type("joined").await;
    assert_eq!(resumed["resumed"], true, "{resumed}");
    assert_eq!(resumed["participantId"], ada_id);
    assert_eq!(resumed["hands"][0], ada_id, "her hand is still up");
    assert_eq!(resumed["participants"][0]["name"], "Bob");
    assert_ne!(
        resumed["resumeToken"], token,
        "a new token for the next time"
    );
    let update = bob.recv_type("participantUpdated").await;
    assert_eq!(update["participant"]["reconnecting"], false, "{update}");
    // Signaling works on the new socket.
    back.send(r#"{"type":"chat","text":"wieder da"}"#).await;
    assert_eq!(
        bob.recv_type("chatMessage").await["message"]["text"],
        "wieder da"
    );

    let mut again = server.client_with(&[("cookie", ADA_DEVICE)]).await.unwrap();
    again.send(resume).await;
    let used = again.recv().await;
    assert_eq!(
        used["code"], "resumeFailed",
        "a token is good for one use: {used}"
    );
    // The refused socket may join afresh.
    let fresh = again.join("r", "Ada").await;
    assert_ne!(fresh["participantId"], ada_id);
}

#[tokio::test]
async fn resuming_on_a_new_socket_closes_the_old_one() {
    let server = TestServer::start().await;
    let mut ada = server.client_with(&[("cookie", ADA_DEVICE)]).await.unwrap();
    let token = ada.join("r", "Ada").await["resumeToken"].clone();
    // The network changed; the old socket is not known dead yet.
    let mut back = server.client_with(&[("cookie", ADA_DEVICE)]).await.unwrap();
    back.send(format!(
        r#"{{"type":"resume","version":1,"token":{token}}}"#
    ))
    .await;
    assert_eq!(back.recv_type("joined").await["resumed"], true);
    assert_eq!(
        ada.close_code().await,
        Some(1000),
        "the old socket is closed"
    );
    back.send(r#"{"type":"ping"}"#).await;
    assert_eq!(back.recv_type("pong").await["type"], "pong");
}

#[tokio::test]
async fn rooms_are_separate_and_have_a_size_limit() {
    let server = TestServer::start().await;
    let mut a = server.client().await;
    a.join("one", "A").await;
    let mut b = server.client().await;
    let joined = b.join("two", "B").await;
    assert!(joined["participants"].as_array().unwrap().is_empty());
    let mut c = server.client().await;
    c.join("one", "C").await;
    let mut d = server.client().await;
    d.join("one", "D").await;
    let mut e = server.client().await;
    e.send(r#"{"type":"join","version":1,"room":"one","name":"E"}"#)
        .await;
    assert_eq!(e.recv().await["code"], "roomFull");
}

#[tokio::test]
async fn malformed_messages_get_named_errors() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("{not json", "badJson", None),
        (r#"{"type":"dance"}"#, "unknownType", Some("type")),
        (
            r#"{"type":"mute","audio":true,"video":false}"#,
            "notJoined",
            Some("type"),
        ),
        (
            r#"{"type":"join","version":1,"room":"r"}"#,
            "missingField",
            Some("name"),
        ),
        (
            r#"{"type":"join","version":2,"room":"r","name":"n"}"#,
            "unsupportedVersion",
            Some("version"),
        ),
    ];
    for (text, code, field) in cases {
        c.send(*text).await;
        let error = c.recv().await;
        assert_eq!(error["type"], "error", "{text}");
        assert_eq!(error["code"], *code, "{text}: {error}");
        assert_eq!(error["field"].as_str(), *field, "{text}: {error}");
    }
    // The session is still usable.
    c.join("r", "Ada").await;
    c.send(r#"{"type":"join","version":1,"room":"r","name":"n"}"#)
        .await;
    // (The first one in an open room owns it and gets the lobby first.)
    assert_eq!(c.recv_type("error").await["code"], "alreadyJoined");
    c.send(r#"{"type":"offer","sdp":"nonsense","publish":[],"subscribe":[]}"#)
        .await;
    let error = c.recv().await;
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("badSdp"), Some("sdp")),
        "{error}"
    );
    c.send(r#"{"type":"offer","sdp":"v=0","publish":[{"mid":"0","kind":"audio"}],"subscribe":[]}"#)
        .await;
    let error = c.recv().await;
    assert_eq!(error["field"], "publish[0].mid", "{error}");
}

#[tokio::test]
async fn abuse_closes_only_that_connection() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    let mut bad = server.client().await;
    bad.join("r", "Mallory").await;
    ada.recv_type("participantJoined").await;
    for _ in 0..21 {
        bad.send("{").await;
    }
    assert_eq!(bad.recv_type("bye").await["reason"], "protocolAbuse");
    assert_eq!(bad.recv().await["closed"], 1008);
    // Ada only sees Mallory leave and is otherwise fine.
    ada.recv_type("participantLeft").await;
    ada.send(r#"{"type":"ping"}"#).await;
    assert_eq!(ada.recv().await["type"], "pong");
}

#[tokio::test]
async fn shutdown_says_goodbye() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    let mut idle = server.client().await;
    server.shutdown.send(true).unwrap();
    let media = server.media.clone();
    tokio::task::spawn_blocking(move || media.shutdown())
        .await
        .unwrap();
    assert_eq!(ada.recv_type("bye").await["reason"], "serverShutdown");
    assert_eq!(ada.recv().await["closed"], 1001);
    assert_eq!(idle.recv_type("bye").await["reason"], "serverShutdown");
}

#[tokio::test]
async fn a_burst_of_bad_frames_still_gets_the_goodbye_and_close_code() {
    let server = TestServer::start().await;
    let mut bad = server.client().await;
    // 40 bad frames at once, none read: the server must not reset the
    // connection with unread data, which would destroy its last words.
    let junk = format!("{{{}", " ".repeat(64 * 1024));
    for _ in 0..40 {
        bad.send(junk.clone()).await;
    }
    assert_eq!(bad.recv_type("bye").await["reason"], "protocolAbuse");
    assert_eq!(bad.recv().await["closed"], 1008);
}

// ---- issue 11: origin, frame size, sockets per address, slow readers,
// ---- removed guests, the lobby, names.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

fn http_status(result: Result<common::Client, WsError>) -> Option<u16> {
    match result {
        Ok(_) => None,
        Err(WsError::Http(response)) => Some(response.status().as_u16()),
        Err(e) => panic!("not an HTTP refusal: {e}"),
    }
}

#[tokio::test]
async fn a_page_of_another_origin_cannot_open_a_signaling_socket() {
    let server = TestServer::start().await;
    let evil = server
        .client_with(&[("origin", "http://evil.example")])
        .await;
    assert_eq!(
        http_status(evil),
        Some(403),
        "another site's page is refused"
    );
    let sibling = server
        .client_with(&[("origin", "http://127.0.0.1.evil.example")])
        .await;
    assert_eq!(http_status(sibling), Some(403));
    // The service's own page (same origin as the request's host) gets in.
    let own = format!("http://{}", server.addr);
    let mut c = server
        .client_with(&[("origin", own.as_str())])
        .await
        .expect("the own origin is accepted");
    c.join("r", "Ada").await;
    // A program without a browser sends no Origin (and has no victim's cookies).
    let mut tool = server.client().await;
    tool.join("r", "Bob").await;
}

#[tokio::test]
async fn a_frame_beyond_the_message_limit_closes_the_socket_unread() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.join("r", "Ada").await;
    let big = format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(tafelrunde_protocol::MAX_MESSAGE_BYTES)
    );
    c.send(big).await;
    assert_eq!(c.close_code().await, Some(1009));
    // A message just within the limit is still read (and answered).
    let mut d = server.client().await;
    let pad = tafelrunde_protocol::MAX_MESSAGE_BYTES - 40;
    d.send(format!(r#"{{"type":"ping","pad":"{}"}}"#, "x".repeat(pad)))
        .await;
    assert_eq!(d.recv().await["type"], "pong");
}

#[tokio::test]
async fn one_network_gets_at_most_its_share_of_signaling_sockets() {
    let server = TestServer::start().await;
    let limit = tafelrunde::signaling::MAX_SOCKETS_PER_NETWORK;
    let mut open = Vec::new();
    for _ in 0..limit {
        open.push(server.client().await);
    }
    let refused = server.client_with(&[]).await;
    assert_eq!(
        http_status(refused),
        Some(429),
        "one more than {limit} is refused"
    );
    // A closed socket frees its place.
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match server.client_with(&[]).await {
            Ok(mut c) => {
                c.send(r#"{"type":"ping"}"#).await;
                assert_eq!(c.recv().await["type"], "pong");
                break;
            }
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("the freed place was not given back: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected_and_the_others_carry_on() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    let mut bob = server.slow_client().await;
    let bob_id = bob.join("r", "Bob").await["participantId"].clone();
    let mut cem = server.client().await;
    cem.join("r", "Cem").await;
    // Bob reads nothing from now on. Ada and Cem chat as fast as allowed,
    // long messages, and read everything.
    let text: String = "𝄞".repeat(tafelrunde_protocol::MAX_CHAT_CHARS);
    let (left_tx, mut left_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (i, client) in [ada, cem].into_iter().enumerate() {
        let (mut tx, mut rx) = client.ws.split();
        let left_tx = left_tx.clone();
        let bob_id = bob_id.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(frame)) = rx.next().await {
                if let Message::Text(t) = frame {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "participantLeft" && v["participantId"] == bob_id && i == 0 {
                        let _ = left_tx.send(true);
                    }
                }
            }
        }));
        let chat = serde_json::json!({"type": "chat", "text": text}).to_string();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(25));
            loop {
                tick.tick().await;
                if tx.send(Message::text(chat.clone())).await.is_err() {
                    break;
                }
            }
        }));
    }
    let started = Instant::now();
    let gone = tokio::time::timeout(Duration::from_secs(40), left_rx.wait_for(|l| *l)).await;
    for t in &tasks {
        t.abort();
    }
    assert!(
        gone.is_ok(),
        "Bob, who reads nothing, is still in the room after 40 s"
    );
    eprintln!(
        "the non-reading client was disconnected after {:?}",
        started.elapsed()
    );
    drop(bob);
}

#[tokio::test]
async fn a_removed_guest_who_comes_back_without_the_cookie_waits_in_the_lobby() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    let mut bob = server.client().await;
    let bob_id = bob.join("r", "Bob").await["participantId"].clone();
    ada.send(format!(r#"{{"type":"remove","participantId":{bob_id}}}"#))
        .await;
    assert_eq!(bob.recv_type("bye").await["reason"], "removed");
    // Removing someone switches the lobby on, and the room says so.
    let settings = ada.recv_type("roomSettings").await;
    assert_eq!(settings["settings"]["lobby"], true, "{settings}");
    // Bob again, in a fresh browser (no device cookie): he knocks.
    let mut again = server.client().await;
    again
        .send(r#"{"type":"join","version":1,"room":"r","name":"Bob"}"#)
        .await;
    let answer = again.recv().await;
    assert_eq!(
        (answer["type"].as_str(), answer["reason"].as_str()),
        (Some("waiting"), Some("lobby")),
        "{answer}"
    );
    let knock = ada.recv_type("lobbyChanged").await;
    assert_eq!(knock["added"][0]["name"], "Bob", "{knock}");
}

#[tokio::test]
async fn the_lobby_has_a_cap_and_moderators_get_only_the_changes() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    ada.send(r#"{"type":"roomSettings","lobby":true}"#).await;
    ada.recv_type("roomSettings").await;
    let cap = tafelrunde_protocol::LOBBY_CAP;
    let mut waiting = Vec::new();
    let mut bytes_to_ada = 0;
    for i in 0..cap {
        let mut c = server.client().await;
        c.send(format!(
            r#"{{"type":"join","version":1,"room":"r","name":"Gast {i}"}}"#
        ))
        .await;
        assert_eq!(c.recv().await["reason"], "lobby");
        waiting.push(c);
        let change = ada.recv().await;
        bytes_to_ada += change.to_string().len();
        assert_eq!(change["type"], "lobbyChanged", "{change}");
        assert_eq!(change["added"].as_array().unwrap().len(), 1, "{change}");
    }
    assert!(
        bytes_to_ada < cap * 200,
        "{cap} knocks cost the moderator {bytes_to_ada} bytes"
    );
    // One more is refused, clearly, and the moderator hears nothing of it.
    let mut late = server.client().await;
    late.send(r#"{"type":"join","version":1,"room":"r","name":"Zu spät"}"#)
        .await;
    let e = late.recv().await;
    assert_eq!(e["code"], "lobbyFull", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains(&cap.to_string()),
        "{e}"
    );
    // Leaving the lobby is a change too: only the id.
    drop(waiting.pop());
    let change = ada.recv_type("lobbyChanged").await;
    assert_eq!(change["removed"].as_array().unwrap().len(), 1, "{change}");
    assert!(change["added"].as_array().unwrap().is_empty(), "{change}");
}

#[tokio::test]
async fn names_with_invisible_or_direction_changing_characters_are_refused() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    let cases = [
        // A pupil posing as the teacher, with a right-to-left override.
        ("r", "Frau Lehrerin \u{202E})gnutieL(", "name"),
        // Nothing but zero-width spaces.
        ("r", "\u{200B}\u{200B}\u{200B}", "name"),
        ("r", "Ada\u{2060}", "name"),
        // Lookalike room names: Cyrillic Е, full-width letters.
        ("1111111-7b-MU\u{0415}", "Ada", "room"),
        ("\u{FF4D}\u{FF41}\u{FF54}\u{FF48}\u{FF45}", "Ada", "room"),
    ];
    for (room, name, field) in cases {
        let join = serde_json::json!({"type": "join", "version": 1, "room": room, "name": name});
        c.send(join.to_string()).await;
        let e = c.recv().await;
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("invalidField"), Some(field)),
            "{room:?} {name:?}: {e}"
        );
    }
    // A name is stored composed (NFC): "José" typed with a combining accent.
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    c.send(r#"{"type":"join","version":1,"room":"r","name":"Jose\u0301"}"#)
        .await;
    assert_eq!(c.recv_type("joined").await["you"]["name"], "Jos\u{e9}");
    let seen = ada.recv_type("participantJoined").await;
    assert_eq!(seen["participant"]["name"], "Jos\u{e9}");
}
