//! The Tafelrunde server: control plane (web pages, signaling) around the
//! media plane of `tafelrunde-sfu`. The `tafelrunde` binary is a thin CLI on
//! top; tests use [`app::app`] directly.

pub mod accounts;
pub mod api;
pub mod app;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod control;
pub mod cookies;
pub mod cpu;
pub mod device;
pub mod helpdesk;
pub mod limits;
pub mod logging;
pub mod mail;
pub mod pii;
pub mod privacy;
pub mod room_access;
pub mod rooms;
pub mod schools;
pub mod serve;
pub mod settings;
pub mod signaling;
pub mod storage;
pub mod tables;
pub mod turn;
