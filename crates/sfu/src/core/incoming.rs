//! A publisher's RTP packet as the forwarder reads it: its kind, its codec
//! and, for VP8, its parsed descriptor.

use str0m::format::PayloadParams;
use str0m::rtp::{RtpPacket, Vp8Descriptor};
use tafelrunde_protocol::MediaKind;

use super::codec::{starts_keyframe, VideoCodec};

/// What the SFU needs to know about a publisher's payload type.
#[derive(Debug, Clone)]
pub struct IncomingCodec {
    /// The full parameters, to find the subscriber's matching payload type.
    pub params: PayloadParams,
    /// The video codec, for keyframe detection; `None` for audio.
    pub video: Option<VideoCodec>,
}

/// A publisher's packet as the forwarder needs it: the VP8 descriptor is
/// parsed once, for the keyframe and for every subscriber's patch.
pub struct Incoming<'a> {
    pub rtp: PacketRef<'a>,
    pub kind: MediaKind,
    pub codec: IncomingCodec,
    pub vp8: Option<Vp8Descriptor>,
}

/// The live packet (owned, it goes to the picture cache afterwards) or a
/// cached one. Not boxed: that would allocate for every packet.
#[allow(clippy::large_enum_variant)]
pub enum PacketRef<'a> {
    Owned(RtpPacket),
    Borrowed(&'a RtpPacket),
}

impl std::ops::Deref for PacketRef<'_> {
    type Target = RtpPacket;
    fn deref(&self) -> &RtpPacket {
        match self {
            PacketRef::Owned(p) => p,
            PacketRef::Borrowed(p) => p,
        }
    }
}

impl<'a> Incoming<'a> {
    pub fn new(rtp: RtpPacket, kind: MediaKind, codec: IncomingCodec) -> Self {
        Self::of(PacketRef::Owned(rtp), kind, codec)
    }

    /// A cached packet of the same track as `live`.
    pub fn borrowed(rtp: &'a RtpPacket, live: &Incoming) -> Self {
        Self::of(PacketRef::Borrowed(rtp), live.kind, live.codec.clone())
    }

    /// The live packet again, borrowed (the replay writes it last).
    pub fn reborrow(&self) -> Incoming<'_> {
        Incoming {
            rtp: PacketRef::Borrowed(&self.rtp),
            kind: self.kind,
            codec: self.codec.clone(),
            vp8: self.vp8,
        }
    }

    fn of(rtp: PacketRef<'a>, kind: MediaKind, codec: IncomingCodec) -> Self {
        let vp8 = match codec.video {
            Some(VideoCodec::Vp8) => Vp8Descriptor::parse(&rtp.payload).ok(),
            _ => None,
        };
        Self {
            rtp,
            kind,
            codec,
            vp8,
        }
    }

    pub fn starts_keyframe(&self) -> bool {
        match (&self.vp8, self.codec.video) {
            (Some(descriptor), _) => descriptor.starts_keyframe(&self.rtp.payload),
            (None, Some(VideoCodec::Vp8)) | (None, None) => false,
            (None, Some(c)) => starts_keyframe(c, &self.rtp.payload),
        }
    }
}
