// Headless Debian Chromium through playwright-core.
//
// One browser process with one context per participant: contexts share no
// cookies, storage or peer connections, and WebRTC between them works like
// between separate browsers, at a fraction of the CPU on a 2-core machine.
// A test may ask for one Chromium per participant instead (the four-participant
// test does, so both ways are covered); E2E_BROWSER_PER_PARTICIPANT=1 asks for
// it everywhere.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without it Chromium gathers no candidates on 127.0.0.1.
  '--allow-loopback-in-peer-connection',
  // Remote audio only counts in totalAudioEnergy when it really plays.
  '--autoplay-policy=no-user-gesture-required',
];

export function chromiumPath() {
  return process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
}

export async function launchChromium() {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`${executablePath} does not exist: run scripts/install-test-deps.sh (or set CHROMIUM_BIN)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

// Records every RTCPeerConnection the page makes, so that the tests can read
// getStats() without any hook in the product. A subclass keeps `instanceof`,
// static methods and the prototype chain intact.
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Original = window.RTCPeerConnection;
  if (!Original || window.__e2ePeerConnections) return;
  const list = [];
  Object.defineProperty(window, '__e2ePeerConnections', { value: list });
  class RecordedPeerConnection extends Original {
    constructor(...args) {
      super(...args);
      list.push(this);
    }
  }
  Object.defineProperty(RecordedPeerConnection, 'name', { value: 'RTCPeerConnection' });
  window.RTCPeerConnection = RecordedPeerConnection;
  if (window.webkitRTCPeerConnection) window.webkitRTCPeerConnection = RecordedPeerConnection;
})();`;

/**
 * Browsers and pages of one test file. `page(label)` gives a fresh page in its
 * own context; `close()` saves a screenshot and the console log of each page
 * to the artifacts folder, then closes everything.
 */
export class Browsers {
  /** `separate`: one Chromium process per page instead of one context each. */
  constructor(artifacts, { separate = process.env.E2E_BROWSER_PER_PARTICIPANT === '1' } = {}) {
    this.artifacts = artifacts;
    this.separate = separate;
    this.shared = undefined;
    this.owned = [];
    this.pages = [];
  }

  async page(label, contextOptions = {}) {
    let browser;
    if (this.separate) {
      browser = await launchChromium();
      this.owned.push(browser);
    } else {
      this.shared ??= launchChromium();
      browser = await this.shared;
    }
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
      permissions: ['camera', 'microphone'],
      ...contextOptions,
    });
    await context.addInitScript(RECORD_PEER_CONNECTIONS);
    const page = await context.newPage();
    const consoleLog = [];
    page.on('console', (msg) => consoleLog.push(`[${new Date().toISOString()}] ${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => consoleLog.push(`[${new Date().toISOString()}] pageerror: ${err.stack ?? err}`));
    this.pages.push({ label, page, context, consoleLog });
    return page;
  }

  /** Console lines of the page with this label (errors help explain failures). */
  consoleOf(page) {
    return this.pages.find((p) => p.page === page)?.consoleLog ?? [];
  }

  async close() {
    fs.mkdirSync(this.artifacts, { recursive: true });
    for (const { label, page, context, consoleLog } of this.pages) {
      const safe = label.replace(/[^\w.-]+/g, '_');
      fs.writeFileSync(path.join(this.artifacts, `${safe}.console.log`), consoleLog.join('\n') + '\n');
      if (!page.isClosed()) {
        await page.screenshot({ path: path.join(this.artifacts, `${safe}.png`), timeout: 5_000 }).catch(() => {});
      }
      await context.close().catch(() => {});
    }
    this.pages = [];
    const browsers = [...this.owned];
    if (this.shared) browsers.push(await this.shared.catch(() => undefined));
    await Promise.all(browsers.filter(Boolean).map((b) => b.close().catch(() => {})));
    this.owned = [];
    this.shared = undefined;
  }
}
