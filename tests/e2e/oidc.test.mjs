// Login through the state's identity provider (OpenID Connect, code flow
// with PKCE) against a real `oidc-provider`: a teacher without a local
// account whose claims name a school on Tafelrunde gets in and lands on
// their rooms page; one whose school uses BigBlueButton gets the
// itslearning notice instead. And what must not work: finishing a login
// that was started in another browser, taking over an account by an
// unverified e-mail address or the operator's by any, an account outside
// the allowed domains, a flood of started logins, and a link of a
// stranger's choosing on the login page.

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
const GUIDANCE = 'https://itslearning.example/videokonferenzen';
let provider;
let providerPort;
/** The operator's session, for API calls: { cookie, csrf }. */
let operator;

const SCHOOLS = 'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n'
  + '1111111;Schule am See;Grundschule;Kiel;nein\n'
  + '2222222;Gymnasium Nord;Gymnasium;Lübeck;ja\n';

/** What the provider says about each login name (its subject). */
function claimsFor(login) {
  const special = {
    // Someone whose provider account carries a colleague's address, unverified.
    'kollegin.unbestaetigt': { email: 'kollegin@schule-sh.de', email_verified: false },
    'kollegin': { email: 'kollegin@schule-sh.de' },
    // Someone whose provider account carries the operator's address.
    'betrieb': { email: 'betrieb@land.example', school: undefined, role: undefined },
    'fremd': { email: 'fremd@anderswo.example' },
  }[login] ?? {};
  const school = login.startsWith('bbb') ? '2222222' : '1111111';
  const claims = { email: `${login}@schule-sh.de`, email_verified: true, school, role: 'lehrer', ...special };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return claims;
}

