// Four people in one room: everyone sees and hears everyone else; one closes
// her tab and the others see her go.

import { test, before, after } from 'node:test';
import { Harness } from './lib/harness.mjs';
import { ms, uniqueLabel } from './lib/paths.mjs';
import assert from 'node:assert/strict';
import { expectMediaFrom, expectRemoteTiles } from './lib/media.mjs';

// Four separate Chromium processes, as four pupils' machines would be.
const h = new Harness('four-participants', { separateBrowsers: true });
before(() => h.start());
after(() => h.stop());

test('four participants each decode every other’s video and hear every other’s audio; a closed tab leaves', { timeout: ms(240_000) }, async () => {
  const room = uniqueLabel('vier');
  const people = [];
  for (const name of ['Anna', 'Ben', 'Cem', 'Dana']) {
    people.push(await h.join(name, room));
  }
  await Promise.all(people.map((p) => expectMediaFrom(p, people.filter((o) => o !== p).map((o) => o.id), { timeout: ms(60_000) })));

  // Dana closes her tab without pressing leave: the others see her go too.
  const [dana, rest] = [people[3], people.slice(0, 3)];
  const start = Date.now();
  await dana.page.close();
  await Promise.all(rest.map((p) => expectRemoteTiles(p, rest.filter((o) => o !== p).map((o) => o.id), { timeout: ms(10_000) })));
  const took = Date.now() - start;
  assert.ok(took <= 2_000, `Dana's tile disappeared at all others ${took} ms after she closed her tab (must be within 2000 ms)`);
  await Promise.all(rest.map((p) => expectMediaFrom(p, rest.filter((o) => o !== p).map((o) => o.id))));
});
