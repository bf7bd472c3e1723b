// A school network that blocks UDP: with every UDP packet to the server's media
// ports dropped (iptables on loopback), the same two-person call works over
// the server's passive ICE-TCP candidate.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { selectedCandidatePairs } from './lib/stats.mjs';
import { blockUdp, removeStaleRules } from './lib/firewall.mjs';
import { twoPersonCall } from './lib/two-person-call.mjs';
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

/** Every peer connection of these participants uses a TCP pair to the server's TCP port. */
async function expectTcp(...people) {
  const tcpPorts = h.server.tcp.map((a) => a.port);
  for (const p of people) {
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
  // The block is real: the browsers did try UDP, and it was dropped.
  assert.ok(block.droppedPackets() > 0, 'iptables dropped UDP packets to the media port');
}

test('with UDP blocked, two participants see and hear each other over ICE-TCP, mute, leave and rejoin', { timeout: ms(240_000) }, async (t) => {
  await twoPersonCall(t, h, {
    room: '12345-7b-Physik',
    afterMediaFlows: expectTcp,
    afterRejoin: expectTcp,
  });
});
