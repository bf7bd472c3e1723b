// The reconnection decisions: the backoff, resume or a fresh join, giving up.
// Run: node --import ./src/testing/register.mjs --test src/protocol/*.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  DROP_BACKOFF,
  RESTART_BACKOFF,
  RESTART_WITHIN_MS,
  ReconnectPlan,
  backoffDelay,
} from "./reconnect.ts";

const noJitter = () => 0.5;

test("the backoff doubles from 250 ms and stops at 3 s after a drop, at 5 s after a restart", () => {
  const drop = [0, 1, 2, 3, 4, 5, 12].map((n) => backoffDelay(n, DROP_BACKOFF, noJitter));
  assert.deepEqual(drop, [250, 500, 1000, 2000, 3000, 3000, 3000]);
  const restart = [0, 1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, RESTART_BACKOFF, noJitter));
  assert.deepEqual(restart, [250, 500, 1000, 2000, 4000, 5000, 5000]);
});

test("jitter spreads a wait by at most 30 % either way", () => {
  assert.equal(backoffDelay(2, DROP_BACKOFF, () => 0), 700);
  assert.equal(backoffDelay(2, DROP_BACKOFF, () => 0.999999), 1300);
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(4, DROP_BACKOFF, Math.random);
    assert.ok(d >= 2100 && d <= 3900, `${d} within 3000 ± 30 %`);
    seen.add(d);
  }
  assert.ok(seen.size > 50, "two clients do not redial in step");
});

test("a lost socket resumes with the token, within the server's grace", () => {
  const plan = new ReconnectPlan("lost", 1_000, 60_000, "tok", noJitter);
  assert.equal(plan.firstMessage(), "resume");
  assert.equal(plan.resumeToken(), "tok");
  assert.equal(plan.deadline, 61_000);
  assert.equal(plan.expired(60_999), false);
  assert.equal(plan.expired(61_000), true);
});

test("without a token (an older server) a lost socket joins afresh", () => {
  assert.equal(new ReconnectPlan("lost", 0, 60_000, null, noJitter).firstMessage(), "join");
});

test("resumeFailed within the grace joins afresh (the server restarted), after it gives up", () => {
  const early = new ReconnectPlan("lost", 0, 60_000, "tok", noJitter);
  assert.equal(early.afterResumeFailed(5_000), "joinAfresh");
  assert.equal(early.firstMessage(), "join", "the refused token is not tried again");
  const late = new ReconnectPlan("lost", 0, 60_000, "tok", noJitter);
  assert.equal(late.afterResumeFailed(60_000), "giveUp");
});

test("after a server restart the client joins afresh and keeps trying for 10 minutes", () => {
  const plan = new ReconnectPlan("serverRestart", 0, 60_000, "tok", noJitter);
  assert.equal(plan.firstMessage(), "join", "tokens do not survive a restart");
  assert.equal(plan.deadline, RESTART_WITHIN_MS);
  assert.equal(plan.expired(9 * 60_000), false);
});

test("the wait counts from the previous dial, so a dial that hung until its timeout is followed at once", () => {
  const plan = new ReconnectPlan("lost", 0, 60_000, "tok", noJitter);
  assert.equal(plan.nextDial(0), 250);
  plan.dialing(250);
  // refused at once: the next wait is almost all of it
  assert.equal(plan.nextDial(260), 490);
  plan.dialing(750);
  // hung for 2.5 s, longer than the 1 s wait
  assert.equal(plan.nextDial(3_250), 0);
});

test("no dial is planned past the grace, and none after it", () => {
  const plan = new ReconnectPlan("lost", 0, 1_000, "tok", noJitter);
  for (let i = 0; i < 3; i++) plan.nextDial(0);
  assert.equal(plan.nextDial(900), 100, "capped to what is left of the grace");
  assert.equal(plan.nextDial(1_000), null);
});
