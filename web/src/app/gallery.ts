// How the tiles of one call are laid out: gallery or speaker view, their
// order, pages, and the geometry that follows from the size of the stage.
// The geometry functions are pure; the Gallery holds the state of one call.

import { batch, computed, effect, signal, type ReadonlySignal } from "@preact/signals";

import type { ServerConnection } from "../protocol/connection";
import type { ParticipantId } from "../protocol/messages";

export type ViewMode = "gallery" | "speaker";

/** One tile: the own one, or another participant's. */
export type TileRef = "self" | ParticipantId;

/** At most this many tiles on one page (the SFU forwards at most 20 videos). */
export const MAX_PAGE_SIZE = 20;
/** Grid tiles stay at least this tall (CSS px); small screens get fewer per page. */
export const MIN_TILE_HEIGHT = 120;
/**
 * But a page always holds two tiles, even smaller ones: the first page
 * shows the own tile and at least one other person.
 */
export const MIN_PAGE_SIZE = 2;
/** Height of the page buttons' row below the grid, and width of a strip button. */
export const PAGER_SIZE = 52;

export interface Box {
  width: number;
  height: number;
}

export interface GridFit {
  cols: number;
  rows: number;
  /** Tile size in CSS px. */
  width: number;
  height: number;
}

/** Spacing of the stage: tighter on narrow screens. */
export function spacing(stageWidth: number): { pad: number; gap: number } {
  return stageWidth <= 600 ? { pad: 8, gap: 8 } : { pad: 12, gap: 12 };
}

/** Tile shape: 16:9, but 4:3 on an upright screen, where height is plentiful. */
export function tileAspect(stage: Box): number {
  return stage.height > stage.width ? 4 / 3 : 16 / 9;
}

/** The largest tiles of the given aspect ratio that n of fit into `area`. */
export function fitGrid(n: number, area: Box, gap: number, aspect: number): GridFit {
  let best: GridFit = { cols: 1, rows: Math.max(1, n), width: 0, height: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(Math.max(1, n) / cols);
    const cellWidth = (area.width - gap * (cols - 1)) / cols;
    const cellHeight = (area.height - gap * (rows - 1)) / rows;
    const width = Math.max(0, Math.min(cellWidth, cellHeight * aspect));
    if (width > best.width) best = { cols, rows, width, height: width / aspect };
  }
  return best;
}

/** How many tiles fit into `area` while staying MIN_TILE_HEIGHT tall (at least MIN_PAGE_SIZE). */
export function pageCapacity(area: Box, gap: number, aspect: number, max = MAX_PAGE_SIZE): number {
  for (let n = max; n > MIN_PAGE_SIZE; n--) {
    if (fitGrid(n, area, gap, aspect).height >= MIN_TILE_HEIGHT) return n;
  }
  return MIN_PAGE_SIZE;
}

/** Geometry of the gallery view. */
export interface GridGeometry {
  pad: number;
  gap: number;
  aspect: number;
  /** Tiles per page. */
  capacity: number;
  /** Whether page buttons are needed (they take PAGER_SIZE of the height). */
  paged: boolean;
  /** The area the tiles of a page are fitted into. */
  area: Box;
}

export function gridGeometry(stage: Box, tiles: number): GridGeometry {
  const { pad, gap } = spacing(stage.width);
  const aspect = tileAspect(stage);
  const inner = { width: stage.width - 2 * pad, height: stage.height - 2 * pad };
  const all = pageCapacity(inner, gap, aspect);
  if (tiles <= all) return { pad, gap, aspect, capacity: all, paged: false, area: inner };
  const area = { width: inner.width, height: inner.height - PAGER_SIZE };
  return { pad, gap, aspect, capacity: pageCapacity(area, gap, aspect), paged: true, area };
}

