//! Whose rights a signaling socket carries, through the real server and real
//! WebSockets: only this service's own pages may use a teacher's cookie; a
//! saved room belongs to its own teacher, not to every colleague of the
//! school; a login that ended (logout, deactivation) takes its rights in
//! the room with it, also on a socket that is already open.

mod control;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::{COOKIE, ORIGIN};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use control::{Backend, Client, Env, PUBLIC_URL};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect_from(
    addr: std::net::SocketAddr,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, WsError> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    if let Some(secret) = cookie {
        let value = format!("tafelrunde_session={secret}");
        request.headers_mut().insert(COOKIE, value.parse().unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert(ORIGIN, origin.parse().unwrap());
    }
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// A socket from the service's own page, with this login (or none).
async fn socket(addr: std::net::SocketAddr, login: Option<&Client>) -> Socket {
    let cookie = login.map(|c| c.cookie.clone().expect("logged in"));
    connect_from(addr, cookie.as_deref(), Some(PUBLIC_URL))
        .await
        .expect("connects")
}

async fn send(ws: &mut Socket, value: Value) {
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next message of one of these types (others are skipped), within `secs`.
async fn next_of_within(ws: &mut Socket, types: &[&str], secs: u64) -> Value {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(secs), ws.next())
            .await
            .unwrap_or_else(|_| panic!("one of {types:?} within {secs} s"))
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).unwrap();
            if types.contains(&value["type"].as_str().unwrap_or("")) {
                return value;
            }
        }
    }
}

async fn next_of(ws: &mut Socket, types: &[&str]) -> Value {
    next_of_within(ws, types, 5).await
}

fn join(room: &str, name: &str, password: Option<&str>) -> Value {
    let mut j = json!({"type": "join", "version": 1, "room": room, "name": name});
    if let Some(p) = password {
        j["password"] = json!(p);
    }
    j
}

/// Joins and returns the answer: `joined`, `waiting` or `error`.
async fn try_join(ws: &mut Socket, room: &str, name: &str, password: Option<&str>) -> Value {
    send(ws, join(room, name, password)).await;
    next_of(ws, &["joined", "waiting", "error"]).await
}

async fn save_room(teacher: &mut Client, short: &str, password: Option<&str>) -> String {
    let mut body = json!({"group": "7b", "short": short});
    if let Some(p) = password {
        body["password"] = json!(p);
    }
    let (_, room) = teacher.post("/api/rooms", body).await;
    room["name"].as_str().expect("room saved").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_subdomain_cannot_use_a_teachers_cookie() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (_op, _admin, mut teacher) = env.school_a().await;
    let room = save_room(&mut teacher, "LA", None).await;
    let addr = env.listen().await;
    let cookie = teacher.cookie.clone();
    for evil in [
        "https://evil.tafelrunde.test",
        "https://schule.test",
        "http://tafelrunde.test",
        "null",
    ] {
        match connect_from(addr, cookie.as_deref(), Some(evil)).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 403, "{evil}"),
            Err(e) => panic!("{evil}: not refused over HTTP: {e}"),
            Ok(mut ws) => {
                let answer = try_join(&mut ws, &room, "Mallory", None).await;
                panic!("a page of {evil} opened a socket with the teacher's cookie: {answer}")
            }
        }
    }
    // The service's own page, with the same cookie, opens the room as owner.
    let mut own = socket(addr, Some(&teacher)).await;
    let joined = try_join(&mut own, &room, "Frau Lehmann", None).await;
    assert_eq!(joined["you"]["role"], "owner", "{joined}");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_needs_the_password_joins_as_a_guest_and_the_owner_can_remove_them() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (_op, mut admin, mut teacher) = env.school_a().await;
    let colleague = env
        .account(
            &mut admin,
            "kollege@a.de",
            "teacher",
            "1111111",
            "kollegen-passwort",
        )
        .await;
    let room = save_room(&mut teacher, "LA", Some("Geheim-42")).await;
    let addr = env.listen().await;

    // The colleague comes first: no password, no entry.
    let mut other = socket(addr, Some(&colleague)).await;
    let e = try_join(&mut other, &room, "Herr Kollege", None).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("passwordRequired"), Some("password")),
        "a colleague entered a password-protected room without it: {e}"
    );
    // With the password they wait for the room's teacher, like a pupil.
    let w = try_join(&mut other, &room, "Herr Kollege", Some("Geheim-42")).await;
    assert_eq!(
        (w["type"].as_str(), w["reason"].as_str()),
        (Some("waiting"), Some("notOpen")),
        "{w}"
    );
    // The room's own teacher opens it and leads it.
    let mut owner = socket(addr, Some(&teacher)).await;
    let joined = try_join(&mut owner, &room, "Frau Lehmann", None).await;
    assert_eq!(joined["you"]["role"], "owner", "{joined}");
    let joined = next_of(&mut other, &["joined", "error"]).await;
    assert_eq!(
        (
            joined["you"]["role"].as_str(),
            joined["you"]["teacher"].as_bool()
        ),
        (Some("participant"), Some(false)),
        "{joined}"
    );
    let colleague_id = joined["participantId"].clone();
    // The owner can remove the colleague.
    send(
        &mut owner,
        json!({"type": "remove", "participantId": colleague_id}),
    )
    .await;
    let bye = next_of(&mut other, &["bye"]).await;
    assert_eq!(bye["reason"], "removed", "{bye}");
    env.close().await;
}

