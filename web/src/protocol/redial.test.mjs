// Redialer: dials on the backoff, abandons a dial that hangs, gives up when
// the grace is over. A fake clock drives it; nothing waits for real.
// Run: node --import ./src/testing/register.mjs --test src/protocol/*.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";

import { Redialer } from "./redial.ts";

class FakeClock {
  time = 0;
  timers = new Map();
  nextId = 1;
  now() {
    return this.time;
  }
  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(id) {
    this.timers.delete(id);
  }
  /** Runs every timer due within `ms`, in order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

function setup() {
  const clock = new FakeClock();
  const log = [];
  const redial = new Redialer(
    {
      dial: () => log.push(["dial", clock.time]),
      abandon: () => log.push(["abandon", clock.time]),
      giveUp: () => log.push(["giveUp", clock.time]),
    },
    clock,
    () => 0.5,
  );
  const dials = () => log.filter(([what]) => what === "dial").map(([, at]) => at);
  return { clock, log, redial, dials };
}

test("dials refused at once follow the backoff: 250 ms, then 500 ms, 1 s, 2 s after the previous dial", () => {
  const { clock, redial, dials, log } = setup();
  redial.start("lost", 60_000, "tok");
  while (dials().length < 5) {
    clock.advance(10);
    redial.failed(); // each dial is refused at once (a second report of the same failure changes nothing)
  }
  const at = dials();
  assert.deepEqual(at.map((t, i) => (i === 0 ? t : t - at[i - 1])), [250, 500, 1000, 2000, 3000]);
});

test("a dial that does not open in 3.3 s is abandoned and the next follows at once", () => {
  const { clock, log, redial, dials } = setup();
  redial.start("lost", 60_000, "tok");
  clock.advance(250);
  assert.deepEqual(dials(), [250]);
  clock.advance(3_299);
  assert.equal(log.length, 1, "not abandoned before 3.3 s");
  clock.advance(1);
  assert.deepEqual(log.slice(1, 2), [["abandon", 3_550]]);
  // the 500 ms wait is over already: the next dial is now
  assert.deepEqual(dials(), [250, 3_550]);
});

test("a socket that opens but does not answer within 5 s is given up", () => {
  const { clock, redial, dials, log } = setup();
  redial.start("lost", 60_000, "tok");
  clock.advance(250);
  clock.advance(100);
  assert.equal(redial.opened(), "resume");
  clock.advance(4_800);
  assert.equal(log.filter(([w]) => w === "abandon").length, 0, "not before 5 s");
  clock.advance(200);
  assert.equal(log.filter(([w]) => w === "abandon").length, 1);
  assert.equal(dials().length, 2);
});

test("back in time: no more dials and no giving up", () => {
  const { clock, redial, log } = setup();
  redial.start("lost", 60_000, "tok");
  clock.advance(250);
  redial.opened();
  redial.done();
  clock.advance(120_000);
  assert.deepEqual(log, [["dial", 250]]);
  assert.equal(redial.active, false);
});

test("when the grace is over without success it gives up once and dials no more", () => {
  const { clock, redial, log, dials } = setup();
  redial.start("lost", 20_000, "tok");
  for (let t = 0; t < 40_000; t += 100) {
    clock.advance(100);
    if (log.at(-1)?.[0] === "dial") redial.failed(); // the server is unreachable
  }
  const gaveUp = log.filter(([w]) => w === "giveUp");
  assert.deepEqual(gaveUp, [["giveUp", 20_000]]);
  assert.ok(dials().every((t) => t < 20_000));
  assert.equal(redial.active, false);
});

test("resumeFailed within the grace: a fresh join on the same socket, whose answer is awaited", () => {
  const { clock, redial, log } = setup();
  redial.start("lost", 60_000, "tok");
  clock.advance(250);
  redial.opened();
  clock.advance(50);
  assert.equal(redial.resumeFailed(), "joinAfresh");
  clock.advance(4_999);
  assert.equal(log.length, 1, "no abandon while the join may still be answered");
  clock.advance(1);
  assert.equal(log[1][0], "abandon");
  assert.equal(redial.opened(), "join", "the next socket joins afresh too");
});

test("a network that comes back is dialled at once, not after the backoff", () => {
  const { clock, redial, dials } = setup();
  redial.start("lost", 60_000, "tok");
  clock.advance(250);
  redial.failed();
  clock.advance(100);
  redial.networkBack();
  assert.deepEqual(dials(), [250, 350]);
  redial.networkBack();
  assert.deepEqual(dials(), [250, 350], "not while a dial is under way");
});
