//! Reading the client's address from `X-Forwarded-For` never panics, never
//! believes an untrusted peer, and names only an address that is in the
//! header or the peer itself; its limit key is always an IPv4 /32 or an
//! IPv6 /64.
#![no_main]

use std::net::IpAddr;

use tafelrunde::client_ip::{network, network_key, TrustedProxies};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    // The header as the server sees it: only a value that is valid text
    // reaches the reader (`HeaderValue::to_str`).
    let Ok(header) = std::str::from_utf8(rest) else {
        return;
    };
    let proxies =
        TrustedProxies::parse(&["127.0.0.1".into(), "10.0.0.0/8".into(), "fd00::/8".into()])
            .expect("valid proxies");
    let peers: [IpAddr; 4] = [
        [127, 0, 0, 1].into(),
        [10, 1, 2, 3].into(),
        [203, 0, 113, 7].into(),
        "2001:db8::1".parse().unwrap(),
    ];
    let peer = peers[usize::from(first) % peers.len()];
    let client = proxies.client(peer, Some(header));
    if peer == IpAddr::from([203, 0, 113, 7]) || peer == "2001:db8::1".parse::<IpAddr>().unwrap() {
        assert_eq!(client, peer, "an untrusted peer's header is never believed");
    }
    assert!(
        client == peer
            || header
                .split(',')
                .any(|e| e.trim().parse::<IpAddr>() == Ok(client)),
        "the client is the peer or an entry of the header"
    );
    let net = network(client);
    assert!(net.contains(&client.to_canonical()));
    assert!(matches!(net.prefix_len(), 32 | 64), "{net}");
    let _ = network_key(Some(client));
});