before(async () => {
  providerPort = await freePort();
  const config = path.join(dir, 'tafelrunde.toml');
  fs.writeFileSync(config, [
    '[http]',
    // The flood test speaks for other networks through X-Forwarded-For.
    'trusted_proxies = ["127.0.0.1"]',
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
  await setUpSchools();
});

after(async () => {
  await provider?.stop();
  await h.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A call of the API as the operator. */
async function asOperator(method, url, body) {
  const res = await fetch(`${h.baseUrl}${url}`, {
    method,
    headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrf, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** Changes some of the operator's settings (the API takes them all at once). */
async function setSettings(changes) {
  const current = await asOperator('GET', '/api/settings');
  await asOperator('PUT', '/api/settings', { ...current, ...changes });
}

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
  operator = { cookie: setup.headers.get('set-cookie').split(';')[0], csrf: (await setup.json()).csrf };
  const imported = await fetch(`${h.baseUrl}/api/schools/import`, {
    method: 'POST',
    headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrf, 'content-type': 'text/csv' },
    body: SCHOOLS,
  });
  assert.equal(imported.status, 200, await imported.text());
  await setSettings({ guidanceUrl: GUIDANCE });
}

/** Logs in at the provider as `login`, from our login page's button. */
async function loginAtProvider(page, login) {
  await page.goto(`${h.baseUrl}/login`);
  await page.getByTestId('oidc-login').click();
  await page.locator('input[name="login"]').fill(login, { timeout: ms(15_000) });
  await page.locator('input[name="password"]').fill('irgendwas');
  await page.locator('button[type="submit"]').click();
  // The consent page of the development interactions.
  await page.locator('button[type="submit"]').click({ timeout: ms(15_000) });
}

/** The login page's error code after a refused login, and that there is no session. */
async function refusedWith(page) {
  const error = page.getByTestId('api-error');
  const account = page.getByTestId('account-email');
  await error.or(account).first().waitFor({ timeout: ms(15_000) });
  if (await account.count() > 0) assert.fail(`logged in as ${await account.innerText()} (${page.url()})`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.getByTestId('logout-button').count(), 0, 'no session');
  return error.getAttribute('data-code');
}

test('a teacher logs in through the identity provider; a school on BigBlueButton is told', { timeout: ms(120_000) }, async () => {
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
  assert.equal(await other.getByTestId('bbb-guidance-link').getAttribute('href'), GUIDANCE, "the operator's guidance link");
});

/**
 * An attacker's own login, driven by hand over HTTP (the provider's
 * development pages, a cookie jar of its own) up to the point where the
 * provider sends the browser back: the callback address with the
 * attacker's code, not yet used.
 */
async function attackersCallback(login) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
  };
  let res = await fetch(`${h.baseUrl}/api/oidc/login`, { redirect: 'manual' });
  keep(res);
  let url = new URL(res.headers.get('location'), h.baseUrl);
  for (let step = 0; step < 12; step += 1) {
    if (url.pathname === '/api/oidc/callback') return url.href;
    res = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    keep(res);
    if (res.status === 200 && url.pathname.startsWith('/interaction/')) {
      const form = await res.text();
      const fields = form.includes('name="login"') ? { prompt: 'login', login, password: 'irgendwas' } : { prompt: 'consent' };
      res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      keep(res);
    }
    assert.ok(res.headers.get('location'), `step ${step}: ${res.status} at ${url}`);
    url = new URL(res.headers.get('location'), url);
  }
  throw new Error('the provider never sent the browser back');
}

test('a login started in one browser cannot be finished in another (login CSRF)', { timeout: ms(120_000) }, async () => {
  // The attacker logs in to their own provider account but stops before
  // the way back, keeping the callback address with its code; the victim's
  // browser is made to open it.
  const callback = await attackersCallback('angreifer');
  const victim = await h.page('oidc-victim');
  await victim.goto(`${h.baseUrl}/`);
  await victim.goto(callback);
  assert.equal(await refusedWith(victim), 'oidcState', "the victim is not logged in to the attacker's account");
});

test('the operator\'s account is never taken over by a provider login with its address', { timeout: ms(120_000) }, async () => {
  const operatorsAddress = await h.page('oidc-operator-address');
  await loginAtProvider(operatorsAddress, 'betrieb');
  assert.equal(await refusedWith(operatorsAddress), 'oidcNoAccount', "not the operator's account");
});

test('an account is linked by e-mail address only when the provider verified it', { timeout: ms(120_000) }, async () => {
  // A colleague's account, created by the operator, not yet activated.
  await asOperator('POST', '/api/accounts', { email: 'kollegin@schule-sh.de', role: 'teacher', school: '1111111' });

  const impostor = await h.page('oidc-unverified');
  await loginAtProvider(impostor, 'kollegin.unbestaetigt');
  assert.equal(await refusedWith(impostor), 'oidcEmailUnverified');

  // The colleague herself, with her verified address, gets her account.
  const colleague = await h.page('oidc-verified');
  await loginAtProvider(colleague, 'kollegin');
  await colleague.getByTestId('room-group').waitFor({ timeout: ms(15_000) });
  assert.match(await colleague.getByTestId('account-email').innerText(), /kollegin@schule-sh\.de/);
});

test('an account the provider creates must have an address of an allowed domain', { timeout: ms(120_000) }, async () => {
  await setSettings({ allowedDomains: ['schule-sh.de'] });
  try {
    const stranger = await h.page('oidc-domain');
    await loginAtProvider(stranger, 'fremd');
    assert.equal(await refusedWith(stranger), 'domainNotAllowed');
  } finally {
    await setSettings({ allowedDomains: [] });
  }
});

test('started logins: discovery is cached, and one network cannot crowd out the others', { timeout: ms(120_000) }, async () => {
  const start = (network) => fetch(`${h.baseUrl}/api/oidc/login`, {
    redirect: 'manual',
    headers: { 'x-forwarded-for': network },
  });
  const before = provider.discoveries();
  let toProvider = 0;
  let refused = null;
  for (let i = 0; i < 60; i += 1) {
    const res = await start('198.51.100.7');
    const location = res.headers.get('location') ?? '';
    if (location.startsWith(provider.issuer)) {
      toProvider += 1;
    } else {
      refused = { status: res.status, location };
      break;
    }
  }
  const fetched = provider.discoveries() - before;
  assert.deepEqual([
    ...(fetched > 1 ? [`discovery fetched ${fetched} times for ${toProvider + 1} logins`] : []),
    ...(refused === null ? [`one network started ${toProvider} logins at once`] : []),
  ], []);
  assert.equal(refused.status, 303);
  assert.match(refused.location, /^\/login#error=oidcTooMany$/);
  // Another network still gets through, and so does a browser.
  assert.ok((await start('203.0.113.9')).headers.get('location')?.startsWith(provider.issuer));
  const teacher = await h.page('oidc-after-flood');
  await loginAtProvider(teacher, 'noch.ein.lehrer');
  await teacher.getByTestId('room-group').waitFor({ timeout: ms(15_000) });
});

test('the login page shows no link of a stranger\'s choosing', { timeout: ms(60_000) }, async () => {
  const page = await h.page('oidc-guidance');
  await page.goto(`${h.baseUrl}/login#error=schoolUsesBigBlueButton&guidance=https%3A%2F%2Fevil.example%2Fanmelden`);
  await page.getByTestId('bbb-notice').waitFor({ timeout: ms(15_000) });
  const hrefs = await page.locator('a').evaluateAll((links) => links.map((a) => a.href));
  assert.ok(hrefs.every((href) => !href.includes('evil.example')), `links: ${hrefs.join(', ')}`);
  assert.equal(await page.getByTestId('bbb-guidance-link').getAttribute('href'), GUIDANCE, "only the operator's own link");
});
