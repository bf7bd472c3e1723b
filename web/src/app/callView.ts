// What the room view keeps per call beside the ServerConnection: the
// gallery (view, order, pages), the layout reports to the SFU, and the
// connection quality of the tiles on screen. Made when the room view opens
// a call, disposed when it closes it.

import type { ServerConnection } from "../protocol/connection";
import type { ParticipantId } from "../protocol/messages";
import { QualityMonitor, type TileTracks } from "../protocol/quality";
import { ElementWatch } from "./elementWatch";
import { Gallery } from "./gallery";
import { LayoutReporter } from "./layoutReport";

export class CallView {
  readonly gallery: Gallery;
  readonly watcher = new ElementWatch();
  readonly layout: LayoutReporter;
  readonly quality: QualityMonitor;

  constructor(
    readonly call: ServerConnection,
    win: Window,
  ) {
    this.gallery = new Gallery(call);
    this.layout = new LayoutReporter(this.watcher, (tiles) => call.sendLayout(tiles), win);
    this.quality = new QualityMonitor(
      () => call.getStats(),
      (id) => this.tracksOf(id),
    );
  }

  dispose(): void {
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
