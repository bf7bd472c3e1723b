// No request leaves the server's origin: every page of the client and of the
// admin area is visited the way its people use it (guest: start page,
// connection test, helpdesk, privacy pages, pre-join and the room's documents,
// the call; teacher, school admin (with the school's documents) and
// operator: login, their pages, the helpdesk queue), and
// every request, WebSocket and ICE server of every page is recorded. All of
// them go to the server itself, and the Content-Security-Policy never had to
// refuse anything.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { ADMIN, OPERATOR, TEACHER, freshDataDir, loginThroughUi, setupAccounts } from './lib/api.mjs';
import { joinRoom } from './lib/ui.mjs';

const h = new Harness('no-third-party');
let clients;
before(async () => {
  await h.start({ args: freshDataDir(h) });
  clients = await setupAccounts(h.server);
});
after(() => h.stop());

/** Records what a page asks for: requests, WebSockets, CSP refusals, visited paths. */
function record(page, who, seen) {
  page.on('request', (r) => seen.requests.push({ who, url: r.url() }));
  page.on('websocket', (ws) => seen.sockets.push({ who, url: ws.url() }));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) seen.refused.push({ who, text: m.text() });
  });
}

async function visit(page, path, readyTestId, seen) {
  await page.goto(`${h.baseUrl}${path}`);
  if (readyTestId) await page.getByTestId(readyTestId).first().waitFor({ timeout: ms(15_000) });
  await page.waitForLoadState('networkidle');
  seen.paths.push(path);
}

/** The ICE servers of every peer connection the page made. */
async function iceServerUrls(page) {
  return page.evaluate(() => (window.__e2ePeerConnections ?? []).flatMap((pc) =>
    pc.getConfiguration().iceServers.flatMap((s) => [].concat(s.urls))));
}

test('every page of the client and the admin area talks to its own server only', { timeout: ms(150_000) }, async () => {
  const seen = { requests: [], sockets: [], refused: [], paths: [] };
  const room = '1111111-7b-MUE';
  await clients.teacher.call('POST', '/api/rooms', { group: '7b', short: 'MUE' });

  const guest = await h.page('guest');
  record(guest, 'guest', seen);
  await visit(guest, '/', 'create-room-button', seen);
  await visit(guest, '/verbindungstest', 'connection-test-start', seen);
  await guest.getByTestId('connection-test-start').click();
  await guest.getByTestId('diagnosis').waitFor({ timeout: ms(90_000) });
  const testIce = await iceServerUrls(guest);
  await visit(guest, '/hilfe', 'helpdesk-description', seen);
  await visit(guest, '/datenschutz', null, seen);
  await visit(guest, '/impressum', null, seen);
  for (const path of ['/login', '/setup', '/activate', '/reset']) await visit(guest, path, null, seen);

  const teacher = await h.page('teacher');
  record(teacher, 'teacher', seen);
  await loginThroughUi(teacher, h.baseUrl, TEACHER);
  await visit(teacher, '/konto', 'logout-button', seen);
  await joinRoom(teacher, { baseUrl: h.baseUrl, room, name: 'Frau Müller' });
  seen.paths.push(`/r/${room} (teacher in the call)`);
  // The pre-join screen and the room's documents it links (usage policy, privacy information).
  await visit(guest, `/r/${room}`, 'prejoin-usage-policy', seen);
  const roomDocuments = [];
  for (const id of ['prejoin-usage-policy', 'prejoin-privacy']) roomDocuments.push(await guest.getByTestId(id).getAttribute('href'));
  for (const href of roomDocuments) await visit(guest, href, null, seen);
  await joinRoom(guest, { baseUrl: h.baseUrl, room, name: 'Ben' });
  seen.paths.push(`/r/${room} (pre-join and call)`);
  await guest.waitForTimeout(ms(2_000));
  const callIce = [...(await iceServerUrls(guest)), ...(await iceServerUrls(teacher))];

  const admin = await h.page('school-admin');
  record(admin, 'school admin', seen);
  await loginThroughUi(admin, h.baseUrl, ADMIN);
  await visit(admin, '/konto', 'logout-button', seen);
  // The school's documents as printable pages.
  const documents = await admin.locator('[data-testid^="document-"][data-testid$="-html"]').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
  assert.ok(documents.length >= 5, `the school admin's documents (${documents.length})`);
  for (const href of documents) await visit(admin, href, null, seen);

  const op = await h.page('operator');
  record(op, 'operator', seen);
  await loginThroughUi(op, h.baseUrl, OPERATOR);
  await visit(op, '/konto', 'operator-helpdesk-queue', seen);
  await visit(op, '/hilfe/anfragen', 'hotline-save', seen);

  const origin = new URL(h.baseUrl).origin;
  const wsOrigin = origin.replace(/^http/, 'ws');
  const foreign = seen.requests.filter((r) => {
    const u = new URL(r.url);
    if (u.protocol === 'data:') return false;
    if (u.protocol === 'blob:') return !r.url.startsWith(`blob:${origin}/`);
    return u.origin !== origin;
  });
  assert.deepEqual(foreign, [], 'requests to another origin');
  assert.deepEqual(seen.sockets.filter((s) => new URL(s.url).origin !== wsOrigin), [], 'WebSockets to another origin');
  assert.ok(seen.sockets.length >= 4, `the call and the connection test used the server's own WebSocket (${seen.sockets.length})`);
  // No TURN server is configured here, so no page may use any STUN/TURN server at all.
  assert.deepEqual([...testIce, ...callIce], [], 'ICE servers of the peer connections');
  assert.deepEqual(seen.refused, [], 'the Content-Security-Policy refused nothing');
  assert.ok(seen.requests.length > 30, `requests were recorded (${seen.requests.length})`);
  console.log(`visited ${seen.paths.length} pages, ${seen.requests.length} requests, ${seen.sockets.length} WebSockets: all to ${origin}`);
});
