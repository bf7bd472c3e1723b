// Page buttons of the gallery and the filmstrip. The buttons stay
// focusable at the first and last page (aria-disabled), so that the focus
// is not lost when the last page is reached.

import { Icon } from "./Icon";
import { useCallView } from "./callContext";
import { useT } from "./context";

export function PageButton({ direction }: { direction: "previous" | "next" }) {
  const t = useT();
  const gallery = useCallView().gallery;
  const page = gallery.page.value;
  const pages = gallery.pageCount.value;
  const next = direction === "next";
  const target = next ? page + 1 : page - 1;
  const disabled = target < 0 || target >= pages;
  const label = disabled
    ? t(next ? "pager.nextNone" : "pager.previousNone")
    : t(next ? "pager.next" : "pager.previous", { page: target + 1, pages });
  return (
    <button
      type="button"
      class="page-button"
      aria-label={label}
      aria-disabled={disabled}
      data-testid={next ? "page-next" : "page-prev"}
      onClick={() => {
        if (disabled) return;
        if (next) gallery.nextPage();
        else gallery.previousPage();
      }}
    >
      <Icon name={next ? "chevronRight" : "chevronLeft"} />
    </button>
  );
}

/** `row`: buttons with "Seite 2 von 3" between them; `status`: only the announcement. */
export function Pager({ variant }: { variant: "row" | "status" }) {
  const t = useT();
  const gallery = useCallView().gallery;
  const status = t("pager.status", { page: gallery.page.value + 1, pages: gallery.pageCount.value });
  if (variant === "status") {
    return (
      <p class="sr-only" role="status" data-testid="page-status">
        {status}
      </p>
    );
  }
  return (
    <nav class="pager" aria-label={t("pager.label")}>
      <PageButton direction="previous" />
      <p class="pager__status" role="status" data-testid="page-status">
        {status}
      </p>
      <PageButton direction="next" />
    </nav>
  );
}
