// Expectations about media, phrased as what a participant notices: pictures
// that move, sound that is heard, silence after someone mutes.

import { ms } from './paths.mjs';
import { sleep, until } from './wait.mjs';
import { snapshot, summary } from './stats.mjs';

/** Frames that must be decoded, and energy that must arrive, to count as "rising". */
export const MIN_FRAMES = 10;
export const MIN_ENERGY = 0.01;
/** Energy growth below this over the sampling window counts as silence. */
export const SILENCE_ENERGY = 0.002;

/**
 * Waits until `observer` decodes rising video (and a picture of non-zero
 * size) from every participant in `senderIds`, and receives rising, non-zero
 * audio energy from each of them, and sees no remote tile besides these.
 */
export async function expectMediaFrom(observer, senderIds, { audio = true, timeout = ms(30_000) } = {}) {
  const expected = [...senderIds].sort();
  let base = await snapshot(observer.page);
  const firstSeen = new Map(); // id -> { frames, energy } when first seen
  const remember = (s) => {
    for (const id of expected) {
      if (firstSeen.has(id)) continue;
      const t = s.video(id);
      if (t && t.framesDecoded !== null) firstSeen.set(id, { frames: t.framesDecoded, energy: s.audioEnergy(id) });
    }
  };
  remember(base);
  return until(`${observer.name} to see video${audio ? ' and hear audio' : ''} of ${JSON.stringify(expected)}`, async () => {
    const s = await snapshot(observer.page);
    const missing = [];
    for (const id of expected) {
      const t = s.video(id);
      const b = firstSeen.get(id);
      if (!t) missing.push(`${id}: no tile`);
      else if (t.framesDecoded === null) missing.push(`${id}: tile video has no inbound track stats`);
      else if (t.framesDecoded < MIN_FRAMES || (b && t.framesDecoded - b.frames < MIN_FRAMES)) missing.push(`${id}: framesDecoded ${t.framesDecoded} not rising enough`);
      else if (t.videoWidth === 0) missing.push(`${id}: video element shows no picture (videoWidth 0)`);
      if (audio) {
        const e = s.audioEnergy(id);
        const be = b?.energy ?? 0;
        if (e === null) missing.push(`${id}: no <audio> with inbound stats`);
        else if (!(e > 0) || e - be < MIN_ENERGY) missing.push(`${id}: totalAudioEnergy ${e} not rising enough`);
      }
    }
    const unexpected = s.remoteIds.filter((id) => !expected.includes(id));
    if (unexpected.length) missing.push(`unexpected remote tiles ${JSON.stringify(unexpected)}`);
    remember(s);
    return { ok: missing.length === 0, detail: { missing, ...summary(s) } };
  }, { timeout });
}

/**
 * Waits until audio energy from `senderId` stops rising at `observer`, while
 * that sender's video keeps being decoded (so the silence is the mute, not a
 * dead connection). A missing <audio> element counts as silence.
 */
export async function expectSilenceFrom(observer, senderId, { window = 1_500, timeout = ms(15_000) } = {}) {
  return until(`${observer.name} to hear no more audio from ${senderId}`, async () => {
    const a = await snapshot(observer.page);
    await sleep(window);
    const b = await snapshot(observer.page);
    const ea = a.audioEnergy(senderId) ?? 0;
    const eb = b.audioEnergy(senderId) ?? 0;
    const fa = a.video(senderId)?.framesDecoded ?? 0;
    const fb = b.video(senderId)?.framesDecoded ?? 0;
    const silent = eb - ea < SILENCE_ENERGY;
    const videoFlows = fb - fa >= 3;
    return { ok: silent && videoFlows, detail: { energyGrowth: eb - ea, framesGrowth: fb - fa, ...summary(b) } };
  }, { timeout, interval: 0 });
}

/** Waits until `observer`'s remote tiles are exactly `ids`. */
export async function expectRemoteTiles(observer, ids, { timeout = ms(15_000) } = {}) {
  const expected = [...ids].sort();
  return until(`${observer.name} to show remote tiles ${JSON.stringify(expected)}`, async () => {
    const s = await snapshot(observer.page);
    return { ok: JSON.stringify(s.remoteIds) === JSON.stringify(expected), detail: summary(s) };
  }, { timeout, interval: 50 });
}

/**
 * Samples, in the background, how `observer` receives video from `senderId`
 * and which remote tiles it shows. stop() returns { samples, longestStallMs,
 * tileSets }: the longest time in which framesDecoded did not rise, and every
 * distinct set of remote tiles seen.
 */
export function watchReception(observer, senderId, { interval = 300 } = {}) {
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const s = await snapshot(observer.page);
        samples.push({ at: s.at, frames: s.video(senderId)?.framesDecoded ?? null, remoteIds: s.remoteIds, connection: s.connection });
      } catch (err) {
        samples.push({ at: Date.now(), error: String(err) });
      }
      await sleep(interval);
    }
  })();
  return {
    /** Stops sampling, once at least `minSamples` samples were taken. */
    async stop({ minSamples = 0, timeout = 30_000 } = {}) {
      const deadline = Date.now() + timeout;
      while (running && samples.length < minSamples && Date.now() < deadline) await sleep(interval);
      running = false;
      await loop;
      let longestStallMs = 0;
      let lastRise = samples[0]?.at;
      for (let i = 1; i < samples.length; i++) {
        if ((samples[i].frames ?? 0) > (samples[i - 1].frames ?? 0)) lastRise = samples[i].at;
        longestStallMs = Math.max(longestStallMs, samples[i].at - lastRise);
      }
      const tileSets = [...new Set(samples.map((s) => JSON.stringify(s.remoteIds)))];
      const connections = [...new Set(samples.map((s) => s.connection))];
      return { samples, longestStallMs, tileSets, connections };
    },
  };
}
