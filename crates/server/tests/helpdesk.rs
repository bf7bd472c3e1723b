//! The helpdesk through its API: a request filed with the connection
//! test attached, worked through by the operator (assign, note, reply by
//! mail, close); bad input names the field and stores nothing; spam and
//! floods are refused; the retention job deletes exactly the tickets past
//! their period, on SQLite and PostgreSQL.

mod control;

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

use control::smtp::fake_smtp;
use control::{Backend, Client, Env};

/// A token for a form opened ten seconds ago (people need some seconds).
async fn token(env: &Env) -> String {
    tafelrunde::helpdesk::spam::issue_at(
        &env.control.db,
        None,
        tafelrunde::storage::now_millis() - 10_000,
    )
    .await
    .unwrap()
}

fn request(token: &str) -> Value {
    json!({
        "category": "connection",
        "description": "Im Unterricht bricht das Bild nach zwei Minuten ab.",
        "email": "Eltern@Example.org",
        "school": "1111111",
        "diagnosis": {"version": 1, "udp": {"ok": false}, "tcp": {"ok": true, "rttMs": 12}},
        "formToken": token,
        "website": ""
    })
}

async fn ticket_count(env: &Env) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM helpdesk_tickets")
        .fetch_one(env.control.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

async fn file_and_work_a_ticket(backend: Backend) {
    let env = Env::new(backend).await;
    let mut op = env.operator().await;
    let mut guest = env.client();

    let (status, form) = guest.get("/api/helpdesk/form").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert!(form["formToken"].as_str().unwrap().contains('.'));
    assert_eq!(form["repliesByMail"], false);

    let (status, filed) = guest
        .post("/api/helpdesk/tickets", request(&token(&env).await))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let number = filed["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("HD-"), "{number}");

    let (status, queue) = op.get("/api/helpdesk/tickets?status=new").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let t = &queue[0];
    assert_eq!(t["number"], number.as_str());
    assert_eq!(t["email"], "eltern@example.org");
    assert_eq!(t["school"], "1111111");
    assert_eq!(
        t["diagnosis"]["udp"]["ok"], false,
        "the attached test result"
    );
    let path = format!("/api/helpdesk/tickets/{number}");

    let (_, session) = op.get("/api/session").await;
    let me = session["account"]["id"].as_str().unwrap().to_string();
    let (status, t) = op
        .put(&path, json!({"assignee": me, "status": "inProgress"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["status"], "inProgress");
    assert_eq!(t["assigneeEmail"], "betrieb@land.example");
    let (status, bad) = op.put(&path, json!({"assignee": "niemand"})).await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("assignee"))
    );

    op.post(
        &format!("{path}/notes"),
        json!({"text": "Schul-WLAN blockiert UDP?"}),
    )
    .await;
    let (status, t) = op
        .post(
            &format!("{path}/replies"),
            json!({"text": "Bitte geben Sie Ihrer IT docs/connection-test.md weiter."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let entries = t["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "note");
    assert_eq!(entries[1]["kind"], "reply");
    assert_eq!(entries[1]["mailed"], false, "no SMTP configured");

    let (status, t) = op.put(&path, json!({"status": "done"})).await;
    assert_eq!(
        (status, t["status"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    let (_, open) = op.get("/api/helpdesk/tickets?status=new").await;
    assert_eq!(open, json!([]));
    let (_, audit) = op.get("/api/audit").await;
    let text = audit.to_string();
    assert!(
        text.contains("helpdesk.update") && text.contains(&number),
        "{text}"
    );
    assert!(
        !text.contains("zwei Minuten"),
        "no ticket text in the audit log"
    );
    env.close().await;
}
both_databases!(file_and_work_a_ticket);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_the_field_and_stores_nothing() {
    let env = Env::new(Backend::Sqlite).await;
    let mut guest = env.client();
    let token = token(&env).await;
    for (change, field) in [
        (json!({"category": "wetter"}), "category"),
        (json!({"description": "kurz"}), "description"),
        (json!({"email": "keine adresse"}), "email"),
        (json!({"school": "12a"}), "school"),
        (json!({"diagnosis": "nur text"}), "diagnosis"),
    ] {
        let mut body = request(&token);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, answer) = guest.post("/api/helpdesk/tickets", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let (status, answer) = guest
        .post("/api/helpdesk/tickets", json!({"category": "other"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("description"),
        "{answer}"
    );
    assert_eq!(ticket_count(&env).await, 0);
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spam_is_refused() {
    let env = Env::new(Backend::Sqlite).await;
    let mut guest = env.client();
    let mut robot = request(&token(&env).await);
    robot["website"] = json!("https://spam.example");
    let (status, answer) = guest.post("/api/helpdesk/tickets", robot).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "spamSuspected");
    assert_eq!(answer["error"]["field"], "website");

    // Sent back at once: no person writes a request that fast.
    let (_, form) = guest.get("/api/helpdesk/form").await;
    let fresh = form["formToken"].as_str().unwrap();
    let (status, answer) = guest.post("/api/helpdesk/tickets", request(fresh)).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("tooFast"))
    );

    let good = token(&env).await;
    let forged = format!("{}.{}", good.split('.').next().unwrap(), "0".repeat(64));
    for bad in [forged.as_str(), "", "123"] {
        let (status, answer) = guest.post("/api/helpdesk/tickets", request(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"]["field"], "formToken", "{answer}");
    }
    let old = tafelrunde::helpdesk::spam::issue_at(&env.control.db, None, 1_000)
        .await
        .unwrap();
    let (_, answer) = guest.post("/api/helpdesk/tickets", request(&old)).await;
    assert_eq!(answer["error"]["code"], "formExpired");
    assert_eq!(ticket_count(&env).await, 0);

    // After the wait the same form goes through.
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    let (status, _) = guest.post("/api/helpdesk/tickets", request(fresh)).await;
    assert_eq!(status, StatusCode::CREATED);
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_client_is_limited() {
    let env = Env::new(Backend::Sqlite).await;
    let mut guest = env.client();
    for _ in 0..LIMIT {
        let (status, answer) = guest
            .post("/api/helpdesk/tickets", request(&token(&env).await))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (status, answer) = guest
        .post("/api/helpdesk/tickets", request(&token(&env).await))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_eq!(answer["error"]["code"], "tooManyRequests");
    assert_eq!(ticket_count(&env).await, LIMIT as i64);
    env.close().await;
}

/// Requests (filed or refused as spam) per network and hour.
const LIMIT: u32 = tafelrunde::limits::Limit::Helpdesk.rate().burst;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_files_one_request_only() {
    let env = Env::new(Backend::Sqlite).await;
    let mut guest = env.client();
    let token = token(&env).await;
    let (status, answer) = guest.post("/api/helpdesk/tickets", request(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    for _ in 0..3 {
        let (status, answer) = guest.post("/api/helpdesk/tickets", request(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(
            (
                answer["error"]["code"].as_str(),
                answer["error"]["field"].as_str()
            ),
            (Some("spamSuspected"), Some("formToken")),
            "{answer}"
        );
    }
    assert_eq!(ticket_count(&env).await, 1);
    // A request refused for a bad field leaves its form usable.
    let token = self::token(&env).await;
    let mut bad = request(&token);
    bad["school"] = json!("12a");
    let (status, _) = guest.post("/api/helpdesk/tickets", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, answer) = guest.post("/api/helpdesk/tickets", request(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spam_refusals_count_towards_the_limit() {
    let env = Env::new(Backend::Sqlite).await;
    let mut robot = env.client();
    for _ in 0..LIMIT {
        let mut body = request(&token(&env).await);
        body["website"] = json!("https://spam.example");
        let (status, answer) = robot.post("/api/helpdesk/tickets", body).await;
        assert_eq!(
            answer["error"]["code"], "spamSuspected",
            "{status} {answer}"
        );
    }
    let (status, answer) = robot
        .post("/api/helpdesk/tickets", request(&token(&env).await))
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("tooManyRequests")),
        "{answer}"
    );
    assert_eq!(ticket_count(&env).await, 0);
    env.close().await;
}

/// A raw HTTP/1.1 request through the test's "reverse proxy" for `client`.
async fn from(
    addr: std::net::SocketAddr,
    client: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nX-Forwarded-For: {client}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_works_only_from_the_network_it_was_opened_from() {
    let env = Env::configured(Backend::Sqlite, None, true, |c| {
        c.trusted_proxies =
            tafelrunde::client_ip::TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
    })
    .await;
    let addr = env.listen().await;
    let (status, form) = from(addr, "198.51.100.7", "GET", "/api/helpdesk/form", None).await;
    assert_eq!(status, 200, "{form}");
    let token = form["formToken"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(
        tafelrunde::helpdesk::spam::MIN_FILL_MILLIS as u64 + 100,
    ))
    .await;
    let (status, answer) = from(
        addr,
        "203.0.113.9",
        "POST",
        "/api/helpdesk/tickets",
        Some(&request(&token)),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (400, Some("formToken")),
        "{answer}"
    );
    // Another address of the same IPv4 network is another network; the
    // form's own network files the request.
    let (status, answer) = from(
        addr,
        "198.51.100.7",
        "POST",
        "/api/helpdesk/tickets",
        Some(&request(&token)),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(ticket_count(&env).await, 1);
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_request_naming_a_teachers_address_is_not_in_her_data_export() {
    let env = Env::new(Backend::Sqlite).await;
    let (_op, _admin, mut teacher) = env.school_a().await;
    let mut stranger = env.client();
    let mut forged = request(&token(&env).await);
    forged["email"] = json!("lehrer@a.de");
    forged["description"] = json!("Nicht von ihr geschrieben, nur ihre Adresse.");
    let (status, _) = stranger.post("/api/helpdesk/tickets", forged).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut own = request(&token(&env).await);
    own["email"] = json!("lehrer@a.de");
    own["description"] = json!("Meine eigene Anfrage, angemeldet gestellt.");
    let (status, _) = teacher.post("/api/helpdesk/tickets", own).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, export) = teacher.get("/api/me/export").await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let requests: Vec<&str> = export["helpdeskRequests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["description"].as_str().unwrap())
        .collect();
    assert_eq!(requests, vec!["Meine eigene Anfrage, angemeldet gestellt."]);
    env.close().await;
}

/// The operator's helpdesk retention period, as the settings page stores it.
async fn set_retention(env: &Env, days: i64) {
    sqlx::query("INSERT INTO settings (key, value) VALUES ('helpdesk_retention_days', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(days.to_string())
        .execute(env.control.db.pool())
        .await
        .unwrap();
}

async fn retention_deletes_exactly_the_expired(backend: Backend) {
    let env = Env::new(backend).await;
    let mut op = env.operator().await;
    let mut guest = env.client();
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let (_, filed) = guest
            .post("/api/helpdesk/tickets", request(&token(&env).await))
            .await;
        numbers.push(filed["number"].as_str().unwrap().to_string());
    }
    op.post(
        &format!("/api/helpdesk/tickets/{}/notes", numbers[0]),
        json!({"text": "alt"}),
    )
    .await;
    let day = 24 * 3600 * 1000_i64;
    let now = tafelrunde::storage::now_millis();
    set_retention(&env, 180).await;
    // Last changed 181, 179 and 0 days ago.
    for (number, age) in [(&numbers[0], 181 * day), (&numbers[1], 179 * day)] {
        let id = tafelrunde::helpdesk::TicketId::parse(number).unwrap();
        sqlx::query("UPDATE helpdesk_tickets SET updated_at = $1 WHERE id = $2")
            .bind(now - age)
            .bind(id.0)
            .execute(env.control.db.pool())
            .await
            .unwrap();
    }
    tafelrunde::storage::retention::run_once(&env.control.db)
        .await
        .unwrap();
    let (_, left) = op.get("/api/helpdesk/tickets").await;
    let mut left: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, vec![numbers[1].as_str(), numbers[2].as_str()]);
    let entries: i64 = sqlx::query("SELECT COUNT(*) AS n FROM helpdesk_entries")
        .fetch_one(env.control.db.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(entries, 0, "the deleted ticket's note went with it");

    // A shorter period set by the operator applies.
    set_retention(&env, 30).await;
    let gone = tafelrunde::helpdesk::purge_expired(&env.control.db, now / 1000)
        .await
        .unwrap();
    assert_eq!(gone, 1);
    assert_eq!(ticket_count(&env).await, 1);
    env.close().await;
}
both_databases!(retention_deletes_exactly_the_expired);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hotline_is_set_by_the_operator_and_shown_with_the_form() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    let (status, bad) = op
        .put(
            "/api/helpdesk/hotline",
            json!({"number": "ruf an", "hours": ""}),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("number"))
    );
    let hotline = json!({"number": "0431 988-1234", "hours": "Mo–Fr 7:30–16:00 Uhr"});
    let (status, saved) = op.put("/api/helpdesk/hotline", hotline.clone()).await;
    assert_eq!((status, &saved), (StatusCode::OK, &hotline));
    let (_, form) = env.client().get("/api/helpdesk/form").await;
    assert_eq!(form["hotline"], hotline);
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_is_mailed_to_the_contact_address() {
    let (port, mails) = fake_smtp().await;
    let smtp = tafelrunde::mail::SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: "none".into(),
        from: "Tafelrunde <noreply@land.example>".into(),
        ..Default::default()
    };
    let env = Env::with_mailer(
        Backend::Sqlite,
        tafelrunde::mail::Mailer::new(&smtp).unwrap(),
    )
    .await;
    let mut op = env.operator().await;
    let mut guest: Client = env.client();
    let (_, filed) = guest
        .post("/api/helpdesk/tickets", request(&token(&env).await))
        .await;
    let number = filed["number"].as_str().unwrap();
    let (status, t) = op
        .post(
            &format!("/api/helpdesk/tickets/{number}/replies"),
            json!({"text": "Wir haben die Ursache gefunden."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["entries"][0]["mailed"], true);
    assert_eq!(
        t["status"], "inProgress",
        "a reply takes a new ticket in hand"
    );
    let mail = mails.lock().unwrap()[0].replace("=\n", "");
    assert!(mail.contains("To: eltern@example.org"), "{mail}");
    assert!(mail.contains(number), "{mail}");
    assert!(mail.contains("Wir haben die Ursache gefunden."), "{mail}");
    env.close().await;
}
