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
