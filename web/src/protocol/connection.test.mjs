// ServerConnection through a dropped socket, with a fake WebSocket and a
// fake RTCPeerConnection and mocked timers: what it sends on the new socket
// (`resume` with the latest token, or a fresh `join`), that a resumed
// session keeps its media connection and restarts ICE, and when it gives up.
// Run: node --import ./src/testing/register.mjs --test src/protocol/*.test.mjs
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";

// ---- the browser, as far as the protocol layer uses it ---------------------

const sockets = [];
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.listeners = {};
    sockets.push(this);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  emit(type, event) {
    for (const fn of this.listeners[type] ?? []) fn(event);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.emit("close", { code: 1000 });
  }
  // test side
  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.emit("open", {});
  }
  receive(message) {
    this.emit("message", { data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = FakeWebSocket.CLOSED;
    this.emit("close", { code: 1006 });
  }
  types() {
    return this.sent.map((m) => m.type).filter((t) => t !== "ping");
  }
}

const pcs = [];
class FakePeerConnection {
  constructor() {
    this.connectionState = "new";
    this.signalingState = "stable";
    this.transceivers = [];
    this.offers = [];
    this.closed = false;
    this.listeners = {};
    pcs.push(this);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  setState(state) {
    this.connectionState = state;
    for (const fn of this.listeners.connectionstatechange ?? []) fn();
  }
  addTransceiver(trackOrKind, init) {
    const kind = typeof trackOrKind === "string" ? trackOrKind : trackOrKind.kind;
    const t = {
      mid: null,
      direction: init.direction,
      currentDirection: null,
      sender: { track: null, replaceTrack: async () => {}, getParameters: () => ({ encodings: [] }), setParameters: async () => {} },
      receiver: { track: { kind, id: `remote-${this.transceivers.length}` } },
    };
    this.transceivers.push(t);
    return t;
  }
  async createOffer(options) {
    return { type: "offer", sdp: `offer iceRestart=${options?.iceRestart === true}` };
  }
  async setLocalDescription(description) {
    if (description.type === "rollback") {
      this.signalingState = "stable";
      return;
    }
    this.localDescription = description;
    this.signalingState = "have-local-offer";
    this.transceivers.forEach((t, i) => (t.mid ??= String(i)));
    this.offers.push(description.sdp);
  }
  async setRemoteDescription() {
    this.signalingState = "stable";
  }
  async getStats() {
    return new Map();
  }
  close() {
    this.closed = true;
    this.signalingState = "closed";
  }
}

globalThis.WebSocket = FakeWebSocket;
globalThis.RTCPeerConnection = FakePeerConnection;
if (globalThis.navigator === undefined) globalThis.navigator = {};
globalThis.window = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
  addEventListener() {},
  removeEventListener() {},
};

const { ServerConnection } = await import("./connection.ts");

// ---- helpers --------------------------------------------------------------

const flush = () => new Promise((resolve) => setImmediate(resolve));
const person = (id, name) => ({ id, name, audioMuted: false, videoMuted: false, role: "participant", teacher: false, handRaised: false, may: { audio: true, video: true, screen: false }, reconnecting: false });

function joined({ resumed = false, token, withinMs = 60_000, tracks = [], self = 1 }) {
  return {
    type: "joined",
    participantId: self,
    room: "r",
    participants: [person(self, "Ada"), person(2, "Ben")],
    tracks,
    iceServers: [],
    you: person(self, "Ada"),
    settings: undefined,
    chat: [],
    hands: [],
    resumeToken: token,
    resumeWithinMs: withinMs,
    resumed,
  };
}

async function inTheRoom(options = {}) {
  const call = new ServerConnection({ url: "ws://x/ws", room: "r", name: "Ada", audio: null, video: null, forceOff() {} });
  sockets[0].open();
  assert.deepEqual(sockets[0].types(), ["join"]);
  sockets[0].receive(joined({ token: "t1", tracks: [{ id: 10, participantId: 2, kind: "video", source: "device" }], ...options }));
  await flush();
  sockets[0].receive({ type: "answer", sdp: "answer" });
  await flush();
  return call;
}

beforeEach(() => {
  sockets.length = 0;
  pcs.length = 0;
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
});
afterEach(() => mock.timers.reset());

// ---- the scenarios ----------------------------------------------------------

test("a dropped socket is resumed with the latest token; the media connection stays and ICE restarts", async () => {
  const call = await inTheRoom();
  assert.equal(pcs.length, 1);
  sockets[0].drop();
  assert.equal(call.status.value, "reconnecting");
  assert.equal(call.participants.value.size, 1, "the others' tiles stay while reconnecting");
  mock.timers.tick(400);
  assert.equal(sockets.length, 2, "a new socket after the first backoff");
  sockets[1].open();
  assert.deepEqual(sockets[1].sent, [{ type: "resume", version: 1, token: "t1" }]);
  // The snapshot no longer lists track 10: it is unsubscribed.
  sockets[1].receive(joined({ resumed: true, token: "t2" }));
  await flush();
  assert.equal(call.status.value, "connected");
  assert.equal(pcs.length, 1, "no new RTCPeerConnection");
  assert.equal(pcs[0].closed, false);
  assert.equal(pcs[0].offers.at(-1), "offer iceRestart=true");
  const offer = sockets[1].sent.find((m) => m.type === "offer");
  assert.deepEqual(offer.subscribe, [], "the gone track is no longer subscribed");
  assert.ok(sockets[1].types().includes("mute"), "mute is sent again");
  assert.equal(call.remoteTracks.value.length, 0);

  // A second drop uses the second token.
  sockets[1].drop();
  mock.timers.tick(400);
  sockets[2].open();
  assert.deepEqual(sockets[2].sent, [{ type: "resume", version: 1, token: "t2" }]);
});

test("resumeFailed within the grace (the server restarted): a fresh join on the same socket and a new media connection", async () => {
  const call = await inTheRoom();
  sockets[0].drop();
  mock.timers.tick(400);
  sockets[1].open();
  sockets[1].receive({ type: "error", code: "resumeFailed" });
  assert.deepEqual(sockets[1].types(), ["resume", "join"]);
  assert.equal(call.status.value, "reconnecting", "no error screen in between");
  sockets[1].receive(joined({ token: "t9", self: 7 }));
  await flush();
  assert.equal(call.status.value, "connected");
  assert.equal(call.selfId.value, 7);
  assert.equal(pcs.length, 2, "a new RTCPeerConnection for the new session");
  assert.equal(pcs[0].closed, true);
});

test("the grace runs out while the resume is unanswered: the rejoin screen, and a late answer changes nothing", async () => {
  const call = await inTheRoom({ withinMs: 5_000 });
  sockets[0].drop();
  mock.timers.tick(400);
  mock.timers.tick(3_000);
  const late = sockets.at(-1);
  late.open();
  assert.equal(late.sent[0].type, "resume");
  mock.timers.tick(1_500);
  assert.equal(call.status.value, "reconnecting");
  mock.timers.tick(200);
  assert.equal(call.status.value, "closed");
  assert.deepEqual(call.closeReason.value, { kind: "bye", reason: "connectionLost" });
  late.receive({ type: "error", code: "resumeFailed" });
  assert.equal(call.status.value, "closed");
  assert.equal(late.types().includes("join"), false, "no fresh join after giving up");
});

test("when no socket opens within the grace it gives up: the rejoin screen", async () => {
  const call = await inTheRoom({ withinMs: 5_000 });
  sockets[0].drop();
  for (let t = 0; t < 6_000; t += 50) {
    mock.timers.tick(50);
    const last = sockets.at(-1);
    if (last !== sockets[0] && last.readyState === FakeWebSocket.CONNECTING) last.drop(); // refused at once
  }
  assert.equal(call.status.value, "closed");
  assert.deepEqual(call.closeReason.value, { kind: "bye", reason: "connectionLost" });
  const dials = sockets.length - 1;
  assert.ok(dials >= 4 && dials <= 8, `dialled on the backoff, not in a loop (${dials} dials)`);
  mock.timers.tick(60_000);
  assert.equal(sockets.length - 1, dials, "no dial after giving up");
});

test("bye serverShutdown: no end screen; a fresh join once the server is back", async () => {
  const call = await inTheRoom();
  sockets[0].receive({ type: "bye", reason: "serverShutdown" });
  assert.equal(call.status.value, "reconnecting");
  assert.equal(call.reconnectCause.value, "serverRestart");
  mock.timers.tick(400);
  sockets[1].drop(); // still down
  mock.timers.tick(1_000);
  sockets[2].open();
  assert.deepEqual(sockets[2].types(), ["join"], "tokens do not survive a restart");
});

test("a socket that looks open but does not answer while the media is broken counts as dropped", async () => {
  const call = await inTheRoom();
  pcs[0].setState("disconnected");
  assert.ok(sockets[0].sent.some((m) => m.type === "ping"), "a ping at once");
  mock.timers.tick(3_900);
  assert.equal(call.status.value, "connected");
  mock.timers.tick(200);
  assert.equal(call.status.value, "reconnecting");
});

test("without a token (an older server) a dropped socket ends the session as before", async () => {
  const call = await inTheRoom({ token: undefined });
  sockets[0].drop();
  assert.equal(call.status.value, "closed");
  assert.equal(call.closeReason.value.kind, "socketClosed");
});
