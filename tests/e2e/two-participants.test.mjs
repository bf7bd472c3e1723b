// Two people in one room see and hear each other; speaking, muting, the
// camera, leaving and rejoining behave as they notice it. Also saves the
// README's screenshot.

import { test, before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { ms, repoRoot } from './lib/paths.mjs';
import { twoPersonCall } from './lib/two-person-call.mjs';

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
  await twoPersonCall(t, h, {
    room: '12345-7b-Mathe',
    afterMediaFlows: (anna) => saveScreenshot(anna.page),
  });
});
