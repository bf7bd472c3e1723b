// After leaving: say so, and offer to join again without reloading.

import { useEffect, useRef } from "preact/hooks";

import { useApp, useT } from "./context";

export function LeftPage({ room }: { room: string }) {
  const app = useApp();
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card left" data-testid="left-page" aria-labelledby="left-title">
      <h1 id="left-title" tabIndex={-1} ref={heading}>
        {t("left.title")}
      </h1>
      <p class="lead">{t("left.text", { room })}</p>
      <div class="row">
        <button type="button" class="button button--primary" data-testid="rejoin-button" onClick={() => app.rejoin()}>
          {t("left.rejoin")}
        </button>
        <button type="button" class="button" onClick={() => app.navigate(app.homeHref())}>
          {t("left.home")}
        </button>
      </div>
    </section>
  );
}
