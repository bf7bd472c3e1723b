//! `tafelrunde serve`: start the media plane and the web server, and stop
//! both cleanly on SIGINT or SIGTERM.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use tafelrunde_sfu::MediaPlane;
use tokio::sync::watch;
use tracing::info;

use crate::app::{app, AppState};
use crate::config::Config;

/// How long open connections get to close after the participants were told.
const DRAIN: Duration = Duration::from_secs(5);

pub fn run(config: Config) -> anyhow::Result<()> {
    let media =
        Arc::new(MediaPlane::start(&config.media_config()).context("starting the media plane")?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, media))
}

async fn serve(config: Config, media: Arc<MediaPlane>) -> anyhow::Result<()> {
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let drain_rx = shutdown_rx.clone();
    let listener = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.http.listen))?;
    let addr = listener.local_addr()?;
    let tls = config
        .http
        .tls_cert
        .as_ref()
        .zip(config.http.tls_key.as_ref());
    let scheme = if tls.is_some() { "https" } else { "http" };
    let control = open_control(&config, &format!("{scheme}://{addr}")).await?;
    let state = AppState {
        rooms: media.clone(),
        shutting_down: shutdown_rx,
        turn: Arc::new(config.turn.clone()),
        control: Some(control.clone()),
        cpu: crate::cpu::CpuPool::for_this_machine(),
    };
    let router = app(state);
    announce(
        &format!("tafelrunde: listening on {scheme}://{addr}"),
        &media,
    );
    info!(%addr, scheme, "web server listening");
    print_setup_link(&control).await?;

    // On a signal: refuse new joins, say goodbye to every participant, stop the shards.
    let stop = {
        let media = media.clone();
        async move {
            wait_for_signal().await;
            info!("shutting down");
            let _ = shutdown_tx.send(true);
            let _ = tokio::task::spawn_blocking(move || media.shutdown()).await;
        }
    };

    match tls {
        None => {
            let server = axum::serve(
                listener.tap_io(no_delay),
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(stop);
            tokio::select! {
                result = server => result.context("web server failed")?,
                _ = drain_deadline(drain_rx) => info!("connections did not close in time"),
            }
        }
        Some((cert, key)) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "cannot load TLS certificate {} / key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            let handle = axum_server::Handle::new();
            let shutdown = handle.clone();
            tokio::spawn(async move {
                stop.await;
                shutdown.graceful_shutdown(Some(DRAIN));
            });
            axum_server::from_tcp_rustls(listener.into_std()?, tls)
                .map(|tls| tls.acceptor(axum_server::accept::NoDelayAcceptor::new()))
                .handle(handle)
                .serve(router.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await
                .context("web server failed")?;
        }
    }
    info!("stopped");
    Ok(())
}

/// Signaling is many small messages (a `mute`, then an offer; `joined`, then
/// the tracks): with Nagle's algorithm the second waits for the peer's
/// delayed acknowledgement, 40 ms on Linux, in every join.
fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
    }
}

/// The database and what lives in it (schools, accounts, rooms).
async fn open_control(
    config: &Config,
    listening_url: &str,
) -> anyhow::Result<Arc<crate::control::Control>> {
    let public_url = if config.accounts.public_url.is_empty() {
        listening_url
    } else {
        &config.accounts.public_url
    };
    let mailer = crate::mail::Mailer::new(&config.smtp).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut control = crate::control::Control::open(&config.storage.url(), public_url, mailer)
        .await
        .context("opening the database")?;
    control.oidc = crate::auth::oidc::Oidc::new(&config.oidc, &control.public_url);
    control.trusted_proxies =
        crate::client_ip::TrustedProxies::parse(&config.http.trusted_proxies)?;
    control.open_rooms = config.rooms.open;
    control.sockets_per_network = config.http.sockets_per_network;
    info!(database = ?control.db.kind(), "database ready");
    crate::storage::retention::spawn(control.db.clone());
    Ok(Arc::new(control))
}

/// With no operator yet, a one-time link to create the first one. It goes to
/// standard output only (for the person starting the service), never into
/// the log.
async fn print_setup_link(control: &crate::control::Control) -> anyhow::Result<()> {
    let link = crate::accounts::lifecycle::setup_link(&control.db, &control.public_url)
        .await
        .map_err(|e| anyhow::anyhow!("creating the setup link: {}", e.message))?;
    if let Some(link) = link {
        info!("no operator account yet: the setup link was printed to standard output");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "tafelrunde: no operator yet; create the first one within 7 days at (once): {link}"
        );
        let _ = out.flush();
    }
    Ok(())
}

/// Scripts and tests read these lines to find the ports.
fn announce(listening: &str, media: &MediaPlane) {
    let list = |addrs: &[std::net::SocketAddr]| {
        addrs
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{listening}");
    let _ = writeln!(
        out,
        "tafelrunde: media udp={} tcp={}",
        list(media.udp_addrs()),
        list(media.tcp_addrs())
    );
    let _ = out.flush();
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Resolves DRAIN after the shutdown began, so that a connection that never
/// closes cannot keep the process alive.
async fn drain_deadline(mut shutting_down: watch::Receiver<bool>) {
    let _ = shutting_down.wait_for(|down| *down).await;
    tokio::time::sleep(DRAIN).await;
}
