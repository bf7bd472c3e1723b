//! The rule at the signaling socket (a room of a school on BigBlueButton
//! cannot be joined, with `schoolUsesBigBlueButton`), and no secret in the
//! logs even at the most verbose level.

mod control;

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use control::{token_of, Backend, Env, SCHOOLS_CSV};

async fn join(addr: std::net::SocketAddr, room: &str) -> Value {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws.send(Message::text(
        json!({"type": "join", "version": 1, "room": room, "name": "Gast"}).to_string(),
    ))
    .await
    .unwrap();
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signaling_refuses_rooms_of_schools_on_bigbluebutton() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    let addr = env.listen().await;

    // 3333333 applied for itslearning.
    let refused = join(addr, "3333333-7b-MUE").await;
    assert_eq!(
        (
            refused["type"].as_str(),
            refused["code"].as_str(),
            refused["field"].as_str()
        ),
        (Some("error"), Some("schoolUsesBigBlueButton"), Some("room")),
        "{refused}"
    );
    // A Tafelrunde school's room is entered (a guest waits for its teacher),
    // a room of no school is joined (the test server allows open rooms).
    assert_eq!(join(addr, "1111111-7b-MUE").await["type"], "waiting");
    assert_eq!(join(addr, "mathe-nachhilfe").await["type"], "joined");
    // The operator switches 1111111: its rooms are refused from then on.
    op.put(
        "/api/schools/1111111/service",
        json!({"service": "bigbluebutton", "reason": "itslearning"}),
    )
    .await;
    assert_eq!(
        join(addr, "1111111-7b-MUE").await["code"],
        "schoolUsesBigBlueButton"
    );
    env.close().await;
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next message, or `None` when the server closed the socket.
async fn next(ws: &mut Socket) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(_))) | None => return None,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("{e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_call_ends_when_its_school_switches_to_bigbluebutton() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    let addr = env.listen().await;

    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws.send(Message::text(
        json!({"type": "join", "version": 1, "room": "1111111-7b-MUE", "name": "Gast"}).to_string(),
    ))
    .await
    .unwrap();
    let first = next(&mut ws).await.expect("an answer to join");
    // In the room, or waiting for the teacher: either way the call is running.
    assert!(
        matches!(first["type"].as_str(), Some("joined" | "waiting")),
        "{first}"
    );
    op.put(
        "/api/schools/1111111/service",
        json!({"service": "bigbluebutton", "reason": "itslearning"}),
    )
    .await;
    let bye = next(&mut ws).await.expect("bye before the socket closes");
    assert_eq!(bye["type"], "bye", "{bye}");
    assert_eq!(bye["reason"], "schoolUsesBigBlueButton", "{bye}");
    assert!(next(&mut ws).await.is_none(), "the socket closes after bye");
    env.close().await;
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_password_token_or_session_id_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // A runtime on this thread only, so that the thread-local subscriber sees everything.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut secrets: Vec<String> = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let env = Env::new(Backend::Sqlite).await;
            let setup = env.setup_token().await;
            secrets.push(setup.clone());
            let mut op = env.client();
            op.post("/api/setup", json!({"token": setup, "email": "betrieb@land.example", "password": "Geheimes-Betriebspasswort"})).await;
            secrets.extend(["Geheimes-Betriebspasswort".to_string(), op.cookie.clone().unwrap(), op.csrf.clone().unwrap()]);
            op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes()).await;
            let (_, created) = op.post("/api/accounts", json!({"email": "l@s.de", "role": "teacher", "school": "1111111"})).await;
            let token = token_of(created["activationLink"].as_str().unwrap());
            secrets.push(token.clone());
            let mut teacher = env.client();
            teacher.post("/api/activate", json!({"token": token, "password": "Geheimes-Lehrerpasswort"})).await;
            secrets.extend(["Geheimes-Lehrerpasswort".to_string(), teacher.cookie.clone().unwrap()]);
            // A failed login with a wrong password, a reset link and its use.
            env.client().post("/api/login", json!({"email": "l@s.de", "password": "Falsches-Passwort-123"})).await;
            secrets.push("Falsches-Passwort-123".into());
            let id = created["account"]["id"].as_str().unwrap();
            let (_, link) = op.post(&format!("/api/accounts/{id}/link"), json!({})).await;
            let reset = token_of(link["link"].as_str().unwrap());
            secrets.push(reset.clone());
            env.client().post("/api/password-reset/complete", json!({"token": reset, "password": "Neues-Lehrerpasswort"})).await;
            secrets.push("Neues-Lehrerpasswort".into());
            env.close().await;
        })
    });
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(
        log.contains("audit"),
        "the capture works: {}",
        &log[..log.len().min(500)]
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret ({}…) is in the log",
            &secret[..4]
        );
        // Nor its hash (what the database keeps).
        assert!(
            !log.contains(&tafelrunde::auth::token::hash(secret)),
            "a secret's hash is in the log"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_expired_sessions_links_and_old_audit_entries() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    let (status, error) = op
        .put(
            "/api/settings",
            json!({"allowedDomains": [], "guidanceUrl": "", "auditRetentionDays": 5}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), error["error"]["field"].as_str()),
        (400, Some("auditRetentionDays"))
    );
    let (status, s) = op
        .put(
            "/api/settings",
            json!({"allowedDomains": [], "guidanceUrl": "", "auditRetentionDays": 30}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), s["auditRetentionDays"].as_i64()),
        (200, Some(30))
    );
    let pool = env.control.db.pool();
    let old = tafelrunde::storage::now_millis() - 31 * 24 * 3600 * 1000;
    sqlx::query("INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, 'x', 'old', 'old')")
        .bind(old)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO tokens (hash, purpose, created_at, expires_at) VALUES ('h', 'reset', 0, 1)",
    )
    .execute(pool)
    .await
    .unwrap();
    let swept = tafelrunde::storage::retention::run_once(&env.control.db)
        .await
        .unwrap();
    assert_eq!((swept.sessions, swept.tokens, swept.audit), (1, 1, 1));
    let (_, audit) = {
        let mut again = env.client();
        again
            .post(
                "/api/login",
                json!({"email": "betrieb@land.example", "password": "operator-passwort-1"}),
            )
            .await;
        again.get("/api/audit").await
    };
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"] != "old"));
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "settings.change"),
        "recent entries stay"
    );
    env.close().await;
}

#[test]
fn audit_lines_in_the_log_name_accounts_by_id_not_by_email_address() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut ids = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let env = Env::new(Backend::Sqlite).await;
            let mut op = env.operator().await;
            op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
                .await;
            let (_, created) = op
                .post(
                    "/api/accounts",
                    json!({"email": "lehrerin@schule-am-see.de", "role": "teacher", "school": "1111111"}),
                )
                .await;
            ids.push(created["account"]["id"].as_str().unwrap().to_string());
            let (_, me) = op.get("/api/session").await;
            ids.push(me["account"]["id"].as_str().unwrap().to_string());
            env.close().await;
        })
    });
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    let audit: Vec<&str> = log.lines().filter(|l| l.contains("audit")).collect();
    assert!(
        audit.len() >= 3,
        "setup, import and creation are audited: {log}"
    );
    for address in ["betrieb@land.example", "lehrerin@schule-am-see.de"] {
        assert!(!log.contains(address), "{address} is in the log:\n{log}");
    }
    assert!(
        audit.iter().any(|l| l.contains(&ids[1])),
        "the operator's account id names the actor: {audit:#?}"
    );
}
