// What a visitor sees before a call: the start page and the pre-join screen,
// German by default and English with ?lang=en, every control named, camera and
// microphone off until switched on, and the browser notice only for browsers
// that are not Chromium-based.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms, uniqueLabel } from './lib/paths.mjs';
import { until } from './lib/wait.mjs';
import { unnamedControls } from './lib/a11y.mjs';

const h = new Harness('start-page');
before(() => h.start());
after(() => h.stop());

const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const GERMAN = /Raum|Name|Kamera|Mikrofon|beitreten|erstellen/;
const ENGLISH = /room|name|camera|microphone|join|create/i;


/** The language of the page, its visible text and the names of its buttons. */
async function pageText(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    text: document.body.innerText,
    buttons: [...document.querySelectorAll('button')].map((b) => (b.getAttribute('aria-label') || b.textContent || '').trim()),
  }));
}

for (const lang of ['de', 'en']) {
  const query = lang === 'en' ? '?lang=en' : '';
  const words = lang === 'de' ? GERMAN : ENGLISH;

  test(`start page in ${lang === 'de' ? 'German (default)' : 'English (?lang=en)'}`, { timeout: ms(60_000) }, async () => {
    const page = await h.page(`start-${lang}`);
    await page.goto(`${h.baseUrl}/${query}`);
    for (const id of ['room-name-input', 'enter-room-button', 'create-room-button']) {
      await page.getByTestId(id).waitFor({ timeout: ms(15_000) });
    }
    const seen = await pageText(page);
    assert.match(seen.lang, new RegExp(`^${lang}`), `<html lang> is ${lang}`);
    assert.match(seen.text, words, `the page speaks ${lang}: ${seen.text.slice(0, 300)}`);
    if (lang === 'en') assert.doesNotMatch(seen.text, /\b(Raum|beitreten|erstellen)\b/, 'no German left in English');
    assert.deepEqual(await page.evaluate(unnamedControls), [], 'every control has an accessible name');
    assert.equal(await page.getByTestId('browser-notice').count(), 0, 'no browser notice in Chromium');

    // Entering a named room leads to its pre-join screen.
    const room = uniqueLabel('start');
    await page.getByTestId('room-name-input').fill(room);
    await page.getByTestId('enter-room-button').click();
    await page.getByTestId('join-button').waitFor({ timeout: ms(15_000) });
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/r/${room}`);

    // Creating a room leads to the pre-join screen of a new room.
    await page.goto(`${h.baseUrl}/${query}`);
    await page.getByTestId('create-room-button').click();
    await page.getByTestId('join-button').waitFor({ timeout: ms(15_000) });
    assert.match(new URL(page.url()).pathname, /^\/r\/.+/);
  });

  test(`pre-join screen in ${lang === 'de' ? 'German (default)' : 'English (?lang=en)'}`, { timeout: ms(60_000) }, async () => {
    const page = await h.page(`prejoin-${lang}`);
    await page.goto(`${h.baseUrl}/r/${uniqueLabel('vorher')}${query}`);
    for (const id of ['display-name-input', 'prejoin-mic-toggle', 'prejoin-camera-toggle', 'join-button']) {
      await page.getByTestId(id).waitFor({ timeout: ms(15_000) });
    }
    const seen = await pageText(page);
    assert.match(seen.lang, new RegExp(`^${lang}`), `<html lang> is ${lang}`);
    assert.match(seen.text, words, `the page speaks ${lang}: ${seen.text.slice(0, 300)}`);
    assert.deepEqual(await page.evaluate(unnamedControls), [], 'every control has an accessible name');
    assert.equal(await page.getByTestId('browser-notice').count(), 0, 'no browser notice in Chromium');

    // Camera and microphone are off by default: no camera picture yet.
    const previewWidth = () => page.evaluate(() => {
      const el = document.querySelector('[data-testid="camera-preview"]');
      const video = el?.tagName === 'VIDEO' ? el : el?.querySelector('video');
      return video ? video.videoWidth : 0;
    });
    assert.equal(await previewWidth(), 0, 'no camera picture before the camera is switched on');

    // Switched on, the preview shows the camera and devices can be chosen.
    await page.getByTestId('prejoin-camera-toggle').click();
    await until('the camera preview to show a picture', async () => ({ ok: (await previewWidth()) > 0 }), { timeout: ms(15_000) });
    await until('a camera to choose from', async () => ({ ok: (await page.getByTestId('camera-select').locator('option').count()) > 0 }), { timeout: ms(10_000) });
    await page.getByTestId('prejoin-mic-toggle').click();
    await page.getByTestId('mic-level').waitFor({ timeout: ms(10_000) });
    await until('a microphone to choose from', async () => ({ ok: (await page.getByTestId('mic-select').locator('option').count()) > 0 }), { timeout: ms(10_000) });
  });
}

test('a browser that is not Chromium-based gets a notice that does not block it', { timeout: ms(60_000) }, async () => {
  const page = await h.page('firefox-notice', { userAgent: FIREFOX_UA });
  // Firefox has no navigator.userAgentData; make the page see it that way.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => undefined, configurable: true });
  });
  await page.goto(`${h.baseUrl}/r/${uniqueLabel('fuchs')}`);
  const notice = page.getByTestId('browser-notice');
  await notice.waitFor({ timeout: ms(15_000) });
  assert.match(await notice.innerText(), /Chromium/, 'the notice recommends a Chromium-based browser');
  assert.ok(await page.getByTestId('join-button').isEnabled(), 'the join button still works');
});