/** Geometry of the speaker view: one large tile, a filmstrip of small ones below. */
export interface SpeakerGeometry {
  pad: number;
  gap: number;
  aspect: number;
  /** The large tile (CSS px). */
  main: Box;
  /** A filmstrip tile (CSS px); height 0 without a filmstrip. */
  strip: Box;
  /** Filmstrip tiles per page. */
  capacity: number;
  /**
   * Where the page buttons go when not all fit: at the ends of the strip on
   * a landscape screen (height is scarce), in a row below it on an upright one.
   */
  pager: "ends" | "row" | null;
}

/** Filmstrip tiles: small on purpose, so that they get the lowest simulcast layer. */
const STRIP_MIN_HEIGHT = 72;
const STRIP_MAX_HEIGHT = 120;

export function speakerGeometry(stage: Box, stripTiles: number): SpeakerGeometry {
  const { pad, gap } = spacing(stage.width);
  const aspect = tileAspect(stage);
  const inner = { width: stage.width - 2 * pad, height: stage.height - 2 * pad };
  let strip = { width: 0, height: 0 };
  let capacity = 1;
  let pager: SpeakerGeometry["pager"] = null;
  if (stripTiles > 0) {
    // A fifth of the height, but small enough that three fit side by side.
    const byHeight = Math.min(STRIP_MAX_HEIGHT, Math.max(STRIP_MIN_HEIGHT, inner.height * 0.2));
    const byWidth = (inner.width - 2 * gap) / 3 / aspect;
    const height = Math.floor(Math.max(STRIP_MIN_HEIGHT / 1.5, Math.min(byHeight, byWidth)));
    strip = { width: Math.floor(height * aspect), height };
    const fits = (width: number) => Math.max(1, Math.floor((width + gap) / (strip.width + gap)));
    capacity = fits(inner.width);
    if (stripTiles > capacity) {
      const wide = stage.width > stage.height;
      pager = wide ? "ends" : "row";
      if (wide) capacity = fits(inner.width - 2 * (PAGER_SIZE + gap));
    }
  }
  const below = (strip.height === 0 ? 0 : strip.height + gap) + (pager === "row" ? PAGER_SIZE : 0);
  const mainArea = { width: inner.width, height: inner.height - below };
  const mainWidth = Math.max(0, Math.min(mainArea.width, mainArea.height * aspect));
  return { pad, gap, aspect, main: { width: mainWidth, height: mainWidth / aspect }, strip, capacity, pager };
}

/**
 * Keeps a speaker on the first page: if `id` is not among the first `slots`
 * of `order`, it changes places with the least recent speaker there (the
 * last such tile on a tie), so that the other tiles stay where they are.
 */
export function promote(
  order: readonly ParticipantId[],
  id: ParticipantId,
  slots: number,
  recent: readonly ParticipantId[],
): readonly ParticipantId[] {
  const at = order.indexOf(id);
  if (at < 0 || at < slots || slots <= 0) return order;
  let victim = 0;
  let victimRank = -1;
  for (let i = 0; i < Math.min(slots, order.length); i++) {
    const r = recent.indexOf(order[i]!);
    const rank = r < 0 ? Number.MAX_SAFE_INTEGER : r;
    if (rank >= victimRank) {
      victim = i;
      victimRank = rank;
    }
  }
  const next = [...order];
  next[at] = next[victim]!;
  next[victim] = id;
  return next;
}

/** The tiles of one call: view, order, page. */
export class Gallery {
  private readonly _mode = signal<ViewMode>("gallery");
  private readonly _stage = signal<Box>({ width: 0, height: 0 });
  private readonly _order = signal<readonly ParticipantId[]>([]);
  /** Others by when they were last the dominant speaker, most recent first. */
  private readonly _recent = signal<readonly ParticipantId[]>([]);
  private readonly _page = signal(0);
  private readonly disposers: (() => void)[] = [];

