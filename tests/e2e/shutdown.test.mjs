// Stopping the server (SIGTERM) while a call is going on: it exits by itself,
// promptly and with status 0, and the participants are told (their room view
// leaves the "connected" state) instead of hanging.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms, uniqueLabel } from './lib/paths.mjs';
import { expectMediaFrom } from './lib/media.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('shutdown');
before(() => h.start());
after(() => h.stop());

test('SIGTERM during a call ends it cleanly and the participants are told', { timeout: ms(120_000) }, async () => {
  const room = uniqueLabel('schluss');
  const anna = await h.join('Anna', room);
  const ben = await h.join('Ben', room);
  await Promise.all([expectMediaFrom(anna, [ben.id]), expectMediaFrom(ben, [anna.id])]);

  const stopped = await h.server.stop();
  assert.ok(stopped.clean, `the server exits by itself with status 0: ${JSON.stringify(stopped)}`);
  assert.ok(stopped.millis < 5_000, `the server exits within 5 s of SIGTERM (took ${stopped.millis} ms)`);

  for (const p of [anna, ben]) {
    await until(`${p.name}'s room view to leave the connected state`, async () => {
      const connection = await p.page.getByTestId('room').getAttribute('data-connection', { timeout: 1_000 }).catch(() => 'no room view');
      return { ok: connection !== 'connected', detail: { connection } };
    }, { timeout: ms(5_000) });
  }
});
