// Everybody's tile, the own one first.

import type { ServerConnection } from "../protocol/connection";
import { Tile } from "./Tile";
import { useApp, useT } from "./context";

export function TileGrid({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const media = app.media;
  const selfId = call.selfId.value;
  const tracks = call.remoteTracks.value;
  const speaking = call.speaking.value;
  const others = [...call.participants.value.values()];
  const count = others.length + 1;
  const micOn = media.micTrack.value !== null;
  const sizeClass = count === 1 ? "tiles--one" : count === 2 ? "tiles--two" : count <= 4 ? "tiles--four" : "tiles--many";

  return (
    <div class="stage">
      <ul class={`tiles ${sizeClass}`} aria-label={t("room.tilesLabel")}>
        <Tile
          participantId={selfId}
          self
          name={app.displayName.value}
          label={t("tile.selfName", { name: app.displayName.value })}
          audioMuted={!micOn}
          videoMuted={media.camTrack.value === null}
          speaking={micOn && media.micLevel.speaking.value}
          video={media.camTrack.value}
        />
        {others.map((p) => {
          const video = tracks.find((r) => r.participantId === p.id && r.kind === "video");
          return (
            <Tile
              key={p.id}
              participantId={p.id}
              self={false}
              name={p.name}
              label={p.name}
              audioMuted={p.audioMuted}
              videoMuted={p.videoMuted}
              speaking={!p.audioMuted && speaking.has(p.id)}
              video={video?.track ?? null}
            />
          );
        })}
      </ul>
    </div>
  );
}