/// The id of the account with this address, as the school admin lists it.
async fn account_id(admin: &mut Client, email: &str) -> String {
    let (_, list) = admin.get("/api/accounts").await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == email)
        .and_then(|a| a["id"].as_str())
        .expect("listed")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_or_deactivation_takes_the_rights_from_an_open_socket() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (_op, mut admin, mut teacher) = env.school_a().await;
    let room = save_room(&mut teacher, "LA", None).await;
    let addr = env.listen().await;

    let mut lehrer = socket(addr, Some(&teacher)).await;
    assert_eq!(
        try_join(&mut lehrer, &room, "Frau Lehmann", None).await["you"]["role"],
        "owner"
    );
    let mut pupil = socket(addr, None).await;
    let joined = try_join(&mut pupil, &room, "Kim", None).await;
    let kim = joined["participantId"].clone();

    // Logged out (in another tab): the open socket can no longer lock the room.
    let (status, _) = teacher.post("/api/logout", json!({})).await;
    assert_eq!(status, 204);
    send(&mut lehrer, json!({"type": "roomSettings", "locked": true})).await;
    let bye = next_of(&mut lehrer, &["bye", "roomSettings"]).await;
    assert_eq!(
        bye["reason"], "sessionEnded",
        "the room was locked after logout: {bye}"
    );
    let mut late = socket(addr, None).await;
    assert_eq!(
        try_join(&mut late, &room, "Ben", None).await["type"],
        "joined",
        "the room is not locked"
    );

    // Logged in again on two sockets; then the school admin deactivates her.
    let mut teacher = env.client();
    let (status, _) = teacher
        .post(
            "/api/login",
            json!({"email": "lehrer@a.de", "password": "lehrer-passwort-a"}),
        )
        .await;
    assert_eq!(status, 200);
    let mut acting = socket(addr, Some(&teacher)).await;
    let joined = try_join(&mut acting, &room, "Frau Lehmann", None).await;
    assert_eq!(
        joined["you"]["role"], "owner",
        "back within the grace: {joined}"
    );
    let mut idle = socket(addr, Some(&teacher)).await;
    assert_eq!(
        try_join(&mut idle, &room, "Frau Lehmann (Tablet)", None).await["type"],
        "joined"
    );
    let id = account_id(&mut admin, "lehrer@a.de").await;
    let (status, _) = admin
        .post(&format!("/api/accounts/{id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, 200);
    // Acting at once: refused, and that session ends; Kim stays.
    send(&mut acting, json!({"type": "remove", "participantId": kim})).await;
    let bye = next_of(&mut acting, &["bye"]).await;
    assert_eq!(bye["reason"], "sessionEnded", "{bye}");
    send(&mut pupil, json!({"type": "ping"})).await;
    assert_eq!(
        next_of(&mut pupil, &["pong", "bye"]).await["type"],
        "pong",
        "Kim was not removed"
    );
    // Not acting at all: the socket learns it within the re-check interval.
    let secs = tafelrunde::signaling::RECHECK.as_secs() + 5;
    let bye = next_of_within(&mut idle, &["bye"], secs).await;
    assert_eq!(bye["reason"], "sessionEnded", "{bye}");
    env.close().await;
}
