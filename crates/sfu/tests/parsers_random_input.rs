//! Every parser of network input, fed deterministic random bytes and mutated
//! valid input: none may panic. (The fuzz targets in /fuzz go further.)

use tafelrunde_sfu::core::{local_ufrag, offered_media, starts_keyframe, VideoCodec};
use tafelrunde_sfu::runtime::take_frames;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 56) as u8
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next()).collect()
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Lcg(42);
    for round in 0..20_000 {
        let len = (rng.next() as usize * (round % 7 + 1)) % 600;
        let mut data = rng.bytes(len);
        // Make about half of the inputs look like STUN, so the walk over attributes is reached.
        if round % 2 == 0 && data.len() >= 20 {
            data[0] = 0;
            data[4..8].copy_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
        }
        let _ = local_ufrag(&data);
        let _ = starts_keyframe(VideoCodec::Vp8, &data);
        let _ = starts_keyframe(VideoCodec::H264, &data);
        let mut buffer = data.clone();
        let mut total = 0;
        take_frames(&mut buffer, |f| total += f.len() + 2);
        assert_eq!(total + buffer.len(), data.len());
        let _ = offered_media(&String::from_utf8_lossy(&data));
        let _ = tafelrunde_protocol::parse_client_message(&String::from_utf8_lossy(&data));
    }
}
