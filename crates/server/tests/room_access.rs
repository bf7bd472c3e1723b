//! Who enters which room, through the real server and real WebSockets: only
//! school rooms exist unless open rooms are on; a room's password is checked
//! before joining and the socket stays open for another try; the teacher of
//! the room's school (by session cookie) opens it as owner, guests wait for
//! that and are then let in as participants; `~test-` rooms always work;
//! browsers without one get the device cookie.

mod control;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::{COOKIE, SET_COOKIE};
use tokio_tungstenite::tungstenite::Message;

use control::{Backend, Env};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket with these cookies; also returns the device cookie set on the upgrade.
async fn connect(addr: std::net::SocketAddr, cookie: Option<String>) -> (Socket, Option<String>) {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert(COOKIE, cookie.parse().unwrap());
    }
    let (ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    let device = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tafelrunde_device="))
        .map(str::to_string);
    (ws, device)
}

async fn send(ws: &mut Socket, value: Value) {
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next message of one of these types (others are skipped).
async fn next_of(ws: &mut Socket, types: &[&str]) -> Value {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s")
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

fn join(room: &str, name: &str, password: Option<&str>) -> Value {
    let mut j = json!({"type": "join", "version": 1, "room": room, "name": name});
    if let Some(p) = password {
        j["password"] = json!(p);
    }
    j
}

fn code_and_field(v: &Value) -> (Option<&str>, Option<&str>) {
    (v["code"].as_str(), v["field"].as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_school_rooms_and_teacher_versus_guest() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (_op, _admin, teacher) = env.school_a().await;
    let mut t = teacher.clone();
    let (_, room) = t
        .post(
            "/api/rooms",
            json!({"group": "7b", "short": "LA", "password": "Geheim-42"}),
        )
        .await;
    let room = room["name"].as_str().unwrap().to_string();
    let addr = env.listen().await;

    // A free name is no room when open rooms are off.
    let (mut guest, device) = connect(addr, None).await;
    let device = device.expect("a browser without one gets the device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Strict"),
        "{device}"
    );
    send(&mut guest, join("mathe-nachhilfe", "Kim", None)).await;
    let e = next_of(&mut guest, &["error", "joined"]).await;
    assert_eq!(
        code_and_field(&e),
        (Some("unknownRoom"), Some("room")),
        "{e}"
    );

    // The password: missing, wrong, right — on the same socket.
    send(&mut guest, join(&room, "Kim", None)).await;
    let e = next_of(&mut guest, &["error", "joined", "waiting"]).await;
    assert_eq!(
        code_and_field(&e),
        (Some("passwordRequired"), Some("password")),
        "{e}"
    );
    send(&mut guest, join(&room, "Kim", Some("falsch"))).await;
    let e = next_of(&mut guest, &["error", "joined", "waiting"]).await;
    assert_eq!(
        code_and_field(&e),
        (Some("wrongPassword"), Some("password")),
        "{e}"
    );
    send(&mut guest, join(&room, "Kim", Some("Geheim-42"))).await;
    let w = next_of(&mut guest, &["error", "joined", "waiting"]).await;
    assert_eq!(
        (w["type"].as_str(), w["reason"].as_str()),
        (Some("waiting"), Some("notOpen")),
        "the guest waits for the teacher: {w}"
    );

    // The teacher (session cookie) needs no password and opens the room as owner.
    let session = format!("tafelrunde_session={}", teacher.cookie.clone().unwrap());
    let (mut lehrer, _) = connect(addr, Some(session)).await;
    send(&mut lehrer, join(&room, "Frau Lehmann", None)).await;
    let joined = next_of(&mut lehrer, &["error", "joined", "waiting"]).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["you"]["role"], "owner", "{joined}");
    assert_eq!(joined["you"]["teacher"], true, "{joined}");

    // The waiting guest is let in, as a participant and no teacher.
    let joined = next_of(&mut guest, &["error", "joined"]).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(
        (
            joined["you"]["role"].as_str(),
            joined["you"]["teacher"].as_bool()
        ),
        (Some("participant"), Some(false)),
        "{joined}"
    );
    assert_eq!(joined["you"]["may"]["screen"], false, "{joined}");
    // A guest's forged moderation is refused.
    let teacher_id = joined["participants"][0]["id"].clone();
    send(
        &mut guest,
        json!({"type": "forceMute", "participantId": teacher_id, "kind": "audio"}),
    )
    .await;
    let e = next_of(&mut guest, &["error"]).await;
    assert_eq!(e["code"], "notAllowed", "{e}");

    // Connection-test rooms need nothing.
    let (mut tester, _) = connect(addr, None).await;
    send(&mut tester, join("~test-abc123", "Test", None)).await;
    let joined = next_of(&mut tester, &["error", "joined"]).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_hand_out_the_device_cookie_once() {
    use tower::ServiceExt;
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let page = |cookie: Option<&str>| {
        let mut request = axum::http::Request::builder().uri("/");
        if let Some(cookie) = cookie {
            request = request.header(COOKIE.as_str(), cookie);
        }
        env.router
            .clone()
            .oneshot(request.body(axum::body::Body::empty()).unwrap())
    };
    let response = page(None).await.unwrap();
    let set = response
        .headers()
        .get_all(SET_COOKIE.as_str())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tafelrunde_device="))
        .expect("the page sets the device cookie")
        .to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"));
    assert!(
        !set.contains("Max-Age") && !set.contains("Expires"),
        "a session cookie: {set}"
    );
    let value = set.split(';').next().unwrap();
    let response = page(Some(value)).await.unwrap();
    assert!(
        !response
            .headers()
            .get_all(SET_COOKIE.as_str())
            .iter()
            .any(|v| v.to_str().unwrap_or("").starts_with("tafelrunde_device=")),
        "a browser that has one keeps it"
    );
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_open_rooms_a_free_name_is_a_room_and_its_first_guest_owns_it() {
    let env = Env::new(Backend::Sqlite).await;
    let addr = env.listen().await;
    let (mut first, _) = connect(addr, None).await;
    send(&mut first, join("mathe-nachhilfe", "Ada", None)).await;
    let joined = next_of(&mut first, &["error", "joined", "waiting"]).await;
    assert_eq!(
        (joined["type"].as_str(), joined["you"]["role"].as_str()),
        (Some("joined"), Some("owner")),
        "{joined}"
    );
    assert_eq!(joined["you"]["teacher"], false, "no school, no teacher");
    let (mut second, _) = connect(addr, None).await;
    send(&mut second, join("mathe-nachhilfe", "Bob", None)).await;
    let joined = next_of(&mut second, &["error", "joined", "waiting"]).await;
    assert_eq!(joined["you"]["role"], "participant", "{joined}");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_a_room_password_is_stopped() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (_op, _admin, mut teacher) = env.school_a().await;
    let (_, room) = teacher
        .post(
            "/api/rooms",
            json!({"group": "7b", "short": "LA", "password": "Geheim-42"}),
        )
        .await;
    let room = room["name"].as_str().unwrap().to_string();
    let addr = env.listen().await;

    // Wrong guesses until refused, on fresh sockets (one socket closes after
    // 20 errors): the limit, or a few more on a machine so slow that the
    // bucket refilled (one try every 18 s).
    let limit = tafelrunde::room_access::WRONG_PASSWORDS;
    let mut attempts = 0;
    'guessing: loop {
        let (mut ws, _) = connect(addr, None).await;
        for _ in 0..10 {
            send(
                &mut ws,
                join(&room, "Kim", Some(&format!("rate-{attempts}"))),
            )
            .await;
            let e = next_of(&mut ws, &["error", "joined", "waiting"]).await;
            if e["code"] == "rateLimited" {
                break 'guessing;
            }
            assert_eq!(
                code_and_field(&e),
                (Some("wrongPassword"), Some("password")),
                "{e}"
            );
            attempts += 1;
            assert!(
                attempts <= limit + 10,
                "{attempts} guesses were all checked"
            );
        }
    }
    assert!(attempts >= limit, "only {attempts} guesses were checked");
    // Now even the right password waits; the answer says so and why.
    let (mut ws, _) = connect(addr, None).await;
    send(&mut ws, join(&room, "Kim", Some("Geheim-42"))).await;
    let e = next_of(&mut ws, &["error", "joined", "waiting"]).await;
    assert_eq!(
        code_and_field(&e),
        (Some("rateLimited"), Some("password")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("minutes"), "{e}");
    env.close().await;
}

/// A socket whose client address is `from` (any of 127.0.0.0/8 works on
/// loopback): another household, as far as the server can tell.
async fn connect_from(addr: std::net::SocketAddr, from: [u8; 4]) -> Socket {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let (ws, _) =
        tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
    ws
}

/// A school room of 1111111 with the password `Geheim-42`, and the server listening.
async fn room_with_password(env: &Env) -> (String, std::net::SocketAddr) {
    let (_op, _admin, mut teacher) = env.school_a().await;
    let (_, room) = teacher
        .post(
            "/api/rooms",
            json!({"group": "7b", "short": "LA", "password": "Geheim-42"}),
        )
        .await;
    (
        room["name"].as_str().unwrap().to_string(),
        env.listen().await,
    )
}

/// One join with `password` on a socket of its own; the answer's type or error code.
async fn try_password(
    addr: std::net::SocketAddr,
    from: [u8; 4],
    room: &str,
    password: &str,
) -> String {
    let mut ws = connect_from(addr, from).await;
    send(&mut ws, join(room, "Kim", Some(password))).await;
    let answer = next_of(&mut ws, &["error", "joined", "waiting"]).await;
    match answer["type"].as_str() {
        Some("error") => answer["code"].as_str().unwrap_or("").to_string(),
        other => other.unwrap_or("").to_string(),
    }
}

/// The most memory this process has held so far (kB).
fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_password_guesses_are_checked_no_more_often_than_the_limit_and_memory_stays_bounded(
) {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (room, addr) = room_with_password(&env).await;
    let before = peak_memory_kb();
    // 120 wrong guesses at once, from one address.
    let guesses: Vec<_> = (0..120)
        .map(|i| {
            let room = room.clone();
            tokio::spawn(async move {
                try_password(addr, [127, 0, 0, 1], &room, &format!("rate-{i}")).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for g in guesses {
        answers.push(g.await.unwrap());
    }
    let checked = answers.iter().filter(|a| *a == "wrongPassword").count();
    let grown_mb = peak_memory_kb().saturating_sub(before) / 1024;
    println!("120 simultaneous guesses: {checked} checked, peak memory +{grown_mb} MB");
    assert!(
        checked <= tafelrunde::room_access::WRONG_PASSWORDS as usize,
        "{checked} of 120 simultaneous guesses were checked; the limit is {}",
        tafelrunde::room_access::WRONG_PASSWORDS
    );
    assert!(
        answers
            .iter()
            .all(|a| a == "wrongPassword" || a == "rateLimited"),
        "{answers:?}"
    );
    // Argon2 takes 19 MiB per hash running at once (the CPU pool's threads);
    // the 120 connections themselves about 20 MB.
    assert!(
        grown_mb < 200,
        "memory grew by {grown_mb} MB for 120 guesses"
    );
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_guesses_from_one_network_do_not_keep_a_class_out_of_its_room() {
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    let (room, addr) = room_with_password(&env).await;
    let attacker = [127, 0, 0, 2];
    // Wrong guesses until the network is refused (one more every 18 s, so a
    // slow machine may get a few more than the 50).
    let limit = tafelrunde::room_access::WRONG_PASSWORDS;
    let mut guesses = 0;
    loop {
        let answer = try_password(addr, attacker, &room, &format!("rate-{guesses}")).await;
        if answer == "rateLimited" {
            break;
        }
        assert_eq!(answer, "wrongPassword");
        guesses += 1;
        assert!(guesses <= limit + 10, "{guesses} guesses were all checked");
    }
    assert!(guesses >= limit, "only {guesses} guesses were checked");
    assert_eq!(
        try_password(addr, attacker, &room, "Geheim-42").await,
        "rateLimited",
        "the guessing network waits, even with the right password"
    );
    // A pupil at home, with the right password, gets in (and waits for the teacher).
    assert_eq!(
        try_password(addr, [127, 0, 0, 3], &room, "Geheim-42").await,
        "waiting"
    );
    env.close().await;
}
