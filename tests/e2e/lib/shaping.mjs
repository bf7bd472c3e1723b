// A real narrow downlink for one participant: traffic on loopback to one UDP
// port goes through an HTB class with a fixed rate (netem is not in this
// kernel; HTB is). Everything else on loopback keeps a 10 Gbit/s class.
// The qdisc is removed by remove(), and by an exit handler if the process
// ends first.

import { execFileSync } from 'node:child_process';

function tc(args) {
  return execFileSync('tc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Limits UDP to `port` on loopback to `kbit` kbit/s. Returns { remove(), stats() }. */
export function limitDownlink(port, kbit) {
  try {
    tc(['qdisc', 'del', 'dev', 'lo', 'root']);
  } catch {
    // nothing to remove
  }
  tc(['qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '1000']);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      tc(['qdisc', 'del', 'dev', 'lo', 'root']);
    } catch {
      // already gone
    }
    process.off('exit', remove);
  };
  process.on('exit', remove);
  try {
    tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit']);
    tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', `${kbit}kbit`, 'ceil', `${kbit}kbit`, 'burst', '6k']);
    // A short queue: a narrow link drops rather than buffering for seconds.
    tc(['qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '30']);
    tc(['filter', 'add', 'dev', 'lo', 'protocol', 'ip', 'parent', '1:', 'prio', '1', 'u32',
      'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'dport', String(port), '0xffff', 'flowid', '1:20']);
  } catch (err) {
    remove();
    throw new Error(`tc could not shape loopback (${err.stderr || err.message}); run as root with iproute2 installed`);
  }
  return {
    remove,
    /** Bytes and drops through the narrow class, to prove the limit did something. */
    stats() {
      const out = tc(['-s', 'class', 'show', 'dev', 'lo', 'classid', '1:20']);
      const m = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(out);
      return m ? { bytes: Number(m[1]), packets: Number(m[2]), dropped: Number(m[3]) } : { raw: out };
    },
  };
}
