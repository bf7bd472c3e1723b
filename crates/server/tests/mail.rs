//! With SMTP configured, activation and reset links are mailed (`lettre`),
//! here to a minimal SMTP server of the test's own on a loopback port.

mod control;

use axum::http::StatusCode;
use serde_json::json;

use control::smtp::fake_smtp;
use control::{Backend, Env, SCHOOLS_CSV};

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
    // The reset mail goes out in the background (the answer does not wait,
    // so it takes as long for a known as for an unknown address).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while mails.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
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
