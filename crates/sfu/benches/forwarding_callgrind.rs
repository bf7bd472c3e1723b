//! The forwarding path of benches/common under callgrind, for an instruction
//! count that does not depend on the clock: scripts/callgrind-forwarding.sh
//! runs this with `--toggle-collect=*callgrind_measured_forward*`, so only
//! the shard's work on the publisher's datagrams is counted.
//!
//! Arguments: [subscribers (20)] [steps (100)].

mod common;

use common::Fanout;
use tafelrunde_sfu::core::Transmit;

#[inline(never)]
fn callgrind_measured_forward(f: &mut Fanout, datagrams: &[Vec<u8>], out: &mut Vec<Transmit>) {
    f.forward(datagrams, out);
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let subscribers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let steps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let mut f = Fanout::new(subscribers);
    for _ in 0..10 {
        f.step();
    }
    let (mut forwarded, mut received) = (0, 0);
    for _ in 0..steps {
        let datagrams = f.next_datagrams();
        received += datagrams.len();
        let mut out = Vec::new();
        callgrind_measured_forward(&mut f, &datagrams, &mut out);
        forwarded += f.to_subscribers(&out);
        f.deliver(out);
    }
    println!("forwarded {forwarded} datagrams to {subscribers} subscribers from {received} received ({steps} steps)");
}
