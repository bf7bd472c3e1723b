// The connection test (/verbindungstest) as a user runs it: on an open
// network a short loopback call through the server works over UDP, over TCP
// and through the TURN server (a real coturn), with round-trip time and bit
// rate; with UDP to the media port dropped by iptables the page says in plain
// German that the network blocks UDP, and that TCP works.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { blockUdp, removeStaleRules } from './lib/firewall.mjs';
import { startTurn } from './lib/turn.mjs';

const h = new Harness('connection-test');
before(async () => {
  const turn = await startTurn({ artifacts: h.artifacts });
  h.defer(() => turn.stop());
  await h.start({ args: turn.serverArgs });
  removeStaleRules();
});
after(() => h.stop());

/** Opens the test from the start page's link, runs it, returns the page and its JSON result. */
async function runConnectionTest(label) {
  const page = await h.page(label);
  await page.goto(h.baseUrl);
  await page.getByTestId('start-connection-test').click();
  await page.getByTestId('connection-test-start').click();
  await page.getByTestId('diagnosis').waitFor({ timeout: ms(90_000) });
  const result = JSON.parse(await page.getByTestId('diagnosis-json').textContent());
  return { page, result, check: (t) => result.checks.find((c) => c.transport === t) };
}

test('on an open network UDP, TCP and TURN each carry the loopback call, with round-trip time and bit rate', { timeout: ms(120_000) }, async () => {
  const { page, result, check } = await runConnectionTest('open-network');
  assert.equal(result.verdict, 'ok', JSON.stringify(result));
  assert.deepEqual(result.devices, { camera: 'granted', microphone: 'granted' });
  assert.equal(result.browser.chromium, true);
  for (const [transport, path] of [['udp', /^udp$/], ['tcp', /^tcp$/], ['turn', /^relay\//]]) {
    const c = check(transport);
    assert.equal(c.ok, true, `${transport}: ${JSON.stringify(c)}`);
    assert.match(c.path, path, `${transport} used its own path: ${JSON.stringify(c)}`);
    assert.ok(c.kbps > 100, `${transport}: media flowed (${c.kbps} kbit/s)`);
    assert.ok(Number.isFinite(c.rttMs) && c.rttMs < 200, `${transport}: round-trip time measured (${c.rttMs} ms)`);
  }
  assert.deepEqual(result.ports.udp, h.server.udp.map((a) => a.port), 'the server media UDP port is named for the IT');
  const verdict = await page.getByTestId('diagnosis-verdict').innerText();
  assert.match(verdict, /Ihre Verbindung ist in Ordnung/);
  assert.equal(await page.getByTestId('diagnosis-check-turn').getAttribute('data-ok'), 'true');
});

test('with UDP to the media port blocked the page says so and TCP still works', { timeout: ms(120_000) }, async () => {
  const block = blockUdp(h.server.udp.map((a) => a.port));
  h.defer(() => block.remove());
  try {
    const { page, result, check } = await runConnectionTest('udp-blocked');
    assert.equal(result.verdict, 'udpBlocked', JSON.stringify(result));
    assert.equal(check('udp').ok, false, JSON.stringify(check('udp')));
    assert.equal(check('tcp').ok, true, JSON.stringify(check('tcp')));
    assert.equal(check('tcp').path, 'tcp');
    assert.ok(check('tcp').kbps > 100, `media flowed over TCP (${check('tcp').kbps} kbit/s)`);
    const verdict = await page.getByTestId('diagnosis-verdict').innerText();
    assert.match(verdict, /Ihr Netzwerk blockiert UDP/);
    assert.match(verdict, /funktioniert trotzdem über TCP/);
    assert.ok(verdict.includes(String(h.server.udp[0].port)), `the advice names the UDP port: ${verdict}`);
    assert.equal(await page.getByTestId('diagnosis-check-udp').getAttribute('data-ok'), 'false');
    assert.ok(block.droppedPackets() > 0, 'iptables dropped UDP packets: the browser did try UDP');
  } finally {
    block.remove();
  }
});
