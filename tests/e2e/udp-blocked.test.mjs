// A school network that blocks UDP: with every UDP packet to the server's media
// ports dropped (iptables on loopback), two participants still see and hear
// each other, over the server's passive ICE-TCP candidate.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms, uniqueLabel } from './lib/paths.mjs';
import { expectMediaFrom } from './lib/media.mjs';
import { selectedCandidatePairs } from './lib/stats.mjs';
import { blockUdp, removeStaleRules } from './lib/firewall.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('udp-blocked');
let block;
before(async () => {
  const server = await h.start();
  removeStaleRules();
  block = blockUdp(server.udp.map((a) => a.port));
  h.defer(() => block.remove());
});
after(() => h.stop());

test('two participants see and hear each other over ICE-TCP when UDP is blocked', { timeout: ms(180_000) }, async () => {
  const room = uniqueLabel('tcp');
  const anna = await h.join('Anna', room);
  const ben = await h.join('Ben', room);
  await Promise.all([expectMediaFrom(anna, [ben.id]), expectMediaFrom(ben, [anna.id])]);

  const tcpPorts = h.server.tcp.map((a) => a.port);
  for (const p of [anna, ben]) {
    const { pairs } = await until(`${p.name}'s selected candidate pair`, async () => {
      const pairs = await selectedCandidatePairs(p.page);
      return { ok: pairs.length > 0 && pairs.every((x) => x.remote), pairs, detail: pairs };
    }, { timeout: ms(10_000) });
    for (const pair of pairs) {
      assert.equal(pair.local.protocol, 'tcp', `${p.name} sends over TCP: ${JSON.stringify(pair)}`);
      assert.equal(pair.remote.protocol, 'tcp', `${p.name} talks to a TCP candidate: ${JSON.stringify(pair)}`);
      assert.ok(tcpPorts.includes(pair.remote.port), `${p.name}'s remote candidate is the server's media TCP port ${tcpPorts}: ${JSON.stringify(pair)}`);
    }
  }
  // The block was real: the browsers did try UDP, and it was dropped.
  assert.ok(block.droppedPackets() > 0, 'iptables dropped UDP packets to the media port');
});
