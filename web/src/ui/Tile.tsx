// One participant: video or avatar, name, muted-microphone icon, and a ring
// while speaking.

import type { ParticipantId } from "../protocol/messages";
import { Avatar } from "./Avatar";
import { Icon } from "./Icon";
import { VideoView } from "./VideoView";
import { useT } from "./context";

interface Props {
  participantId: ParticipantId | null;
  self: boolean;
  name: string;
  /** Shown name, e.g. "Ada (du)". */
  label: string;
  audioMuted: boolean;
  videoMuted: boolean;
  speaking: boolean;
  video: MediaStreamTrack | null;
}

export function Tile(props: Props) {
  const t = useT();
  const showVideo = props.video !== null && !props.videoMuted;
  const state = [
    props.audioMuted ? t("tile.micMuted") : "",
    props.videoMuted ? t("tile.cameraOff") : "",
    props.speaking ? t("tile.speaking") : "",
  ].filter(Boolean);
  return (
    <li
      class={`tile ${props.speaking ? "tile--speaking" : ""}`}
      data-testid="tile"
      data-participant-id={props.participantId === null ? "" : String(props.participantId)}
      data-self={String(props.self)}
      data-speaking={String(props.speaking)}
      data-audio-muted={String(props.audioMuted)}
      data-video-muted={String(props.videoMuted)}
      aria-label={[props.label, ...state].join(", ")}
    >
      {showVideo ? (
        <VideoView track={props.video} mirrored={props.self} label={t("tile.videoOf", { name: props.label })} />
      ) : (
        <Avatar name={props.name} />
      )}
      <div class="tile__caption">
        {props.audioMuted && (
          <span class="tile__muted" role="img" aria-label={t("tile.micMuted")}>
            <Icon name="micOff" size={16} />
          </span>
        )}
        <span class="tile__name" data-testid="tile-name">
          {props.label}
        </span>
      </div>
    </li>
  );
}
