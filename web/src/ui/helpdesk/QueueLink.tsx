// On the operator's page: the way to the helpdesk queue.

import { useT } from "../context";

export function QueueLink() {
  const t = useT();
  return (
    <div class="card row row--between">
      <h2>{t("queue.title")}</h2>
      <a class="button" href="/hilfe/anfragen" data-testid="operator-helpdesk-queue">
        {t("queue.link")}
      </a>
    </div>
  );
}
