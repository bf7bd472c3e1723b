//! One benchmark run: start an SFU, join the scenario's participants, warm
//! up, measure windows of fixed length, stop everything.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::options::Options;
use crate::procfs;
use crate::scenario::Plan;
use crate::sfu::SfuProcess;
use crate::stats::{Counters, SharedStats, Stats};
use crate::{janus, tafelrunde};

/// Where the run is; participants follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Run,
    ScreenShare,
    Stop,
}

/// What every participant task gets.
#[derive(Clone)]
pub struct Ctx {
    pub stats: SharedStats,
    pub phase: watch::Receiver<Phase>,
    /// The address the synthetic clients' sockets bind to.
    pub ip: IpAddr,
    pub keyframe_interval: Option<Duration>,
    pub simulcast: bool,
    pub seed: u64,
}

/// Which SFU (they differ only in signaling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Tafelrunde,
    Janus,
}

/// The difference of two snapshots: one measured window.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub secs: f64,
    pub sfu_cpu_secs: f64,
    pub load_cpu_secs: f64,
    pub counters: Counters,
    pub delay_p50_us: u64,
    pub delay_p99_us: u64,
    pub delay_max_us: u64,
    pub impaired_delay_p50_us: u64,
    pub impaired_delay_p99_us: u64,
    /// SFU resident memory at the end of the window.
    pub rss_kib: u64,
    /// Datagrams dropped by full receive buffers: the SFU's sockets, the others (the clients').
    pub sfu_udp_drops: u64,
    pub client_udp_drops: u64,
}

/// Everything measured against one SFU.
#[derive(Debug, Clone, Default)]
pub struct TargetResult {
    pub name: String,
    pub participants: usize,
    pub joined: u64,
    pub join_failures: u64,
    pub join_phase_secs: f64,
    pub windows: Vec<Window>,
    pub join_first_packet_ms: (u64, u64),
    pub join_first_video_ms: (u64, u64),
    pub track_first_packet_ms: (u64, u64),
    pub max_keyframe_requests_per_500ms: u64,
    pub rss_idle_kib: u64,
    pub rss_peak_kib: u64,
    pub errors: Vec<String>,
}

fn sub(a: Counters, b: Counters) -> Counters {
    Counters {
        sent: a.sent - b.sent,
        received: a.received - b.received,
        received_bytes: a.received_bytes - b.received_bytes,
        expected: a.expected - b.expected,
        received_counted: a.received_counted - b.received_counted,
        expected_impaired: a.expected_impaired - b.expected_impaired,
        received_impaired: a.received_impaired - b.received_impaired,
        keyframe_requests: a.keyframe_requests - b.keyframe_requests,
        send_errors: a.send_errors - b.send_errors,
    }
}

fn secs(d: Option<Duration>) -> f64 {
    d.map_or(f64::NAN, |d| d.as_secs_f64())
}

