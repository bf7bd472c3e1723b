//! The SFUs under test as child processes: Tafelrunde (`tafelrunde serve`)
//! and Janus (with a configuration of its own), each pinned to one core, and
//! stopped again at the end whatever happens.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};

/// A running SFU.
pub struct SfuProcess {
    pub name: &'static str,
    pub child: Child,
    pub ws_url: String,
    pub log: PathBuf,
}

impl SfuProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then SIGKILL after 5 s.
    pub fn stop(mut self) {
        terminate(&mut self.child);
    }
}

impl Drop for SfuProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn terminate(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `taskset -c CPU program …`, or the program alone when not pinning.
fn pinned(program: &Path, cpu: Option<usize>) -> Command {
    match cpu {
        Some(cpu) => {
            let mut c = Command::new("taskset");
            c.arg("-c").arg(cpu.to_string()).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Where the `tafelrunde` binary is: the option, then beside this program,
/// then the workspace's target folders.
pub fn find_tafelrunde(option: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = option {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        bail!(
            "the tafelrunde binary {} does not exist (set by --tafelrunde-bin or TAFELRUNDE_BIN)",
            p.display()
        );
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            candidates.push(dir.join("tafelrunde"));
            candidates.push(dir.join("../tafelrunde"));
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    candidates.push(root.join("target/release/tafelrunde"));
    candidates.push(root.join("target/debug/tafelrunde"));
    candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        anyhow!("no tafelrunde binary found: build it (`cargo build --release -p tafelrunde`) or set TAFELRUNDE_BIN")
    })
}

/// Copy a child's output into a log file, line by line; the lines are also
/// offered on the returned channel until it is dropped.
fn drain(reader: impl std::io::Read + Send + 'static, log: PathBuf) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .ok();
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if let Some(f) = &mut file {
                let _ = writeln!(f, "{line}");
            }
            let _ = tx.send(line);
        }
    });
    rx
}

/// Start `tafelrunde serve` on loopback with one media shard.
pub fn start_tafelrunde(
    bin: &Path,
    cpu: Option<usize>,
    max_room_size: usize,
    dir: &Path,
    extra: &[String],
) -> anyhow::Result<SfuProcess> {
    // It runs in `dir`: absolute paths, then.
    let bin = bin
        .canonicalize()
        .with_context(|| format!("{}", bin.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("{}", dir.display()))?;
    let log = dir.join("tafelrunde.log");
    let mut child = pinned(&bin, cpu)
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--media-address",
            "127.0.0.1",
            "--media-udp-port",
            "0",
        ])
        .args(["--no-media-tcp", "--shards", "1", "--log", "warn"])
        // Free room names; the first one in (the teacher) owns the room.
        .arg("--open-rooms")
        .arg("--max-room-size")
        .arg(max_room_size.max(2).to_string())
        .args(extra)
        // Every synthetic client comes from 127.0.0.1: one client network,
        // whose share of signaling sockets (256 by default) a storm of 300
        // would exceed. An environment variable, so that older binaries,
        // which do not know the setting, still start.
        .env("TAFELRUNDE_SOCKETS_PER_NETWORK", "100000")
        // Whatever it keeps on disk (its database) stays in our work folder.
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let lines = drain(child.stdout.take().expect("piped"), log.clone());
    drain(child.stderr.take().expect("piped"), log.clone());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut http = None;
    while Instant::now() < deadline {
        match lines.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix("tafelrunde: listening on http://") {
                    http = Some(rest.trim().to_string());
                }
                if line.starts_with("tafelrunde: media udp=") && http.is_some() {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = child.try_wait() {
                    bail!(
                        "tafelrunde exited at start ({status}); see {}",
                        log.display()
                    );
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                bail!("tafelrunde closed its output; see {}", log.display())
            }
        }
    }
    let http = http.ok_or_else(|| {
        anyhow!(
            "tafelrunde did not announce its address; see {}",
            log.display()
        )
    })?;
    Ok(SfuProcess {
        name: "tafelrunde",
        child,
        ws_url: format!("ws://{http}/ws"),
        log,
    })
}

