//! Names people read, through the real API: account addresses and saved
//! room names refuse characters that are invisible, turn the text around
//! or only look like Latin letters (display names: tests/signaling.rs).

mod control;

use axum::http::StatusCode;
use serde_json::json;

use control::{Backend, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_addresses_with_invisible_or_direction_changing_characters_are_refused() {
    let env = Env::new(Backend::Sqlite).await;
    let (_op, mut admin, _teacher) = env.school_a().await;
    for email in [
        // The override turns what follows around when shown.
        "leitung\u{202E}@a.de",
        "lehrer\u{200B}in@a.de",
        "lehrerin@a.de\u{2066}",
        "\u{FEFF}lehrerin@a.de",
    ] {
        let (status, body) = admin
            .post(
                "/api/accounts",
                json!({"email": email, "role": "teacher", "school": "1111111"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{email:?}: {body}");
        assert_eq!(body["error"]["field"], "email", "{email:?}: {body}");
    }
    // In a list, the line is named and nothing of the list is created.
    let list = "E-Mail\nanna@a.de\nben\u{200B}@a.de\n";
    let (status, body) = admin
        .upload("/api/accounts/bulk?school=1111111", list.as_bytes())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, accounts) = admin.get("/api/accounts").await;
    assert!(
        !accounts.to_string().contains("anna@a.de"),
        "nothing of the list was created: {accounts}"
    );
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookalike_of_a_room_name_cannot_be_saved() {
    let env = Env::new(Backend::Sqlite).await;
    let (_op, _admin, mut teacher) = env.school_a().await;
    for (group, short, field) in [
        ("7b", "MU\u{0415}", "short"),  // Cyrillic Е
        ("\u{FF17}b", "MUE", "group"),  // full-width 7
        ("7b", "M\u{200B}UE", "short"), // zero-width space
    ] {
        let (status, body) = teacher
            .post("/api/rooms", json!({"group": group, "short": short}))
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{group:?} {short:?}: {body}"
        );
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let (status, body) = teacher
        .post("/api/rooms", json!({"group": "7b", "short": "MÜL"}))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "German umlauts are letters: {body}"
    );
    env.close().await;
}
