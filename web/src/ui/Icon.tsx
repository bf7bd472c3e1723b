// Inline SVG icons (no icon font, no external file). Decorative: the
// surrounding control carries the accessible name.

export type IconName =
  | "mic"
  | "micOff"
  | "camera"
  | "cameraOff"
  | "leave"
  | "close"
  | "logo"
  | "galleryView"
  | "speakerView"
  | "speaker"
  | "chevronLeft"
  | "chevronRight"
  | "hand"
  | "screen"
  | "chat"
  | "people"
  | "smile";

const PATHS: Readonly<Record<IconName, readonly string[]>> = {
  mic: ["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3"],
  micOff: [
    "M15 9.3V6a3 3 0 0 0-5.7-1.3",
    "M9 9v3a3 3 0 0 0 4.9 2.3",
    "M5 11a7 7 0 0 0 11.2 5.6",
    "M19 11a7 7 0 0 1-.6 2.8",
    "M12 18v3",
    "M3 3l18 18",
  ],
  camera: ["M3 7h12v10H3z", "M15 10.5 21 7v10l-6-3.5"],
  cameraOff: ["M7 7h8v6", "M15 17H3V7", "M15 10.5 21 7v10l-6-3.5", "M3 3l18 18"],
  leave: ["M10 17l-5-5 5-5", "M5 12h11", "M14 4h5v16h-5"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  galleryView: ["M3 4h8v7H3z", "M13 4h8v7h-8z", "M3 13h8v7H3z", "M13 13h8v7h-8z"],
  speakerView: ["M3 3h18v12H3z", "M3 18h5v3H3z", "M9.5 18h5v3h-5z", "M16 18h5v3h-5z"],
  speaker: ["M4 9v6h4l5 4V5L8 9z", "M16.5 8.5a5 5 0 0 1 0 7", "M19 6a8.5 8.5 0 0 1 0 12"],
  chevronLeft: ["M15 5l-7 7 7 7"],
  chevronRight: ["M9 5l7 7-7 7"],
  hand: [
    "M8 13V6a1.5 1.5 0 0 1 3 0v5",
    "M11 11V4.5a1.5 1.5 0 0 1 3 0V11",
    "M14 11V6a1.5 1.5 0 0 1 3 0v7",
    "M8 13v-1.5a1.5 1.5 0 0 0-3 0V15a6 6 0 0 0 6 6h1a5 5 0 0 0 5-5v-3",
  ],
  screen: ["M3 4h18v12H3z", "M8 20h8", "M12 16v4", "M12 13V7", "M9 10l3-3 3 3"],
  chat: ["M4 5h16v11H9l-5 4z"],
  people: ["M9 11a3.5 3.5 0 1 0 0-7a3.5 3.5 0 1 0 0 7z", "M2.5 20a6.5 6.5 0 0 1 13 0", "M16 4.5a3.5 3.5 0 0 1 0 6.5", "M18 14a6.5 6.5 0 0 1 3.5 6"],
  smile: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M8.5 14a4 4 0 0 0 7 0", "M9 9.5h.01", "M15 9.5h.01"],
  logo: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8z", "M12 3v5", "M12 16v5", "M3 12h5", "M16 12h5"],
};

export function Icon({ name, size = 24 }: { name: IconName; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
