// Two people in one room see and hear each other; muting, the camera, leaving and
// rejoining behave as they notice it. Also saves the README's screenshot.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { ms, repoRoot } from './lib/paths.mjs';
import { expectMediaFrom, expectSilenceFrom, expectRemoteTiles } from './lib/media.mjs';
import { snapshot, summary } from './lib/stats.mjs';
import { prejoinAndJoin, waitConnected } from './lib/ui.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('two-participants');
before(() => h.start());
after(() => h.stop());

/** Saves the room as Anna sees it; docs/ only when missing or asked for. */
async function saveScreenshot(page) {
  const shot = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(h.artifacts, 'screenshot-room.png'), shot);
  const docs = path.join(repoRoot, 'docs', 'screenshot-room.png');
  if (process.env.E2E_UPDATE_SCREENSHOT === '1' || !fs.existsSync(docs)) {
    fs.mkdirSync(path.dirname(docs), { recursive: true });
    fs.writeFileSync(docs, shot);
  }
}

test('two participants see and hear each other, mute, switch the camera, leave and rejoin', { timeout: ms(240_000) }, async (t) => {
  // A fixed, realistic name: the server is this file's own, and the name shows in
  // the README's screenshot (room names follow Dienststellennummer-Lerngruppe-Kürzel).
  const room = '12345-7b-Mathe';
  const anna = await h.join('Anna', room);
  const ben = await h.join('Ben', room);
  assert.notEqual(anna.id, ben.id, 'participants have different ids');

  await t.test('each sees the other’s video and hears the other’s audio', async () => {
    await Promise.all([expectMediaFrom(anna, [ben.id]), expectMediaFrom(ben, [anna.id])]);
    const s = await snapshot(anna.page);
    assert.equal(s.video(ben.id).name, 'Ben', 'Anna sees Ben’s name on his tile');
    await saveScreenshot(anna.page);
  });

  await t.test('the other’s tile shows who is speaking', async () => {
    // The fake microphone beeps without pause: Anna counts as speaking.
    await until('Ben to see Anna speaking', async () => {
      const s = await snapshot(ben.page);
      return { ok: s.video(anna.id)?.speaking === 'true', detail: summary(s) };
    }, { timeout: ms(15_000) });
  });

  await t.test('muting the microphone stops the audio at the other', async () => {
    await anna.page.getByTestId('mic-toggle').click();
    await until('Ben to see Anna muted', async () => {
      const s = await snapshot(ben.page);
      return { ok: s.video(anna.id)?.audioMuted === 'true', detail: summary(s) };
    }, { timeout: ms(10_000) });
    await expectSilenceFrom(ben, anna.id);
    await until('Ben to see Anna no longer speaking', async () => {
      const s = await snapshot(ben.page);
      return { ok: s.video(anna.id)?.speaking === 'false', detail: summary(s) };
    }, { timeout: ms(10_000) });

    await anna.page.getByTestId('mic-toggle').click();
    await until('Ben to see Anna unmuted', async () => {
      const s = await snapshot(ben.page);
      return { ok: s.video(anna.id)?.audioMuted === 'false', detail: summary(s) };
    }, { timeout: ms(10_000) });
    await expectMediaFrom(ben, [anna.id], { timeout: ms(15_000) });
  });

  await t.test('switching the camera off and on again is seen by the other', async () => {
    await anna.page.getByTestId('camera-toggle').click();
    await until('Ben to see Anna’s camera off and her picture gone', async () => {
      const s = await snapshot(ben.page);
      const tile = s.video(anna.id);
      return { ok: tile?.videoMuted === 'true' && (tile.trackId === undefined || tile.videoWidth === 0 || tile.trackState === 'ended'), detail: summary(s) };
    }, { timeout: ms(10_000) });
    await anna.page.getByTestId('camera-toggle').click();
    await until('Ben to see Anna’s camera on', async () => {
      const s = await snapshot(ben.page);
      return { ok: s.video(anna.id)?.videoMuted === 'false', detail: summary(s) };
    }, { timeout: ms(10_000) });
    await expectMediaFrom(ben, [anna.id], { timeout: ms(15_000) });
  });

  let annaAgain;
  await t.test('leaving removes the tile at the other within 2 s', async () => {
    const gone = ben.page.waitForFunction(
      (id) => !document.querySelector(`[data-testid="tile"][data-participant-id="${id}"]`),
      anna.id,
      { polling: 50, timeout: ms(10_000) },
    );
    const start = Date.now();
    await anna.page.getByTestId('leave-button').click();
    await gone;
    const took = Date.now() - start;
    assert.ok(took <= 2_000, `Anna's tile disappeared at Ben after ${took} ms (must be within 2000 ms)`);
    await anna.page.getByTestId('left-page').waitFor({ timeout: ms(5_000) });
    await expectRemoteTiles(ben, [], { timeout: ms(2_000) });
    const s = await snapshot(ben.page);
    assert.deepEqual(s.audios.filter((a) => a.participantId === anna.id), [], 'no audio element of Anna is left at Ben');
  });

  await t.test('rejoining works and media flows again', async () => {
    await anna.page.getByTestId('rejoin-button').click();
    // The rejoin may go straight into the room or through the pre-join screen.
    const where = await Promise.race([
      anna.page.locator('[data-testid="room"][data-connection="connected"]').waitFor({ timeout: ms(30_000) }).then(() => 'room'),
      anna.page.getByTestId('join-button').waitFor({ timeout: ms(30_000) }).then(() => 'prejoin'),
    ]);
    let id;
    if (where === 'prejoin') {
      id = await prejoinAndJoin(anna.page, { name: 'Anna' });
    } else {
      await waitConnected(anna.page, 'Anna (rejoined)');
      id = (await until('Anna’s own tile after rejoining', async () => {
        const s = await snapshot(anna.page);
        return { ok: Boolean(s.self?.participantId), id: s.self?.participantId, detail: summary(s) };
      })).id;
    }
    annaAgain = { name: 'Anna (rejoined)', page: anna.page, id };
    await Promise.all([expectMediaFrom(annaAgain, [ben.id]), expectMediaFrom(ben, [annaAgain.id])]);
  });
});
