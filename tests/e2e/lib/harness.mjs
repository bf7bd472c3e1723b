// One test file's world: a server, a browser, participants, and cleanup that
// runs even when the test fails.
//
//   const h = new Harness('two-participants');
//   before(() => h.start());
//   after(() => h.stop());
//   const anna = await h.join('Anna', room);

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { artifactsDir } from './paths.mjs';
import { Browsers } from './browser.mjs';
import { startServer, tail } from './server.mjs';
import { joinRoom } from './ui.mjs';

export class Harness {
  /** `separateBrowsers`: one Chromium process per participant. */
  constructor(label, { separateBrowsers } = {}) {
    this.label = label;
    this.artifacts = path.join(artifactsDir, label);
    fs.rmSync(this.artifacts, { recursive: true, force: true });
    fs.mkdirSync(this.artifacts, { recursive: true });
    this.browsers = new Browsers(this.artifacts, separateBrowsers === undefined ? {} : { separate: separateBrowsers });
    this.cleanups = [];
    this.server = undefined;
  }

  async start(serverOptions = {}) {
    this.server = await startServer({ artifacts: this.artifacts, ...serverOptions });
    return this.server;
  }

  /**
   * Stops the server (SIGTERM, as an operator restarts it) and starts it
   * again on the same ports; `args` and `env` as for start(). Fails when
   * the old one did not stop cleanly or logged a panic. Returns the new
   * server once it is ready, and how long it was gone.
   */
  async restart(serverOptions = {}) {
    const old = this.server;
    const down = Date.now();
    const stopped = await old.stop();
    assert.ok(stopped.clean, `the server did not stop cleanly on SIGTERM (${JSON.stringify(stopped)})`);
    assert.deepEqual(old.panics(), [], `the server panicked; see ${old.logPath}`);
    this.restarts = (this.restarts ?? 0) + 1;
    const ports = { http: old.httpPort, udp: old.udp[0].port, tcp: old.tcp[0].port };
    // The ports were just freed; the kernel may hold them for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        this.server = await startServer({ artifacts: this.artifacts, ports, logName: `server-${this.restarts + 1}.log`, ...serverOptions });
        break;
      } catch (err) {
        if (attempt >= 10 || !/exited before it was ready/.test(err.message)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return { server: this.server, downMillis: Date.now() - down };
  }

  get baseUrl() {
    return this.server.url;
  }

  /** Registers a cleanup step; they run last-in first-out in stop(). */
  defer(fn) {
    this.cleanups.push(fn);
  }

  /** A fresh page in its own browser context (one participant). */
  page(label, contextOptions) {
    return this.browsers.page(label, contextOptions);
  }

  /** A participant that joined `room` through the UI with camera and mic on. */
  async join(name, room, options = {}) {
    const page = await this.page(name);
    const id = await joinRoom(page, { baseUrl: this.baseUrl, room, name, ...options });
    return { name, page, id };
  }

  /**
   * Closes the browsers, stops the server and runs the cleanups. Fails when
   * the server logged a panic, a whole IP address or a colour code, or did
   * not stop cleanly on SIGTERM.
   */
  async stop() {
    const errors = [];
    try {
      await this.browsers.close();
    } catch (err) {
      errors.push(err);
    }
    let stopped;
    if (this.server) {
      stopped = await this.server.stop();
    }
    while (this.cleanups.length) {
      try {
        await this.cleanups.pop()();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
    if (this.server) {
      assert.deepEqual(this.server.panics(), [], `the server panicked; see ${this.server.logPath}`);
      assert.deepEqual(this.server.fullAddresses(), [], `the server logged whole IP addresses; see ${this.server.logPath}`);
      assert.deepEqual(this.server.escapeCodes(), [], `the server wrote colour codes into its log file; see ${this.server.logPath}`);
      assert.ok(stopped.clean, `the server did not stop cleanly on SIGTERM (${JSON.stringify(stopped)}); log:\n${tail(this.server.log(), 30)}`);
    }
  }
}
