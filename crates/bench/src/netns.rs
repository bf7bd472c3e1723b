//! A private network namespace for the run, so that Janus (which never offers
//! loopback candidates) can offer 127.0.0.2 on a veth of our own. The
//! namespace holds only loopback and that veth pair; it disappears when the
//! last process in it (this one and its children) ends.

use std::process::Command;

use anyhow::{bail, Context as _};

/// The interface Janus gathers its candidate on.
pub const JANUS_INTERFACE: &str = "tfb0";

/// Move this process into a new network namespace with loopback up and a
/// veth pair whose end `tfb0` carries 127.0.0.2/32. Must be called before any
/// thread is started (a namespace is a per-thread attribute at first).
pub fn enter_private() -> anyhow::Result<()> {
    // SAFETY: unshare(2) with a flag; no memory is involved.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        bail!(
            "cannot make a network namespace: {}",
            std::io::Error::last_os_error()
        );
    }
    ip(&["link", "set", "lo", "up"])?;
    ip(&[
        "link",
        "add",
        JANUS_INTERFACE,
        "type",
        "veth",
        "peer",
        "name",
        "tfb1",
    ])?;
    ip(&["addr", "add", "127.0.0.2/32", "dev", JANUS_INTERFACE])?;
    ip(&["link", "set", JANUS_INTERFACE, "up"])?;
    ip(&["link", "set", "tfb1", "up"])?;
    Ok(())
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("running ip")?;
    if !out.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Why Janus cannot run here, if it cannot.
pub fn janus_unavailable() -> Option<String> {
    // (`janus --version` prints its version but exits with 1.)
    let installed = Command::new("janus").arg("--help").output().is_ok();
    if !installed {
        return Some("janus is not installed (apt-get install -y janus)".into());
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root: no network namespace for Janus' 127.0.0.2 candidate".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("iproute2 (ip) is missing".into());
    }
    None
}
