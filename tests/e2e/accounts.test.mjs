// Schools, accounts and the one-service-per-school rule, as people do it:
// the operator sets up Tafelrunde with the printed link and imports the
// school list, a school admin creates a teacher, the teacher activates the
// account, logs in, opens a room, a guest joins it by link; then the
// operator switches the school to BigBlueButton, and the teacher is logged
// out and sees the itslearning notice, and so do guests of its rooms; a
// guest still in the call is ended at once.
// Finally: no password, token or session id is in the server's log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { prejoinAndJoin } from './lib/ui.mjs';
import { until } from './lib/wait.mjs';
import { unnamedControls } from './lib/a11y.mjs';

const h = new Harness('accounts');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-accounts-'));
before(() => h.start({ args: ['--data-dir', dataDir] }));
after(async () => {
  await h.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const SCHOOLS = 'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n'
  + '1111111;Schule am See;Grundschule;Kiel;nein\n'
  + '2222222;Gymnasium Nord;Gymnasium;Lübeck;ja\n';
const BAD_SCHOOLS = 'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n'
  + '3333333;Neue Schule;Grundschule;Plön;nein\n'
  + '12x;Kaputt;Grundschule;Plön;nein\n';
const secrets = [];
const OPERATOR = { email: 'betrieb@land.example', password: 'Betrieb-Passwort-2024' };
const ADMIN = { email: 'leitung@schule-sh.de', password: 'Leitung-Passwort-2024' };
const TEACHER = { email: 'mueller@schule-sh.de', password: 'Mueller-Passwort-2024' };
secrets.push(OPERATOR.password, ADMIN.password, TEACHER.password);

async function setPassword(page, link, password) {
  await page.goto(link);
  await page.getByTestId('new-password').fill(password);
  await page.getByTestId('new-password-repeat').fill(password);
  await page.getByTestId('token-submit').click();
  await page.getByTestId('logout-button').waitFor({ timeout: ms(15_000) });
}


/** Every control named, in German and, after a switch, in English without German left. */
async function checkAccessible(page, who) {
  assert.deepEqual(await page.evaluate(unnamedControls), [], `every control on ${who}'s page has an accessible name`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
}

async function sessionSecrets(page) {
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'tafelrunde_session');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Lax');
  const csrf = await page.evaluate(async () => (await (await fetch('/api/session')).json()).csrf);
  return [session.value, csrf];
}

test('operator, school admin, teacher and guest; then the school switches to BigBlueButton', { timeout: ms(240_000) }, async () => {
  // First start: the one-time setup link on standard output.
  const { link: setupLink } = await until('the setup link on stdout', async () => {
    const m = /no operator yet; .*?: (http\S+\/setup#(\S+))/.exec(h.server.log());
    return { ok: m !== null, link: m?.[1], detail: h.server.log().slice(-300) };
  }, { timeout: ms(10_000) });

  const op = await h.page('operator');
  await op.goto(setupLink);
  await op.getByTestId('setup-email').fill(OPERATOR.email);
  await op.getByTestId('new-password').fill(OPERATOR.password);
  await op.getByTestId('new-password-repeat').fill(OPERATOR.password);
  await op.getByTestId('token-submit').click();
  await op.getByTestId('import-file').waitFor({ timeout: ms(15_000) });
  secrets.push(...(await sessionSecrets(op)));
  await checkAccessible(op, 'the operator');
  // English second: the same page in English has no German left.
  await op.goto(`${h.baseUrl}/konto?lang=en`);
  await op.getByTestId('import-file').waitFor({ timeout: ms(15_000) });
  const english = await op.evaluate(() => document.body.innerText);
  assert.match(english, /Import the school list/);
  assert.doesNotMatch(english, /\b(Schulliste|Konten|Anlegen|Abmelden|Einstellungen)\b/, 'no German left in English');
  assert.deepEqual(await op.evaluate(unnamedControls), [], 'every control is named in English too');
  await op.goto(`${h.baseUrl}/konto?lang=de`);
  await op.getByTestId('import-file').waitFor({ timeout: ms(15_000) });

  // A list with a bad line: refused, named by line, nothing applied.
  await op.getByTestId('import-file').setInputFiles({ name: 'schulen.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_SCHOOLS) });
  await op.getByTestId('import-button').click();
  const error = op.getByTestId('api-error');
  await error.waitFor({ timeout: ms(10_000) });
  assert.match(await error.innerText(), /Zeile 3/);
  assert.equal(await op.getByTestId('school-3333333').count(), 0, 'nothing of the bad list was applied');

  await op.getByTestId('import-file').setInputFiles({ name: 'schulen.csv', mimeType: 'text/csv', buffer: Buffer.from(SCHOOLS) });
  await op.getByTestId('import-button').click();
  await op.getByTestId('import-report').waitFor({ timeout: ms(10_000) });
  await op.getByTestId('school-1111111').waitFor({ timeout: ms(10_000) });
  assert.equal(await op.getByTestId('school-2222222').getAttribute('data-service'), 'bigbluebutton');
  assert.equal(await op.getByTestId('school-1111111').getAttribute('data-service'), 'tafelrunde');

  // The operator creates the school admin of 1111111 and hands out the link.
  await op.getByTestId('account-email-input').fill(ADMIN.email);
  await op.getByTestId('account-role').selectOption('schoolAdmin');
  await op.getByTestId('account-school').selectOption('1111111');
  await op.getByTestId('account-create').click();
  const adminLink = await op.getByTestId('activation-link').first().innerText({ timeout: ms(10_000) });
  secrets.push(adminLink.split('#')[1]);

  // The school admin activates and creates a teacher.
  const admin = await h.page('school-admin');
  await setPassword(admin, adminLink, ADMIN.password);
  secrets.push(...(await sessionSecrets(admin)));
  await checkAccessible(admin, 'the school admin');
  await admin.getByTestId('account-email-input').fill(TEACHER.email);
  await admin.getByTestId('account-create').click();
  const teacherLink = await admin.getByTestId('activation-link').first().innerText({ timeout: ms(10_000) });
  secrets.push(teacherLink.split('#')[1]);

  // The teacher activates, logs out, logs in, composes a room and enters it.
  const teacher = await h.page('teacher');
  await setPassword(teacher, teacherLink, TEACHER.password);
  await teacher.getByTestId('logout-button').click();
  await teacher.getByTestId('login-email').fill(TEACHER.email);
  await teacher.getByTestId('login-password').fill(TEACHER.password);
  await teacher.getByTestId('login-button').click();
  await teacher.getByTestId('room-group').waitFor({ timeout: ms(15_000) });
  secrets.push(...(await sessionSecrets(teacher)));
  await checkAccessible(teacher, 'the teacher');
  assert.equal(await teacher.getByTestId('room-school').inputValue(), '1111111');
  await teacher.getByTestId('room-group').fill('7b');
  await teacher.getByTestId('room-short').fill('MUE');
  await teacher.getByTestId('room-create').click();
  const room = '1111111-7b-MUE';
  await teacher.getByTestId(`room-enter-${room}`).click();
  await prejoinAndJoin(teacher, { name: 'Frau Müller', camera: false, mic: false });

  // A guest joins by the link, without an account.
  const guest = await h.page('guest');
  await guest.goto(`${h.baseUrl}/r/${encodeURIComponent(room)}`);
  await prejoinAndJoin(guest, { name: 'Ada', camera: false, mic: false });
  await until('the teacher to see the guest', async () => {
    const n = await teacher.getByTestId('tile').count();
    return { ok: n >= 2, detail: n };
  }, { timeout: ms(15_000) });

  // The teacher goes back to the rooms page; the room is listed for reuse.
  await teacher.getByTestId('leave-button').click();
  await teacher.goto(`${h.baseUrl}/konto`);
  await teacher.getByTestId(`room-item-${room}`).waitFor({ timeout: ms(15_000) });

  // The operator switches the school to BigBlueButton, with a reason.
  await op.getByTestId('school-reason-1111111').fill('itslearning beantragt am 3. März');
  await op.getByTestId('school-switch-1111111').click();
  await until('the school to use BigBlueButton', async () => ({
    ok: (await op.getByTestId('school-1111111').getAttribute('data-service')) === 'bigbluebutton',
  }), { timeout: ms(10_000) });

  // The guest still in the call is ended at once, and told why.
  await guest.getByText(/BigBlueButton in itslearning/).first().waitFor({ timeout: ms(10_000) });
  await until("the guest's call to end", async () => {
    const n = await guest.getByTestId('leave-button').count();
    return { ok: n === 0, detail: n };
  }, { timeout: ms(10_000) });

  // The teacher's page notices within seconds: logged out, with the notice.
  const notice = teacher.getByTestId('bbb-notice');
  await notice.waitFor({ timeout: ms(15_000) });
  assert.match(await notice.innerText(), /BigBlueButton/);
  assert.match(await notice.innerText(), /itslearning/);
  assert.equal(await teacher.getByTestId('login-button').count(), 1, 'the teacher is logged out');
  // Logging in again is refused with the same notice.
  await teacher.getByTestId('login-email').fill(TEACHER.email);
  await teacher.getByTestId('login-password').fill(TEACHER.password);
  await teacher.getByTestId('login-button').click();
  await teacher.getByTestId('bbb-notice').waitFor({ timeout: ms(10_000) });

  // A guest of the school's room is told the same, and cannot join.
  const late = await h.page('late-guest');
  await late.goto(`${h.baseUrl}/r/${encodeURIComponent(room)}`);
  await late.getByTestId('bbb-notice').waitFor({ timeout: ms(15_000) });
  assert.equal(await late.getByTestId('join-button').count(), 0);

  // The school admin's open page noticed too, without reloading.
  await admin.getByTestId('bbb-notice').waitFor({ timeout: ms(15_000) });
  assert.equal(await admin.getByTestId('login-button').count(), 1, 'the school admin is logged out');

  // Switching back is possible for the operator.
  await op.getByTestId('school-reason-1111111').fill('Antrag zurückgezogen');
  await op.getByTestId('school-switch-1111111').click();
  await until('the school to use Tafelrunde again', async () => ({
    ok: (await op.getByTestId('school-1111111').getAttribute('data-service')) === 'tafelrunde',
  }), { timeout: ms(10_000) });
  const back = await h.page('guest-again');
  await back.goto(`${h.baseUrl}/r/${encodeURIComponent(room)}`);
  await back.getByTestId('join-button').waitFor({ timeout: ms(15_000) });

  // Nothing secret in the log (the setup link is printed once, by design,
  // on stdout; its token is used up).
  const logText = h.server.log().split('\n').filter((l) => !l.includes('no operator yet')).join('\n');
  for (const secret of secrets.filter((s) => s && s.length >= 8)) {
    assert.ok(!logText.includes(secret), `the server log contains a secret (${secret.slice(0, 4)}…)`);
  }
});
