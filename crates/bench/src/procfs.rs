//! What /proc tells about a process: CPU time (all threads), memory, and the
//! machine's load.

use std::fs;
use std::time::Duration;

/// CPU time (user + system) of every thread of `pid`, from the scheduler's
/// nanosecond counters (/proc/PID/task/*/schedstat); falls back to the
/// clock-tick counters of /proc/PID/stat.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
        let mut ns = 0u64;
        let mut any = false;
        for task in tasks.flatten() {
            let Ok(text) = fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            if let Some(v) = text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
            {
                ns += v;
                any = true;
            }
        }
        if any {
            return Some(Duration::from_nanos(ns));
        }
    }
    stat_cpu_time(pid)
}

/// utime + stime from /proc/PID/stat (10 ms resolution).
pub fn stat_cpu_time(pid: u32) -> Option<Duration> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis(
        (utime + stime) * 1000 / ticks_per_second(),
    ))
}

fn ticks_per_second() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// A field of /proc/PID/status in KiB (e.g. `VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Datagrams the kernel dropped because a UDP socket's receive buffer was
/// full, since the socket was made: (sockets of `pid`, all other UDP sockets
/// of this network namespace), from the `drops` column of /proc/net/udp.
pub fn udp_drops(pid: u32) -> (u64, u64) {
    let mut mine = std::collections::HashSet::new();
    if let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) {
        for fd in fds.flatten() {
            if let Ok(target) = fs::read_link(fd.path()) {
                let t = target.to_string_lossy();
                if let Some(inode) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                    if let Ok(inode) = inode.parse::<u64>() {
                        mine.insert(inode);
                    }
                }
            }
        }
    }
    let (mut theirs, mut others) = (0, 0);
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        let text = fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(inode), Some(drops)) = (
                f.get(9).and_then(|v| v.parse::<u64>().ok()),
                f.last().and_then(|v| v.parse::<u64>().ok()),
            ) else {
                continue;
            };
            if mine.contains(&inode) {
                theirs += drops;
            } else {
                others += drops;
            }
        }
    }
    (theirs, others)
}

/// The machine's state for the report: load averages and busy compilers.
pub fn load_note() -> String {
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let mut compilers = 0;
    if let Ok(entries) = fs::read_dir("/proc") {
        for e in entries.flatten() {
            if let Ok(comm) = fs::read_to_string(e.path().join("comm")) {
                if matches!(
                    comm.trim(),
                    "rustc" | "cc1" | "cc1plus" | "ld" | "node" | "chromium" | "chrome"
                ) {
                    compilers += 1;
                }
            }
        }
    }
    format!(
        "load average {}; {} compiler/browser processes running",
        load.join(" "),
        compilers
    )
}

/// The CPU model and core count, for the report.
pub fn machine() -> String {
    let info = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cores_online = info
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count()
        .max(cores);
    format!("{model}, {cores_online} cores")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_process() {
        let pid = std::process::id();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(cpu_time(pid).unwrap() > Duration::ZERO);
        assert!(stat_cpu_time(pid).is_some());
        assert!(status_kib(pid, "VmRSS").unwrap() > 100);
        assert!(status_kib(pid, "VmHWM").is_some());
        assert!(load_note().contains("load average"));
    }
}
