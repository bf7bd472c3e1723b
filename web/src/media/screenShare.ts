// The own screen share: getDisplayMedia, and off again by us, by the
// browser's own "stop sharing" button, or by a moderator.

import { signal, type ReadonlySignal } from "@preact/signals";

/**
 * Whether this browser can share its screen. Phones and tablets cannot
 * (their browsers have no getDisplayMedia, or one that always fails), so
 * the button is hidden there and the reason is given instead.
 */
export function canShareScreen(win: Window): boolean {
  const nav = win.navigator;
  const uaMobile = (nav as Navigator & { userAgentData?: { mobile?: boolean } }).userAgentData?.mobile === true;
  // A touch screen without a mouse is a phone or tablet (a touch laptop has a fine pointer too).
  const touchOnly = win.matchMedia?.("(hover: none) and (pointer: coarse)").matches === true;
  const mobile = uaMobile || touchOnly || /Android|iPhone|iPad|iPod|Mobile/i.test(nav.userAgent);
  return !mobile && typeof nav.mediaDevices?.getDisplayMedia === "function";
}

export class ScreenShare {
  private readonly _track = signal<MediaStreamTrack | null>(null);
  private readonly _busy = signal(false);
  private readonly _failed = signal(false);

  /** The shared screen's video track while sharing. */
  readonly track: ReadonlySignal<MediaStreamTrack | null> = this._track;
  readonly busy: ReadonlySignal<boolean> = this._busy;
  /** The last attempt failed for another reason than the user's cancel. */
  readonly failed: ReadonlySignal<boolean> = this._failed;

  async start(): Promise<void> {
    if (this._busy.value || this._track.value !== null) return;
    this._busy.value = true;
    this._failed.value = false;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (track === undefined) return;
      track.addEventListener("ended", () => {
        // The browser's own "stop sharing" button.
        if (this._track.value === track) this._track.value = null;
      });
      this._track.value = track;
    } catch (error) {
      // Cancelling the browser's picker is no failure worth a message.
      const name = error instanceof DOMException || error instanceof Error ? error.name : "";
      this._failed.value = name !== "NotAllowedError" && name !== "AbortError";
    } finally {
      this._busy.value = false;
    }
  }

  stop(): void {
    const track = this._track.value;
    if (track === null) return;
    track.stop();
    this._track.value = null;
  }
}
