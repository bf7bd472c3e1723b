// The JSON API from Node, like a browser: keeps the session cookie and sends
// the CSRF token. For setting up accounts quickly where the UI of that is
// not what a test is about (accounts.test.mjs goes through the UI).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ms } from './paths.mjs';
import { until } from './wait.mjs';

export class ApiClient {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookie = null;
    this.csrf = null;
  }

  async call(method, path, body, contentType = 'application/json') {
    const headers = { accept: 'application/json' };
    if (this.cookie) headers.cookie = `tafelrunde_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = contentType;
    }
    const r = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const m = /tafelrunde_session=([^;]*)/.exec(r.headers.get('set-cookie') ?? '');
    if (m) this.cookie = m[1] || null;
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (json?.csrf) this.csrf = json.csrf;
    if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return json;
  }
}

/**
 * A fresh, empty database folder for the harness's server (so that the
 * first-start setup link is printed), removed when the harness stops.
 */
export function freshDataDir(h) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tafelrunde-e2e-${h.label}-`));
  h.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
  return ['--data-dir', dir];
}

export const SCHOOL = '1111111';
export const OPERATOR = { email: 'betrieb@land.example', password: 'Betrieb-Passwort-2024' };
export const ADMIN = { email: 'leitung@schule-sh.de', password: 'Leitung-Passwort-2024' };
export const TEACHER = { email: 'mueller@schule-sh.de', password: 'Mueller-Passwort-2024' };

/** The operator (from the printed setup link), school 1111111, its school admin and a teacher. */
export async function setupAccounts(server) {
  const { token } = await until('the setup link on stdout', async () => {
    const m = /no operator yet; .*?: http\S+\/setup#(\S+)/.exec(server.log());
    return { ok: m !== null, token: m?.[1], detail: server.log().slice(-300) };
  }, { timeout: ms(10_000) });
  const op = new ApiClient(server.url);
  await op.call('POST', '/api/setup', { token, ...OPERATOR });
  await op.call('POST', '/api/schools/import',
    'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n1111111;Schule am See;Grundschule;Kiel;nein\n', 'text/csv');
  const activate = async (creator, account, role) => {
    const created = await creator.call('POST', '/api/accounts', { email: account.email, role, school: SCHOOL });
    const c = new ApiClient(server.url);
    await c.call('POST', '/api/activate', { token: created.activationLink.split('#')[1], password: account.password });
    return c;
  };
  const admin = await activate(op, ADMIN, 'schoolAdmin');
  const teacher = await activate(admin, TEACHER, 'teacher');
  return { op, admin, teacher };
}

/** Logs a page in through the login form; waits for the account page. */
export async function loginThroughUi(page, baseUrl, account) {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-button').click();
  await page.getByTestId('logout-button').waitFor({ timeout: ms(15_000) });
}
