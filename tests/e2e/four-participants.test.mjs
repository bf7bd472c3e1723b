// Four people in one room: everyone sees and hears everyone else.

import { test, before, after } from 'node:test';
import { Harness } from './lib/harness.mjs';
import { ms, uniqueLabel } from './lib/paths.mjs';
import { expectMediaFrom } from './lib/media.mjs';

// Four separate Chromium processes, as four pupils' machines would be.
const h = new Harness('four-participants', { separateBrowsers: true });
before(() => h.start());
after(() => h.stop());

test('four participants each decode every other’s video and hear every other’s audio', { timeout: ms(240_000) }, async () => {
  const room = uniqueLabel('vier');
  const people = [];
  for (const name of ['Anna', 'Ben', 'Cem', 'Dana']) {
    people.push(await h.join(name, room));
  }
  await Promise.all(people.map((p) => expectMediaFrom(p, people.filter((o) => o !== p).map((o) => o.id), { timeout: ms(60_000) })));
});
