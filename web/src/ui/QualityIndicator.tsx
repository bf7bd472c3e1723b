// Connection quality of one of the others: signal bars (3 good, 2 medium,
// 1 poor; not by colour alone) on a button whose name says the quality.
// The figures behind it appear on hover, on keyboard focus and on a tap,
// and are its accessible description; Escape hides them. They are shown as
// a popover (top layer), so that a small tile does not clip them; without
// popover support they lie over the tile.

import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";

import type { MessageKey } from "../i18n";
import type { ParticipantId } from "../protocol/messages";
import type { Quality, QualityFigures } from "../protocol/quality";
import { useCallView } from "./callContext";
import { useApp, useT } from "./context";

const QUALITY_KEYS: Readonly<Record<Quality, MessageKey>> = {
  good: "quality.good",
  medium: "quality.medium",
  poor: "quality.poor",
};
const BARS: Readonly<Record<Quality, number>> = { good: 3, medium: 2, poor: 1 };
/** Moving the pointer from the button to the figures must not close them. */
const HOVER_CLOSE_MS = 200;
/** Distance of the figures from the button and from the window's edges. */
const MARGIN = 6;

export function QualityIndicator({ participantId, name }: { participantId: ParticipantId; name: string }) {
  const t = useT();
  const report = useCallView().quality.reports.value.get(participantId);
  const tipId = useId();
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  const [pinned, setPinned] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const closeTimer = useRef<number | undefined>(undefined);
  const open = report !== undefined && (hover || focus || pinned) && !dismissed;

  useEffect(() => () => window.clearTimeout(closeTimer.current), []);
  useLayoutEffect(() => {
    const tip = tipRef.current;
    const button = buttonRef.current;
    if (tip === null || button === null || !supportsPopover(tip)) return;
    if (open) {
      if (!tip.matches(":popover-open")) tip.showPopover();
      place(tip, button);
    } else if (tip.matches(":popover-open")) {
      tip.hidePopover();
    }
  });

  if (report === undefined) return null;
  const quality = t(QUALITY_KEYS[report.quality]);
  const enter = () => {
    window.clearTimeout(closeTimer.current);
    setHover(true);
    setDismissed(false);
  };
  const leave = () => {
    window.clearTimeout(closeTimer.current);
    closeTimer.current = window.setTimeout(() => setHover(false), HOVER_CLOSE_MS);
  };
  return (
    <div class={`quality quality--${report.quality}`}>
      <button
        ref={buttonRef}
        type="button"
        class="quality__button"
        data-testid="quality"
        data-quality={report.quality}
        aria-label={t("quality.label", { name, quality })}
        aria-describedby={tipId}
        onMouseEnter={enter}
        onMouseLeave={leave}
        onFocus={() => {
          setFocus(true);
          setDismissed(false);
        }}
        onBlur={() => {
          setFocus(false);
          setPinned(false);
        }}
        onClick={() => {
          // A click (or tap) keeps the figures open; a second one closes them.
          setDismissed(pinned);
          setPinned(!pinned);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape" && open) {
            event.stopPropagation();
            setDismissed(true);
            setPinned(false);
          }
        }}
      >
        <Bars count={BARS[report.quality]} />
      </button>
      <div
        ref={tipRef}
        id={tipId}
        role="tooltip"
        popover="manual"
        class={`quality__tip quality__tip--${report.quality}`}
        hidden={!open}
        data-testid="quality-figures"
        onMouseEnter={enter}
        onMouseLeave={leave}
      >
        <Figures quality={quality} figures={report.figures} />
      </div>
    </div>
  );
}

function supportsPopover(element: HTMLElement): boolean {
  return typeof element.showPopover === "function";
}

/** Below the button, right-aligned with it; above it when there is no room below. */
function place(tip: HTMLElement, button: HTMLElement): void {
  const b = button.getBoundingClientRect();
  const width = tip.offsetWidth;
  const height = tip.offsetHeight;
  const left = Math.min(Math.max(MARGIN, b.right - width), window.innerWidth - width - MARGIN);
  const below = b.bottom + MARGIN;
  const top = below + height <= window.innerHeight - MARGIN ? below : Math.max(MARGIN, b.top - MARGIN - height);
  tip.style.left = `${Math.round(Math.max(MARGIN, left))}px`;
  tip.style.top = `${Math.round(top)}px`;
}

function Figures({ quality, figures: f }: { quality: string; figures: QualityFigures }) {
  const t = useT();
  const lang = useApp().i18n.lang.value;
  const number = (value: number, digits = 0) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
  const none = t("quality.none");
  const ms = (value: number | null) => (value === null ? none : t("quality.ms", { n: number(value) }));
  const video =
    f.frameWidth !== null && f.frameHeight !== null && f.frameHeight > 0
      ? t("quality.videoValue", {
          width: f.frameWidth,
          height: f.frameHeight,
          fps: f.framesPerSecond === null ? none : number(f.framesPerSecond),
        })
      : t("quality.noVideo");
  const rows: [MessageKey, string][] = [
    ["quality.bitrate", t("quality.kbps", { n: number(f.bitrate / 1000) })],
    ["quality.loss", t("quality.percent", { n: number(f.lossPercent, 1) })],
    ["quality.rtt", ms(f.rttMs)],
    ["quality.jitter", ms(f.jitterMs)],
    ["quality.video", video],
  ];
  return (
    <>
      <p class="quality__title">{t("quality.title", { quality })}</p>
      <dl class="quality__figures">
        {rows.map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** Three signal bars, `count` of them filled. */
function Bars({ count }: { count: number }) {
  return (
    <svg class="quality__bars" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
      {[0, 1, 2].map((i) => (
        <rect
          key={i}
          x={2 + i * 5.5}
          y={12 - i * 4.5}
          width="3.5"
          height={4 + i * 4.5}
          rx="1"
          class={i < count ? "quality__bar quality__bar--on" : "quality__bar"}
        />
      ))}
    </svg>
  );
}
