// One participant's own connections, found from the outside: the TCP
// connection of its signaling socket and the UDP ports of its media, so
// that a test can cut exactly that participant (`ss -K`, iptables).
//
// All participants share one browser process, so the process does not tell
// whose socket is whose. The bytes do: the page sends a burst of pings on
// its signaling socket, and the one connection to the web port whose
// `bytes_sent` grew by that much is its own.

import { execFileSync } from 'node:child_process';
import { ms } from './paths.mjs';
import { sleep, until } from './wait.mjs';

/** Client side of every established connection to `webPort`: local port -> bytes sent. */
function clientSockets(webPort) {
  const out = execFileSync('ss', ['-tniH', 'state', 'established', `( dport = :${webPort} )`], { encoding: 'utf8' });
  const sent = new Map();
  let port = null;
  for (const line of out.split('\n')) {
    const addr = /\S+:(\d+)\s+\S+:(\d+)\s*$/.exec(line);
    if (addr && Number(addr[2]) === webPort) {
      port = Number(addr[1]);
      sent.set(port, 0);
      continue;
    }
    const bytes = /bytes_sent:(\d+)/.exec(line);
    if (bytes && port !== null) sent.set(port, Number(bytes[1]));
  }
  return sent;
}

/** Runs in the page: a burst of pings on its open signaling socket(s). */
function pingBurstInPage(count) {
  const open = (window.__e2eSockets ?? []).filter((s) => s.readyState === WebSocket.OPEN);
  for (const s of open) for (let i = 0; i < count; i++) s.send(JSON.stringify({ type: 'ping' }));
  return open.length;
}

/**
 * The local port of `page`'s signaling socket to `webPort`. The page must
 * record its sockets (RECORD_SOCKETS of lib/moderation.mjs as init script).
 */
export async function signalingPort(page, webPort) {
  const BURST = 60; // about 1.3 kB, far more than anybody's keep-alive in a moment; well within the rate limit
  const found = await until('the page\'s signaling socket among the connections to the web port', async () => {
    const before = clientSockets(webPort);
    const sockets = await page.evaluate(pingBurstInPage, BURST);
    await sleep(300);
    const after = clientSockets(webPort);
    const grown = [...after].filter(([port, bytes]) => bytes - (before.get(port) ?? 0) >= BURST * 15);
    return { ok: sockets === 1 && grown.length === 1, port: grown[0]?.[0], detail: { sockets, grown } };
  }, { timeout: ms(10_000), interval: 500 });
  return found.port;
}

/**
 * Destroys the server's side of the connection from `clientPort` to
 * `webPort` (ss -K): the server's socket is gone, the browser gets a reset,
 * as when the server drops one participant's socket.
 */
export function killServerSide(webPort, clientPort) {
  const out = execFileSync('ss', ['-K', '-tnH', 'state', 'established', `( sport = :${webPort} and dport = :${clientPort} )`], { encoding: 'utf8' });
  if (!out.includes(`:${clientPort}`)) throw new Error(`ss -K found no connection from port ${clientPort} to ${webPort} (does the kernel have SOCK_DESTROY?)`);
}

/** Runs in the page: the local UDP ports of its peer connections' candidates. */
async function udpPortsInPage() {
  const ports = new Set();
  for (const pc of (window.__e2ePeerConnections ?? []).filter((p) => p.signalingState !== 'closed')) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'local-candidate' && s.protocol === 'udp' && s.port) ports.add(s.port);
    });
  }
  return [...ports];
}

/** The UDP ports `page`'s media uses on this machine. */
export function mediaUdpPorts(page) {
  return page.evaluate(udpPortsInPage);
}
