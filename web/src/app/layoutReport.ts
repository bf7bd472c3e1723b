// Tells the SFU which subscribed videos are on screen and how large
// (`layout`), so that it forwards the simulcast layer that fits each tile
// and pauses the videos nobody sees. A video counts when its <video>
// element is rendered (the current page), intersects the viewport and the
// tab is visible. Sizes are device pixels: CSS px × devicePixelRatio.

import type { TileSize, TrackId } from "../protocol/messages";
import type { ElementWatch } from "./elementWatch";

/** Changes within this time go into one report (resizing fires often). */
export const LAYOUT_DEBOUNCE_MS = 200;

interface Shown {
  trackId: TrackId;
  width: number;
  height: number;
  visible: boolean;
}

export class LayoutReporter {
  private readonly shown = new Map<HTMLElement, Shown>();
  private timer: number | undefined;
  /** The last layout sent, as JSON; identical layouts are not sent again. */
  private lastSent: string | null = null;
  private readonly onVisibility = () => this.schedule();
  private disposed = false;

  constructor(
    private readonly watcher: ElementWatch,
    /** Sends the layout; false if it could not be sent (then it is tried again on the next change). */
    private readonly send: (tiles: TileSize[]) => boolean,
    private readonly win: Window,
  ) {
    win.document.addEventListener("visibilitychange", this.onVisibility);
  }

  /** Reports this element's size while it shows the track; returns the function that stops it. */
  observe(trackId: TrackId, element: HTMLElement): () => void {
    const shown: Shown = { trackId, width: 0, height: 0, visible: false };
    this.shown.set(element, shown);
    const unwatch = this.watcher.watch(element, {
      onSize: (width, height) => {
        shown.width = width;
        shown.height = height;
        this.schedule();
      },
      onVisible: (visible) => {
        shown.visible = visible;
        this.schedule();
      },
    });
    return () => {
      unwatch();
      if (this.shown.get(element) === shown) this.shown.delete(element);
      this.schedule();
    };
  }

  /** The layout as it would be sent now. */
  current(): TileSize[] {
    if (this.win.document.visibilityState === "hidden") return [];
    const ratio = this.win.devicePixelRatio || 1;
    const byTrack = new Map<TrackId, TileSize>();
    for (const s of this.shown.values()) {
      if (!s.visible || s.width <= 0 || s.height <= 0) continue;
      const width = Math.round(s.width * ratio);
      const height = Math.round(s.height * ratio);
      // The same video twice (should not happen): the larger one counts.
      const seen = byTrack.get(s.trackId);
      if (seen === undefined || height > seen.height) byTrack.set(s.trackId, { trackId: s.trackId, width, height });
    }
    return [...byTrack.values()].sort((a, b) => a.trackId - b.trackId);
  }

  /** Sends the layout again even if unchanged (the server's session is new or resumed). */
  resend(): void {
    this.lastSent = null;
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.win.clearTimeout(this.timer);
    this.timer = undefined;
    this.win.document.removeEventListener("visibilitychange", this.onVisibility);
    this.shown.clear();
  }

  /**
   * At most one report per LAYOUT_DEBOUNCE_MS: the first change starts the
   * timer, later ones ride along, and the report reads the state when it
   * fires, so the last change is never lost.
   */
  private schedule(): void {
    if (this.disposed || this.timer !== undefined) return;
    this.timer = this.win.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, LAYOUT_DEBOUNCE_MS);
  }

  private flush(): void {
    const tiles = this.current();
    const json = JSON.stringify(tiles);
    if (json === this.lastSent) return;
    if (this.send(tiles)) this.lastSent = json;
  }
}