/// Write a Janus configuration of our own: only the VideoRoom plugin and the
/// WebSocket transport on loopback, ICE-lite, candidates on `interface` only.
pub fn write_janus_config(
    dir: &Path,
    ws_port: u16,
    interface: &str,
    event_loops: usize,
) -> anyhow::Result<()> {
    let lib = Path::new("/usr/lib/x86_64-linux-gnu/janus");
    let plugins = dir.join("plugins");
    let transports = dir.join("transports");
    fs::create_dir_all(&plugins)?;
    fs::create_dir_all(&transports)?;
    for (folder, name) in [
        (&plugins, "plugins/libjanus_videoroom.so"),
        (&transports, "transports/libjanus_websockets.so"),
    ] {
        let link = folder.join(Path::new(name).file_name().expect("file name"));
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(lib.join(name), &link)?;
    }
    let general = format!(
        "general: {{\n  configs_folder = \"{d}\"\n  plugins_folder = \"{p}\"\n  transports_folder = \"{t}\"\n  \
         events_folder = \"{d}/none\"\n  loggers_folder = \"{d}/none\"\n  debug_level = 3\n  session_timeout = 120\n  \
         event_loops = {event_loops}\n}}\nmedia: {{\n  rtp_port_range = \"20000-60000\"\n}}\n\
         nat: {{\n  ice_lite = true\n  ice_enforce_list = \"{interface}\"\n  ignore_mdns = true\n  nice_debug = {debug}\n}}\n\
         plugins: {{\n}}\ntransports: {{\n}}\nloggers: {{\n}}\nevents: {{\n  broadcast = false\n}}\n",
        d = dir.display(),
        p = plugins.display(),
        t = transports.display(),
        debug = std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some(),
    );
    fs::write(dir.join("janus.jcfg"), general)?;
    fs::write(
        dir.join("janus.transport.websockets.jcfg"),
        format!(
            "general: {{\n  json = \"plain\"\n  ws = true\n  ws_port = {ws_port}\n  ws_ip = \"127.0.0.1\"\n  wss = false\n}}\n\
             admin: {{\n  admin_ws = false\n  admin_wss = false\n}}\n"
        ),
    )?;
    fs::write(dir.join("janus.plugin.videoroom.jcfg"), "general: {\n}\n")?;
    Ok(())
}

/// Start Janus with the configuration in `dir`; ready when its WebSocket port accepts.
pub fn start_janus(dir: &Path, cpu: Option<usize>, ws_port: u16) -> anyhow::Result<SfuProcess> {
    let log = dir.join("janus.log");
    let mut child = pinned(Path::new("janus"), cpu)
        .arg("-F")
        .arg(dir)
        .args([
            "-o",
            "-d",
            if std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some() {
                "5"
            } else {
                "3"
            },
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting janus")?;
    drain(child.stdout.take().expect("piped"), log.clone());
    drain(child.stderr.take().expect("piped"), log.clone());
    let addr: SocketAddr = ([127, 0, 0, 1], ws_port).into();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            bail!("janus exited at start ({status}); see {}", log.display());
        }
        if Instant::now() > deadline {
            terminate(&mut child);
            bail!(
                "janus did not open its WebSocket port; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(SfuProcess {
        name: "janus",
        child,
        ws_url: format!("ws://127.0.0.1:{ws_port}"),
        log,
    })
}

/// Pin this process (all its threads) to one core.
pub fn pin_self(cpu: usize) -> anyhow::Result<()> {
    let status = Command::new("taskset")
        .args([
            "-a",
            "-c",
            "-p",
            &cpu.to_string(),
            &std::process::id().to_string(),
        ])
        .stdout(Stdio::null())
        .status()
        .context("taskset")?;
    if !status.success() {
        bail!("taskset failed: {status}");
    }
    Ok(())
}
