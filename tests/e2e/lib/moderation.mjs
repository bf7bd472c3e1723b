// Driving the moderation UI (web/src/ui/moderation, web/src/ui/chat) the
// way a teacher and pupils do, through its data-testid hooks, and reading
// what they see.

import { ms } from './paths.mjs';
import { until } from './wait.mjs';

/**
 * Records every WebSocket the page opens, so that a test can send a message
 * the UI would never send (a pupil's forced unmute).
 */
export const RECORD_SOCKETS = `(() => {
  const Original = window.WebSocket;
  if (!Original || window.__e2eSockets) return;
  const list = [];
  Object.defineProperty(window, '__e2eSockets', { value: list });
  class RecordedSocket extends Original {
    constructor(...args) {
      super(...args);
      list.push(this);
    }
  }
  Object.defineProperty(RecordedSocket, 'name', { value: 'WebSocket' });
  window.WebSocket = RecordedSocket;
})();`;

/** Opens the room, types the name and presses join; does not wait to be inside. */
export async function knock(page, baseUrl, room, name, { camera = false, mic = false, lang } = {}) {
  await page.goto(`${baseUrl}/r/${encodeURIComponent(room)}${lang ? `?lang=${lang}` : ''}`);
  const input = page.getByTestId('display-name-input');
  await input.waitFor({ timeout: ms(15_000) });
  await input.fill(name);
  if (camera) await page.getByTestId('prejoin-camera-toggle').click();
  if (mic) await page.getByTestId('prejoin-mic-toggle').click();
  await page.getByTestId('join-button').click();
}

/** Waits for the waiting screen with this reason (`notOpen` or `lobby`). */
export async function waitWaiting(page, reason) {
  await page.locator(`[data-testid="waiting"][data-reason="${reason}"]`).waitFor({ timeout: ms(15_000) });
}

/** Waits for the screen that says why the call ended. */
export async function waitBye(page, reason) {
  await page.locator(`[data-testid="bye-screen"][data-reason="${reason}"]`).waitFor({ timeout: ms(15_000) });
}

/** Our own participant id, from the own tile. */
export async function ownId(page) {
  const r = await until('the own tile to have an id', async () => {
    const id = await page.locator('[data-testid="tile"][data-self="true"]').getAttribute('data-participant-id', { timeout: 1_000 });
    return { ok: Boolean(id), id };
  }, { timeout: ms(15_000) });
  return r.id;
}

/** Opens the side panel (`people` or `chat`) unless it is open. */
export async function openPanel(page, panel) {
  const button = page.getByTestId(`${panel}-toggle`);
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await page.locator(`[data-testid="side-panel"][data-panel="${panel}"]`).waitFor({ timeout: ms(10_000) });
}

/** The row of one participant in the people panel. */
export function participantRow(page, id) {
  return page.locator(`[data-testid="participant"][data-participant-id="${id}"]`);
}

/** A moderator runs one action of a participant's menu (e.g. `remove`). */
export async function moderate(page, id, action) {
  await openPanel(page, 'people');
  const row = participantRow(page, id);
  await row.getByTestId('participant-menu').click();
  await row.getByTestId(`action-${action}`).click();
}

/** Sets a room setting checkbox (`lobby`, `selfUnmuteAudio`, `chat`, …). */
export async function setRoomSetting(page, key, on) {
  await openPanel(page, 'people');
  const box = page.getByTestId(`setting-${key}`);
  if ((await box.isChecked()) !== on) await box.click();
  await until(`setting ${key} to be ${on} as the server says`, async () => ({ ok: (await box.isChecked()) === on }), { timeout: ms(10_000) });
}

/** Waits for a notice of what was done to us (data-action: `audioMuted`, `unmuteRefused`, …). */
export async function waitNotice(page, action) {
  const notice = page.locator(`[data-testid="moderation-notice"][data-action="${action}"]`).last();
  await notice.waitFor({ timeout: ms(15_000) });
  return notice.innerText();
}

/** Attribute values of a locator list, in page order. */
export function attrs(locator, name) {
  return locator.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);
}

/** Runs in the page: frames decoded of the shared screen on the stage, or null. */
async function screenFramesInPage() {
  const video = document.querySelector('[data-testid="screen-video"]');
  const track = video?.srcObject?.getVideoTracks?.()[0];
  if (!track) return null;
  let frames = null;
  for (const pc of window.__e2ePeerConnections ?? []) {
    if (pc.signalingState === 'closed') continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === track.id) frames = Math.max(frames ?? 0, s.framesDecoded ?? 0);
    });
  }
  return { frames, width: video.videoWidth, owner: video.closest('[data-testid="screen-share"]')?.dataset.participantId };
}

/** Waits until `page` shows `sharerId`'s screen large, with pictures decoded and rising. */
export async function expectScreenFrom(page, who, sharerId) {
  let first = null;
  await until(`${who} to see the screen of ${sharerId} on the stage`, async () => {
    const s = await page.evaluate(screenFramesInPage);
    if (s && s.owner === sharerId && s.frames !== null && first === null) first = s.frames;
    const ok = s !== null && s.owner === sharerId && s.width > 0 && first !== null && s.frames - first >= 5;
    return { ok, detail: s };
  }, { timeout: ms(30_000) });
}

/** Waits until no screen share is on `page`'s stage. */
export async function expectNoScreen(page, who) {
  await until(`${who} to show no screen share`, async () => {
    const n = await page.getByTestId('screen-share').count();
    return { ok: n === 0, detail: n };
  }, { timeout: ms(15_000) });
}

/** Runs in the page: tiles whose box overlaps the shared screen's video (none is the goal). */
function tilesUnderScreenInPage() {
  const video = document.querySelector('[data-testid="screen-video"]');
  if (!video) return null;
  const s = video.getBoundingClientRect();
  return [...document.querySelectorAll('[data-testid="tile"]')]
    .map((tile) => ({ name: tile.querySelector('[data-testid="tile-name"]')?.textContent, r: tile.getBoundingClientRect() }))
    .filter(({ r }) => r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom)
    .map(({ name }) => name);
}

/** The shared screen lies beside the tiles, not over them. */
export function tilesUnderScreen(page) {
  return page.evaluate(tilesUnderScreenInPage);
}
