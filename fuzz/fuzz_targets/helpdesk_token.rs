//! Checking the helpdesk form's token never panics (whatever the text and
//! the clock), accepts nothing that was not signed for that network, and
//! accepts every token we made once its time has come.
#![no_main]

use tafelrunde::helpdesk::spam::{make, verify, MIN_FILL_MILLIS};

const KEY: &str = "fuzz key";
const NET: &str = "203.0.113.7/32";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (clock, rest) = data.split_at(8);
    let now = i64::from_le_bytes(clock.try_into().unwrap());
    let text = String::from_utf8_lossy(rest);
    if let Ok(valid) = verify(KEY, &text, NET, now) {
        // Only ours, for this network: the same text is refused elsewhere.
        assert!(verify(KEY, &text, "203.0.113.8/32", now).is_err());
        assert!(verify("another key", &text, NET, now).is_err());
        assert_eq!(valid.nonce.len(), 22);
    }
    // A token we made for `now` holds MIN_FILL later, from its network only.
    if let Some(later) = now.checked_add(MIN_FILL_MILLIS) {
        let token = make(KEY, now, NET);
        assert!(verify(KEY, &token, NET, later).is_ok(), "{token}");
        assert!(verify(KEY, &token, "2001:db8::/64", later).is_err());
    }
});
