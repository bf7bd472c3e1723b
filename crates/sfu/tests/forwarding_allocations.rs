//! Forwarding a burst allocates nothing of ours. What is left per packet is
//! str0m's own, and the test names it: one buffer for each encrypted datagram
//! it hands out, and, per received packet, its payload (`Arc<[u8]>`) and the
//! `Mid` its header parser makes. Anything of ours per packet or per
//! subscriber (a cloned subscriber list, a boxed write, a grown queue) shows
//! up beyond that. Counted by a counting allocator on this thread.

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::Fanout;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
    }
}

// SAFETY: passes every call through to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn a_burst_of_forwarded_packets_allocates_only_what_str0m_hands_out() {
    let subscribers = 20;
    let mut f = Fanout::new(subscribers);
    // Past the resend window, so that str0m's caches are full size.
    for _ in 0..150 {
        f.step();
    }
    let (mut allocations, mut forwarded, mut received) = (0, 0, 0);
    let mut out = Vec::new();
    for _ in 0..50 {
        let datagrams = f.next_datagrams();
        received += datagrams.len() as u64;
        out.reserve(4 * subscribers);
        ALLOCATIONS.with(|a| a.set(0));
        COUNTING.with(|c| c.set(true));
        f.forward(&datagrams, &mut out);
        COUNTING.with(|c| c.set(false));
        allocations += ALLOCATIONS.with(Cell::get);
        forwarded += f.to_subscribers(&out) as u64;
        f.deliver(std::mem::take(&mut out));
    }
    assert_eq!(
        forwarded,
        20 * received,
        "every packet reached every subscriber"
    );
    let str0m = forwarded + 2 * received;
    eprintln!(
        "{allocations} allocations: {forwarded} datagrams forwarded from {received} received"
    );
    // A few of str0m's buffers may still grow now and then (RTCP registers).
    assert!(
        allocations <= str0m + subscribers as u64,
        "{allocations} allocations for {forwarded} forwarded datagrams; str0m's own are {str0m}"
    );
}
