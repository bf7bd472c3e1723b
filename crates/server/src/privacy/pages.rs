//! Public pages without an account: the service's privacy information
//! (`/datenschutz`), the imprint (`/impressum`), and the documents for
//! pupils and parents of a room's school (`/datenschutz/raum/{room}/…`; a
//! room's name starts with its school's Dienststellennummer). The pre-join
//! screen and the footer of every page link here.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::document::{self, Block};
use super::html::{self, escape};
use super::kinds::DocKind;
use crate::app::AppState;
use crate::schools::{SchoolId, Service};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/datenschutz", get(service_page))
        .route("/impressum", get(imprint))
        .route(html::CSS_PATH, get(css))
        .route("/datenschutz/raum/{room}", get(room_index))
        .route("/datenschutz/raum/{room}/{kind}", get(room_document))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html::CSS,
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(html::page(
            "Nicht gefunden",
            &format!(
                "<h1>Nicht gefunden</h1>\n<p>{}</p>\n<p><a href=\"/datenschutz\">Datenschutzinformation des Dienstes</a></p>",
                escape(what)
            ),
        )),
    )
        .into_response()
}

async fn service_page(State(state): State<AppState>) -> Response {
    let Some(c) = state.control.as_deref() else {
        return Html(html::page(
            "Datenschutz",
            "<h1>Datenschutz</h1><p>Bild, Ton und Chat werden nicht gespeichert.</p>",
        ))
        .into_response();
    };
    let (Ok(settings), Ok(t)) = (
        crate::settings::load(&c.db).await,
        super::template::load(&c.db).await,
    ) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "database error").into_response();
    };
    let f = super::facts::Facts::from_state(&state, &settings);
    let blocks = vec![
        Block::Para("Tafelrunde ist das Videokonferenzsystem für die Schulen des Landes. Verantwortlich für eine Konferenz ist die Schule, die dazu einlädt; ihre Datenschutzinformation und Nutzungsordnung sind auf der Beitrittsseite jedes Raums verlinkt.".into()),
        Block::Pairs(vec![
            ("Betrieb des Dienstes".into(), document::or_missing(&t.operator)),
            ("Datenschutzbeauftragte/r".into(), document::or_missing(&t.data_protection_officer)),
            ("Standort der Server".into(), document::or_missing(&t.hosting_location)),
            ("Aufsichtsbehörde".into(), document::or_missing(&t.supervisory_authority)),
        ]),
        Block::Heading("Was gespeichert wird – und was nicht".into()),
        Block::Para(document::encryption_sentence(&f)),
        Block::Para(document::turn_sentence(&f)),
        Block::List(document::retention_items(&f)),
        Block::Para("Die Seiten laden nichts von fremden Servern, und das Nutzungsverhalten wird nicht ausgewertet.".into()),
        Block::Heading("Cookies".into()),
        Block::Para(document::COOKIE_BASIS.into()),
        Block::List(document::cookie_items(&f)),
    ];
    let doc = document::Doc {
        kind: DocKind::InfoPupils,
        title: "Datenschutz bei Tafelrunde".into(),
        school_line: f.public_url.clone(),
        blocks,
        footer: format!("Stand: {}.", document::today()),
    };
    Html(html::render(&doc).replace(
        "<footer>",
        "<p><a href=\"/impressum\">Impressum</a></p>\n<footer>",
    ))
    .into_response()
}

async fn imprint(State(state): State<AppState>) -> Response {
    let text = match state.control.as_deref() {
        Some(c) => super::template::load(&c.db)
            .await
            .map(|t| t.imprint)
            .unwrap_or_default(),
        None => String::new(),
    };
    let text = document::or_missing(&text);
    Html(html::page(
        "Impressum",
        &format!(
            "<h1>Impressum</h1>\n<p>{}</p>\n<p><a href=\"/datenschutz\">Datenschutz</a></p>",
            escape(&text).replace('\n', "<br>")
        ),
    ))
    .into_response()
}

/// A room without a school on Tafelrunde (an open room, a connection test,
/// a mistyped name): the service's own privacy page is what applies.
fn to_service_page() -> Response {
    Redirect::to("/datenschutz").into_response()
}

/// The school of a room on Tafelrunde, from the room's name.
async fn school_of(state: &AppState, room: &str) -> Option<String> {
    let c = state.control.as_deref()?;
    let id = SchoolId::parse(room.split('-').next()?)?;
    let school = crate::schools::get(&c.db, &id.0).await.ok()??;
    (school.service == Service::Tafelrunde).then_some(id.0)
}

async fn room_index(State(state): State<AppState>, Path(room): Path<String>) -> Response {
    let Some(school) = school_of(&state, &room).await else {
        return to_service_page();
    };
    let name = match state.control.as_deref() {
        Some(c) => crate::schools::get(&c.db, &school)
            .await
            .ok()
            .flatten()
            .map(|s| format!("{}, {}", s.name, s.town))
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut body = format!(
        "<h1>Datenschutz und Nutzungsordnung</h1>\n<p class=\"school\">{}</p>\n<nav><ul>\n",
        escape(&name)
    );
    for kind in DocKind::ALL.into_iter().filter(|k| k.is_public()) {
        body.push_str(&format!(
            "<li><a href=\"/datenschutz/raum/{}/{}\">{}</a></li>\n",
            escape(&room),
            kind.slug(),
            escape(kind.title())
        ));
    }
    body.push_str("</ul></nav>\n<p><a href=\"/datenschutz\">Datenschutz des Dienstes</a> · <a href=\"/impressum\">Impressum</a></p>");
    Html(html::page("Datenschutz und Nutzungsordnung", &body)).into_response()
}

async fn room_document(
    State(state): State<AppState>,
    Path((room, kind)): Path<(String, String)>,
) -> Response {
    let Some(kind) = DocKind::parse(&kind).filter(|k| k.is_public()) else {
        return not_found("Dieses Dokument gibt es hier nicht.");
    };
    let Some(school) = school_of(&state, &room).await else {
        return to_service_page();
    };
    match super::generate(&state, &school, kind).await {
        Ok(doc) => Html(html::render(&doc)).into_response(),
        Err(e) => e.into_response(),
    }
}
