// The teacher in control of sound and screen: mute-all with self-unmute
// off, and a pupil who forces an unmute past the UI is still not heard;
// ask-to-unmute (the pupil decides); the teacher's screen share shown
// large to the pupils; screen sharing granted to a pupil and taken back.
// One server, one browser, a teacher of the room's school and two pupils.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { expectMediaFrom, SILENCE_ENERGY, expectSilenceFrom } from './lib/media.mjs';
import {
  RECORD_SOCKETS, expectNoScreen, expectScreenFrom, moderate, setRoomSetting, tilesUnderScreen, waitNotice,
} from './lib/moderation.mjs';
import { ms } from './lib/paths.mjs';
import { snapshot, summary } from './lib/stats.mjs';
import { SCHOOL, loggedInTeacher } from './lib/teacher.mjs';
import { joinRoom, prejoinAndJoin } from './lib/ui.mjs';
import { sleep, until } from './lib/wait.mjs';

const h = new Harness('moderation-media');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-moderation-media-'));
before(() => h.start({ args: ['--data-dir', dataDir] }));
after(async () => {
  await h.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const ROOM = `${SCHOOL}-8a-PHY`;

/** Runs in the page: what a pupil could do in the console to get heard. */
async function forceUnmuteInPage() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const [track] = stream.getAudioTracks();
  const pc = window.__e2ePeerConnections.find((p) => p.signalingState !== 'closed');
  const sender = pc.getTransceivers().find((t) => t.sender && t.receiver.track.kind === 'audio' && t.direction === 'sendonly').sender;
  await sender.replaceTrack(track);
  const socket = window.__e2eSockets.find((s) => s.readyState === WebSocket.OPEN);
  socket.send(JSON.stringify({ type: 'mute', audio: false, video: false }));
  return track.readyState;
}

/** Energy from `senderId` that arrives at `observer` over `millis`. */
async function energyGrowth(observer, senderId, millis) {
  const a = await snapshot(observer.page);
  await sleep(millis);
  const b = await snapshot(observer.page);
  return { growth: (b.audioEnergy(senderId) ?? 0) - (a.audioEnergy(senderId) ?? 0), playing: b.audioEnergy(senderId) !== null, frames: (b.video(senderId)?.framesDecoded ?? 0) - (a.video(senderId)?.framesDecoded ?? 0), detail: summary(b) };
}

test('mute, ask to unmute and screen sharing, as teacher and pupils notice it', { timeout: ms(240_000) }, async (t) => {
  const { page: tp } = await loggedInTeacher(h, 'Frau Weber', { rooms: [{ group: '8a', short: 'PHY', lobby: false }] });
  await tp.goto(`${h.baseUrl}/r/${ROOM}`);
  const teacherId = await prejoinAndJoin(tp, { name: 'Frau Weber', camera: false, mic: false });
  const teacher = { name: 'Frau Weber', page: tp, id: teacherId };
  const pupils = [];
  for (const name of ['Ada', 'Ben']) {
    const page = await h.page(name);
    await page.context().addInitScript(RECORD_SOCKETS);
    const id = await joinRoom(page, { baseUrl: h.baseUrl, room: ROOM, name });
    pupils.push({ name, page, id });
  }
  const [ada, ben] = pupils;

  await t.test('mute-all with self-unmute off: a pupil who forces an unmute is still not heard', async () => {
    await expectMediaFrom(teacher, [ada.id, ben.id]);
    await setRoomSetting(tp, 'selfUnmuteAudio', false);
    await tp.getByTestId('mute-all').click();
    const text = await waitNotice(ada.page, 'audioMuted');
    assert.match(text, /Frau Weber hat dein Mikrofon stummgeschaltet/);
    await expectSilenceFrom(teacher, ada.id);
    await expectSilenceFrom(teacher, ben.id);
    // The microphone button says why it stays off.
    const mic = ada.page.getByTestId('mic-toggle');
    assert.equal(await mic.getAttribute('aria-pressed'), 'false');
    assert.equal(await mic.getAttribute('aria-disabled'), 'true');
    assert.match(await ada.page.getByTestId('device-lock-hint').innerText(), /Mikrofon/);

    // Ada's page sends sound and a `mute {audio: false}` past the UI.
    assert.equal(await ada.page.evaluate(forceUnmuteInPage), 'live');
    await waitNotice(ada.page, 'unmuteRefused');
    const heard = await energyGrowth(teacher, ada.id, 3_000);
    assert.ok(heard.frames >= 3, `Ada's video still flows, so silence is the mute: ${JSON.stringify(heard)}`);
    assert.ok(heard.playing, `the teacher still plays Ada's audio track (the silence is the SFU's): ${JSON.stringify(heard)}`);
    assert.ok(heard.growth < SILENCE_ENERGY, `the teacher hears nothing of Ada's forced unmute: ${JSON.stringify(heard)}`);
  });

  await t.test('ask to unmute: the pupil declines, then accepts, and is heard', async () => {
    await moderate(tp, ada.id, 'ask-audio');
    const dialog = ada.page.getByTestId('unmute-request');
    await dialog.waitFor({ timeout: ms(10_000) });
    assert.match(await dialog.innerText(), /Frau Weber bittet dich, dein Mikrofon einzuschalten/);
    await ada.page.getByTestId('unmute-decline').click();
    assert.equal(await ada.page.getByTestId('mic-toggle').getAttribute('aria-pressed'), 'false', 'declining leaves the microphone off');
    await moderate(tp, ada.id, 'ask-audio');
    await dialog.waitFor({ timeout: ms(10_000) });
    await ada.page.getByTestId('unmute-accept').click();
    await until('Ada’s microphone to be on', async () => ({
      ok: (await ada.page.getByTestId('mic-toggle').getAttribute('aria-pressed')) === 'true',
    }), { timeout: ms(10_000) });
    await until('the teacher to hear Ada again', async () => {
      const e = await energyGrowth(teacher, ada.id, 1_500);
      return { ok: e.growth > SILENCE_ENERGY, detail: e };
    }, { timeout: ms(20_000), interval: 0 });
    // Ben was not asked: he stays silent.
    const benHeard = await energyGrowth(teacher, ben.id, 1_500);
    assert.ok(benHeard.growth < SILENCE_ENERGY, `Ben stays muted: ${JSON.stringify(benHeard)}`);
  });

  await t.test('allowed to speak: the pupil may switch the microphone on, until it is taken back', async () => {
    const mic = ben.page.getByTestId('mic-toggle');
    await moderate(tp, ben.id, 'grant-audio');
    assert.match(await waitNotice(ben.page, 'granted'), /erlaubt zu sprechen/);
    await until('Ben’s microphone button to be unlocked', async () => ({ ok: (await mic.getAttribute('data-locked')) === 'false' }), { timeout: ms(10_000) });
    await mic.click();
    await until('the teacher to hear Ben', async () => {
      const e = await energyGrowth(teacher, ben.id, 1_500);
      return { ok: e.growth > SILENCE_ENERGY, detail: e };
    }, { timeout: ms(20_000), interval: 0 });
    await moderate(tp, ben.id, 'revoke-audio');
    await waitNotice(ben.page, 'revoked');
    await until('Ben’s microphone to be off and locked', async () => ({
      ok: (await mic.getAttribute('aria-pressed')) === 'false' && (await mic.getAttribute('data-locked')) === 'true',
    }), { timeout: ms(10_000) });
    await expectSilenceFrom(teacher, ben.id);
  });

  await t.test('the teacher shares her screen; the pupils see it large', async () => {
    assert.equal(await ada.page.getByTestId('screen-toggle').count(), 0, 'pupils cannot share by default');
    await tp.getByTestId('screen-toggle').click();
    await Promise.all([expectScreenFrom(ada.page, 'Ada', teacherId), expectScreenFrom(ben.page, 'Ben', teacherId)]);
    assert.deepEqual(await tilesUnderScreen(ada.page), [], 'the shared screen covers no tile');
    assert.deepEqual(await tilesUnderScreen(tp), [], 'the own share covers no tile');
    await tp.getByTestId('screen-toggle').click();
    await Promise.all([expectNoScreen(ada.page, 'Ada'), expectNoScreen(ben.page, 'Ben')]);
  });

  await t.test('screen sharing granted to a pupil, then taken back', async () => {
    await moderate(tp, ben.id, 'grant-screen');
    await waitNotice(ben.page, 'granted');
    await ben.page.getByTestId('screen-toggle').click();
    await Promise.all([expectScreenFrom(tp, 'the teacher', ben.id), expectScreenFrom(ada.page, 'Ada', ben.id)]);
    await moderate(tp, ben.id, 'revoke-screen');
    await waitNotice(ben.page, 'revoked');
    await Promise.all([expectNoScreen(tp, 'the teacher'), expectNoScreen(ada.page, 'Ada'), expectNoScreen(ben.page, 'Ben')]);
    assert.equal(await ben.page.getByTestId('screen-toggle').count(), 0, 'Ben’s share button is gone again');
    // The teacher shares a second time (her page reuses the first share's sender).
    await tp.getByTestId('screen-toggle').click();
    await expectScreenFrom(ada.page, 'Ada', teacherId);
    await tp.getByTestId('screen-toggle').click();
    await expectNoScreen(ada.page, 'Ada');
  });
});
