//! What the privacy texts promise, the server keeps: every cookie the pages
//! set is named (with purpose and lifetime) on `/datenschutz` and in the
//! information for pupils and parents, and the database on disk is readable
//! by the server's own user only.

mod control;

use axum::body::Body;
use axum::http::{header, Method, Request};
use control::{Backend, Env};
use tower::ServiceExt;

/// The names of the cookies a response sets, and its body as text.
async fn get(env: &Env, path: &str) -> (Vec<String>, String) {
    let request = Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    let response = env.router.clone().oneshot(request).await.unwrap();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_string())
        .collect();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (cookies, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_privacy_texts_name_every_cookie_a_guest_gets() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", control::SCHOOLS_CSV.as_bytes())
        .await;
    // What a guest's browser receives on the way into a room.
    let mut guest_cookies = Vec::new();
    for page in ["/", "/r/1111111-7b-MUE", "/datenschutz"] {
        guest_cookies.extend(get(&env, page).await.0);
    }
    guest_cookies.sort();
    guest_cookies.dedup();
    assert_eq!(guest_cookies, ["tafelrunde_device"], "the pages set it");

    let (_, service) = get(&env, "/datenschutz").await;
    assert!(
        !service.contains("keine Cookies"),
        "the page must not deny the cookies it sets: {service}"
    );
    let room = "/datenschutz/raum/1111111-7b-MUE";
    let (_, pupils) = get(&env, &format!("{room}/info-schueler")).await;
    let (_, parents) = get(&env, &format!("{room}/info-eltern")).await;
    for (what, text) in [
        ("/datenschutz", &service),
        ("info-schueler", &pupils),
        ("info-eltern", &parents),
    ] {
        for cookie in &guest_cookies {
            assert!(
                text.contains(cookie.as_str()),
                "{what} does not name {cookie}"
            );
        }
        for said in ["Zweck", "Browser", "technisch notwendig", "TDDDG"] {
            assert!(
                text.contains(said),
                "{what} does not say {said:?} about the cookie"
            );
        }
    }
    // So is every cookie a login hands out.
    let login = Request::builder()
        .method(Method::POST)
        .uri("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"email": "betrieb@land.example", "password": "operator-passwort-1"}"#,
        ))
        .unwrap();
    let response = env.router.clone().oneshot(login).await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    let login_cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_string())
        .collect();
    assert!(login_cookies.contains(&"tafelrunde_session".to_string()));
    for cookie in &login_cookies {
        assert!(
            service.contains(cookie.as_str()),
            "/datenschutz does not name {cookie}"
        );
    }
    env.close().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_its_folder_are_readable_by_the_server_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = tafelrunde::storage::sqlite_url(&data);
    let db = tafelrunde::storage::Db::open(&url).await.unwrap();
    sqlx::query("INSERT INTO audit_log (at, actor, action, detail) VALUES (1, 'x', 'y', 'z')")
        .execute(db.pool())
        .await
        .unwrap();
    let files = ["tafelrunde.db", "tafelrunde.db-wal", "tafelrunde.db-shm"];
    assert_eq!(mode(&data), 0o700, "the data folder");
    for file in files {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    db.close().await;

    // A database of an earlier version, left world-readable, is tightened
    // when the server opens it.
    for file in files {
        let path = data.join(file);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let db = tafelrunde::storage::Db::open(&url).await.unwrap();
    for file in files {
        let path = data.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file} after reopening");
        }
    }
    db.close().await;
}
