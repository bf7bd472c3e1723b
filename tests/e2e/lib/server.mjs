// Starts the real `tafelrunde serve` on free ports and stops it again.
//
// The server prints two lines on stdout once it is ready:
//   tafelrunde: listening on http://127.0.0.1:PORT
//   tafelrunde: media udp=127.0.0.1:UPORT[,...] tcp=127.0.0.1:TPORT[,...]
// Everything else (logs) goes to stderr. Both streams are written to
// artifacts/<label>/server.log.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import readline from 'node:readline';
import { repoRoot, ms } from './paths.mjs';

const LISTENING = /^tafelrunde: listening on (https?:\/\/\S+)\s*$/;
const MEDIA = /^tafelrunde: media udp=(\S+) tcp=(\S+)\s*$/;

export function serverBinary() {
  return process.env.TAFELRUNDE_BIN ?? path.join(repoRoot, 'target', 'debug', 'tafelrunde');
}

/** Terminal escape codes (colours): an operator's log file has none. */
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b/g;

/**
 * The whole IP addresses in a log line: IPv4 with a last byte other than 0,
 * IPv6 with more than its /48 prefix (the server shortens to that). Escape
 * codes are taken out first, so that a colour code next to an address
 * cannot hide it from this check.
 */
export function wholeAddresses(line) {
  const text = line.replace(ESCAPE, ' ');
  const found = [];
  for (const m of text.matchAll(/(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])/g)) {
    if (m[4] !== '0') found.push(m[0]);
  }
  // Runs of hex digits and colons that stand alone (not `core::forward`,
  // not a time of day: net.isIPv6 decides).
  for (const m of text.matchAll(/(?<![\w:.%])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:.])/g)) {
    if (net.isIPv6(m[0]) && v6Groups(m[0]).slice(3).some((g) => g !== 0)) found.push(m[0]);
  }
  return found;
}

/** The eight 16-bit groups of an IPv6 address without an IPv4 tail. */
function v6Groups(addr) {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const parse = (s) => (s === '' || s === undefined ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = parse(tail);
  return [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

function parseAddrs(list) {
  return list.split(',').map((a) => {
    const i = a.lastIndexOf(':');
    return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
  });
}

// Servers still running when this process exits, however it exits: they must
// never outlive the test.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the server. Returns { url, wsUrl, httpPort, udp: [{host, port}], tcp: [...],
 * log(), stop() }. `ports` ({ http, udp, tcp }) starts it on those ports
 * instead of free ones (a restart on the ports of the server before);
 * `logName` is the log's file name in `artifacts` (server.log).
 */
export async function startServer({ artifacts, args = [], env = {}, ports = {}, logName = 'server.log' } = {}) {
  const bin = serverBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(
      `server binary ${bin} does not exist: build the web client, then \`cargo build -p tafelrunde\` (or set TAFELRUNDE_BIN)`,
    );
  }
  fs.mkdirSync(artifacts, { recursive: true });
  const logPath = path.join(artifacts, logName);
  const logFile = fs.createWriteStream(logPath);
  let logText = '';
  const record = (chunk) => {
    logText += chunk;
    logFile.write(chunk);
  };

  // Every server gets its own empty database unless the test names one:
  // a database left behind by an earlier file must never change a test.
  let scratch = null;
  if (!args.includes('--data-dir') && !args.includes('--database-url')) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-data-'));
    args = [...args, '--data-dir', scratch];
  }
  // The log as an operator gets it by default: text, into a file (a pipe
  // here), with whatever colour setting the program picks for that.
  if (!args.includes('--log-format')) args = [...args, '--log-format', 'text'];
  const serveArgs = [
    'serve',
    '--http', `127.0.0.1:${ports.http ?? 0}`,
    '--media-address', '127.0.0.1',
    '--media-udp-port', String(ports.udp ?? 0),
    '--media-tcp-port', String(ports.tcp ?? 0),
    '--shards', '1',
    // The tests use free room names; school rooms need accounts (see accounts.test.mjs).
    '--open-rooms',
    ...args,
  ];
  // setpriv --pdeathsig: the kernel kills the server if this Node process dies,
  // even by SIGKILL, when no exit handler runs.
  const usePdeathsig = fs.existsSync('/usr/bin/setpriv');
  const [cmd, cmdArgs] = usePdeathsig
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', bin, ...serveArgs]]
    : [bin, serveArgs];
  // No NO_COLOR: the program itself must see that its log is not a terminal.
  const { NO_COLOR: _noColor, ...inherited } = process.env;
  const child = spawn(cmd, cmdArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, ...env },
  });
  running.add(child);
  record(`$ ${bin} ${serveArgs.join(' ')}\n`);

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
      record(`\n[e2e] server exited: code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', record);

  const ready = new Promise((resolve, reject) => {
    const found = {};
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      record(`${line}\n`);
      let m;
      if ((m = LISTENING.exec(line))) found.url = m[1];
      if ((m = MEDIA.exec(line))) {
        found.udp = parseAddrs(m[1]);
        found.tcp = parseAddrs(m[2]);
      }
      if (found.url && found.udp) resolve(found);
    });
    exited.then(({ code, signal }) =>
      reject(new Error(`server exited before it was ready (code=${code} signal=${signal}); log:\n${tail(logText)}`)),
    );
  });

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`server printed no ready lines within ${ms(30_000)} ms; log:\n${tail(logText)}`)),
      ms(30_000),
    );
  });

  let found;
  try {
    found = await Promise.race([ready, timeout]);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    logFile.end();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  // The server's own log lines: the ready lines and the harness's own lines
  // name the server's listening address and are not the server's log.
  const serverLines = () => logText.split('\n').filter((l) => !/^(tafelrunde: |\$ |\[e2e\])/.test(l));

  let stopped;
  const server = {
    url: found.url,
    wsUrl: `${found.url.replace(/^http/, 'ws')}/ws`,
    httpPort: Number(new URL(found.url).port),
    udp: found.udp,
    tcp: found.tcp,
    logPath,
    log: () => logText,
    /** Lines of the log that tell of a panic (there must be none). */
    panics: () => logText.split('\n').filter((l) => /panicked at/.test(l)),
    /**
     * Log lines with a whole IPv4 or IPv6 address (there must be none: the
     * server shortens every address it logs).
     */
    fullAddresses: () => serverLines().filter((l) => wholeAddresses(l).length > 0),
    /** Log lines with terminal escape codes (there must be none in a file). */
    escapeCodes: () => serverLines().filter((l) => l.includes('\x1b')),
    /**
     * SIGTERM, then SIGKILL after 10 s. Returns { code, signal, millis,
     * clean }: clean means it exited by itself with code 0 in time.
     */
    stop: () => {
      stopped ??= (async () => {
        const start = Date.now();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        let killTimer;
        const killed = new Promise((resolve) => {
          killTimer = setTimeout(() => {
            record('\n[e2e] server did not exit within 10 s of SIGTERM; SIGKILL\n');
            child.kill('SIGKILL');
            resolve('killed');
          }, ms(10_000));
        });
        const how = await Promise.race([exited.then(() => 'exited'), killed]);
        const { code, signal } = await exited;
        clearTimeout(killTimer);
        await new Promise((resolve) => logFile.end(resolve));
        return { code, signal, millis: Date.now() - start, clean: how === 'exited' && code === 0 };
      })();
      return stopped;
    },
  };
  return server;
}

export function tail(text, lines = 60) {
  return text.split('\n').slice(-lines).join('\n');
}
