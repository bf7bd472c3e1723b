// What a participant's page sees and receives, read inside the page.
//
// Media is matched the way a user experiences it: for every tile, the track in
// its <video> element is looked up by id among the inbound-rtp stats of the
// recorded peer connections (trackIdentifier); for every remote <audio
// data-participant-id> element likewise. So "framesDecoded rises for B" means
// the picture in B's tile is being decoded, not merely that some video arrives.

/** Runs in the page. Must be self-contained. */
async function collectInPage() {
  const pcs = (window.__e2ePeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  // trackIdentifier -> inbound-rtp stat. A reused transceiver may show an old
  // SSRC beside the new one; the one that received last is the one playing.
  const inbound = new Map();
  const pcStates = [];
  for (const pc of pcs) {
    pcStates.push(pc.connectionState);
    let report;
    try {
      report = await pc.getStats();
    } catch {
      continue;
    }
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || !s.trackIdentifier) return;
      const seen = inbound.get(s.trackIdentifier);
      if (!seen || (s.lastPacketReceivedTimestamp ?? 0) > (seen.lastPacketReceivedTimestamp ?? 0)) {
        inbound.set(s.trackIdentifier, s);
      }
    });
  }
  const trackOf = (el, kind) => {
    const stream = el?.srcObject;
    if (!stream || typeof stream.getTracks !== 'function') return undefined;
    return stream.getTracks().find((t) => t.kind === kind);
  };
  const tiles = [...document.querySelectorAll('[data-testid="tile"]')].map((tile) => {
    const video = tile.querySelector('video');
    const track = trackOf(video, 'video');
    const st = track ? inbound.get(track.id) : undefined;
    return {
      participantId: tile.dataset.participantId,
      self: tile.dataset.self === 'true',
      name: tile.querySelector('[data-testid="tile-name"]')?.textContent?.trim(),
      audioMuted: tile.dataset.audioMuted,
      videoMuted: tile.dataset.videoMuted,
      speaking: tile.dataset.speaking,
      trackId: track?.id,
      trackState: track?.readyState,
      videoWidth: video?.videoWidth ?? 0,
      framesDecoded: st?.framesDecoded ?? null,
    };
  });
  const audios = [...document.querySelectorAll('audio[data-participant-id]')].map((audio) => {
    const track = trackOf(audio, 'audio');
    const st = track ? inbound.get(track.id) : undefined;
    return {
      participantId: audio.dataset.participantId,
      trackId: track?.id,
      paused: audio.paused,
      totalAudioEnergy: st?.totalAudioEnergy ?? null,
    };
  });
  const room = document.querySelector('[data-testid="room"]');
  return { connection: room?.dataset.connection ?? null, pcStates, tiles, audios };
}

/** A snapshot of what the page shows and receives. */
export async function snapshot(page) {
  const s = await page.evaluate(collectInPage);
  s.at = Date.now();
  s.remoteIds = s.tiles.filter((t) => !t.self).map((t) => t.participantId).sort();
  s.self = s.tiles.find((t) => t.self);
  s.video = (id) => s.tiles.find((t) => !t.self && t.participantId === id);
  // Several audio elements per participant are allowed; their energy adds up.
  s.audioEnergy = (id) => {
    const mine = s.audios.filter((a) => a.participantId === id && a.totalAudioEnergy !== null);
    return mine.length ? mine.reduce((sum, a) => sum + a.totalAudioEnergy, 0) : null;
  };
  return s;
}

/** A short form of a snapshot for error messages. */
export function summary(s) {
  return {
    connection: s.connection,
    pcStates: s.pcStates,
    tiles: s.tiles.map((t) => ({
      id: t.participantId,
      self: t.self,
      name: t.name,
      audioMuted: t.audioMuted,
      videoMuted: t.videoMuted,
      framesDecoded: t.framesDecoded,
      videoWidth: t.videoWidth,
    })),
    audios: s.audios.map((a) => ({ id: a.participantId, energy: a.totalAudioEnergy, paused: a.paused })),
  };
}

/** Runs in the page: the ICE candidate pair each peer connection uses. */
async function selectedPairsInPage() {
  const out = [];
  for (const pc of (window.__e2ePeerConnections ?? []).filter((p) => p.signalingState !== 'closed')) {
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
      const pair = report.get(s.selectedCandidatePairId);
      const local = pair && report.get(pair.localCandidateId);
      const remote = pair && report.get(pair.remoteCandidateId);
      out.push({
        connectionState: pc.connectionState,
        pairState: pair?.state,
        bytesReceived: pair?.bytesReceived,
        local: local && { protocol: local.protocol, address: local.address, port: local.port, type: local.candidateType, tcpType: local.tcpType },
        remote: remote && { protocol: remote.protocol, address: remote.address, port: remote.port, type: remote.candidateType, tcpType: remote.tcpType },
      });
    });
  }
  return out;
}

export function selectedCandidatePairs(page) {
  return page.evaluate(selectedPairsInPage);
}
