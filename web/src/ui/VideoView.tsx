// A <video> showing one track. srcObject is a MediaStream holding exactly
// that track (the e2e tests match its id against the inbound-rtp stats).

import { useEffect, useMemo, useRef } from "preact/hooks";

interface Props {
  track: MediaStreamTrack | null;
  mirrored?: boolean;
  testId?: string;
  label?: string;
  hidden?: boolean;
  /** Called with the element once it is mounted; returns the function that stops observing it. */
  observe?: ((video: HTMLVideoElement) => () => void) | undefined;
}

export function VideoView({ track, mirrored = false, testId, label, hidden = false, observe }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const stream = useMemo(() => (track === null ? null : new MediaStream([track])), [track]);
  useEffect(() => {
    const video = ref.current;
    if (video === null) return;
    video.srcObject = stream;
    if (stream !== null) void video.play().catch(() => undefined);
  }, [stream]);
  // Keyed on whether there is an observer, not on its identity (a new
  // closure every render would re-observe needlessly); what it observes for
  // is fixed per element (the Tile keys this view by track id).
  const observeRef = useRef(observe);
  observeRef.current = observe;
  const observing = observe !== undefined;
  useEffect(() => {
    const video = ref.current;
    const start = observeRef.current;
    if (video === null || start === undefined) return;
    return start(video);
  }, [observing]);
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
