// Without a mouse, and on a phone: every step from the start page to leaving
// the room can be done with the keyboard alone, and on a phone-sized screen the
// room fits the screen with its controls in reach.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { expectMediaFrom } from './lib/media.mjs';
import { snapshot, summary } from './lib/stats.mjs';
import { waitConnected } from './lib/ui.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('keyboard-and-phone');
before(() => h.start());
after(() => h.stop());

/** Presses Tab until the element with this test id has the focus. */
async function tabTo(page, testId, maxTabs = 40) {
  for (let i = 0; i < maxTabs; i++) {
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused === testId) return;
    await page.keyboard.press('Tab');
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`${testId} cannot be reached with Tab (${maxTabs} presses; focus is on ${focused})`);
}

async function pressed(page, testId) {
  return page.getByTestId(testId).getAttribute('aria-pressed');
}

test('from the start page into a call and out again with the keyboard alone', { timeout: ms(120_000) }, async () => {
  const room = '12345-9a-Deutsch';
  const ben = await h.join('Ben', room);
  const page = await h.page('Anna (keyboard)');
  await page.goto(`${h.baseUrl}/`);

  await tabTo(page, 'room-name-input');
  await page.keyboard.type(room);
  await page.keyboard.press('Enter');
  await page.getByTestId('display-name-input').waitFor({ timeout: ms(15_000) });

  await tabTo(page, 'display-name-input');
  await page.keyboard.type('Anna');
  await tabTo(page, 'prejoin-camera-toggle');
  await page.keyboard.press('Space');
  await until('the camera to be on', async () => ({ ok: (await pressed(page, 'prejoin-camera-toggle')) === 'true' }), { timeout: ms(10_000) });
  await tabTo(page, 'prejoin-mic-toggle');
  await page.keyboard.press('Enter');
  await until('the microphone to be on', async () => ({ ok: (await pressed(page, 'prejoin-mic-toggle')) === 'true' }), { timeout: ms(10_000) });
  await tabTo(page, 'join-button');
  await page.keyboard.press('Enter');
  await waitConnected(page, 'Anna (keyboard)');
  const anna = { name: 'Anna (keyboard)', page, id: (await snapshot(page)).self?.participantId };
  assert.ok(anna.id, 'Anna has her own tile');
  await expectMediaFrom(ben, [anna.id]);

  await tabTo(page, 'mic-toggle');
  await page.keyboard.press('Space');
  await until('Ben to see Anna muted', async () => {
    const s = await snapshot(ben.page);
    return { ok: s.video(anna.id)?.audioMuted === 'true', detail: summary(s) };
  }, { timeout: ms(10_000) });

  await tabTo(page, 'leave-button');
  await page.keyboard.press('Enter');
  await page.getByTestId('left-page').waitFor({ timeout: ms(10_000) });
  await until('Anna’s tile to go at Ben', async () => {
    const s = await snapshot(ben.page);
    return { ok: !s.remoteIds.includes(anna.id), detail: summary(s) };
  }, { timeout: ms(5_000) });
});

test('on a phone-sized screen the room fits and its controls are in reach', { timeout: ms(120_000) }, async () => {
  const room = '12345-9a-Englisch';
  const ben = await h.join('Ben', room);
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
  const page = await h.page('Anna (phone)', phone);
  await page.goto(`${h.baseUrl}/r/${room}`);
  const fits = () => page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  await page.getByTestId('join-button').waitFor({ timeout: ms(15_000) });
  let f = await fits();
  assert.ok(f.scrollWidth <= f.innerWidth, `the pre-join screen needs no sideways scrolling (${JSON.stringify(f)})`);

  await page.getByTestId('display-name-input').fill('Anna');
  await page.getByTestId('prejoin-camera-toggle').tap();
  await page.getByTestId('prejoin-mic-toggle').tap();
  await page.getByTestId('join-button').tap();
  await waitConnected(page, 'Anna (phone)');
  const anna = { name: 'Anna (phone)', page, id: (await snapshot(page)).self?.participantId };
  await expectMediaFrom(anna, [ben.id]);
  await expectMediaFrom(ben, [anna.id]);

  f = await fits();
  assert.ok(f.scrollWidth <= f.innerWidth, `the room needs no sideways scrolling (${JSON.stringify(f)})`);
  for (const id of ['mic-toggle', 'camera-toggle', 'leave-button']) {
    const box = await page.getByTestId(id).boundingBox();
    assert.ok(box, `${id} is shown`);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `${id} lies within the screen: ${JSON.stringify(box)}`);
    assert.ok(box.width >= 24 && box.height >= 24, `${id} is big enough to tap: ${JSON.stringify(box)}`);
  }
  for (const tile of await page.getByTestId('tile').all()) {
    const box = await tile.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `every tile lies within the screen's width: ${JSON.stringify(box)}`);
  }
  await page.screenshot({ path: `${h.artifacts}/phone-room.png` });
});
