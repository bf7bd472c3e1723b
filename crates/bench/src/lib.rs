//! `tafelrunde-bench`: synthetic WebRTC clients on str0m that speak
//! Tafelrunde's signaling (and Janus' VideoRoom API) with real ICE, DTLS and
//! SRTP over loopback, the scenarios of ../shared/BENCHMARKS.md, and the
//! measurement of the SFU process from /proc. See docs/performance.md.

pub mod ceiling;
pub mod impair;
pub mod janus;
pub mod media;
pub mod netns;
pub mod options;
pub mod peer;
pub mod procfs;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sfu;
pub mod soak;
pub mod stats;
pub mod tafelrunde;

use std::path::PathBuf;
use std::process::Command;

pub use options::{JanusMode, Options, ScenarioName};
pub use report::{Report, Summary};

fn date() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Run one scenario against Tafelrunde and (unless `janus` holds the reason
/// why not) Janus, one after the other, on a current-thread runtime inside
/// a `LocalSet`.
pub async fn run_scenario(o: &Options, janus: Result<(), String>) -> Report {
    let plan = scenario::plan(o);
    let dir = o.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("tafelrunde-bench-{}", std::process::id()))
    });
    let _ = std::fs::create_dir_all(&dir);
    let load_before = procfs::load_note();
    let ceiling = if o.no_ceiling {
        None
    } else {
        ceiling::probe().ok()
    };
    let tafelrunde = match sfu::find_tafelrunde(o.tafelrunde_bin.as_deref()) {
        Ok(bin) => run::run_tafelrunde(&bin, &plan, o, &dir)
            .await
            .map(Summary::new)
            .map_err(|e| format!("{e:#}")),
        Err(e) => Err(format!("{e:#}")),
    };
    let janus = match janus {
        Ok(()) => {
            let janus_dir: PathBuf = dir.join("janus");
            let _ = std::fs::create_dir_all(&janus_dir);
            run::run_janus(&plan, o, &janus_dir)
                .await
                .map(Summary::new)
                .map_err(|e| format!("failed: {e:#}"))
        }
        Err(reason) => Err(format!("skipped: {reason}")),
    };
    let pin = if o.no_pin {
        "not pinned".to_string()
    } else {
        format!(
            "SFU pinned to CPU {}, load generator to CPU {}",
            o.sfu_cpu, o.load_cpu
        )
    };
    Report {
        scenario: plan.name.to_string(),
        shape: plan.shape.clone(),
        layers: o.layers,
        date: date(),
        machine: procfs::machine(),
        load_before,
        load_after: procfs::load_note(),
        method: format!(
            "{} measured windows of {} s after {} s warm-up per SFU; {pin}; logs in {}",
            o.repeats,
            o.window,
            o.warmup,
            dir.display()
        ),
        tafelrunde,
        janus,
        ceiling,
    }
}
