// The teacher in control of who is in the room and what is said: a pupil
// who comes first waits until the teacher opens the room; the lobby (knock
// on arrival, admit one, deny one); raised hands in order; chat, private
// chat and chat off; a removed pupil cannot come back by themself, not even
// in a private window (removing switches the lobby on); the
// teacher's connection drops for good (offline): the pupils see her tile
// dimmed as reconnecting, then gone after the grace, and she returns as
// owner; end for all.
// One server (with a reconnect grace of GRACE_SECONDS), one browser, a
// teacher of the room's school and three pupils.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unnamedControls } from './lib/a11y.mjs';
import { Harness } from './lib/harness.mjs';
import {
  RECORD_SOCKETS, attrs, knock, moderate, openPanel, ownId, participantRow, setRoomSetting, waitBye, waitNotice, waitWaiting,
} from './lib/moderation.mjs';
import { ms, repoRoot } from './lib/paths.mjs';
import { SCHOOL, logIn, loggedInTeacher } from './lib/teacher.mjs';
import { prejoinAndJoin, waitConnected } from './lib/ui.mjs';
import { until } from './lib/wait.mjs';

const h = new Harness('moderation-room');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-moderation-room-'));
/** How long the server keeps a dropped member's place (the default is 60 s). */
const GRACE_SECONDS = 3;
before(() => h.start({ args: ['--data-dir', dataDir, '--reconnect-grace', String(GRACE_SECONDS)] }));
after(async () => {
  await h.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const ROOM = `${SCHOOL}-7b-MUE`;

/** The teacher's view with the lobby and the panel open, for docs/moderation-guide.md. */
async function saveScreenshot(page) {
  const shot = await page.screenshot({ fullPage: false });
  fs.writeFileSync(path.join(h.artifacts, 'screenshot-moderation.png'), shot);
  const docs = path.join(repoRoot, 'docs', 'screenshot-moderation.png');
  if (process.env.E2E_UPDATE_SCREENSHOT === '1' || !fs.existsSync(docs)) fs.writeFileSync(docs, shot);
}

/** A pupil's page (a guest: no account). */
async function pupilPage(name) {
  const page = await h.page(name);
  await page.context().addInitScript(RECORD_SOCKETS);
  return page;
}

/** The chat messages a person reads (opening their chat panel). */
async function chatTexts(page) {
  await openPanel(page, 'chat');
  return page.getByTestId('chat-text').allInnerTexts();
}

async function sendChat(page, text, toName) {
  await openPanel(page, 'chat');
  if (toName !== undefined) await page.getByTestId('chat-to').selectOption({ label: toName });
  else await page.getByTestId('chat-to').selectOption('');
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-send').click();
}

async function chatOptions(page) {
  await openPanel(page, 'chat');
  return page.getByTestId('chat-to').locator('option').allInnerTexts();
}

test('lobby, hands, chat, removing, the teacher’s return and the end, as teacher and pupils see it', { timeout: ms(240_000) }, async (t) => {
  const teacher = await loggedInTeacher(h, 'Frau Müller', {
    rooms: [{ group: '7b', short: 'MUE', lobby: false }, { group: '9c', short: 'BIO', lobby: false, password: 'Kiebitz-7' }],
  });
  const tp = teacher.page;
  await tp.context().addInitScript(RECORD_SOCKETS);
  const ada = await pupilPage('Ada');
  const ben = await pupilPage('Ben');
  const cem = await pupilPage('Cem');
  let ids = {};

  await t.test('a pupil who comes first waits until the teacher opens the room', async () => {
    await knock(ada, h.baseUrl, ROOM, 'Ada');
    await waitWaiting(ada, 'notOpen');
    assert.match(await ada.getByTestId('waiting').innerText(), /Die Lehrkraft hat den Raum noch nicht geöffnet/);
    await tp.goto(`${h.baseUrl}/r/${ROOM}`);
    await prejoinAndJoin(tp, { name: 'Frau Müller', camera: false, mic: false });
    // Ada is let in by herself, without another click.
    await waitConnected(ada, 'Ada');
    ids = { teacher: await ownId(tp), ada: await ownId(ada) };
    await openPanel(tp, 'people');
    await participantRow(tp, ids.teacher).and(tp.locator('[data-role="owner"]')).waitFor({ timeout: ms(10_000) });
    await openPanel(ada, 'people');
    assert.equal(await ada.getByTestId('mute-all').count(), 0, 'a pupil has no moderation tools');
    assert.deepEqual(await ada.evaluate(unnamedControls), [], 'every control of a pupil’s room has an accessible name');
    assert.equal(await participantRow(ada, ids.teacher).getAttribute('data-role'), 'owner', 'Ada sees who leads the room');
  });

  await t.test('lobby: pupils knock on arrival; the teacher admits one and denies the other', async () => {
    await setRoomSetting(tp, 'lobby', true);
    await tp.getByTestId('side-panel-close').click();
    await knock(ben, h.baseUrl, ROOM, 'Ben');
    await waitWaiting(ben, 'lobby');
    assert.match(await ben.getByTestId('waiting').innerText(), /Du hast angeklopft/);
    // Cem reads the room in English.
    await knock(cem, h.baseUrl, ROOM, 'Cem', { lang: 'en' });
    await waitWaiting(cem, 'lobby');
    assert.match(await cem.getByTestId('waiting').innerText(), /You have knocked/);
    // With the panel closed, the teacher is told who knocks.
    await tp.getByTestId('lobby-alert').filter({ hasText: 'Ben' }).filter({ hasText: 'Cem' }).waitFor({ timeout: ms(10_000) });
    await tp.getByTestId('lobby-alert-open').click();
    const entries = tp.getByTestId('lobby-entry');
    await until('the teacher to see Ben and Cem knocking, in that order', async () => {
      const names = await entries.allInnerTexts();
      return { ok: names.length === 2 && /Ben/.test(names[0]) && /Cem/.test(names[1]), detail: names };
    }, { timeout: ms(10_000) });
    assert.match(await tp.getByTestId('people-badge').innerText(), /2/, 'the people button counts who waits');
    await tp.locator('[data-testid="participant"][data-self="false"]').first().getByTestId('participant-menu').click();
    assert.deepEqual(await tp.evaluate(unnamedControls), [], 'every control of the teacher’s panel has an accessible name');
    await saveScreenshot(tp);
    await tp.locator('[data-testid="participant"][data-self="false"]').first().getByTestId('participant-menu').click();
    // Several at once: check Ben's box, admit the checked ones.
    await entries.filter({ hasText: 'Ben' }).getByTestId('lobby-check').check();
    await tp.getByTestId('lobby-admit-checked').click();
    await waitConnected(ben, 'Ben');
    ids.ben = await ownId(ben);
    await entries.filter({ hasText: 'Cem' }).getByTestId('lobby-deny').click();
    await waitBye(cem, 'denied');
    const bye = await cem.getByTestId('bye-screen').innerText();
    assert.match(bye, /did not let you into the room/);
    assert.doesNotMatch(bye, /\b(Lehrkraft|nicht|Raum)\b/, 'no German left in English');
    await until('the lobby to be empty', async () => ({ ok: (await entries.count()) === 0 }), { timeout: ms(5_000) });
  });

  await t.test('raised hands keep their order; the teacher lowers one, then all', async () => {
    await ben.getByTestId('hand-toggle').click();
    await until('Ben’s hand to be up', async () => ({ ok: (await ben.getByTestId('hand-toggle').getAttribute('aria-pressed')) === 'true' }), { timeout: ms(5_000) });
    await ada.getByTestId('hand-toggle').click();
    const queue = tp.getByTestId('hand-entry');
    await until('the teacher to see Ben’s hand first, then Ada’s', async () => {
      const order = await attrs(queue, 'data-participant-id');
      return { ok: JSON.stringify(order) === JSON.stringify([ids.ben, ids.ada]), detail: order };
    }, { timeout: ms(10_000) });
    await queue.first().getByTestId('hand-lower').click();
    await waitNotice(ben, 'handLowered');
    await until('only Ada’s hand to be left', async () => {
      const order = await attrs(queue, 'data-participant-id');
      return { ok: JSON.stringify(order) === JSON.stringify([ids.ada]), detail: order };
    }, { timeout: ms(10_000) });
    await tp.getByTestId('hand-lower-all').click();
    await until('no hand to be up', async () => ({
      ok: (await queue.count()) === 0 && (await ada.getByTestId('hand-toggle').getAttribute('aria-pressed')) === 'false',
    }), { timeout: ms(10_000) });
  });

  await t.test('reactions are shown to everybody for a moment', async () => {
    await ada.getByTestId('reaction-toggle').click();
    await ada.getByTestId('react-👏').click();
    for (const page of [tp, ben]) {
      await page.locator(`[data-testid="reaction"][data-participant-id="${ids.ada}"][data-emoji="👏"]`).waitFor({ timeout: ms(5_000) });
    }
    await until('the reaction to go again', async () => ({ ok: (await tp.getByTestId('reaction').count()) === 0 }), { timeout: ms(10_000) });
  });

  await t.test('a promoted pupil moderates, but cannot act against the teacher; then demoted', async () => {
    await moderate(tp, ids.ada, 'promote');
    assert.match(await waitNotice(ada, 'promoted'), /Frau Müller hat dich zur Moderation gemacht/);
    await openPanel(ada, 'people');
    await ada.getByTestId('mute-all').waitFor({ timeout: ms(10_000) });
    assert.equal(await ada.getByTestId('end-meeting').count(), 0, 'a promoted pupil cannot end the meeting');
    const menu = participantRow(ada, ids.teacher).getByTestId('participant-menu');
    if ((await menu.count()) > 0) await menu.click();
    const onTeacher = await participantRow(ada, ids.teacher).locator('[data-testid^="action-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
    for (const forbidden of ['action-remove', 'action-demote', 'action-mute-audio', 'action-mute-video']) {
      assert.ok(!onTeacher.includes(forbidden), `Ada is not offered ${forbidden} on the teacher: ${onTeacher}`);
    }
    await moderate(tp, ids.ada, 'demote');
    await waitNotice(ada, 'demoted');
    await until('Ada’s moderation tools to go', async () => ({ ok: (await ada.getByTestId('mute-all').count()) === 0 }), { timeout: ms(10_000) });
  });

  await t.test('chat: to all, privately to the teacher, between pupils only when allowed, and off', async () => {
    await sendChat(ada, 'Hallo zusammen!');
    for (const [page, who] of [[tp, 'the teacher'], [ben, 'Ben']]) {
      await until(`${who} to read Ada’s message`, async () => ({ ok: (await chatTexts(page)).includes('Hallo zusammen!') }), { timeout: ms(10_000) });
    }
    // Private messages between pupils are off by default: only the teacher is offered.
    let options = await chatOptions(ben);
    assert.ok(options.some((o) => o.includes('Frau Müller')), `Ben may write to the teacher privately: ${options}`);
    assert.ok(!options.some((o) => o.includes('Ada')), `Ben may not write to Ada privately: ${options}`);
    await sendChat(ben, 'Ich habe eine Frage.', 'Frau Müller (privat)');
    await openPanel(tp, 'chat');
    const privateAtTeacher = tp.locator('[data-testid="chat-message"][data-private="true"]');
    await privateAtTeacher.filter({ hasText: 'Ich habe eine Frage.' }).waitFor({ timeout: ms(10_000) });
    await ada.waitForTimeout(500);
    assert.ok(!(await chatTexts(ada)).includes('Ich habe eine Frage.'), 'Ada does not read Ben’s private message');
    // The teacher answers privately from the message itself.
    await privateAtTeacher.filter({ hasText: 'Ich habe eine Frage.' }).getByTestId('chat-reply').click();
    assert.equal(await tp.getByTestId('chat-to').inputValue(), ids.ben, 'the reply goes to Ben');
    await tp.getByTestId('chat-input').fill('Gern, frag ruhig.');
    await tp.getByTestId('chat-send').click();
    await ben.locator('[data-testid="chat-message"][data-private="true"]').filter({ hasText: 'Gern, frag ruhig.' }).waitFor({ timeout: ms(10_000) });
    assert.ok(!(await chatTexts(ada)).includes('Gern, frag ruhig.'), 'Ada does not read the teacher’s private answer');

    await setRoomSetting(tp, 'privateChat', true);
    await until('Ben to be offered Ada as a private recipient', async () => {
      options = await chatOptions(ben);
      return { ok: options.some((o) => o.includes('Ada')), detail: options };
    }, { timeout: ms(10_000) });
    // Ben starts a private message to Ada; the teacher switches private chat off meanwhile.
    await ben.getByTestId('chat-to').selectOption({ label: 'Ada (privat)' });
    await ben.getByTestId('chat-input').fill('Psst, Ada');
    await setRoomSetting(tp, 'privateChat', false);
    await until('Ada to be no longer offered to Ben', async () => {
      options = await chatOptions(ben);
      return { ok: !options.some((o) => o.includes('Ada')), detail: options };
    }, { timeout: ms(10_000) });
    await ben.getByTestId('chat-send').click();
    await ben.getByTestId('chat-recipient-gone').waitFor({ timeout: ms(5_000) });
    await tp.waitForTimeout(500);
    assert.ok(!(await chatTexts(tp)).includes('Psst, Ada'), 'the private text did not go to everybody');

    await setRoomSetting(tp, 'chat', false);
    await openPanel(ada, 'chat');
    await ada.getByTestId('chat-disabled').waitFor({ timeout: ms(10_000) });
    assert.equal(await ada.getByTestId('chat-input').count(), 0, 'Ada cannot write while the chat is off');
    assert.ok((await chatTexts(ada)).includes('Hallo zusammen!'), 'the history stays readable');
    await sendChat(tp, 'Bitte jetzt still arbeiten.');
    await until('Ada to read the teacher’s message while the chat is off', async () => ({
      ok: (await chatTexts(ada)).includes('Bitte jetzt still arbeiten.'),
    }), { timeout: ms(10_000) });
    await setRoomSetting(tp, 'chat', true);
    await ada.getByTestId('chat-input').waitFor({ timeout: ms(10_000) });
  });

  await t.test('a removed pupil lands in the lobby, marked; removing switched the lobby on, so in a fresh browser he knocks too', async () => {
    await setRoomSetting(tp, 'lobby', false);
    await moderate(tp, ids.ben, 'remove');
    await waitBye(ben, 'removed');
    await openPanel(tp, 'people');
    await until('the lobby to be on after the removal', async () => ({ ok: await tp.getByTestId('setting-lobby').isChecked() }), { timeout: ms(10_000) });
    // Ben in a private window: no cookie, a stranger to the room. He knocks, unmarked.
    const incognito = await pupilPage('Ben (privat)');
    await knock(incognito, h.baseUrl, ROOM, 'Ben');
    await waitWaiting(incognito, 'lobby');
    const stranger = tp.locator('[data-testid="lobby-entry"][data-removed="false"]').filter({ hasText: 'Ben' });
    await stranger.waitFor({ timeout: ms(10_000) });
    await stranger.getByTestId('lobby-deny').click();
    await waitBye(incognito, 'denied');
    await incognito.context().close();
    await ben.getByTestId('rejoin-button').click();
    await ben.getByTestId('join-button').click();
    await waitWaiting(ben, 'lobby');
    const entry = tp.getByTestId('lobby-entry').filter({ hasText: 'Ben' });
    await entry.waitFor({ timeout: ms(10_000) });
    assert.equal(await entry.getAttribute('data-removed'), 'true', 'the teacher sees that Ben was removed');
    await entry.getByTestId('lobby-admit').click();
    await waitConnected(ben, 'Ben (readmitted)');
    ids.ben = await ownId(ben);
    // A late comer reads the room's history.
    await openPanel(ben, 'chat');
    await until('Ben to read the history again', async () => ({ ok: (await chatTexts(ben)).includes('Hallo zusammen!') }), { timeout: ms(10_000) });
    // The teacher switches the lobby off again, knowingly.
    await setRoomSetting(tp, 'lobby', false);
  });

  await t.test('on a phone, screen sharing is explained instead of offered', async () => {
    const phone = await h.page('Dora (Handy)', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await knock(phone, h.baseUrl, ROOM, 'Dora');
    await waitConnected(phone, 'Dora (phone)');
    const dora = await ownId(phone);
    await moderate(tp, dora, 'grant-screen');
    await waitNotice(phone, 'granted');
    await openPanel(phone, 'people');
    assert.match(await phone.getByTestId('screen-unsupported').innerText(), /Handys und Tablets/);
    assert.equal(await phone.getByTestId('screen-toggle').count(), 0, 'no share button on a phone');
    await phone.getByTestId('leave-button').tap();
    await phone.getByTestId('left-page').waitFor({ timeout: ms(10_000) });
  });

  await t.test('a locked room turns newcomers away; a room password is asked for before knocking', async () => {
    await setRoomSetting(tp, 'locked', true);
    const emil = await pupilPage('Emil');
    await knock(emil, h.baseUrl, ROOM, 'Emil');
    const refused = emil.getByTestId('error-message');
    await refused.waitFor({ timeout: ms(10_000) });
    assert.match(await refused.innerText(), /abgeschlossen/);
    await setRoomSetting(tp, 'locked', false);

    await knock(emil, h.baseUrl, `${SCHOOL}-9c-BIO`, 'Emil');
    await emil.getByTestId('password-prompt').waitFor({ timeout: ms(10_000) });
    await emil.getByTestId('room-password-input').fill('Amsel');
    await emil.getByTestId('room-password-submit').click();
    await emil.getByTestId('password-wrong').waitFor({ timeout: ms(10_000) });
    await emil.getByTestId('room-password-input').fill('Kiebitz-7');
    await emil.getByTestId('room-password-submit').click();
    // The right password: now he waits for the teacher like everybody.
    await waitWaiting(emil, 'notOpen');
    await emil.getByTestId('waiting-leave').click();
  });

  let back;
  await t.test('the teacher’s connection drops for good: the pupils see her reconnecting, then gone; she comes back as owner and the room kept its state', async () => {
    await setRoomSetting(tp, 'selfUnmuteVideo', false);
    // A dropped connection, not a leave: the socket closes, then the tab.
    // Her page must not come back by itself meanwhile: every new socket of
    // hers fails, and her browser goes offline. (Offline first would hold
    // back the socket's close too: the server would not learn of the drop.)
    await tp.context().routeWebSocket(/\/ws$/, (ws) => ws.close());
    await tp.evaluate(() => window.__e2eSockets.forEach((s) => s.close()));
    const dropped = Date.now();
    await tp.context().setOffline(true);
    assert.match(await tp.getByTestId('owner-kept').innerText(), /Rolle als Leitung bleibt/, 'the teacher is told the room waits for her');
    // For the grace, the pupils keep her place: her tile dimmed and labelled.
    const teacherTile = ada.locator(`[data-testid="tile"][data-participant-id="${ids.teacher}"]`);
    await teacherTile.and(ada.locator('[data-reconnecting="true"]')).waitFor({ timeout: ms(GRACE_SECONDS * 1_000) });
    const dimmedAfter = Date.now() - dropped;
    assert.match(await teacherTile.getByTestId('tile-reconnecting').innerText(), /Verbindung unterbrochen/, 'Ada reads why the teacher’s tile is dimmed');
    const opacity = await teacherTile.evaluate((tile) => Number(getComputedStyle(tile.firstElementChild).opacity));
    assert.ok(opacity < 1, `the teacher’s picture is dimmed at Ada (opacity ${opacity})`);
    await tp.context().close();
    await until('Ada to see the teacher gone after the grace', async () => ({ ok: (await teacherTile.count()) === 0 }), {
      timeout: ms(GRACE_SECONDS * 1_000 + 15_000),
    });
    const goneAfter = Date.now() - dropped;
    console.log(`teacher dropped: dimmed at Ada after ${dimmedAfter} ms, gone after ${goneAfter} ms (grace ${GRACE_SECONDS} s)`);
    assert.ok(goneAfter >= GRACE_SECONDS * 1_000 - 500, `the teacher’s place was kept for the grace (gone after ${goneAfter} ms)`);
    // No guest took over.
    await openPanel(ben, 'people');
    assert.equal(await ben.getByTestId('mute-all').count(), 0, 'Ben did not become a moderator');
    assert.equal(await ada.getByTestId('mute-all').count(), 0, 'Ada did not become a moderator');

    back = await h.page('Frau Müller (zurück)');
    await logIn(back, h.baseUrl, teacher);
    await back.goto(`${h.baseUrl}/r/${ROOM}`);
    await prejoinAndJoin(back, { name: 'Frau Müller', camera: false, mic: false });
    const id = await ownId(back);
    await openPanel(back, 'people');
    await participantRow(back, id).and(back.locator('[data-role="owner"]')).waitFor({ timeout: ms(10_000) });
    assert.equal(await back.getByTestId('setting-selfUnmuteVideo').isChecked(), false, 'the room kept its settings');
    await openPanel(back, 'chat');
    assert.ok((await chatTexts(back)).includes('Hallo zusammen!'), 'the room kept its chat');
  });

  await t.test('the teacher ends the meeting for all, after a confirmation', async () => {
    await openPanel(back, 'people');
    await back.getByTestId('end-meeting').click();
    await back.getByTestId('end-meeting-dialog').waitFor({ timeout: ms(5_000) });
    await back.getByTestId('end-meeting-cancel').click();
    assert.equal(await back.getByTestId('end-meeting-dialog').count(), 0);
    await back.getByTestId('end-meeting').click();
    await back.getByTestId('end-meeting-confirm').click();
    await Promise.all([waitBye(ada, 'meetingEnded'), waitBye(ben, 'meetingEnded'), waitBye(back, 'meetingEnded')]);
    assert.match(await ada.getByTestId('bye-screen').innerText(), /für alle beendet/);
  });

  await t.test('the server log holds no chat text and no room password', async () => {
    // Chat lives in memory only; the password only as an argon2 hash in the database.
    const log = h.server.log();
    for (const secret of ['Hallo zusammen!', 'Ich habe eine Frage.', 'Gern, frag ruhig.', 'Psst, Ada', 'Bitte jetzt still arbeiten.', 'Kiebitz-7']) {
      assert.ok(!log.includes(secret), `the server log contains ${JSON.stringify(secret)}`);
    }
    assert.ok(log.length > 0, 'the log was read');
  });
});
