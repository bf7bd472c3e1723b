//! The Tafelrunde server: control plane (web pages, signaling) around the
//! media plane of `tafelrunde-sfu`. The `tafelrunde` binary is a thin CLI on
//! top; tests use [`app::app`] directly.

pub mod app;
pub mod assets;
pub mod config;
pub mod logging;
pub mod serve;
pub mod signaling;
pub mod turn;
