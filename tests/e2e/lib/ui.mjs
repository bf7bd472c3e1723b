// Driving the product's UI the way a user does, through its data-testid hooks.

import { ms } from './paths.mjs';
import { until } from './wait.mjs';
import { snapshot, summary } from './stats.mjs';

/**
 * Whether a toggle button is on, as far as its markup says (aria-pressed,
 * aria-checked or a checkbox's checked); undefined when it does not say.
 */
async function toggleState(locator) {
  return locator.evaluate((el) => {
    for (const attr of ['aria-pressed', 'aria-checked']) {
      const v = el.getAttribute(attr);
      if (v === 'true') return true;
      if (v === 'false') return false;
    }
    if (el instanceof HTMLInputElement && el.type === 'checkbox') return el.checked;
    return undefined;
  });
}

/** Turns a pre-join toggle on; camera and microphone are off by default. */
async function switchOn(page, testId) {
  const toggle = page.getByTestId(testId);
  const state = await toggleState(toggle);
  if (state === true) return;
  await toggle.click();
  if (state === false) {
    await until(`${testId} to be on`, async () => ({ ok: (await toggleState(toggle)) === true }), { timeout: ms(10_000) });
  }
}

/** Waits for the room view to report data-connection="connected". */
export async function waitConnected(page, who) {
  await page.getByTestId('room').and(page.locator('[data-connection="connected"]')).waitFor({ timeout: ms(30_000) })
    .catch(async (err) => {
      const connection = await page.getByTestId('room').getAttribute('data-connection', { timeout: 1_000 }).catch(() => 'no room view');
      const error = await page.getByTestId('error-message').textContent({ timeout: 500 }).catch(() => undefined);
      throw new Error(`${who} did not get connected (data-connection=${connection}${error ? `, error-message: ${error}` : ''}): ${err.message}`);
    });
}

/**
 * Fills in the pre-join screen (name, camera and microphone on) and joins.
 * Returns the participant id of the own tile once the room is connected and
 * the own tile shows camera and microphone on.
 */
export async function prejoinAndJoin(page, { name, camera = true, mic = true }) {
  const nameInput = page.getByTestId('display-name-input');
  await nameInput.waitFor({ timeout: ms(15_000) });
  await nameInput.fill(name);
  if (camera) await switchOn(page, 'prejoin-camera-toggle');
  if (mic) await switchOn(page, 'prejoin-mic-toggle');
  await page.getByTestId('join-button').click();
  await waitConnected(page, name);
  const self = await until(`${name}'s own tile with camera ${camera ? 'on' : 'off'} and microphone ${mic ? 'on' : 'off'}`, async () => {
    const s = await snapshot(page);
    const ok = s.self !== undefined && s.self.participantId
      && s.self.videoMuted === String(!camera) && s.self.audioMuted === String(!mic);
    return { ok, self: s.self, detail: summary(s) };
  }, { timeout: ms(15_000) });
  return self.self.participantId;
}

/** Opens /r/<room> and joins it with camera and microphone on. */
export async function joinRoom(page, { baseUrl, room, name, camera = true, mic = true, lang }) {
  const url = `${baseUrl}/r/${encodeURIComponent(room)}${lang ? `?lang=${lang}` : ''}`;
  await page.goto(url);
  return prejoinAndJoin(page, { name, camera, mic });
}
