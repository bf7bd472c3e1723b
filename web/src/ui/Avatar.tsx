// Initials on a calm colour, shown while the camera is off.

const COLOURS = 8;

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters
    .map((w) => Array.from(w)[0] ?? "")
    .join("")
    .toLocaleUpperCase();
}

function colourIndex(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return hash % COLOURS;
}

export function Avatar({ name }: { name: string }) {
  return (
    <div class="avatar" aria-hidden="true">
      <span class={`avatar__circle avatar--c${colourIndex(name)}`}>{initials(name) || "?"}</span>
    </div>
  );
}
