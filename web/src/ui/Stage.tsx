// The area of the tiles: the gallery (pages of equal tiles) or the speaker
// view. Its measured size decides how many tiles fit on a page.

import { useCallback, useRef } from "preact/hooks";

import { SpeakerView } from "./SpeakerView";
import { TileGrid } from "./TileGrid";
import { useCallView } from "./callContext";
import { useElementSize } from "./useElementSize";

export function Stage() {
  const gallery = useCallView().gallery;
  const ref = useRef<HTMLDivElement>(null);
  const onSize = useCallback((width: number, height: number) => gallery.setStageSize(width, height), [gallery]);
  useElementSize(ref, onSize);
  return (
    <div ref={ref} class="stage" data-view={gallery.mode.value}>
      {gallery.mode.value === "gallery" ? <TileGrid /> : <SpeakerView />}
    </div>
  );
}
