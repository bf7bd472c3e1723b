// Forcing one transport per check: the SFU is ICE-lite and names all its
// candidates (UDP and passive TCP) in its answer. Keeping only the ones of
// one protocol makes the browser try that path alone, so a check that
// connects proves that this path works from here.

export type Transport = "udp" | "tcp" | "turn";

/** Candidate lines of an SDP: `a=candidate:F C PROTO PRIO ADDR PORT typ …`. */
function candidateProtocol(line: string): string | null {
  const m = /^a=candidate:\S+ \d+ (\S+) /i.exec(line);
  return m === null ? null : m[1]!.toLowerCase();
}

/** The answer with only the candidates of `protocol` ("udp" or "tcp"). */
export function keepCandidates(sdp: string, protocol: "udp" | "tcp"): string {
  const lines = sdp.split(/\r\n/);
  return lines.filter((l) => {
    const p = candidateProtocol(l);
    return p === null || p === protocol;
  }).join("\r\n");
}

/** The server's media ports by protocol, as its answer names them (for the school's IT). */
export function serverPorts(sdp: string): { udp: number[]; tcp: number[] } {
  const udp = new Set<number>();
  const tcp = new Set<number>();
  for (const line of sdp.split(/\r\n/)) {
    const m = /^a=candidate:\S+ \d+ (\S+) \d+ \S+ (\d+) typ/i.exec(line);
    if (m === null) continue;
    (m[1]!.toLowerCase() === "tcp" ? tcp : udp).add(Number(m[2]));
  }
  return { udp: [...udp].sort((a, b) => a - b), tcp: [...tcp].sort((a, b) => a - b) };
}
