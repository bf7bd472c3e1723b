// The helpdesk as people use it: a guest runs the connection test from the
// start page, goes on to the request form, sees the test result there before
// sending, and gets a ticket number; the operator finds the request in the
// queue with the result attached, replies, notes, closes it, and sets the
// hotline, which the next visitor sees beside the form.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { ApiClient, OPERATOR, freshDataDir, loginThroughUi, setupAccounts } from './lib/api.mjs';
import { sleep, until } from './lib/wait.mjs';
import { unnamedControls } from './lib/a11y.mjs';

const h = new Harness('helpdesk');
before(async () => {
  await h.start({ args: freshDataDir(h) });
  await setupAccounts(h.server);
});
after(() => h.stop());

const DESCRIPTION = 'Im Unterricht friert das Bild nach ein paar Minuten ein, der Ton bleibt.';

test('a guest files a request with the connection test attached; the operator replies and closes it', { timeout: ms(150_000) }, async () => {
  const guest = await h.page('guest');
  await guest.goto(h.baseUrl);
  await guest.getByTestId('start-connection-test').click();
  await guest.getByTestId('connection-test-start').click();
  await guest.getByTestId('diagnosis').waitFor({ timeout: ms(90_000) });
  const verdict = await guest.getByTestId('diagnosis-verdict').getAttribute('data-verdict');
  await guest.getByTestId('connection-test-to-helpdesk').click();

  // The form shows the result that will be sent, before sending.
  await guest.getByTestId('helpdesk-description').waitFor({ timeout: ms(10_000) });
  assert.equal(await guest.getByTestId('helpdesk-attach-diagnosis').isChecked(), true);
  assert.equal(await guest.getByTestId('diagnosis-verdict').getAttribute('data-verdict'), verdict, 'the result is shown in the form');
  const shown = JSON.parse(await guest.getByTestId('diagnosis-json').textContent());
  await guest.getByTestId('helpdesk-category').selectOption('audioVideo');
  await guest.getByTestId('helpdesk-description').fill(DESCRIPTION);
  await guest.getByTestId('helpdesk-email').fill('eltern@example.org');
  await guest.getByTestId('helpdesk-school').fill('1111111');
  await guest.getByTestId('helpdesk-submit').click();
  const number = (await guest.getByTestId('helpdesk-ticket-number').innerText({ timeout: ms(15_000) })).trim();
  assert.match(number, /^HD-\d{6}$/);

  // The operator's queue.
  const op = await h.page('operator');
  await loginThroughUi(op, h.baseUrl, OPERATOR);
  await op.getByTestId('operator-helpdesk-queue').click();
  const row = op.locator(`[data-testid="queue-row"][data-number="${number}"]`);
  await row.waitFor({ timeout: ms(10_000) });
  assert.equal(await row.getAttribute('data-status'), 'new');
  await row.getByTestId('queue-open').click();
  const detail = op.getByTestId('ticket-detail');
  await detail.waitFor({ timeout: ms(10_000) });
  assert.equal((await op.getByTestId('ticket-description').innerText()).trim(), DESCRIPTION);
  assert.equal((await op.getByTestId('ticket-email').innerText()).trim(), 'eltern@example.org');
  const attached = JSON.parse(await op.getByTestId('ticket-diagnosis').getByTestId('diagnosis-json').textContent());
  assert.deepEqual(attached, shown, 'the staff see exactly the result the guest saw');

  await op.getByTestId('ticket-assignee').selectOption({ label: OPERATOR.email });
  await op.getByTestId('ticket-note').fill('Verbindung laut Test in Ordnung; Gerät prüfen.');
  await op.getByTestId('ticket-add-note').click();
  await op.getByTestId('ticket-reply').fill('Bitte schließen Sie andere Programme, die die Kamera nutzen.');
  await op.getByTestId('ticket-send-reply').click();
  await until('the note and the reply in the ticket', async () => {
    const kinds = await op.getByTestId('ticket-entries').locator('li').evaluateAll((els) => els.map((e) => e.dataset.kind));
    return { ok: kinds.join() === 'note,reply', detail: kinds };
  }, { timeout: ms(10_000) });
  await until('the reply to put the ticket in progress', async () => ({
    ok: (await detail.getAttribute('data-status')) === 'inProgress',
    detail: await detail.getAttribute('data-status'),
  }), { timeout: ms(10_000) });
  await op.getByTestId('ticket-close').click();
  await until('the ticket to be closed', async () => ({
    ok: (await detail.getAttribute('data-status')) === 'done' && (await row.getAttribute('data-status')) === 'done',
    detail: [await detail.getAttribute('data-status'), await row.getAttribute('data-status')],
  }), { timeout: ms(10_000) });

  // The hotline, set by the operator, is shown beside the form.
  await op.getByTestId('hotline-number').fill('0431 988-1234');
  await op.getByTestId('hotline-hours').fill('Mo–Fr 7:30–16:00 Uhr');
  await op.getByTestId('hotline-save').click();
  await op.getByText('Gespeichert.').waitFor({ timeout: ms(10_000) });
  const next = await h.page('next-visitor');
  await next.goto(`${h.baseUrl}/login`);
  await next.getByTestId('login-helpdesk').click();
  const hotline = await next.getByTestId('helpdesk-hotline').innerText({ timeout: ms(10_000) });
  assert.match(hotline, /0431 988-1234/);
  assert.match(hotline, /Mo–Fr 7:30–16:00 Uhr/);

  // Someone logged in finds their address filled in.
  await op.goto(`${h.baseUrl}/hilfe`);
  await until('the own address in the form', async () => {
    const v = await op.getByTestId('helpdesk-email').inputValue();
    return { ok: v === OPERATOR.email, detail: v };
  }, { timeout: ms(10_000) });

  // What people wrote is personal data: the server log has the ticket number only.
  const log = h.server.log();
  assert.ok(log.includes(number), 'the filed request is logged by its number');
  for (const secret of ['eltern@example.org', 'friert das Bild', 'anderen Programme', 'Gerät prüfen']) {
    assert.ok(!log.includes(secret), `the server log does not contain ${JSON.stringify(secret)}`);
  }
});

