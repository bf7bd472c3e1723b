// The gallery view: one page of equal tiles, as large as the stage allows,
// and page buttons when not everybody fits.

import { fitGrid } from "../app/gallery";
import { Pager } from "./Pager";
import { TileFor } from "./TileFor";
import { useCallView } from "./callContext";
import { useT } from "./context";
import { aspectValue, px } from "./stageStyle";

export function TileGrid() {
  const t = useT();
  const gallery = useCallView().gallery;
  const geometry = gallery.grid.value;
  const tiles = gallery.visible.value;
  const fit = geometry === null ? null : fitGrid(tiles.length, geometry.area, geometry.gap, geometry.aspect);
  const style =
    geometry === null || fit === null
      ? undefined
      : {
          "--pad": px(geometry.pad),
          "--gap": px(geometry.gap),
          "--tile-w": px(fit.width),
          // Exactly `cols` tiles per row.
          "--row-w": px(fit.cols * Math.floor(fit.width) + (fit.cols - 1) * geometry.gap),
          "--tile-aspect": aspectValue(geometry.aspect),
        };
  return (
    <section class="gallery" style={style} aria-label={t("view.gallery")}>
      <ul class="tiles" aria-label={t("room.tilesLabel")}>
        {tiles.map((tile) => (
          <TileFor key={tile} tile={tile} />
        ))}
      </ul>
      {gallery.pageCount.value > 1 && <Pager variant="row" />}
    </section>
  );
}
