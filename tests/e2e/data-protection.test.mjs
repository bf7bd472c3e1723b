// Data protection as the people do it: the operator fills in the values
// for the documents; the school admin downloads a document (a real PDF)
// and ticks the checklist; the operator sees the tick in every school's
// table; a guest's pre-join screen links the school's usage policy and
// privacy information, the footer the privacy page and imprint; a teacher
// downloads their data and deletes their account, and cannot log in again.
// No request of these pages leaves the server's origin, and the server's
// log holds no full IP address.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { ADMIN, OPERATOR, SCHOOL, TEACHER, loginThroughUi, setupAccounts } from './lib/api.mjs';
import { ms } from './lib/paths.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('data-protection');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-data-protection-'));
before(() => h.start({ args: ['--data-dir', dataDir] }));
after(async () => {
  await h.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every request a page makes, to check that none leaves the server. */
function recordRequests(page, seen) {
  page.on('request', (r) => seen.push(r.url()));
}

test('documents, checklist, pre-join links, export and deletion', { timeout: ms(180_000) }, async () => {
  await setupAccounts(h.server);
  const requests = [];

  // The operator fills in the values the documents carry.
  const op = await h.page('operator');
  recordRequests(op, requests);
  await loginThroughUi(op, h.baseUrl, OPERATOR);
  await op.getByTestId('privacy-template-operator').fill('Landesamt für Schul-IT, Hafenstraße 1, 24103 Kiel');
  await op.getByTestId('privacy-template-hostingLocation').fill('Rechenzentrum Nord, Norderstedt');
  await op.getByTestId('privacy-template-save').click();
  await op.getByTestId('privacy-template-save').locator('xpath=..').getByRole('status').waitFor({ timeout: ms(10_000) });

  // The school admin downloads a document: a PDF with the school and the values.
  const admin = await h.page('school-admin');
  recordRequests(admin, requests);
  await loginThroughUi(admin, h.baseUrl, ADMIN);
  const pdfLink = admin.getByTestId('document-verarbeitungsverzeichnis-pdf');
  await pdfLink.waitFor({ timeout: ms(15_000) });
  const href = await pdfLink.getAttribute('href');
  const response = await admin.request.get(h.baseUrl + href);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const pdf = await response.body();
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const [download] = await Promise.all([admin.waitForEvent('download'), pdfLink.click()]);
  assert.equal(download.suggestedFilename(), `verarbeitungsverzeichnis-${SCHOOL}.pdf`);
  const saved = fs.readFileSync(await download.path());
  assert.ok(saved.length > 1000 && saved.subarray(0, 5).toString() === '%PDF-', 'the download is the PDF');
  // The print view, as the school prints it: the school and the operator's values.
  const view = await admin.request.get(h.baseUrl + (await admin.getByTestId('document-tom-html').getAttribute('href')));
  assert.equal(view.status(), 200);
  const html = await view.text();
  assert.match(html, /Schule am See, Kiel/);
  assert.match(html, /Rechenzentrum Nord, Norderstedt/);
  assert.match(html, /Server-Protokolle \(mit gekürzten IP-Adressen\): 7 Tage/);

  // The school admin ticks the checklist; who and when are shown.
  await admin.getByTestId('checklist-conferenceDecision-status').selectOption('done');
  const row = admin.getByTestId('checklist-conferenceDecision');
  await until('the tick to be saved', async () => ({ ok: (await row.getAttribute('data-status')) === 'done' }), { timeout: ms(10_000) });
  assert.match(await row.innerText(), new RegExp(ADMIN.email.replace('.', '\\.')));
  const date = await admin.getByTestId('checklist-conferenceDecision-date').inputValue();
  assert.match(date, /^\d{4}-\d{2}-\d{2}$/, 'today is entered as the date');

  // The operator sees it in every school's table.
  await op.reload();
  await op.getByTestId('checklists-table').locator('xpath=ancestor::details').locator('summary').click();
  const cell = op.getByTestId(`checklists-${SCHOOL}-conferenceDecision`);
  await cell.waitFor({ timeout: ms(15_000) });
  assert.equal(await cell.getAttribute('data-status'), 'done');
  assert.equal(await op.getByTestId(`checklists-${SCHOOL}-staffCouncil`).getAttribute('data-status'), 'open');

  // A guest's pre-join screen links the school's usage policy and privacy information.
  const guest = await h.page('guest');
  recordRequests(guest, requests);
  const room = `${SCHOOL}-7b-LA`;
  await guest.goto(`${h.baseUrl}/r/${encodeURIComponent(room)}`);
  const consent = guest.getByTestId('prejoin-consent');
  await consent.waitFor({ timeout: ms(15_000) });
  assert.match(await consent.innerText(), /Mit dem Beitritt/);
  for (const [testId, title] of [['prejoin-usage-policy', /Nutzungsordnung/], ['prejoin-privacy', /Datenschutzinformation/]]) {
    const link = await guest.getByTestId(testId).getAttribute('href');
    const page = await guest.request.get(h.baseUrl + link);
    assert.equal(page.status(), 200, link);
    const text = await page.text();
    assert.match(text, title);
    assert.match(text, /Schule am See/);
  }
  // The footer links the privacy page and the imprint, on every page.
  await guest.getByTestId('footer-privacy').click();
  await guest.waitForURL(`${h.baseUrl}/datenschutz`);
  assert.match(await guest.locator('h1').innerText(), /Datenschutz bei Tafelrunde/);
  assert.match(await guest.locator('body').innerText(), /Rechenzentrum Nord, Norderstedt/);

  // A teacher downloads their data, then deletes the account.
  const teacher = await h.page('teacher');
  recordRequests(teacher, requests);
  await loginThroughUi(teacher, h.baseUrl, TEACHER);
  const [exported] = await Promise.all([teacher.waitForEvent('download'), teacher.getByTestId('mydata-export').click()]);
  const data = JSON.parse(fs.readFileSync(await exported.path(), 'utf8'));
  assert.equal(data.account.email, TEACHER.email);
  assert.equal(data.school.name, 'Schule am See');
  assert.ok(!JSON.stringify(data).includes(TEACHER.password), 'no password in the export');
  await teacher.getByTestId('mydata-delete').locator('xpath=ancestor::details').locator('summary').click();
  await teacher.getByTestId('mydata-confirm').fill('jemand-anders@schule-sh.de');
  await teacher.getByTestId('mydata-delete').click();
  await teacher.getByTestId('api-error').waitFor({ timeout: ms(10_000) });
  assert.equal(await teacher.getByTestId('logout-button').count(), 1, 'a wrong address deletes nothing');
  await teacher.getByTestId('mydata-confirm').fill(TEACHER.email);
  await teacher.getByTestId('mydata-delete').click();
  await teacher.getByTestId('login-button').waitFor({ timeout: ms(15_000) });
  // The account is gone: logging in is refused, and the school admin no longer lists it.
  await teacher.getByTestId('login-email').fill(TEACHER.email);
  await teacher.getByTestId('login-password').fill(TEACHER.password);
  await teacher.getByTestId('login-button').click();
  await teacher.getByTestId('api-error').waitFor({ timeout: ms(10_000) });
  assert.equal(await teacher.getByTestId('api-error').getAttribute('data-code'), 'wrongLogin');
  await admin.reload();
  await admin.getByTestId('checklist-table').waitFor({ timeout: ms(15_000) });
  assert.doesNotMatch(await admin.locator('body').innerText(), new RegExp(TEACHER.email.replace('.', '\\.')));

  // Nothing left the server's origin.
  const origin = new URL(h.baseUrl).origin;
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'every request went to the server itself');

  // The server's log holds IP addresses only shortened (loopback: 127.0.0.0).
  // (stdout's ready lines and the harness's own command line are not log lines.)
  const log = h.server.log().split('\n').filter((l) => !/^(tafelrunde: |\$ |\[e2e\])/.test(l));
  assert.deepEqual(log.filter((l) => /\b127\.0\.0\.1\b/.test(l)), [], 'no full IP address in a log line');
});
