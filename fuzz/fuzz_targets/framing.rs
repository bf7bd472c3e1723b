//! RFC 4571 reassembly never panics and never loses bytes of complete frames.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut buffer = data.to_vec();
    let mut total = 0;
    tafelrunde_sfu::runtime::take_frames(&mut buffer, |frame| total += frame.len() + 2);
    assert_eq!(total + buffer.len(), data.len());
});
