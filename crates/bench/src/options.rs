//! Command-line options of `tafelrunde-bench`.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// The scenarios of BENCHMARKS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// 1 publisher (camera + audio) → `--subscribers` (100), mixed tile sizes.
    Lecture,
    /// `--rooms` (1) rooms of `--participants` (30), all video, last-N (20).
    Classroom,
    /// `--speakers` (3) speakers taking turns → `--subscribers` (300) audio listeners.
    Assembly,
    /// `--subscribers` (300) joins within `--join-seconds` (30) into `--rooms` (10), then a screen share.
    Storm,
    /// As classroom, with a share of participants behind a weak link.
    Impaired,
    /// `--minutes` (30) of joins and leaves in `--rooms` (20) rooms of `--participants` (6),
    /// media flowing; samples the SFU's memory, file descriptors and threads (Tafelrunde only).
    Soak,
}

impl ScenarioName {
    pub fn name(self) -> &'static str {
        match self {
            ScenarioName::Lecture => "lecture",
            ScenarioName::Classroom => "classroom",
            ScenarioName::Assembly => "assembly",
            ScenarioName::Storm => "storm",
            ScenarioName::Impaired => "impaired",
            ScenarioName::Soak => "soak",
        }
    }
}

/// Whether to run the same scenario against Janus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JanusMode {
    /// When `janus` is installed and a network namespace can be made (root).
    Auto,
    /// Always; fail when it cannot run.
    On,
    /// Never.
    Off,
}

/// Load generator and benchmark of the Tafelrunde SFU, with Janus side by side.
#[derive(Debug, Clone, Parser)]
#[command(name = "tafelrunde-bench", version)]
pub struct Options {
    /// Which scenario.
    #[arg(long, value_enum, default_value = "lecture")]
    pub scenario: ScenarioName,
    /// Subscribers (lecture: 100), listeners (assembly: 300), joins (storm: 300).
    #[arg(long)]
    pub subscribers: Option<usize>,
    /// Participants per room (classroom, impaired: 30).
    #[arg(long)]
    pub participants: Option<usize>,
    /// Rooms (classroom, impaired: 1; storm: 10).
    #[arg(long)]
    pub rooms: Option<usize>,
    /// Videos one participant receives at most (classroom, impaired).
    #[arg(long, default_value_t = 20)]
    pub last_n: usize,
    /// Participants sending audio (classroom: 2), speakers (assembly: 3).
    #[arg(long)]
    pub speakers: Option<usize>,
    /// Storm: the joins are spread over this many seconds.
    #[arg(long, default_value_t = 30.0)]
    pub join_seconds: f64,
    /// Simulcast layers a camera sends: 1, or 3 (q, h, f; subscribers then send `layout`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub layers: u8,
    /// With `--layers 1`: which layer the camera sends (q 180p, h 360p, f 720p);
    /// default f for lecture, h otherwise.
    #[arg(long)]
    pub layer: Option<String>,
    /// Impaired: share of participants behind the weak link.
    #[arg(long, default_value_t = 0.1)]
    pub impaired_share: f64,
    /// Impaired: downlink loss in percent.
    #[arg(long, default_value_t = 3)]
    pub impaired_loss: u32,
    /// Impaired: round-trip time added, ms.
    #[arg(long, default_value_t = 100)]
    pub impaired_rtt_ms: u64,
    /// Impaired: downlink rate, kbit/s.
    #[arg(long, default_value_t = 500)]
    pub impaired_kbps: u64,
    /// Soak: how long the churn lasts, minutes.
    #[arg(long, default_value_t = 30.0)]
    pub minutes: f64,
    /// Soak: the mean stay of a participant, seconds (each stays 0.5 to 1.5 times this).
    #[arg(long, default_value_t = 30.0)]
    pub stay_seconds: f64,
    /// Soak: seconds between two samples of the SFU process.
    #[arg(long, default_value_t = 10.0)]
    pub sample_seconds: f64,
    /// Seconds of load before the first measured window.
    #[arg(long, default_value_t = 3.0)]
    pub warmup: f64,
    /// Length of one measured window, seconds.
    #[arg(long, default_value_t = 5.0)]
    pub window: f64,
    /// Measured windows per SFU (median and spread are over these).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Publishers send a keyframe this often (seconds; 0: only when asked).
    #[arg(long, default_value_t = 10.0)]
    pub keyframe_interval: f64,
    /// Run Janus side by side.
    #[arg(long, value_enum, default_value = "auto")]
    pub janus: JanusMode,
    /// Janus event loops (its threads for media; one per handle when 0).
    #[arg(long, default_value_t = 1)]
    pub janus_event_loops: usize,
    /// The `tafelrunde` binary (default: beside this one, then target/release, target/debug).
    #[arg(long, env = "TAFELRUNDE_BIN")]
    pub tafelrunde_bin: Option<PathBuf>,
    /// An extra argument for `tafelrunde serve` (repeatable), e.g. `--sfu-arg=--max-videos=10`.
    #[arg(long, allow_hyphen_values = true)]
    pub sfu_arg: Vec<String>,
    /// Do not pin (SFU on `--sfu-cpu`, load generator on `--load-cpu`).
    #[arg(long)]
    pub no_pin: bool,
    #[arg(long, default_value_t = 0)]
    pub sfu_cpu: usize,
    #[arg(long, default_value_t = 1)]
    pub load_cpu: usize,
    /// Skip the ceiling probe (UDP send and SRTP cost on this machine).
    #[arg(long)]
    pub no_ceiling: bool,
    /// Print only the JSON line.
    #[arg(long)]
    pub json_only: bool,
    /// Where SFU logs and Janus' config go (default: a fresh folder in /tmp).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}
