//! `--scenario soak`: joins and leaves churn in many rooms for `--minutes`,
//! with media flowing, while the SFU process's resident memory, open file
//! descriptors and threads are sampled from /proc. Printed as a time series
//! and a verdict: flat, or growing (the last third of the run against the
//! middle third; the first third is warm-up, when pools and caches fill).
//! Runs against Tafelrunde only.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::watch;

use crate::media::layer;
use crate::options::{JanusMode, Options};
use crate::procfs;
use crate::run::{Ctx, Phase};
use crate::scenario::{layers_text, ParticipantPlan, Plan};
use crate::sfu::{self, SfuProcess};
use crate::stats::Stats;
use crate::tafelrunde;

/// How long a participant waits before its place is taken again, at most.
const MAX_GAP: Duration = Duration::from_secs(3);
/// How long a leaving participant may take to say goodbye.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The places of the soak: one per participant present at a time. Each
/// place is taken again and again by a new participant (see [`churn`]);
/// `join_at` is when the first one comes.
pub fn plan(o: &Options) -> Plan {
    let rooms = o.rooms.unwrap_or(20).max(1);
    let size = o.participants.unwrap_or(6).max(1);
    let speakers = o.speakers.unwrap_or(2).min(size);
    let camera =
        vec![layer(o.layer.as_deref().unwrap_or("q")).expect("valid layer name (q, h or f)")];
    let mut participants = Vec::new();
    for room in 0..rooms {
        for i in 0..size {
            let index = participants.len();
            participants.push(ParticipantPlan {
                index,
                room,
                name: format!("p{index}"),
                // Spread over the first stay, so the leaves are spread too.
                join_at: Duration::from_secs_f64(
                    o.stay_seconds.max(1.0) * index as f64 / (rooms * size) as f64,
                ),
                audio: i < speakers,
                turns: None,
                video_layers: if i < speakers {
                    camera.clone()
                } else {
                    Vec::new()
                },
                subscribe_audio: true,
                max_videos: o.last_n,
                tile: (320, 180),
                impaired: None,
                screen_share: false,
            });
        }
    }
    Plan {
        name: "soak",
        shape: format!(
            "{rooms} rooms × {size} places for {} min, {speakers} per room sending audio and video ({}), \
             each participant stays {:.0}–{:.0} s, then its place is taken again",
            o.minutes,
            layers_text(&camera),
            o.stay_seconds * 0.5,
            o.stay_seconds * 1.5
        ),
        rooms,
        participants,
        simulcast: false,
        screen_share: false,
    }
}

/// One look at the SFU process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub secs: f64,
    pub rss_kib: u64,
    pub fds: u64,
    pub threads: u64,
    /// Participants between their join and their leave at that moment.
    pub present: u64,
    pub joins: u64,
    pub leaves: u64,
    pub failures: u64,
    /// Media packets the synthetic clients received per second since the last sample.
    pub forwarded_per_s: f64,
    /// The SFU's CPU share since the last sample (1.0 = one core).
    pub sfu_cpu: f64,
}

/// The counts of the churn, shared by the places' tasks.
#[derive(Debug, Default)]
struct Churn {
    present: u64,
    joins: u64,
    leaves: u64,
    failures: u64,
}

/// How one measure moved from the middle third to the last third.
#[derive(Debug, Clone)]
pub struct Trend {
    pub name: &'static str,
    pub middle: u64,
    pub last: u64,
    pub growing: bool,
}

/// Median of the middle and the last third; growing when the last third's is
/// above the middle's by more than `share` and more than `floor`.
fn trend(name: &'static str, values: &[u64], share: f64, floor: u64) -> Trend {
    let third = values.len() / 3;
    let median = |v: &[u64]| -> u64 {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    };
    let middle = median(&values[third..values.len() - third]);
    let last = median(&values[values.len() - third..]);
    let allowed = ((middle as f64 * share) as u64).max(floor);
    Trend {
        name,
        middle,
        last,
        growing: third > 0 && last > middle + allowed,
    }
}

/// What the soak found.
#[derive(Debug, Clone)]
pub struct SoakReport {
    pub shape: String,
    pub samples: Vec<Sample>,
    /// Before the first join and after the last leave (5 s later).
    pub idle_before: Sample,
    pub idle_after: Sample,
    pub trends: Vec<Trend>,
    pub errors: Vec<String>,
    pub load_before: String,
    pub load_after: String,
}

