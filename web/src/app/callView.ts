// What the room view keeps per call beside the ServerConnection: the
// gallery (view, order, pages), the layout reports to the SFU, and the
// connection quality of the tiles on screen. Made when the room view opens
// a call, disposed when it closes it.

import { computed, effect, signal, type ReadonlySignal } from "@preact/signals";

import type { ServerConnection } from "../protocol/connection";
import type { ParticipantId } from "../protocol/messages";
import { QualityMonitor, type TileTracks } from "../protocol/quality";
import { ElementWatch } from "./elementWatch";
import { Gallery } from "./gallery";
import { LayoutReporter } from "./layoutReport";

/** The side panel: the people (with the moderation tools) or the chat. */
export type SidePanel = "people" | "chat";

export class CallView {
  readonly gallery: Gallery;
  readonly watcher = new ElementWatch();
  readonly layout: LayoutReporter;
  readonly quality: QualityMonitor;
  private readonly _panel = signal<SidePanel | null>(null);
  /** Chat messages that had arrived when the chat was last open. */
  private readonly chatSeen = signal(0);
  private readonly stopResend: () => void;
  readonly panel: ReadonlySignal<SidePanel | null> = this._panel;
  /** Chat messages that arrived while the chat was closed. */
  readonly unreadChat: ReadonlySignal<number>;

  constructor(
    readonly call: ServerConnection,
    win: Window,
  ) {
    this.gallery = new Gallery(call);
    this.unreadChat = computed(() => {
      const total = call.moderation.chat.value.length;
      return this._panel.value === "chat" ? 0 : Math.max(0, total - this.chatSeen.value);
    });
    this.layout = new LayoutReporter(this.watcher, (tiles) => call.sendLayout(tiles), win);
    // After every `joined` (resumed or afresh) the server knows no layout of ours.
    this.stopResend = effect(() => {
      if (call.joins.value > 0) this.layout.resend();
    });
    this.quality = new QualityMonitor(
      () => call.getStats(),
      (id) => this.tracksOf(id),
    );
  }

  /** Opens a panel, or closes it when it is open already. */
  togglePanel(panel: SidePanel): void {
    this.openPanel(this._panel.value === panel ? null : panel);
  }

  openPanel(panel: SidePanel | null): void {
    // Leaving the chat counts what was read there.
    if (this._panel.value === "chat" || panel === "chat") this.chatSeen.value = this.call.moderation.chat.peek().length;
    this._panel.value = panel;
  }

  dispose(): void {
    this.stopResend();
    this.gallery.dispose();
    this.layout.dispose();
    this.quality.dispose();
    this.watcher.dispose();
  }

  private tracksOf(id: ParticipantId): TileTracks | null {
    const participant = this.call.participants.peek().get(id);
    if (participant === undefined) return null;
    const tracks = this.call.remoteTracks.peek().filter((t) => t.participantId === id && t.source === "device");
    return {
      audio: tracks.find((t) => t.kind === "audio")?.track.id ?? null,
      video: tracks.find((t) => t.kind === "video")?.track.id ?? null,
      videoExpected: !participant.videoMuted,
    };
  }
}
