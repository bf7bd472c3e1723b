// Random room names that are easy to read out loud: "mutige-eule-27".

const ADJECTIVES = [
  "blaue", "bunte", "flinke", "frohe", "gelbe", "gruene", "helle", "kluge",
  "kuehne", "leise", "mutige", "rote", "ruhige", "schlaue", "stille", "weise",
] as const;
const NOUNS = [
  "amsel", "birke", "buche", "eule", "feder", "insel", "kiefer", "lerche",
  "linde", "meise", "quelle", "robbe", "taube", "tulpe", "welle", "wolke",
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length) % items.length]!;
}

export function randomRoomName(random: () => number = secureRandom): string {
  const number = 10 + Math.floor(random() * 90);
  return `${pick(ADJECTIVES, random)}-${pick(NOUNS, random)}-${number}`;
}

function secureRandom(): number {
  const buffer = new Uint32Array(1);
  crypto.getRandomValues(buffer);
  return buffer[0]! / 2 ** 32;
}

/**
 * Letters A–Z (and ä ö ü ß), digits and - . _ ~: the server's rule for room
 * names (crates/protocol/src/text.rs), so that no lookalike of a teacher's
 * room name (Cyrillic, full-width letters) is a room.
 */
const ROOM_NAME = /^[A-Za-z0-9äöüÄÖÜß._~-]+$/;

/** A room name as the server will read it (NFC, trimmed), and whether it may be one. */
export function checkRoomName(raw: string): { name: string; problem: "empty" | "chars" | null } {
  const name = raw.normalize("NFC").trim();
  if (name === "") return { name, problem: "empty" };
  return { name, problem: ROOM_NAME.test(name) ? null : "chars" };
}
