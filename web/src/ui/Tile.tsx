// One participant: video or avatar, name, muted-microphone icon, a ring
// while speaking, a frame while they are the room's dominant speaker, and
// (for the others) the connection quality; dimmed with a label while their
// connection is interrupted (the place is kept until they are back).

import { useEffect, useRef } from "preact/hooks";

import type { ParticipantId, TrackId } from "../protocol/messages";
import { Avatar } from "./Avatar";
import { Icon } from "./Icon";
import { QualityIndicator } from "./QualityIndicator";
import { VideoView } from "./VideoView";
import { useCallView } from "./callContext";
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
  /** The room's dominant speaker (from the server). */
  dominant: boolean;
  /** Their hand is raised. */
  handRaised: boolean;
  /** They share their screen. */
  sharing: boolean;
  /** Their connection dropped and the server keeps their place. */
  reconnecting: boolean;
  video: MediaStreamTrack | null;
  /** Track id of a subscribed video: its size on screen is reported to the SFU. */
  remoteVideo: TrackId | null;
}

export function Tile(props: Props) {
  const t = useT();
  const view = useCallView();
  const ref = useRef<HTMLLIElement>(null);
  const showVideo = props.video !== null && !props.videoMuted;
  const remoteId = props.self ? null : props.participantId;

  // The connection quality is polled only while the tile is on screen.
  useEffect(() => {
    const element = ref.current;
    if (element === null || remoteId === null) return;
    let stop: (() => void) | null = null;
    const unwatch = view.watcher.watch(element, {
      onVisible: (visible) => {
        if (visible && stop === null) stop = view.quality.watch(remoteId);
        if (!visible && stop !== null) {
          stop();
          stop = null;
        }
      },
    });
    return () => {
      unwatch();
      stop?.();
    };
  }, [view, remoteId]);

  const trackId = props.remoteVideo;
  const observe = trackId === null ? undefined : (video: HTMLVideoElement) => view.layout.observe(trackId, video);
  const state = [
    props.audioMuted ? t("tile.micMuted") : "",
    props.videoMuted ? t("tile.cameraOff") : "",
    props.speaking ? t("tile.speaking") : "",
    props.dominant ? t("tile.dominant") : "",
    props.handRaised ? t("hand.raised") : "",
    props.sharing ? t("screen.sharing") : "",
    props.reconnecting ? t("tile.reconnecting") : "",
  ].filter(Boolean);
  const classes = [
    "tile",
    props.speaking ? "tile--speaking" : "",
    props.dominant ? "tile--dominant" : "",
    props.reconnecting ? "tile--reconnecting" : "",
  ];
  return (
    <li
      ref={ref}
      class={classes.filter(Boolean).join(" ")}
      data-testid="tile"
      data-participant-id={props.participantId === null ? "" : String(props.participantId)}
      data-self={String(props.self)}
      data-speaking={String(props.speaking)}
      data-dominant={String(props.dominant)}
      data-audio-muted={String(props.audioMuted)}
      data-video-muted={String(props.videoMuted)}
      data-hand-raised={String(props.handRaised)}
      data-reconnecting={String(props.reconnecting)}
      aria-label={[props.label, ...state].join(", ")}
    >
      {showVideo ? (
        <VideoView
          // A new subscribed track id is a new video to observe.
          key={trackId ?? "own"}
          track={props.video}
          mirrored={props.self}
          label={t("tile.videoOf", { name: props.label })}
          observe={observe}
        />
      ) : (
        <Avatar name={props.name} />
      )}
      {remoteId !== null && !props.reconnecting && <QualityIndicator participantId={remoteId} name={props.label} />}
      {props.reconnecting && (
        <p class="tile__reconnecting" data-testid="tile-reconnecting">
          {t("tile.reconnecting")}
        </p>
      )}
      <div class="tile__caption">
        {props.dominant && (
          <span class="tile__dominant" role="img" aria-label={t("tile.dominant")}>
            <Icon name="speaker" size={16} />
          </span>
        )}
        {props.sharing && (
          <span class="tile__sharing" role="img" aria-label={t("screen.sharing")}>
            <Icon name="screen" size={16} />
          </span>
        )}
        {props.handRaised && (
          <span class="tile__hand" role="img" aria-label={t("hand.raised")}>
            <Icon name="hand" size={16} />
          </span>
        )}
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
