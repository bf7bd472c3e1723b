//! Data protection: each school's documents (PDF parsed back, HTML) carry the
//! school's and the configuration's values; the checklist; a teacher's
//! export and self-deletion; the retention job on SQLite and PostgreSQL; the
//! security headers on every kind of response.

mod control;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use control::{Backend, Client, Env};
use serde_json::{json, Value};
use tower::ServiceExt;

/// GET with the client's session; status, headers and raw body.
async fn raw(env: &Env, c: Option<&Client>, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(Method::GET).uri(path);
    if let Some(cookie) = c.and_then(|c| c.cookie.as_ref()) {
        req = req.header(header::COOKIE, format!("tafelrunde_session={cookie}"));
    }
    let response = env
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

/// The text of every page of a PDF, whitespace collapsed (lines joined).
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    let text = doc.extract_text(&pages).expect("text extracts");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TEMPLATE: &str = r#"{
    "controller": "{schule}, vertreten durch die Schulleitung",
    "operator": "Landesamt für Schul-IT, Hafenstraße 1, 24103 Kiel",
    "dataProtectionOfficer": "Datenschutzteam Schulamt, datenschutz@schulamt.example",
    "legalBasis": "Art. 6 Abs. 1 lit. e DSGVO i. V. m. Paragraph 11 SchulG",
    "hostingLocation": "Rechenzentrum Nord in Norderstedt, Deutschland",
    "supervisoryAuthority": "Unabhängiges Landeszentrum für Datenschutz",
    "imprint": "Landesamt für Schul-IT\nHafenstraße 1\n24103 Kiel"
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_carry_the_school_template_and_settings() {
    let env = Env::new(Backend::Sqlite).await;
    let (mut op, mut admin, mut teacher) = env.school_a().await;

    // Bad input names the field and changes nothing.
    let mut bad: Value = serde_json::from_str(TEMPLATE).unwrap();
    bad["operator"] = json!("x".repeat(501));
    let (status, error) = op.put("/api/privacy/template", bad).await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("operator"))
    );
    let (_, unchanged) = op.get("/api/privacy/template").await;
    assert_eq!(unchanged["operator"], "");
    let (status, _) = admin
        .put(
            "/api/privacy/template",
            serde_json::from_str(TEMPLATE).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = op
        .put(
            "/api/privacy/template",
            serde_json::from_str(TEMPLATE).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, audit) = op.get("/api/audit").await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "privacy.template"));

    // Every document, as PDF and HTML, for the school admin.
    for kind in [
        "info-schueler",
        "info-kinder",
        "info-eltern",
        "info-lehrkraefte",
        "nutzungsordnung",
        "dienstanweisung",
        "verarbeitungsverzeichnis",
        "tom",
    ] {
        let (status, headers, pdf) = raw(
            &env,
            Some(&admin),
            &format!("/api/schools/1111111/documents/{kind}/pdf"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{kind}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert!(pdf.starts_with(b"%PDF-"), "{kind}");
        let text = pdf_text(&pdf);
        assert!(text.contains("Schule am See"), "{kind}: {text}");
        let (status, headers, html) = raw(
            &env,
            Some(&admin),
            &format!("/api/schools/1111111/documents/{kind}/html"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Schule am See, Kiel"), "{kind}");
        assert!(!html.contains("<script"), "{kind}");
    }
    // The configured values are in the documents, umlauts intact.
    let (_, _, pdf) = raw(
        &env,
        Some(&admin),
        "/api/schools/1111111/documents/verarbeitungsverzeichnis/pdf",
    )
    .await;
    let record = pdf_text(&pdf);
    for expected in [
        "Schule am See, Kiel, vertreten durch die Schulleitung",
        "Landesamt für Schul-IT, Hafenstraße 1, 24103 Kiel",
        "datenschutz@schulamt.example",
        "Paragraph 11 SchulG",
        "Rechenzentrum Nord in Norderstedt, Deutschland",
    ] {
        assert!(
            record.contains(expected),
            "missing {expected:?} in {record}"
        );
    }

    // Changing the log retention changes the TOM text.
    let (_, _, pdf) = raw(&env, Some(&admin), "/api/schools/1111111/documents/tom/pdf").await;
    assert!(pdf_text(&pdf).contains("Server-Protokolle (mit gekürzten IP-Adressen): 7 Tage"));
    let (_, mut settings) = op.get("/api/settings").await;
    settings["logRetentionDays"] = json!(14);
    let (status, s) = op.put("/api/settings", settings).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let (_, _, pdf) = raw(&env, Some(&admin), "/api/schools/1111111/documents/tom/pdf").await;
    let tom = pdf_text(&pdf);
    assert!(
        tom.contains("Server-Protokolle (mit gekürzten IP-Adressen): 14 Tage"),
        "{tom}"
    );
    assert!(!tom.contains(": 7 Tage"));

    // Nobody else gets them: a teacher, another school's admin, unknown kinds.
    let (status, _, _) = raw(
        &env,
        Some(&teacher),
        "/api/schools/1111111/documents/tom/pdf",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = raw(&env, Some(&admin), "/api/schools/2222222/documents/tom/pdf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = raw(
        &env,
        Some(&admin),
        "/api/schools/1111111/documents/brief/pdf",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = raw(&env, Some(&op), "/api/schools/2222222/documents/tom/html").await;
    assert_eq!(status, StatusCode::OK);
    let _ = teacher.get("/api/session").await;

    // The public pages for a room's pupils and parents; staff documents stay closed.
    let (status, _, html) = raw(&env, None, "/datenschutz/raum/1111111-7b-LA/info-schueler").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(html).unwrap().contains("Schule am See"));
    let (status, _, _) = raw(&env, None, "/datenschutz/raum/1111111-7b-LA/tom").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A room without a school on Tafelrunde (here: one on BigBlueButton)
    // leads to the service's own privacy page.
    let (status, headers, _) =
        raw(&env, None, "/datenschutz/raum/3333333-7b-LA/info-schueler").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/datenschutz");
    let (status, _, html) = raw(&env, None, "/impressum").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(html).unwrap().contains("Hafenstraße 1"));
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_is_ticked_by_the_school_and_seen_by_the_operator() {
    let env = Env::new(Backend::Sqlite).await;
    let (mut op, mut admin, mut teacher) = env.school_a().await;
    let (status, list) = admin.get("/api/schools/1111111/checklist").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] == "open"));

    let (status, error) = admin
        .put(
            "/api/schools/1111111/checklist/conferenceDecision",
            json!({"status": "done", "decidedOn": "15.09.2026"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("decidedOn"))
    );
    let (_, list) = admin.get("/api/schools/1111111/checklist").await;
    assert_eq!(
        list[0]["status"], "open",
        "a refused change changes nothing"
    );

    let (status, list) = admin
        .put(
            "/api/schools/1111111/checklist/conferenceDecision",
            json!({"status": "done", "decidedOn": "2026-09-15"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        (
            list[0]["status"].as_str(),
            list[0]["decidedOn"].as_str(),
            list[0]["changedBy"].as_str()
        ),
        (Some("done"), Some("2026-09-15"), Some("admin@a.de"))
    );
    let (status, _) = admin
        .put(
            "/api/schools/1111111/checklist/staffCouncil",
            json!({"status": "notNeeded"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin
        .put(
            "/api/schools/1111111/checklist/somethingElse",
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = teacher
        .put(
            "/api/schools/1111111/checklist/staffCouncil",
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.get("/api/schools/2222222/checklist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, all) = op.get("/api/privacy/checklists").await;
    assert_eq!(status, StatusCode::OK);
    let a = all
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school"] == "1111111")
        .unwrap();
    assert_eq!(a["complete"], 2);
    assert_eq!(a["items"][0]["changedBy"], "admin@a.de");
    let b = all
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school"] == "2222222")
        .unwrap();
    assert_eq!(b["complete"], 0);
    let (status, _) = admin.get("/api/privacy/checklists").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, audit) = op.get("/api/audit").await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "privacy.checklist"
            && e["detail"] == "conferenceDecision: done (2026-09-15)"));
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_exports_and_deletes_their_data() {
    let env = Env::new(Backend::Sqlite).await;
    let (mut op, _admin, mut teacher) = env.school_a().await;
    teacher
        .post(
            "/api/rooms",
            json!({"group": "7b", "short": "LA", "password": "geheim123"}),
        )
        .await;
    let (status, headers, body) = raw(&env, Some(&teacher), "/api/me/export").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = String::from_utf8(body).unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["email"], "lehrer@a.de");
    assert_eq!(data["school"]["name"], "Schule am See");
    assert_eq!(data["rooms"][0]["name"], "1111111-7b-LA");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert!(data["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "account.activate"));
    assert!(
        !text.contains("argon2") && !text.contains(teacher.cookie.as_deref().unwrap()),
        "no secrets"
    );

    let (status, error) = teacher
        .request(
            Method::DELETE,
            "/api/me",
            "application/json",
            json!({"email": "jemand@a.de"}).to_string().into(),
        )
        .await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("email"))
    );
    let (status, _) = teacher
        .request(
            Method::DELETE,
            "/api/me",
            "application/json",
            json!({"email": "Lehrer@a.de"}).to_string().into(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, session) = teacher.get("/api/session").await;
    assert!(session["account"].is_null(), "{session}");
    let (_, accounts) = op.get("/api/accounts").await;
    assert!(accounts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["email"] != "lehrer@a.de"));
    let rooms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rooms")
        .fetch_one(env.control.db.pool())
        .await
        .unwrap();
    assert_eq!(rooms, 0);
    let (_, audit) = op.get("/api/audit").await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "account.deleteOwn" && e["target"] == "lehrer@a.de"));
    // The operator cannot delete themselves (another operator does).
    let (status, _) = op
        .request(
            Method::DELETE,
            "/api/me",
            "application/json",
            json!({"email": "betrieb@land.example"}).to_string().into(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    env.close().await;
}

const DAY: i64 = 24 * 3600;

/// Everything the job may touch, each just inside and just past its period.
async fn retention_scenario(backend: Backend) {
    let env = Env::new(backend).await;
    let (mut op, mut admin, _teacher) = env.school_a().await;
    let (_, mut settings) = op.get("/api/settings").await;
    settings["auditRetentionDays"] = json!(30);
    settings["deactivatedAccountRetentionDays"] = json!(10);
    let (status, s) = op.put("/api/settings", settings.clone()).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    // A change that names no periods keeps them.
    let (status, kept) = op
        .put(
            "/api/settings",
            json!({"allowedDomains": ["schule-sh.de"], "guidanceUrl": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(
        (
            kept["auditRetentionDays"].as_i64(),
            kept["deactivatedAccountRetentionDays"].as_i64()
        ),
        (Some(30), Some(10))
    );
    op.put(
        "/api/settings",
        json!({"allowedDomains": [], "guidanceUrl": ""}),
    )
    .await;
    settings["deactivatedAccountRetentionDays"] = json!(0);
    let (status, e) = op.put("/api/settings", settings).await;
    assert_eq!(
        (status, e["error"]["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("deactivatedAccountRetentionDays")
        )
    );

    let mut ids = Vec::new();
    for email in ["alt@a.de", "neu@a.de", "aktiv@a.de"] {
        let (_, created) = admin
            .post("/api/accounts", json!({"email": email, "role": "teacher"}))
            .await;
        ids.push(created["account"]["id"].as_str().unwrap().to_string());
    }
    admin
        .post(&format!("/api/accounts/{}/deactivate", ids[0]), json!({}))
        .await;
    admin
        .post(&format!("/api/accounts/{}/deactivate", ids[1]), json!({}))
        .await;
    let pool = env.control.db.pool();
    let t = tafelrunde::storage::now();
    // Deactivation records its time; reactivation clears it.
    let when = "SELECT deactivated_at FROM accounts WHERE id = $1";
    let at: Option<i64> = sqlx::query_scalar(when)
        .bind(&ids[1])
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(at.is_some_and(|at| (at - t).abs() < 60), "{at:?}");
    admin
        .post(&format!("/api/accounts/{}/deactivate", ids[2]), json!({}))
        .await;
    admin
        .post(&format!("/api/accounts/{}/reactivate", ids[2]), json!({}))
        .await;
    let at: Option<i64> = sqlx::query_scalar(when)
        .bind(&ids[2])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(at, None);
    // alt@: deactivated 11 days ago (past 10); neu@: 9 days ago; aktiv@: old but active.
    for (id, at) in [(&ids[0], t - 11 * DAY), (&ids[1], t - 9 * DAY)] {
        sqlx::query("UPDATE accounts SET deactivated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE accounts SET created_at = $1 WHERE id = $2")
        .bind(t - 400 * DAY)
        .bind(&ids[2])
        .execute(pool)
        .await
        .unwrap();
    for (action, age) in [("old", 31 * DAY), ("recent", 29 * DAY)] {
        sqlx::query("INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, 'x', $2, '')")
            .bind((t - age) * 1000)
            .bind(action)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO tokens (hash, purpose, created_at, expires_at) VALUES ('expired', 'reset', 0, $1)").bind(t - 1).execute(pool).await.unwrap();
    // alt@'s own activation link goes with the account; count the others.
    let others = "SELECT COUNT(*) FROM tokens WHERE account_id IS NULL OR account_id <> $1";
    let tokens_before: i64 = sqlx::query_scalar(others)
        .bind(&ids[0])
        .fetch_one(pool)
        .await
        .unwrap();

    let swept = tafelrunde::storage::retention::run_at(&env.control.db, t)
        .await
        .unwrap();
    assert_eq!(
        (swept.accounts, swept.audit, swept.tokens, swept.sessions),
        (1, 1, 1, 0),
        "{swept:?}"
    );
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM accounts ORDER BY email")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(!emails.contains(&"alt@a.de".to_string()));
    for kept in [
        "neu@a.de",
        "aktiv@a.de",
        "lehrer@a.de",
        "admin@a.de",
        "betrieb@land.example",
    ] {
        assert!(emails.contains(&kept.to_string()), "{kept} was deleted");
    }
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(!actions.contains(&"old".to_string()) && actions.contains(&"recent".to_string()));
    let tokens_after: i64 = sqlx::query_scalar(others)
        .bind(&ids[0])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        tokens_after,
        tokens_before - 1,
        "only the expired link went"
    );
    let deletion: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'account.delete' AND target = 'alt@a.de'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(deletion.contains("10 days"), "{deletion}");
    // A second run finds nothing more.
    let again = tafelrunde::storage::retention::run_at(&env.control.db, t)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    env.close().await;
}

both_databases!(retention_scenario);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_every_kind_of_response() {
    let env = Env::new(Backend::Sqlite).await;
    let (_op, admin, _t) = env.school_a().await;
    let (_, _, index) = raw(&env, None, "/").await;
    let index = String::from_utf8(index).unwrap();
    let asset = index
        .split('"')
        .find(|s| s.starts_with("/assets/"))
        .expect("index.html links an asset")
        .to_string();
    let mut paths: Vec<(&str, u16)> = vec![
        ("/", 200),
        ("/1111111-7b-LA", 200),
        (asset.as_str(), 200),
        ("/assets/gibt-es-nicht.js", 404),
        ("/api/session", 200),
        ("/api/gibt-es-nicht", 404),
        ("/api/accounts", 401),
        ("/api/schools/1111111/documents/tom/pdf", 200),
        ("/datenschutz", 200),
        ("/datenschutz/raum/9999999-x-y", 303),
        ("/datenschutz/raum/1111111-7b-LA/gibt-es-nicht", 404),
        ("/healthz", 200),
    ];
    // An error of the framework itself (a query it cannot parse), not of a handler.
    paths.push(("/api/accounts?kaputt=1", 400));
    for (path, expected) in paths {
        let (status, h, _) = raw(
            &env,
            Some(&admin).filter(|_| path.contains("documents") || path.contains("kaputt")),
            path,
        )
        .await;
        assert_eq!(status.as_u16(), expected, "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{path}");
        assert!(
            csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=(self), microphone=(self), display-capture=(self)"),
            "{path}"
        );
        // The test server's public address is https.
        assert_eq!(h["strict-transport-security"], "max-age=31536000", "{path}");
    }
    env.close().await;
}

/// A room's admission (so that pupils skip the lobby after a restart) is
/// kept as a hash only, ends when they leave for good, and is deleted by the
/// retention job two hours after they last entered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_admissions_are_hashed_forgotten_on_leaving_and_swept_after_two_hours() {
    use tafelrunde::rooms::admissions;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let env = Env::new(backend).await;
        let db = &env.control.db;
        let room = "1234567-7b-MUE";
        let pupil = "device:AAAAAAAAAAAAAAAAAAAAAA";
        admissions::remember(db, room, pupil).await.unwrap();
        admissions::remember(db, room, pupil).await.unwrap();
        assert!(admissions::admitted(db, room, pupil).await.unwrap());
        assert!(!admissions::admitted(db, "1234567-7c-MUE", pupil)
            .await
            .unwrap());
        assert!(
            !admissions::admitted(db, room, "device:BBBBBBBBBBBBBBBBBBBBBB")
                .await
                .unwrap()
        );
        let stored: Vec<String> = sqlx::query_scalar("SELECT person FROM room_admissions")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "one row per room and person");
        assert!(
            !stored[0].contains("AAAAAAAA"),
            "only a hash: {}",
            stored[0]
        );

        admissions::forget(db, room, pupil).await.unwrap();
        assert!(!admissions::admitted(db, room, pupil).await.unwrap());

        admissions::remember(db, room, pupil).await.unwrap();
        let now = tafelrunde::storage::now();
        tafelrunde::storage::retention::run_at(db, now + admissions::KEPT_FOR - 60)
            .await
            .unwrap();
        assert!(
            admissions::admitted(db, room, pupil).await.unwrap(),
            "kept within 2 h"
        );
        tafelrunde::storage::retention::run_at(db, now + admissions::KEPT_FOR + 1)
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM room_admissions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(left, 0, "swept after 2 h");
        env.close().await;
    }
}
