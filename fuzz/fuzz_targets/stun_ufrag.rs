//! The demultiplexer's STUN reader never panics on network input.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tafelrunde_sfu::core::local_ufrag(data);
});
