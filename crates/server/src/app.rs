//! The HTTP application: pages, the signaling WebSocket, health.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use tafelrunde_sfu::RoomHost;
use tokio::sync::watch;

use crate::turn::TurnConfig;
use crate::{assets, signaling};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Where rooms live (this process's media plane).
    pub rooms: Arc<dyn RoomHost>,
    /// Becomes true when the server begins to shut down.
    pub shutting_down: watch::Receiver<bool>,
    /// TURN servers handed to browsers.
    pub turn: Arc<TurnConfig>,
    /// Schools, accounts and rooms (None: rooms by link only, no `/api`).
    pub control: Option<Arc<crate::control::Control>>,
    /// Where hashing, spreadsheet parsing and PDF rendering run (never on
    /// the async workers).
    pub cpu: crate::cpu::CpuPool,
}

/// The whole application, without a socket (tests call it with `oneshot`).
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(signaling::router())
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::api::router())
        .merge(crate::privacy::pages::router())
        .fallback(assets::serve)
        // Pages hand out the pseudonymous device cookie (see crate::device).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::device::ensure_cookie,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            assets::security_headers,
        ))
        .with_state(state)
}
