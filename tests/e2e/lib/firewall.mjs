// Really blocking traffic on loopback with iptables, and always unblocking it:
// UDP to a port (blockUdp), or everything to and from some ports, both ways
// (blockPorts: a network that goes away).
//
// Rules carry a comment naming this run, so the cleanup removes exactly what
// this process added, and a later run can remove what a killed run left.

import { execFileSync } from 'node:child_process';

const TAG = 'tafelrunde-e2e';

function iptables(args) {
  return execFileSync('iptables', ['-w', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A DROP rule for loopback packets of `proto` whose `which` port (`--dport` or `--sport`) is `port`. */
function ruleFor({ proto = 'udp', which = '--dport', port }, comment) {
  return ['INPUT', '-i', 'lo', '-p', proto, which, String(port), '-m', 'comment', '--comment', comment, '-j', 'DROP'];
}

/** Removes rules that an earlier, killed run of these tests left behind. */
export function removeStaleRules() {
  const rules = iptables(['-S', 'INPUT']).split('\n').filter((l) => l.includes(`"${TAG}-`) || l.includes(` ${TAG}-`));
  for (const line of rules) {
    const pid = Number(/tafelrunde-e2e-(\d+)/.exec(line)?.[1]);
    if (pid && pidAlive(pid)) continue; // another live run's rule
    const args = line.replace(/^-A /, '').match(/"[^"]*"|\S+/g).map((a) => a.replace(/^"|"$/g, ''));
    iptables(['-D', ...args]);
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Drops UDP packets to the given loopback ports. Returns { remove(),
 * droppedPackets() }. The rules are removed again by remove(), and by an exit
 * handler if the process ends first.
 */
export function blockUdp(ports) {
  return block(ports.map((port) => ({ proto: 'udp', which: '--dport', port })));
}

/**
 * Drops every loopback packet to or from the given ports (`{ proto, port }`,
 * proto `tcp` or `udp`): to the ports and from them, so both directions of
 * every connection that uses one of them are cut, as when a network goes
 * away. Same return value as blockUdp.
 */
export function blockPorts(ports) {
  return block(ports.flatMap(({ proto, port }) => [
    { proto, which: '--dport', port },
    { proto, which: '--sport', port },
  ]));
}

function block(rules) {
  try {
    iptables(['-S', 'INPUT']);
  } catch (err) {
    throw new Error(`iptables is unusable here (${err.stderr || err.message}); run scripts/install-test-deps.sh as root`);
  }
  const comment = `${TAG}-${process.pid}`;
  const added = [];
  const remove = () => {
    while (added.length) {
      const rule = added.pop();
      try {
        iptables(['-D', ...ruleFor(rule, comment)]);
      } catch {
        // already gone
      }
    }
    process.off('exit', remove);
  };
  process.on('exit', remove);
  try {
    for (const rule of rules) {
      iptables(['-I', ...ruleFor(rule, comment)]);
      added.push(rule);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    remove,
    /** Packets the rules dropped so far (proof that UDP was tried and blocked). */
    droppedPackets() {
      const out = iptables(['-L', 'INPUT', '-v', '-n', '-x']);
      return out.split('\n').filter((l) => l.includes(comment)).reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]), 0);
    },
  };
}
