//! Crash safety (issue 11): the real server on SQLite is killed with
//! `kill -9` while it writes — a school-list import, helpdesk tickets,
//! settings — and started again on the same database. Whatever it had
//! answered is still there, nothing is half there (an import is all or
//! nothing, a ticket whole, the settings the old or the new ones), and the
//! database passes `PRAGMA integrity_check`.

mod process;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use process::{Api, Server};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

const HEADER: &str = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n";

async fn integrity_check(data_dir: &Path) -> String {
    let url = format!("sqlite://{}", data_dir.join("tafelrunde.db").display());
    let mut db = sqlx::sqlite::SqliteConnection::connect(&url)
        .await
        .expect("the database opens");
    let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    answer
}

/// Kills the server, starts it again on its database, logs the operator in.
async fn restart(server: &mut Server) -> Api {
    server.kill9();
    *server = Server::start(&server.data_dir.clone());
    server.login_operator().await
}

async fn get(api: &mut Api, path: &str) -> Value {
    let (status, body) = api.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// `rows` schools whose numbers start with `prefix` (two digits).
fn school_list(prefix: u32, rows: u32) -> Vec<u8> {
    let mut csv = String::from(HEADER);
    for i in 0..rows {
        csv += &format!("{prefix}{i:06};Schule {prefix}-{i};Grundschule;Kiel;nein\n");
    }
    csv.into_bytes()
}

async fn schools_with_prefix(op: &mut Api, prefix: u32) -> usize {
    let prefix = prefix.to_string();
    get(op, "/api/schools")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"].as_str().unwrap_or_default().starts_with(&prefix))
        .count()
}

async fn imports_in_audit_log(op: &mut Api) -> usize {
    get(op, "/api/audit")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "schools.import")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_list_import_killed_midway_is_all_or_nothing_after_a_restart() {
    const ROWS: u32 = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let mut op = server.operator().await;

    // Committed before any kill, and timed: the kills fall within this.
    let start = Instant::now();
    let (status, body) = op
        .upload("/api/schools/import", school_list(10, ROWS))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let import_time = start.elapsed();
    let mut applied = vec![10];

    let mut outcomes = Vec::new();
    for (round, share) in [0.1, 0.3, 0.5, 0.7, 0.9, 1.3].into_iter().enumerate() {
        let prefix = 11 + round as u32;
        let mut api = op.clone();
        let list = school_list(prefix, ROWS);
        let upload = tokio::spawn(async move {
            api.send(Method::POST, "/api/schools/import", "text/csv", list)
                .await
        });
        tokio::time::sleep(import_time.mul_f64(share)).await;
        op = restart(&mut server).await;
        let answered = matches!(upload.await.unwrap(), Ok((StatusCode::OK, _)));

        let found = schools_with_prefix(&mut op, prefix).await;
        assert!(
            found == 0 || found == ROWS as usize,
            "round {round}: {found} of the {ROWS} schools of a killed import are there"
        );
        if answered {
            assert_eq!(
                found, ROWS as usize,
                "round {round}: an answered import is kept"
            );
        }
        if found > 0 {
            applied.push(prefix);
        }
        for &p in &applied {
            assert_eq!(
                schools_with_prefix(&mut op, p).await,
                ROWS as usize,
                "round {round}: the import {p} committed before is whole"
            );
        }
        // The audit entry is written in the same transaction.
        assert_eq!(imports_in_audit_log(&mut op).await, applied.len());
        outcomes.push((share, answered, found > 0));
    }
    eprintln!("import of {ROWS} rows took {import_time:?}; kills (share of that, answered, applied): {outcomes:?}");
    server.kill9();
    assert_eq!(integrity_check(dir.path()).await, "ok");
}

fn description(n: usize) -> String {
    format!("Anfrage {n}:") + &" Das Mikrofon geht nicht.".repeat(60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpdesk_tickets_answered_before_a_kill_are_there_whole_after_a_restart() {
    const TICKETS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    server.operator().await;
    let mut tokens = Vec::new();
    for _ in 0..TICKETS {
        let body = get(&mut server.client(), "/api/helpdesk/form").await;
        tokens.push(body["formToken"].as_str().unwrap().to_string());
    }
    // Nobody fills in the form faster than the spam check allows.
    tokio::time::sleep(Duration::from_millis(3_200)).await;

    // One after another, 25 ms apart; the kill comes once three are answered.
    let done = Arc::new(AtomicUsize::new(0));
    let filings: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(n, token)| {
            let mut api = server.client();
            let done = done.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(25 * n as u64)).await;
                let ticket = json!({"category": "audioVideo", "description": description(n), "formToken": token});
                let answer = api
                    .send(
                        Method::POST,
                        "/api/helpdesk/tickets",
                        "application/json",
                        ticket.to_string().into_bytes(),
                    )
                    .await;
                done.fetch_add(1, Ordering::SeqCst);
                (n, answer)
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while done.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut op = restart(&mut server).await;
    let mut answered = Vec::new();
    for filing in filings {
        if let (n, Ok((StatusCode::CREATED, body))) = filing.await.unwrap() {
            answered.push((n, body["number"].as_str().unwrap().to_string()));
        }
    }

    let tickets = get(&mut op, "/api/helpdesk/tickets").await;
    let tickets = tickets.as_array().unwrap();
    for (n, number) in &answered {
        let ticket = tickets
            .iter()
            .find(|t| t["number"] == number.as_str())
            .unwrap_or_else(|| panic!("ticket {number} was answered and is lost"));
        assert_eq!(ticket["description"], description(*n));
    }
    for ticket in tickets {
        let text = ticket["description"].as_str().unwrap();
        assert!(
            (0..TICKETS).any(|n| text == description(n)),
            "a ticket is whole: {text:?}"
        );
    }
    assert!(answered.len() >= 3, "{answered:?}");
    eprintln!(
        "tickets: {} answered before the kill, {} there after it (of {TICKETS})",
        answered.len(),
        tickets.len()
    );
    server.kill9();
    assert_eq!(integrity_check(dir.path()).await, "ok");
}

/// The `n`-th settings: every field differs from every other `n`'s.
fn settings(n: i64) -> Value {
    json!({
        "allowedDomains": [format!("schule-{n}.de"), format!("land-{n}.example")],
        "guidanceUrl": format!("https://land.example/anleitung/{n}"),
        "auditRetentionDays": 30 + n,
        "logRetentionDays": 1 + n % 90,
        "helpdeskRetentionDays": 7 + n,
        "deactivatedAccountRetentionDays": 1 + n,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settings_change_killed_midway_leaves_the_last_answered_or_the_next_settings() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let mut op = server.operator().await;
    let (status, body) = op.json(Method::PUT, "/api/settings", settings(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Change after change until the kill; each answered one is recorded.
    let mut api = op.clone();
    let changes = tokio::spawn(async move {
        let mut last_answered = 0;
        for n in 1..600 {
            let body = settings(n).to_string().into_bytes();
            match api
                .send(Method::PUT, "/api/settings", "application/json", body)
                .await
            {
                Ok((StatusCode::OK, _)) => last_answered = n,
                _ => break,
            }
        }
        last_answered
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    op = restart(&mut server).await;
    let last = changes.await.unwrap();
    assert!(last > 0, "some changes were answered before the kill");

    let stored = get(&mut op, "/api/settings").await;
    assert!(
        stored == settings(last) || stored == settings(last + 1),
        "after change {last} was answered: {stored}"
    );
    eprintln!(
        "settings: {last} changes answered before the kill; stored is change {}",
        stored["auditRetentionDays"].as_i64().unwrap() - 30
    );
    server.kill9();
    assert_eq!(integrity_check(dir.path()).await, "ok");
}