  readonly mode: ReadonlySignal<ViewMode> = this._mode;
  /** Everybody in display order: the own tile first, then recent speakers. */
  readonly everyone: ReadonlySignal<readonly TileRef[]>;
  /** Speaker view: who is shown large (the last other person who spoke). */
  readonly main: ReadonlySignal<TileRef>;
  /** The tiles that are paged: all in the gallery, the filmstrip in speaker view. */
  readonly paged: ReadonlySignal<readonly TileRef[]>;
  readonly grid: ReadonlySignal<GridGeometry | null>;
  readonly speaker: ReadonlySignal<SpeakerGeometry | null>;
  /** Tiles per page in the current view. */
  readonly capacity: ReadonlySignal<number>;
  readonly pageCount: ReadonlySignal<number>;
  /** The current page, 0-based. */
  readonly page: ReadonlySignal<number>;
  /** The tiles of the current page. */
  readonly visible: ReadonlySignal<readonly TileRef[]>;

  constructor(private readonly call: ServerConnection) {
    this.everyone = computed(() => ["self", ...this._order.value]);
    this.main = computed(() => this._recent.value[0] ?? this._order.value[0] ?? "self");
    this.paged = computed(() => {
      if (this._mode.value === "gallery") return this.everyone.value;
      const main = this.main.value;
      return this.everyone.value.filter((t) => t !== main);
    });
    this.grid = computed(() => {
      const stage = this._stage.value;
      return stage.width > 0 && stage.height > 0 ? gridGeometry(stage, this.everyone.value.length) : null;
    });
    this.speaker = computed(() => {
      const stage = this._stage.value;
      return stage.width > 0 && stage.height > 0 ? speakerGeometry(stage, this.paged.value.length) : null;
    });
    this.capacity = computed(() => {
      const geometry = this._mode.value === "gallery" ? this.grid.value : this.speaker.value;
      return geometry?.capacity ?? MAX_PAGE_SIZE;
    });
    this.pageCount = computed(() => Math.max(1, Math.ceil(this.paged.value.length / this.capacity.value)));
    this.page = computed(() => Math.min(this._page.value, this.pageCount.value - 1));
    this.visible = computed(() => {
      const cap = this.capacity.value;
      return this.paged.value.slice(this.page.value * cap, (this.page.value + 1) * cap);
    });

    // Newcomers join at the end; who left is dropped.
    this.disposers.push(
      effect(() => {
        const present = this.call.participants.value;
        const order = this._order.peek();
        const kept = order.filter((id) => present.has(id));
        const added = [...present.keys()].filter((id) => !order.includes(id));
        batch(() => {
          if (added.length > 0 || kept.length !== order.length) this._order.value = [...kept, ...added];
          const recent = this._recent.peek();
          if (recent.some((id) => !present.has(id))) this._recent.value = recent.filter((id) => present.has(id));
        });
      }),
    );
    // A new dominant speaker moves onto the first page.
    this.disposers.push(
      effect(() => {
        const speaker = this.call.dominantSpeaker.value;
        if (speaker === null || speaker === this.call.selfId.peek()) return;
        if (!this.call.participants.peek().has(speaker)) return;
        batch(() => {
          const recent = [speaker, ...this._recent.peek().filter((id) => id !== speaker)];
          this._recent.value = recent;
          // The own tile takes the first place of page 1.
          this._order.value = promote(this._order.peek(), speaker, this.capacity.peek() - 1, recent);
        });
      }),
    );
  }

  /** The stage's size in CSS px, measured by the UI. */
  setStageSize(width: number, height: number): void {
    const old = this._stage.peek();
    if (old.width !== width || old.height !== height) this._stage.value = { width, height };
  }

  toggleMode(): void {
    batch(() => {
      this._mode.value = this._mode.peek() === "gallery" ? "speaker" : "gallery";
      this._page.value = 0;
    });
  }

  nextPage(): void {
    this._page.value = Math.min(this.page.peek() + 1, this.pageCount.peek() - 1);
  }

  previousPage(): void {
    this._page.value = Math.max(this.page.peek() - 1, 0);
  }

  dispose(): void {
    this.disposers.splice(0).forEach((dispose) => dispose());
  }
}
