// The two-person call, step by step, as both participants notice it. Used
// as it is by two-participants.test.mjs and, with UDP blocked, by
// udp-blocked.test.mjs ("the same two-browser test").

import assert from 'node:assert/strict';
import { ms } from './paths.mjs';
import { expectMediaFrom, expectSilenceFrom, expectRemoteTiles } from './media.mjs';
import { snapshot, summary } from './stats.mjs';
import { prejoinAndJoin, waitConnected } from './ui.mjs';
import { until } from './wait.mjs';

/**
 * Anna and Ben join `room`; each sees and hears the other; speaking, muting,
 * the camera, leaving and rejoining work. `afterMediaFlows(anna, ben)` runs
 * once both receive each other, `afterRejoin(anna, ben)` after the rejoin.
 */
export async function twoPersonCall(t, h, { room, afterMediaFlows, afterRejoin }) {
  const anna = await h.join('Anna', room);
  const ben = await h.join('Ben', room);
  assert.notEqual(anna.id, ben.id, 'participants have different ids');

  await t.test('each sees the other’s video and hears the other’s audio', async () => {
    await Promise.all([expectMediaFrom(anna, [ben.id]), expectMediaFrom(ben, [anna.id])]);
    const s = await snapshot(anna.page);
    assert.equal(s.video(ben.id).name, 'Ben', 'Anna sees Ben’s name on his tile');
    await afterMediaFlows?.(anna, ben);
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
    await afterRejoin?.(annaAgain, ben);
  });
}
