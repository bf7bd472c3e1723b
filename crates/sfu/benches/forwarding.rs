//! Criterion benchmark of the forwarding path in the sans-IO core: one
//! publisher's audio and video packets to N subscribers through a `Shard`
//! (see benches/common). Throughput is in forwarded packets, so criterion's
//! `thrpt` is forwarded packets per second of one core, and 1e9 / thrpt is
//! the ns per forwarded packet. Run: `cargo bench -p tafelrunde-sfu --bench forwarding`.

mod common;

use std::time::{Duration, Instant};

use common::{Fanout, PACKETS_PER_STEP};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("forward");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [1usize, 10, 50, 99] {
        let mut f = Fanout::new(n);
        for _ in 0..10 {
            f.step();
        }
        group.throughput(Throughput::Elements((PACKETS_PER_STEP * n) as u64));
        group.bench_with_input(BenchmarkId::new("subscribers", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut measured = Duration::ZERO;
                for _ in 0..iters {
                    let datagrams = f.next_datagrams();
                    let mut out = Vec::with_capacity(PACKETS_PER_STEP * n + 4);
                    let start = Instant::now();
                    f.forward(&datagrams, &mut out);
                    measured += start.elapsed();
                    f.deliver(out);
                }
                measured
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