impl SoakReport {
    fn new(shape: String, samples: Vec<Sample>, before: Sample, after: Sample) -> Self {
        let rss: Vec<u64> = samples.iter().map(|s| s.rss_kib).collect();
        let fds: Vec<u64> = samples.iter().map(|s| s.fds).collect();
        let threads: Vec<u64> = samples.iter().map(|s| s.threads).collect();
        // Memory: 5 % and 4 MiB (allocator noise); descriptors follow the
        // number present, which wavers by a few; threads: pool threads come and go.
        let trends = vec![
            trend("RSS (KiB)", &rss, 0.05, 4096),
            trend("open file descriptors", &fds, 0.05, 8),
            trend("threads", &threads, 0.10, 3),
        ];
        SoakReport {
            shape,
            samples,
            idle_before: before,
            idle_after: after,
            trends,
            errors: Vec::new(),
            load_before: String::new(),
            load_after: String::new(),
        }
    }

    /// Flat unless a measure grows, and only with enough samples to tell.
    pub fn growing(&self) -> bool {
        self.trends.iter().any(|t| t.growing)
    }

    pub fn enough_samples(&self) -> bool {
        self.samples.len() >= 6
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "\nsoak: {}", self.shape);
        let _ = writeln!(out, "machine before: {}", self.load_before);
        let _ = writeln!(out, "machine after:  {}", self.load_after);
        let _ = writeln!(out, "\n{}", header());
        let _ = writeln!(out, "{}", row("idle", &self.idle_before));
        for s in &self.samples {
            let _ = writeln!(out, "{}", row(&clock(s.secs), s));
        }
        let _ = writeln!(out, "{}", row("after", &self.idle_after));
        let _ = writeln!(
            out,
            "\nverdict (medians of the last third against the middle third; the first third is warm-up):"
        );
        for t in &self.trends {
            let _ = writeln!(
                out,
                "  {:<22} {:>8} → {:>8}  {}",
                t.name,
                t.middle,
                t.last,
                if t.growing { "GROWING" } else { "flat" }
            );
        }
        let _ = writeln!(
            out,
            "  after everyone left: {} fds (idle before: {}), {} threads ({}), RSS {} MiB ({})",
            self.idle_after.fds,
            self.idle_before.fds,
            self.idle_after.threads,
            self.idle_before.threads,
            self.idle_after.rss_kib / 1024,
            self.idle_before.rss_kib / 1024
        );
        for e in &self.errors {
            let _ = writeln!(out, "  error: {e}");
        }
        let verdict = if !self.enough_samples() {
            "too short to tell (fewer than 6 samples)"
        } else if self.growing() {
            "GROWING"
        } else {
            "flat"
        };
        let _ = writeln!(out, "soak: {verdict}");
        out
    }

    pub fn json_line(&self) -> String {
        let series: Vec<_> = self
            .samples
            .iter()
            .map(|s| {
                json!({"secs": s.secs.round(), "rssKib": s.rss_kib, "fds": s.fds, "threads": s.threads,
                       "present": s.present, "joins": s.joins, "leaves": s.leaves, "failures": s.failures,
                       "forwardedPerS": s.forwarded_per_s.round(), "sfuCpu": (s.sfu_cpu * 100.0).round() / 100.0})
            })
            .collect();
        let trends: Vec<_> = self
            .trends
            .iter()
            .map(|t| json!({"name": t.name, "middle": t.middle, "last": t.last, "growing": t.growing}))
            .collect();
        json!({
            "scenario": "soak",
            "shape": self.shape,
            "samples": series,
            "idleBefore": {"rssKib": self.idle_before.rss_kib, "fds": self.idle_before.fds, "threads": self.idle_before.threads},
            "idleAfter": {"rssKib": self.idle_after.rss_kib, "fds": self.idle_after.fds, "threads": self.idle_after.threads},
            "trends": trends,
            "growing": self.growing(),
            "errors": self.errors,
        })
        .to_string()
    }
}

fn header() -> String {
    format!(
        "{:>7} {:>8} {:>5} {:>7} {:>7} {:>6} {:>6} {:>5} {:>9} {:>7}",
        "time",
        "RSS MiB",
        "fds",
        "threads",
        "present",
        "joins",
        "leaves",
        "fails",
        "fwd pkt/s",
        "SFU cpu"
    )
}

fn row(label: &str, s: &Sample) -> String {
    format!(
        "{:>7} {:>8.1} {:>5} {:>7} {:>7} {:>6} {:>6} {:>5} {:>9.0} {:>6.0}%",
        label,
        s.rss_kib as f64 / 1024.0,
        s.fds,
        s.threads,
        s.present,
        s.joins,
        s.leaves,
        s.failures,
        s.forwarded_per_s,
        s.sfu_cpu * 100.0
    )
}

fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn count_dir(path: String) -> Option<u64> {
    Some(std::fs::read_dir(path).ok()?.count() as u64)
}

/// The process's figures; `None` when it is gone.
fn look(pid: u32) -> Option<(u64, u64, u64)> {
    Some((
        procfs::status_kib(pid, "VmRSS")?,
        count_dir(format!("/proc/{pid}/fd"))?,
        count_dir(format!("/proc/{pid}/task"))?,
    ))
}

/// `tafelrunde-bench --scenario soak`: run it, print it. Exit code 1 when it
/// could not run, 3 when a measure grows.
pub fn main(o: &Options) -> ExitCode {
    if o.janus == JanusMode::On {
        eprintln!("tafelrunde-bench: the soak runs against Tafelrunde only (leave out --janus on)");
        return ExitCode::FAILURE;
    }
    if !o.no_pin {
        if let Err(e) = sfu::pin_self(o.load_cpu) {
            eprintln!("tafelrunde-bench: cannot pin to CPU {}: {e:#}", o.load_cpu);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let local = tokio::task::LocalSet::new();
    match local.block_on(&runtime, run(o)) {
        Ok(report) => {
            if !o.json_only {
                print!("{}", report.text());
                println!();
            }
            println!("{}", report.json_line());
            if report.enough_samples() && report.growing() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("tafelrunde-bench: soak failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(o: &Options) -> anyhow::Result<SoakReport> {
    let plan = plan(o);
    let dir = o.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("tafelrunde-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir)?;
    let load_before = procfs::load_note();
    let bin = sfu::find_tafelrunde(o.tafelrunde_bin.as_deref())?;
    let cpu = (!o.no_pin).then_some(o.sfu_cpu);
    let sfu = sfu::start_tafelrunde(&bin, cpu, plan.largest_room() + 1, &dir, &o.sfu_arg)?;
    eprintln!("soak: {}; SFU log in {}", plan.shape, sfu.log.display());
    let result = churn(&sfu, &plan, o).await;
    sfu.stop();
    let mut report = result?;
    report.load_before = load_before;
    report.load_after = procfs::load_note();
    Ok(report)
}

/// A small deterministic generator for stays and gaps (the runs repeat).
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn churn(sfu: &SfuProcess, plan: &Plan, o: &Options) -> anyhow::Result<SoakReport> {
    let pid = sfu.pid();
    let stats = Stats::shared();
    let counts = Rc::new(RefCell::new(Churn::default()));
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(o.minutes.max(0.1) * 60.0);
    let base = Ctx {
        stats: stats.clone(),
        phase: watch::channel(Phase::Run).1,
        ip: std::net::IpAddr::from([127, 0, 0, 1]),
        keyframe_interval: (o.keyframe_interval > 0.0)
            .then(|| Duration::from_secs_f64(o.keyframe_interval)),
        simulcast: false,
        seed: 0x50a4,
    };
    let (rss, fds, threads) =
        look(pid).ok_or_else(|| anyhow::anyhow!("the SFU exited at start"))?;
    let idle_before = Sample {
        rss_kib: rss,
        fds,
        threads,
        ..Sample::default()
    };
    let places = plan.participants.len() as u64;
    let mut tasks = Vec::new();
    for place in plan.participants.clone() {
        let (base, url, counts) = (base.clone(), sfu.ws_url.clone(), counts.clone());
        let stay = o.stay_seconds.max(1.0);
        tasks.push(tokio::task::spawn_local(async move {
            tokio::time::sleep_until((start + place.join_at).into()).await;
            let mut rng = Lcg(0x50a4 ^ place.index as u64);
            let mut generation = 0u64;
            while Instant::now() + Duration::from_secs(1) < end {
                let mut p = place.clone();
                p.index = place.index + (generation * places) as usize;
                p.name = format!("p{}-{generation}", place.index);
                let name = p.name.clone();
                let (tx, phase) = watch::channel(Phase::Run);
                let ctx = Ctx {
                    phase,
                    ..base.clone()
                };
                {
                    let mut c = counts.borrow_mut();
                    c.present += 1;
                    c.joins += 1;
                }
                let mut task =
                    tokio::task::spawn_local(tafelrunde::participant(url.clone(), p, ctx));
                let leave_at =
                    (Instant::now() + Duration::from_secs_f64(stay * (0.5 + rng.unit()))).min(end);
                let early = tokio::select! {
                    r = &mut task => Some(r),
                    _ = tokio::time::sleep_until(leave_at.into()) => None,
                };
                let outcome = match early {
                    // Nobody told it to go: whatever ended it is a failure.
                    Some(Ok(Ok(()))) => Err("ended before its leave".to_string()),
                    Some(Ok(Err(e))) => Err(format!("{e:#}")),
                    Some(Err(e)) => Err(format!("task: {e}")),
                    None => {
                        let _ = tx.send(Phase::Stop);
                        match tokio::time::timeout(LEAVE_TIMEOUT, &mut task).await {
                            Ok(Ok(Ok(()))) => Ok(()),
                            Ok(Ok(Err(e))) => Err(format!("{e:#}")),
                            Ok(Err(e)) => Err(format!("task: {e}")),
                            Err(_) => {
                                task.abort();
                                Err("no goodbye within 5 s".to_string())
                            }
                        }
                    }
                };
                {
                    let mut c = counts.borrow_mut();
                    c.present -= 1;
                    match outcome {
                        Ok(()) => c.leaves += 1,
                        Err(e) => {
                            c.failures += 1;
                            base.stats.borrow_mut().error(format!("{name}: {e}"));
                        }
                    }
                }
                generation += 1;
                let gap = MAX_GAP.mul_f64(rng.unit());
                tokio::time::sleep(gap).await;
            }
        }));
    }

    // Sampling.
    let every = Duration::from_secs_f64(o.sample_seconds.max(1.0));
    let mut samples = Vec::new();
    let mut last = (
        Instant::now(),
        stats.borrow().counters.received,
        procfs::cpu_time(pid),
    );
    let mut next = start + every;
    // The rows as they come, on stderr: a 30-minute run shows its progress;
    // the report on stdout repeats them.
    eprintln!("{}", header());
    while next <= end {
        tokio::time::sleep_until(next.into()).await;
        next += every;
        let Some((rss_kib, fds, threads)) = look(pid) else {
            anyhow::bail!(
                "the SFU exited during the soak, after {}; see {}",
                clock(start.elapsed().as_secs_f64()),
                sfu.log.display()
            );
        };
        let now = Instant::now();
        let received = stats.borrow().counters.received;
        let cpu = procfs::cpu_time(pid);
        let secs = (now - last.0).as_secs_f64();
        let c = counts.borrow();
        let sample = Sample {
            secs: (now - start).as_secs_f64(),
            rss_kib,
            fds,
            threads,
            present: c.present,
            joins: c.joins,
            leaves: c.leaves,
            failures: c.failures,
            forwarded_per_s: (received - last.1) as f64 / secs,
            sfu_cpu: match (cpu, last.2) {
                (Some(a), Some(b)) => (a.saturating_sub(b)).as_secs_f64() / secs,
                _ => f64::NAN,
            },
        };
        eprintln!("{}", row(&clock(sample.secs), &sample));
        samples.push(sample);
        last = (now, received, cpu);
    }

    // Everyone leaves; then the process should be back where it started.
    for t in &tasks {
        let deadline = end + LEAVE_TIMEOUT + MAX_GAP + Duration::from_secs(2);
        while !t.is_finished() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for t in &tasks {
        t.abort();
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (rss, fds, threads) = look(pid)
        .ok_or_else(|| anyhow::anyhow!("the SFU exited at the end; see {}", sfu.log.display()))?;
    let c = counts.borrow();
    let idle_after = Sample {
        secs: start.elapsed().as_secs_f64(),
        rss_kib: rss,
        fds,
        threads,
        present: c.present,
        joins: c.joins,
        leaves: c.leaves,
        failures: c.failures,
        ..Sample::default()
    };
    let mut report = SoakReport::new(plan.shape.clone(), samples, idle_before, idle_after);
    report.errors = stats.borrow().errors.clone();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_series_is_flat_and_a_rising_one_grows() {
        let steady = [100, 180, 200, 201, 199, 200, 202, 200, 201];
        assert!(!trend("x", &steady, 0.05, 4).growing);
        let rising = [100, 110, 120, 130, 140, 150, 160, 170, 180];
        let t = trend("x", &rising, 0.05, 4);
        assert!(t.growing, "{t:?}");
        assert_eq!((t.middle, t.last), (140, 170));
    }

    #[test]
    fn too_few_samples_never_grow() {
        assert!(!trend("x", &[1, 100], 0.05, 4).growing);
        assert!(!trend("x", &[], 0.05, 4).growing);
    }
}
