//! `tafelrunde-bench --scenario lecture --subscribers 100`: see docs/performance.md.

use std::process::ExitCode;

use clap::Parser;
use tafelrunde_bench::{netns, sfu, soak, JanusMode, Options, ScenarioName};

fn main() -> ExitCode {
    let o = Options::parse();
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    if o.scenario == ScenarioName::Soak {
        return soak::main(&o);
    }
    // Janus needs a network namespace of our own; it must be entered before
    // any thread starts, and the whole run then happens inside it.
    let mut janus = match o.janus {
        JanusMode::Off => Err("--janus off".to_string()),
        _ => netns::janus_unavailable().map_or(Ok(()), Err),
    };
    if janus.is_ok() {
        if let Err(e) = netns::enter_private() {
            janus = Err(format!("{e:#}"));
        }
    }
    if let (JanusMode::On, Err(reason)) = (o.janus, &janus) {
        eprintln!("tafelrunde-bench: Janus cannot run: {reason}");
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
    let report = local.block_on(&runtime, tafelrunde_bench::run_scenario(&o, janus));
    if !o.json_only {
        print!("{}", report.table());
        println!();
    }
    println!("{}", report.json_line());
    if report.tafelrunde.is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
