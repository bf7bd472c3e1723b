//! TURN credentials through the real server and real WebSockets: a room's
//! participant gets them for minutes, not a day; the connection test gets
//! them for its own two minutes, and a network that asks again and again
//! runs out of them while its calls keep getting theirs.

mod control;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use control::{Backend, Env};

fn turn() -> tafelrunde::turn::TurnConfig {
    tafelrunde::turn::TurnConfig {
        urls: vec!["turn:127.0.0.1:3478".into()],
        secret: "turn-geheimnis".into(),
        ttl_seconds: None,
    }
}

/// Joins `room` on a fresh socket; the `joined` message (the socket closes).
async fn joined(addr: std::net::SocketAddr, room: &str) -> Value {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let join = json!({"type": "join", "version": 1, "room": room, "name": "Test"});
    ws.send(Message::text(join.to_string())).await.unwrap();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an answer within 5 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["type"], "joined", "{value}");
            let _ = ws.close(None).await;
            return value;
        }
    }
}

/// Seconds from now until the credentials of a `joined` message expire;
/// `None` without credentials.
fn valid_for(joined: &Value) -> Option<i64> {
    let username = joined["iceServers"][0]["username"].as_str()?;
    let expiry: i64 = username.split(':').next()?.parse().ok()?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    Some(expiry - now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_participant_gets_credentials_for_ten_minutes_not_a_day() {
    let env = Env::with_turn(Backend::Sqlite, turn()).await;
    let addr = env.listen().await;
    let secs = valid_for(&joined(addr, "mathe-7a").await).expect("credentials");
    assert!((590..=600).contains(&secs), "valid for {secs} s");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_test_gets_two_minutes_and_a_network_runs_out_of_them() {
    let env = Env::with_turn(Backend::Sqlite, turn()).await;
    let addr = env.listen().await;
    let secs = valid_for(&joined(addr, "~test-first").await).expect("credentials");
    assert!((110..=120).contains(&secs), "valid for {secs} s");

    // One address asks again and again (each join a fresh test room).
    let mut given = 1;
    for i in 0..200 {
        if valid_for(&joined(addr, &format!("~test-{i}")).await).is_none() {
            break;
        }
        given += 1;
    }
    assert!(
        given < 200,
        "{given} connection tests from one address all got credentials"
    );
    assert!(
        given >= 30,
        "a school behind one address can still test ({given})"
    );
    // Its calls are not affected.
    assert!(valid_for(&joined(addr, "mathe-7a").await).is_some());
    env.close().await;
}
