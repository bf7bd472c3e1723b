// Plays one remote audio track. Hidden, but it must play: WebRTC audio is
// only heard (and counted in totalAudioEnergy) through a media element.

import { useEffect, useRef } from "preact/hooks";

import type { ParticipantId } from "../protocol/messages";

export function RemoteAudio({ track, participantId }: { track: MediaStreamTrack; participantId: ParticipantId }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (audio === null) return;
    audio.srcObject = new MediaStream([track]);
    void audio.play().catch(() => undefined);
    return () => {
      audio.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoplay data-participant-id={String(participantId)} />;
}
