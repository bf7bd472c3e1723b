//! A look at an SDP offer before it is applied, so that an offer whose
//! `publish` / `subscribe` lists do not match its media sections is refused
//! without changing anything.

use str0m::change::SdpOffer;
use tafelrunde_protocol::{
    ErrorCode, MediaKind, ProtocolError, PublishedTrack, Subscription, TrackSource,
};

/// Direction of a media section, from the offerer's (the browser's) view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferDirection {
    /// The browser sends and receives.
    SendRecv,
    /// The browser only sends.
    SendOnly,
    /// The browser only receives.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl OfferDirection {
    /// The browser sends on it.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }
    /// The browser receives on it.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }
}

/// One media section of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedMedia {
    /// `a=mid`.
    pub mid: String,
    /// `m=audio` / `m=video`; `None` for data channels and others.
    pub kind: Option<MediaKind>,
    /// `a=sendrecv` and friends (sendrecv when absent, as RFC 4566 says).
    pub direction: OfferDirection,
    /// Simulcast layers the browser sends (`a=rid:<id> send`).
    pub send_rids: Vec<String>,
}

/// The media sections of an SDP text, in order.
pub fn offered_media(sdp: &str) -> Vec<OfferedMedia> {
    let mut media: Vec<OfferedMedia> = Vec::new();
    for line in sdp.lines().map(str::trim_end) {
        if let Some(rest) = line.strip_prefix("m=") {
            let kind = match rest.split(' ').next() {
                Some("audio") => Some(MediaKind::Audio),
                Some("video") => Some(MediaKind::Video),
                _ => None,
            };
            media.push(OfferedMedia {
                mid: String::new(),
                kind,
                direction: OfferDirection::SendRecv,
                send_rids: Vec::new(),
            });
            continue;
        }
        let Some(current) = media.last_mut() else {
            continue;
        };
        match line {
            "a=sendrecv" => current.direction = OfferDirection::SendRecv,
            "a=sendonly" => current.direction = OfferDirection::SendOnly,
            "a=recvonly" => current.direction = OfferDirection::RecvOnly,
            "a=inactive" => current.direction = OfferDirection::Inactive,
            _ => {
                if let Some(mid) = line.strip_prefix("a=mid:") {
                    current.mid = mid.to_string();
                } else if let Some(rid) = line.strip_prefix("a=rid:") {
                    let mut parts = rid.split(' ');
                    if let (Some(id), Some("send")) = (parts.next(), parts.next()) {
                        current.send_rids.push(id.to_string());
                    }
                }
            }
        }
    }
    media
}

/// Check an offer and its `publish` / `subscribe` lists fully before any of
/// it is applied: every listed transceiver exists and points the right
/// way, simulcast layers are sound, a screen share is allowed
/// (`may_share`), and str0m can read the SDP.
pub fn check_offer(
    sdp: &str,
    publish: &[PublishedTrack],
    subscribe: &[Subscription],
    may_share: bool,
) -> Result<SdpOffer, ProtocolError> {
    let bad = |field: String, message: String| {
        ProtocolError::field(ErrorCode::InvalidField, field, message)
    };
    if let Some(i) = publish
        .iter()
        .position(|p| p.source == TrackSource::Screen)
        .filter(|_| !may_share)
    {
        return Err(ProtocolError::field(
            ErrorCode::NotAllowed,
            format!("publish[{i}]"),
            "sharing the screen needs a moderator's permission",
        ));
    }
    let media = offered_media(sdp);
    let section = |list: &str, i: usize, mid: &str| {
        let field = format!("{list}[{i}].mid");
        let missing = format!("no media section with mid {mid:?}");
        media
            .iter()
            .find(|m| m.mid == mid)
            .ok_or_else(|| bad(field, missing))
    };
    for (i, p) in publish.iter().enumerate() {
        let m = section("publish", i, &p.mid)?;
        if m.kind != Some(p.kind) || !m.direction.sends() {
            return Err(bad(
                format!("publish[{i}]"),
                format!("mid {:?} is not a sending {:?} section", p.mid, p.kind),
            ));
        }
        check_layers(i, p, &m.send_rids)?;
    }
    for (i, s) in subscribe.iter().enumerate() {
        let m = section("subscribe", i, &s.mid)?;
        if !m.direction.receives() {
            return Err(bad(
                format!("subscribe[{i}]"),
                format!("mid {:?} does not receive", s.mid),
            ));
        }
    }
    SdpOffer::from_sdp_string(sdp).map_err(|e| {
        ProtocolError::field(
            ErrorCode::BadSdp,
            "sdp",
            format!("unreadable SDP offer: {e}"),
        )
    })
}

/// Simulcast layers must be video, few, named like RIDs, and announced in the SDP.
pub fn check_layers(
    i: usize,
    track: &PublishedTrack,
    sdp_rids: &[String],
) -> Result<(), ProtocolError> {
    let bad = |field: String, message: String| {
        Err(ProtocolError::field(
            ErrorCode::InvalidField,
            field,
            message,
        ))
    };
    if track.layers.is_empty() {
        return Ok(());
    }
    if track.kind != MediaKind::Video {
        return bad(
            format!("publish[{i}].layers"),
            "only video has simulcast layers".into(),
        );
    }
    if track.layers.len() > 4 {
        return bad(
            format!("publish[{i}].layers"),
            "at most 4 simulcast layers".into(),
        );
    }
    for (j, layer) in track.layers.iter().enumerate() {
        let field = format!("publish[{i}].layers[{j}]");
        let valid_rid = (1..=16).contains(&layer.rid.len())
            && layer.rid.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_rid {
            return bad(
                format!("{field}.rid"),
                format!("{:?} is not a valid RID", layer.rid),
            );
        }
        if !sdp_rids.contains(&layer.rid) {
            return bad(
                format!("{field}.rid"),
                format!("the offer does not send RID {:?}", layer.rid),
            );
        }
        if track.layers[..j].iter().any(|l| l.rid == layer.rid) {
            return bad(
                format!("{field}.rid"),
                format!("RID {:?} appears twice", layer.rid),
            );
        }
        if !(1..=4320).contains(&layer.height) {
            return bad(
                format!("{field}.height"),
                format!("height {} is out of range", layer.height),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mids_kinds_and_directions() {
        let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
                   m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\na=mid:1\r\n\
                   a=rid:q send\r\na=rid:f send pt=96\r\na=rid:x recv\r\n\
                   m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n";
        let media = offered_media(sdp);
        assert_eq!(media.len(), 3);
        assert_eq!(
            (media[0].mid.as_str(), media[0].kind),
            ("0", Some(MediaKind::Audio))
        );
        assert!(media[0].direction.sends() && !media[0].direction.receives());
        assert_eq!(media[1].direction, OfferDirection::RecvOnly);
        assert_eq!(media[1].send_rids, vec!["q", "f"]);
        assert_eq!(media[2].kind, None);
    }
}
