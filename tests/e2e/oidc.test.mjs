// Login through the state's identity provider (OpenID Connect, code flow
// with PKCE) against a real `oidc-provider`: a teacher without a local
// account whose claims name a school on Tafelrunde gets in and lands on
// their rooms page; one whose school uses BigBlueButton gets the
// itslearning notice instead.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness } from './lib/harness.mjs';
import { ms } from './lib/paths.mjs';
import { freePort, startProvider } from './lib/oidc-provider.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('oidc');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-oidc-'));
const CLIENT = { clientId: 'tafelrunde', clientSecret: 'e2e-client-secret-123' };
let provider;
let providerPort;

const SCHOOLS = 'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n'
  + '1111111;Schule am See;Grundschule;Kiel;nein\n'
  + '2222222;Gymnasium Nord;Gymnasium;Lübeck;ja\n';

function claimsFor(login) {
  const school = login.startsWith('bbb') ? '2222222' : '1111111';
  return { email: `${login}@schule-sh.de`, school, role: 'lehrer' };
}

before(async () => {
  providerPort = await freePort();
  const config = path.join(dir, 'tafelrunde.toml');
  fs.writeFileSync(config, [
    '[oidc]',
    `issuer = "http://127.0.0.1:${providerPort}"`,
    `client_id = "${CLIENT.clientId}"`,
    `client_secret = "${CLIENT.clientSecret}"`,
    'label = "Landes-Login"',
    'scopes = ["tafelrunde"]',
    'teacher_roles = ["lehrer"]',
    '',
  ].join('\n'));
  await h.start({ args: ['--config', config, '--data-dir', path.join(dir, 'data')] });
  provider = await startProvider({ port: providerPort, ...CLIENT, redirectUri: `${h.baseUrl}/api/oidc/callback`, claimsFor });
});

after(async () => {
  await provider?.stop();
  await h.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The operator sets up and imports the schools through the API, as a script would. */
async function setUpSchools() {
  const { token } = await until('the setup link', async () => {
    const m = /no operator yet; .*?\/setup#(\S+)/.exec(h.server.log());
    return { ok: m !== null, token: m?.[1] };
  }, { timeout: ms(10_000) });
  const setup = await fetch(`${h.baseUrl}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, email: 'betrieb@land.example', password: 'Betrieb-Passwort-2024' }),
  });
  assert.equal(setup.status, 200, await setup.clone().text());
  const cookie = setup.headers.get('set-cookie').split(';')[0];
  const { csrf } = await setup.json();
  const imported = await fetch(`${h.baseUrl}/api/schools/import`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'text/csv' },
    body: SCHOOLS,
  });
  assert.equal(imported.status, 200, await imported.text());
}

async function loginAtProvider(page, login) {
  await page.goto(`${h.baseUrl}/login`);
  await page.getByTestId('oidc-login').click();
  await page.locator('input[name="login"]').fill(login, { timeout: ms(15_000) });
  await page.locator('input[name="password"]').fill('irgendwas');
  await page.locator('button[type="submit"]').click();
  // The consent page of the development interactions.
  await page.locator('button[type="submit"]').click({ timeout: ms(15_000) });
}

test('a teacher logs in through the identity provider; a school on BigBlueButton is told', { timeout: ms(120_000) }, async () => {
  await setUpSchools();

  const teacher = await h.page('oidc-teacher');
  await loginAtProvider(teacher, 'neu.lehrer');
  await teacher.getByTestId('room-group').waitFor({ timeout: ms(15_000) });
  assert.equal(new URL(teacher.url()).pathname, '/konto');
  assert.match(await teacher.getByTestId('account-email').innerText(), /neu\.lehrer@schule-sh\.de/);
  assert.equal(await teacher.getByTestId('room-school').inputValue(), '1111111', 'the school came from the claims');

  const other = await h.page('oidc-bbb');
  await loginAtProvider(other, 'bbb.lehrer');
  await other.getByTestId('bbb-notice').waitFor({ timeout: ms(15_000) });
  assert.equal(new URL(other.url()).pathname, '/login');
  assert.equal(await other.getByTestId('logout-button').count(), 0, 'no session');
});
