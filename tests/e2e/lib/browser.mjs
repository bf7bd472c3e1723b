// Headless Debian Chromium through playwright-core.
//
// One browser process with one context per participant: contexts share no
// cookies, storage or peer connections, and WebRTC between them works like
// between separate browsers, at a fraction of the CPU on a 2-core machine.
// A test may ask for one Chromium per participant instead (the four-participant
// test does, so both ways are covered); E2E_BROWSER_PER_PARTICIPANT=1 asks for
// it everywhere.

import fs from 'node:fs';
import os from 'node:os';
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

/**
 * A WAV file for the fake microphone: someone talking without pause. Chromium's built-in fake microphone beeps once a second for
 * a few milliseconds, which a speaking indicator that samples levels may miss
 * again and again. Written once per process to the system's temp folder.
 */
export function fakeVoiceFile() {
  const file = path.join(os.tmpdir(), `tafelrunde-e2e-voice-${process.pid}.wav`);
  if (fs.existsSync(file)) return file;
  const rate = 48_000;
  const seconds = 6;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28); // bytes per second
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  // Syllables of uneven length (120 to 230 ms of a voiced sound: a pitch
  // between 140 and 260 Hz with overtones, under a smooth envelope), each
  // followed by 40 to 90 ms of quiet. A steady tone would not do: the
  // browser's noise suppression fades it out within seconds. Uneven lengths
  // keep any fixed polling interval from always landing in the pauses.
  let i = 0;
  for (let n = 0; i < samples; n++) {
    const voiced = Math.round(rate * (0.12 + ((n * 7) % 12) / 100));
    const quiet = Math.round(rate * (0.04 + ((n * 3) % 6) / 100));
    const pitch = 140 + ((n * 37) % 120);
    for (let j = 0; j < voiced + quiet && i < samples; j++, i++) {
      const envelope = j < voiced ? Math.sin((Math.PI * j) / voiced) : 0;
      let v = 0;
      for (let k = 1; k <= 5; k++) v += Math.sin((2 * Math.PI * pitch * k * i) / rate) / k;
      wav.writeInt16LE(Math.round(0.15 * envelope * v * 32767), 44 + i * 2);
    }
  }
  fs.writeFileSync(file, wav);
  process.on('exit', () => fs.rmSync(file, { force: true }));
  return file;
}

export function chromiumPath() {
  return process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
}

export async function launchChromium() {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`${executablePath} does not exist: run scripts/install-test-deps.sh (or set CHROMIUM_BIN)`);
  }
  const args = [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${fakeVoiceFile()}`];
  return chromium.launch({ executablePath, headless: true, args });
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
