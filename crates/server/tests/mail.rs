//! With SMTP configured, activation and reset links are mailed (`lettre`),
//! here to a minimal SMTP server of the test's own on a loopback port.

mod control;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use control::{Backend, Env, SCHOOLS_CSV};

/// Accepts every mail and keeps its data.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store.lock().unwrap().push(data);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// Undoes quoted-printable soft line breaks and `=3D`, enough to find a link.
fn unfold(mail: &str) -> String {
    mail.replace("=\n", "").replace("=3D", "=")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_and_reset_links_are_mailed() {
    let (port, mails) = fake_smtp().await;
    let smtp = tafelrunde::mail::SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: "none".into(),
        from: "Tafelrunde <noreply@land.example>".into(),
        ..Default::default()
    };
    let mailer = tafelrunde::mail::Mailer::new(&smtp).unwrap();
    assert!(mailer.is_some());
    let env = Env::with_mailer(Backend::Sqlite, mailer).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    let (status, created) = op
        .post(
            "/api/accounts",
            json!({"email": "lehrerin@schule-sh.de", "role": "teacher", "school": "1111111"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["mailed"], true, "{created}");
    let link = created["activationLink"].as_str().unwrap();
    let mail = unfold(&mails.lock().unwrap()[0]);
    assert!(mail.contains("To: lehrerin@schule-sh.de"), "{mail}");
    assert!(
        mail.contains(link),
        "the mail holds the activation link:\n{mail}"
    );

    // Self-service reset: mailed for an active account, and the answer is the same for unknown addresses.
    let token = control::token_of(link);
    env.client()
        .post(
            "/api/activate",
            json!({"token": token, "password": "lehrerin-passwort"}),
        )
        .await;
    let (status, _) = env
        .client()
        .post(
            "/api/password-reset",
            json!({"email": "lehrerin@schule-sh.de"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = env
        .client()
        .post(
            "/api/password-reset",
            json!({"email": "niemand@schule-sh.de"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let all = mails.lock().unwrap().clone();
    assert_eq!(
        all.len(),
        2,
        "one activation and one reset mail, none for the unknown address"
    );
    assert!(
        unfold(&all[1]).contains("https://tafelrunde.test/reset#"),
        "{}",
        all[1]
    );
    env.close().await;
}

#[test]
fn bad_smtp_settings_are_named() {
    let bad = tafelrunde::mail::SmtpConfig {
        host: "x".into(),
        from: "kein adresse".into(),
        ..Default::default()
    };
    assert!(tafelrunde::mail::Mailer::new(&bad)
        .unwrap_err()
        .contains("smtp.from"));
    let bad = tafelrunde::mail::SmtpConfig {
        host: "x".into(),
        from: "a@b.de".into(),
        security: "ssl".into(),
        ..Default::default()
    };
    assert!(tafelrunde::mail::Mailer::new(&bad)
        .unwrap_err()
        .contains("smtp.security"));
}
