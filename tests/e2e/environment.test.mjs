// Checks the test machine itself, without Tafelrunde: headless Chromium makes a
// loopback WebRTC call between two browser contexts, and the stats helpers of
// lib/ read it the way the product tests do. When this fails, the other tests'
// failures say nothing about the product.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Browsers } from './lib/browser.mjs';
import { artifactsDir, ms } from './lib/paths.mjs';
import { expectMediaFrom, expectSilenceFrom } from './lib/media.mjs';
import path from 'node:path';

// A page shaped like the room view: a tile with a <video> for the peer, and
// an <audio data-participant-id> element playing the peer's sound.
const PAGE = `<!doctype html><meta charset="utf-8"><title>e2e loopback</title>
<div data-testid="room" data-connection="connecting">
  <div data-testid="tile" data-self="true" data-participant-id="me"><video muted autoplay playsinline></video></div>
  <div data-testid="tile" data-self="false" data-participant-id="peer"><span data-testid="tile-name">peer</span><video id="remote" muted autoplay playsinline></video></div>
  <audio data-participant-id="peer" autoplay></audio>
</div>
<script>
  window.start = async () => {
    window.pc = new RTCPeerConnection();
    window.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    local.getTracks().forEach((t) => pc.addTrack(t, local));
    document.querySelector('[data-self="true"] video').srcObject = local;
    pc.ontrack = (e) => {
      const el = e.track.kind === 'video' ? document.getElementById('remote') : document.querySelector('audio');
      el.srcObject = new MediaStream([e.track]);
    };
    pc.onconnectionstatechange = () => {
      document.querySelector('[data-testid="room"]').dataset.connection = pc.connectionState;
    };
  };
  const gathered = () => new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
  });
  window.offer = async () => { await pc.setLocalDescription(); await gathered(); return pc.localDescription.toJSON(); };
  window.answer = async (o) => { await pc.setRemoteDescription(o); await pc.setLocalDescription(); await gathered(); return pc.localDescription.toJSON(); };
  window.accept = (a) => pc.setRemoteDescription(a);
</script>`;

let server;
let browsers;

before(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  browsers = new Browsers(path.join(artifactsDir, 'environment'));
});

after(async () => {
  await browsers?.close();
  server?.close();
});

test('Chromium does loopback WebRTC between two contexts, and the stats helpers see it', { timeout: ms(90_000) }, async () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  const a = { name: 'a', page: await browsers.page('a') };
  const b = { name: 'b', page: await browsers.page('b') };
  for (const p of [a, b]) {
    await p.page.goto(url);
    await p.page.evaluate(() => window.start());
  }
  const offer = await a.page.evaluate(() => window.offer());
  assert.match(offer.sdp, /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 /, 'Chromium gathers a UDP candidate on 127.0.0.1');
  const answer = await b.page.evaluate((o) => window.answer(o), offer);
  await a.page.evaluate((ans) => window.accept(ans), answer);

  // The recorded peer connection list (init script) is what the stats read.
  assert.equal(await a.page.evaluate(() => window.__e2ePeerConnections.length), 1);
  assert.equal(await a.page.evaluate(() => window.pc instanceof RTCPeerConnection), true);

  await expectMediaFrom(a, ['peer']);
  await expectMediaFrom(b, ['peer']);

  // A disabled microphone track sends silence: the energy stops rising.
  await b.page.evaluate(() => window.local.getAudioTracks().forEach((t) => { t.enabled = false; }));
  await expectSilenceFrom(a, 'peer');
  await b.page.evaluate(() => window.local.getAudioTracks().forEach((t) => { t.enabled = true; }));
  await expectMediaFrom(a, ['peer'], { timeout: ms(15_000) });
});
