// A <video> showing one track. srcObject is a MediaStream holding exactly
// that track (the e2e tests match its id against the inbound-rtp stats).

import { useEffect, useMemo, useRef } from "preact/hooks";

interface Props {
  track: MediaStreamTrack | null;
  mirrored?: boolean;
  testId?: string;
  label?: string;
  hidden?: boolean;
}

export function VideoView({ track, mirrored = false, testId, label, hidden = false }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const stream = useMemo(() => (track === null ? null : new MediaStream([track])), [track]);
  useEffect(() => {
    const video = ref.current;
    if (video === null) return;
    video.srcObject = stream;
    if (stream !== null) void video.play().catch(() => undefined);
  }, [stream]);
  const classes = ["video", mirrored ? "video--mirrored" : "", hidden ? "video--hidden" : ""].filter(Boolean);
  return (
    <video
      ref={ref}
      class={classes.join(" ")}
      autoplay
      playsInline
      muted
      data-testid={testId}
      aria-label={label}
    />
  );
}
