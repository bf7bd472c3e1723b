// A logged-in teacher of a school, made through the API the way the
// account pages do it (accounts.test.mjs walks the same path through the
// UI): the operator completes the printed setup link, imports a school and
// creates the teacher; the teacher activates the account, which logs them
// in. Everything runs inside the teacher's own browser context, so its
// session cookie is the teacher's.

import { ms } from './paths.mjs';
import { until } from './wait.mjs';

export const SCHOOL = '1111111';
const SCHOOLS_CSV = 'Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n'
  + `${SCHOOL};Schule am See;Grundschule;Kiel;nein\n`;

/** Runs in the page: one JSON request with the session's CSRF token. */
async function apiInPage({ method, path, body, contentType }) {
  const session = await (await fetch('/api/session')).json();
  const headers = {};
  if (session.csrf) headers['x-csrf-token'] = session.csrf;
  if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : contentType ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function api(page, method, path, body, contentType) {
  const r = await page.evaluate(apiInPage, { method, path, body, contentType });
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Makes the operator (from the setup link in the server's log) and a
 * teacher of SCHOOL, and returns the teacher's page, logged in, on the
 * start page. `rooms`: rooms to save for the teacher ({group, short,
 * lobby, password}), as the rooms page does.
 */
export async function loggedInTeacher(h, label, { email = 'mueller@schule-sh.de', rooms = [] } = {}) {
  const { token } = await until('the setup link on stdout', async () => {
    const m = /no operator yet; .*?: http\S+\/setup#(\S+)/.exec(h.server.log());
    return { ok: m !== null, token: m?.[1], detail: h.server.log().slice(-300) };
  }, { timeout: ms(10_000) });
  const page = await h.page(label);
  await page.goto(h.baseUrl);
  await api(page, 'POST', '/api/setup', { token, email: 'betrieb@land.example', password: 'Betrieb-Passwort-2024' });
  await api(page, 'POST', '/api/schools/import', SCHOOLS_CSV, 'text/csv');
  const created = await api(page, 'POST', '/api/accounts', { email, role: 'teacher', school: SCHOOL });
  await api(page, 'POST', '/api/logout');
  const activation = created.activationLink.split('#')[1];
  await api(page, 'POST', '/api/activate', { token: activation, password: 'Mueller-Passwort-2024' });
  for (const room of rooms) await api(page, 'POST', '/api/rooms', room);
  return { page, email, password: 'Mueller-Passwort-2024' };
}

/** Logs `email` in on a (fresh) page of its own context. */
export async function logIn(page, baseUrl, { email, password }) {
  await page.goto(baseUrl);
  await api(page, 'POST', '/api/login', { email, password });
}