/// Drive `plan` against the running `sfu` and measure it.
pub async fn measure(
    target: Target,
    sfu: &SfuProcess,
    plan: &Plan,
    o: &Options,
) -> anyhow::Result<TargetResult> {
    let pid = sfu.pid();
    let stats = Stats::shared();
    let (phase_tx, phase) = watch::channel(Phase::Run);
    let ctx = Ctx {
        stats: stats.clone(),
        phase,
        // Janus answers only on its veth's address (see netns.rs); clients there too.
        ip: if target == Target::Janus {
            IpAddr::from([127, 0, 0, 2])
        } else {
            IpAddr::from([127, 0, 0, 1])
        },
        keyframe_interval: (o.keyframe_interval > 0.0)
            .then(|| Duration::from_secs_f64(o.keyframe_interval)),
        simulcast: plan.simulcast,
        seed: 0x7afe1,
    };
    if target == Target::Janus {
        for room in 0..plan.rooms {
            janus::create_room(&sfu.ws_url, janus::room_number(room)).await?;
        }
    }
    let rss_idle_kib = procfs::status_kib(pid, "VmRSS").unwrap_or(0);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for p in plan.participants.clone() {
        let (ctx, url, stats) = (ctx.clone(), sfu.ws_url.clone(), stats.clone());
        tasks.push(tokio::task::spawn_local(async move {
            tokio::time::sleep_until((start + p.join_at).into()).await;
            let name = p.name.clone();
            let result = match target {
                Target::Tafelrunde => tafelrunde::participant(url, p, ctx).await,
                Target::Janus => janus::participant(url, p, ctx).await,
            };
            if let Err(e) = result {
                let mut s = stats.borrow_mut();
                s.join_failures += 1;
                s.error(format!("{name}: {e:#}"));
            }
        }));
    }

    // Joins.
    let n = plan.participants.len() as u64;
    let deadline =
        start + plan.join_spread() + Duration::from_secs(20) + Duration::from_millis(40) * n as u32;
    loop {
        let (joined, failed) = {
            let s = stats.borrow();
            (s.joined, s.join_failures)
        };
        if joined + failed >= n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let join_phase_secs = start.elapsed().as_secs_f64();
    if plan.screen_share {
        tokio::time::sleep(Duration::from_secs(2)).await;
        stats.borrow_mut().track_to_first_packet.reset();
        let _ = phase_tx.send(Phase::ScreenShare);
    }
    tokio::time::sleep(Duration::from_secs_f64(o.warmup)).await;

    // Measured windows.
    let mut windows = Vec::new();
    let me = std::process::id();
    for _ in 0..o.repeats.max(1) {
        {
            let mut s = stats.borrow_mut();
            s.delay.reset();
            s.delay_impaired.reset();
        }
        let c0 = stats.borrow().counters;
        let drops0 = procfs::udp_drops(pid);
        let (sfu0, load0, t0) = (procfs::cpu_time(pid), procfs::cpu_time(me), Instant::now());
        tokio::time::sleep(Duration::from_secs_f64(o.window)).await;
        let (sfu1, load1, t1) = (procfs::cpu_time(pid), procfs::cpu_time(me), Instant::now());
        let drops1 = procfs::udp_drops(pid);
        let s = stats.borrow();
        windows.push(Window {
            secs: (t1 - t0).as_secs_f64(),
            sfu_cpu_secs: secs(sfu1) - secs(sfu0),
            load_cpu_secs: secs(load1) - secs(load0),
            counters: sub(s.counters, c0),
            delay_p50_us: s.delay.value_at_quantile(0.5),
            delay_p99_us: s.delay.value_at_quantile(0.99),
            delay_max_us: s.delay.max(),
            impaired_delay_p50_us: s.delay_impaired.value_at_quantile(0.5),
            impaired_delay_p99_us: s.delay_impaired.value_at_quantile(0.99),
            rss_kib: procfs::status_kib(pid, "VmRSS").unwrap_or(0),
            sfu_udp_drops: drops1.0.saturating_sub(drops0.0),
            client_udp_drops: drops1.1.saturating_sub(drops0.1),
        });
    }
    let rss_peak_kib = procfs::status_kib(pid, "VmHWM").unwrap_or(0);

    let _ = phase_tx.send(Phase::Stop);
    let stop_deadline = Instant::now() + Duration::from_secs(3);
    for t in &tasks {
        while !t.is_finished() && Instant::now() < stop_deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    for t in &tasks {
        t.abort();
    }
    // Let aborted tasks drop their peers (which stops the peers' tasks).
    tokio::time::sleep(Duration::from_millis(100)).await;

    let s = stats.borrow();
    let q = |h: &hdrhistogram::Histogram<u64>, a: f64| {
        if h.is_empty() {
            0
        } else {
            h.value_at_quantile(a)
        }
    };
    Ok(TargetResult {
        name: sfu.name.to_string(),
        participants: plan.participants.len(),
        joined: s.joined,
        join_failures: s.join_failures,
        join_phase_secs,
        windows,
        join_first_packet_ms: (
            q(&s.join_to_first_packet, 0.5),
            q(&s.join_to_first_packet, 0.95),
        ),
        join_first_video_ms: (
            q(&s.join_to_first_video, 0.5),
            q(&s.join_to_first_video, 0.95),
        ),
        track_first_packet_ms: (
            q(&s.track_to_first_packet, 0.5),
            q(&s.track_to_first_packet, 0.95),
        ),
        max_keyframe_requests_per_500ms: s.max_keyframe_requests_per_500ms,
        rss_idle_kib,
        rss_peak_kib,
        errors: s.errors.clone(),
    })
}

/// Start Tafelrunde, measure, stop it.
pub async fn run_tafelrunde(
    bin: &Path,
    plan: &Plan,
    o: &Options,
    dir: &Path,
) -> anyhow::Result<TargetResult> {
    let cpu = (!o.no_pin).then_some(o.sfu_cpu);
    let sfu = crate::sfu::start_tafelrunde(bin, cpu, plan.largest_room() + 1, dir, &o.sfu_arg)?;
    let result = measure(Target::Tafelrunde, &sfu, plan, o).await;
    sfu.stop();
    result
}

/// Start Janus, measure, stop it.
pub async fn run_janus(plan: &Plan, o: &Options, dir: &Path) -> anyhow::Result<TargetResult> {
    let cpu = (!o.no_pin).then_some(o.sfu_cpu);
    let port = 8188;
    crate::sfu::write_janus_config(
        dir,
        port,
        crate::netns::JANUS_INTERFACE,
        o.janus_event_loops,
    )?;
    let sfu = crate::sfu::start_janus(dir, cpu, port)?;
    let result = measure(Target::Janus, &sfu, plan, o).await;
    sfu.stop();
    result
}
