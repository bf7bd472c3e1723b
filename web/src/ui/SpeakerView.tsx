// The speaker view: the last person who spoke large, everybody else in a
// filmstrip of small tiles (which get the lowest simulcast layer).

import { Pager, PageButton } from "./Pager";
import { TileFor } from "./TileFor";
import { useCallView } from "./callContext";
import { useT } from "./context";
import { aspectValue, px } from "./stageStyle";

export function SpeakerView() {
  const t = useT();
  const gallery = useCallView().gallery;
  const geometry = gallery.speaker.value;
  const strip = gallery.visible.value;
  const paged = gallery.pageCount.value > 1;
  const atEnds = paged && geometry?.pager === "ends";
  const style =
    geometry === null
      ? undefined
      : {
          "--pad": px(geometry.pad),
          "--gap": px(geometry.gap),
          "--main-w": px(geometry.main.width),
          "--strip-w": px(geometry.strip.width),
          "--strip-h": px(geometry.strip.height),
          "--tile-aspect": aspectValue(geometry.aspect),
        };
  return (
    <section class="speaker-view" style={style} aria-label={t("view.speaker")}>
      <ul class="speaker-view__main" aria-label={t("view.mainLabel")}>
        <TileFor key={gallery.main.value} tile={gallery.main.value} />
      </ul>
      {strip.length > 0 && (
        <div class="filmstrip">
          {atEnds && <PageButton direction="previous" />}
          <ul class="filmstrip__tiles" aria-label={t("view.filmstripLabel")}>
            {strip.map((tile) => (
              <TileFor key={tile} tile={tile} />
            ))}
          </ul>
          {atEnds && <PageButton direction="next" />}
        </div>
      )}
      {paged && <Pager variant={atEnds ? "status" : "row"} />}
    </section>
  );
}
