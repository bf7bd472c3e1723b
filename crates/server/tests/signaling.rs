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

#[tokio::test]
async fn a_closed_socket_leaves_the_room() {
    let server = TestServer::start().await;
    let mut ada = server.client().await;
    ada.join("r", "Ada").await;
    let mut bob = server.client().await;
    bob.join("r", "Bob").await;
    drop(bob);
    assert_eq!(
        ada.recv_type("participantLeft").await["type"],
        "participantLeft"
    );
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
    let big = format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(10 * 1024 * 1024)
    );
    c.send(big).await;
    assert_eq!(c.recv().await["code"], "messageTooLarge");
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
