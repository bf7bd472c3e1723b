// The hotline beside the form, as the operator configured it.

import type { Hotline } from "../../helpdesk/api";
import { useT } from "../context";

export function HotlineBox({ hotline }: { hotline: Hotline }) {
  const t = useT();
  if (hotline.number === "") return null;
  return (
    <aside class="card stack" aria-labelledby="hotline-title" data-testid="helpdesk-hotline">
      <h2 id="hotline-title">{t("helpdesk.hotline")}</h2>
      <p>
        <a href={`tel:${hotline.number.replace(/[^\d+]/g, "")}`}>{hotline.number}</a>
      </p>
      {hotline.hours !== "" && <p class="field__hint">{hotline.hours}</p>}
    </aside>
  );
}
