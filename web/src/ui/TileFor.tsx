// The tile of one participant (or the own one), with everything it shows
// looked up from the call.

import type { TileRef } from "../app/gallery";
import { Tile } from "./Tile";
import { useCallView } from "./callContext";
import { useApp, useT } from "./context";

export function TileFor({ tile }: { tile: TileRef }) {
  const app = useApp();
  const t = useT();
  const call = useCallView().call;
  const selfId = call.selfId.value;
  const dominant = call.dominantSpeaker.value;
  const hands = call.moderation.hands.value;
  if (tile === "self") {
    const media = app.media;
    const micOn = media.micTrack.value !== null;
    return (
      <Tile
        participantId={selfId}
        self
        name={app.displayName.value}
        label={t("tile.selfName", { name: app.displayName.value })}
        audioMuted={!micOn}
        videoMuted={media.camTrack.value === null}
        speaking={micOn && media.micLevel.speaking.value}
        dominant={selfId !== null && dominant === selfId}
        handRaised={selfId !== null && hands.includes(selfId)}
        sharing={app.screen.track.value !== null}
        reconnecting={false}
        video={media.camTrack.value}
        remoteVideo={null}
      />
    );
  }
  const p = call.participants.value.get(tile);
  if (p === undefined) return null;
  const video = call.remoteTracks.value.find((r) => r.participantId === p.id && r.kind === "video" && r.source === "device");
  return (
    <Tile
      participantId={p.id}
      self={false}
      name={p.name}
      label={p.name}
      audioMuted={p.audioMuted}
      videoMuted={p.videoMuted}
      speaking={!p.audioMuted && call.speaking.value.has(p.id)}
      dominant={dominant === p.id}
      handRaised={hands.includes(p.id)}
      sharing={call.remoteTracks.value.some((r) => r.participantId === p.id && r.source === "screen")}
      reconnecting={p.reconnecting === true}
      video={video?.track ?? null}
      remoteVideo={video?.trackId ?? null}
    />
  );
}
