//! Continuous VP8 picture numbering per subscriber stream.
//!
//! Each simulcast layer numbers its pictures on its own (PictureID,
//! TL0PICIDX). A receiver that sees the numbers jump back at a layer switch
//! takes the new pictures for old ones and holds them back until the next
//! keyframe — a frozen picture after every switch. Like sequence numbers, the
//! picture numbers are therefore re-based at every switch of source.

use super::rewrite::SourceKey;

const PICTURE_ID_15: u16 = 0x8000;

/// The rewritten picture numbers of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vp8Numbers {
    /// PictureID (15-bit space).
    pub picture_id: Option<u16>,
    /// TL0PICIDX.
    pub tl0_pic_idx: Option<u8>,
}

/// Re-bases PictureID and TL0PICIDX at every change of source.
#[derive(Debug, Clone, Default)]
pub struct Vp8Rewriter {
    source: Option<SourceKey>,
    picture_offset: u16,
    tl0_offset: u8,
    last_picture: Option<u16>,
    last_tl0: Option<u8>,
}

impl Vp8Rewriter {
    /// Forwarding resumes after a pause: continue the picture numbers.
    pub fn rebase(&mut self) {
        self.source = None;
    }

    /// Map the numbers of a packet from `source`.
    pub fn rewrite(
        &mut self,
        source: SourceKey,
        picture_id: Option<u16>,
        tl0_pic_idx: Option<u8>,
    ) -> Vp8Numbers {
        if self.source != Some(source) {
            self.source = Some(source);
            self.picture_offset = match (self.last_picture, picture_id) {
                (Some(last), Some(first)) => {
                    last.wrapping_add(1).wrapping_sub(first) % PICTURE_ID_15
                }
                _ => 0,
            };
            self.tl0_offset = match (self.last_tl0, tl0_pic_idx) {
                (Some(last), Some(first)) => last.wrapping_add(1).wrapping_sub(first),
                _ => 0,
            };
        }
        let out = Vp8Numbers {
            picture_id: picture_id.map(|p| p.wrapping_add(self.picture_offset) % PICTURE_ID_15),
            tl0_pic_idx: tl0_pic_idx.map(|t| t.wrapping_add(self.tl0_offset)),
        };
        if out.picture_id.is_some() {
            self.last_picture = out.picture_id;
        }
        if out.tl0_pic_idx.is_some() {
            self.last_tl0 = out.tl0_pic_idx;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_continue_across_a_switch() {
        let mut r = Vp8Rewriter::default();
        assert_eq!(
            r.rewrite(1, Some(100), Some(7)).picture_id,
            Some(100),
            "a fresh stream keeps its numbers"
        );
        r.rewrite(1, Some(101), Some(8));
        // The other layer is far behind (or ahead): the receiver must see 102 / 9.
        let switched = r.rewrite(2, Some(5), Some(200));
        assert_eq!(
            switched,
            Vp8Numbers {
                picture_id: Some(102),
                tl0_pic_idx: Some(9)
            }
        );
        assert_eq!(r.rewrite(2, Some(6), Some(201)).picture_id, Some(103));
    }

    #[test]
    fn numbers_wrap_in_their_own_space() {
        let mut r = Vp8Rewriter::default();
        r.rewrite(1, Some(0x7ffe), Some(255));
        let out = r.rewrite(2, Some(10), Some(3));
        assert_eq!(
            out,
            Vp8Numbers {
                picture_id: Some(0x7fff),
                tl0_pic_idx: Some(0)
            }
        );
        assert_eq!(r.rewrite(2, Some(11), Some(4)).picture_id, Some(0));
    }

    #[test]
    fn packets_without_numbers_pass() {
        let mut r = Vp8Rewriter::default();
        assert_eq!(
            r.rewrite(1, None, None),
            Vp8Numbers {
                picture_id: None,
                tl0_pic_idx: None
            }
        );
    }
}
