// A coturn TURN server of the test's own on 127.0.0.1 (TURN REST shared
// secret, as Tafelrunde hands out credentials), stopped with the test.
// It is hardened as docs/operating.md tells operators to: every peer address
// denied, then the media server's allowed (here 127.0.0.1), no multicast, no
// TCP relay, quotas. --allow-loopback-peers is for tests only: coturn refuses
// loopback peers before it looks at the allowed list, and the test's
// Tafelrunde listens on 127.0.0.1.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ms } from './paths.mjs';
import { until } from './wait.mjs';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * Starts coturn. Returns { url, secret, serverArgs, log(), stop() };
 * `serverArgs` are the flags that point `tafelrunde serve` at it.
 */
export async function startTurn({ artifacts }) {
  const bin = '/usr/bin/turnserver';
  if (!fs.existsSync(bin)) throw new Error(`${bin} does not exist: run scripts/install-test-deps.sh`);
  const port = await freePort();
  const secret = `e2e-${process.pid}-${Date.now()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafelrunde-e2e-turn-'));
  const logPath = path.join(artifacts, 'turnserver.log');
  const log = fs.createWriteStream(logPath);
  const args = [
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=tafelrunde.test',
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=49152', '--max-port=49999',
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--log-file=stdout', `--pidfile=${path.join(dir, 'turn.pid')}`,
    '--allow-loopback-peers',
    '--denied-peer-ip=0.0.0.0-255.255.255.255',
    '--denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '--allowed-peer-ip=127.0.0.1',
    '--no-multicast-peers', '--no-tcp-relay',
    '--user-quota=12', '--total-quota=1200', '--max-bps=3000000',
  ];
  const usePdeathsig = fs.existsSync('/usr/bin/setpriv');
  const child = usePdeathsig
    ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  process.on('exit', () => child.kill('SIGKILL'));
  await until(`coturn listening on ${port}`, async () => ({ ok: await tcpOpen(port), detail: port }), { timeout: ms(10_000) });
  const url = `turn:127.0.0.1:${port}`;
  return {
    url,
    secret,
    serverArgs: ['--turn-url', url, '--turn-secret', secret],
    logPath,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms(5_000));
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