test('the form refuses a request without a description, naming the field, and stores nothing', { timeout: ms(60_000) }, async () => {
  const page = await h.page('hasty');
  await page.goto(`${h.baseUrl}/hilfe`);
  await page.getByTestId('helpdesk-description').fill('kurz');
  await page.getByTestId('helpdesk-submit').click();
  const error = page.getByTestId('api-error');
  await error.waitFor({ timeout: ms(15_000) });
  assert.match(await error.innerText(), /description/);
  assert.equal(await page.getByTestId('helpdesk-description').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('helpdesk-ticket-number').count(), 0);
});


test('the help pages name every control and speak English with ?lang=en', { timeout: ms(60_000) }, async () => {
  const page = await h.page('english');
  for (const [path, ready, english, german] of [
    ['/hilfe', 'helpdesk-description', /Help & contact/, /Beschreibung|Anfrage senden|freiwillig/],
    ['/verbindungstest', 'connection-test-start', /Connection test/, /Verbindungstest|Test starten/],
  ]) {
    await page.goto(`${h.baseUrl}${path}?lang=de`);
    await page.getByTestId(ready).waitFor({ timeout: ms(10_000) });
    assert.deepEqual(await page.evaluate(unnamedControls), [], `every control on ${path} has a name`);
    await page.goto(`${h.baseUrl}${path}?lang=en`);
    await page.getByTestId(ready).waitFor({ timeout: ms(10_000) });
    const text = await page.evaluate(() => document.querySelector('main').innerText);
    assert.match(text, english);
    assert.doesNotMatch(text, german, `no German left on ${path} in English`);
  }
});

test('a forged attachment is shown to the staff as it came, never interpreted', { timeout: ms(60_000) }, async () => {
  // Anyone can send anything as the attachment, past the form.
  const robot = new ApiClient(h.baseUrl);
  const { formToken } = await robot.call('GET', '/api/helpdesk/form');
  await sleep(3_200);
  const forged = { version: 1, verdict: '<img src=x onerror=alert(1)>', checks: 'nope' };
  const { number } = await robot.call('POST', '/api/helpdesk/tickets', {
    category: 'other', description: 'Ein Anhang, den kein Verbindungstest gemacht hat.', diagnosis: forged, formToken, website: '',
  });
  const op = await h.page('operator-forged');
  const errors = [];
  op.on('pageerror', (e) => errors.push(e.message));
  await loginThroughUi(op, h.baseUrl, OPERATOR);
  await op.goto(`${h.baseUrl}/hilfe/anfragen`);
  await op.locator(`[data-testid="queue-row"][data-number="${number}"]`).getByTestId('queue-open').click();
  const attached = op.getByTestId('ticket-diagnosis');
  await attached.waitFor({ timeout: ms(10_000) });
  assert.deepEqual(JSON.parse(await attached.getByTestId('diagnosis-json').textContent()), forged);
  assert.equal(await attached.getByTestId('diagnosis-verdict').count(), 0, 'no verdict is made up from it');
  assert.equal(await attached.locator('img').count(), 0, 'markup in it stays text');
  assert.deepEqual(errors, [], 'the page did not break');
});
