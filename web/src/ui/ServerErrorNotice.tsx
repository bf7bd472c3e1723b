// The server refused one of our messages; the call goes on.

import type { ServerConnection } from "../protocol/connection";
import { Icon } from "./Icon";
import { serverErrorKey } from "./serverErrors";
import { useT } from "./context";

export function ServerErrorNotice({ call }: { call: ServerConnection }) {
  const t = useT();
  const error = call.error.value;
  // A refused join is explained by the connection banner instead.
  if (error === null || call.closeReason.value?.kind === "joinRefused") return null;
  return (
    <div class="alert" role="alert">
      <p data-testid="error-message">
        {t(serverErrorKey(error.code))}
        {error.field !== undefined && ` ${t("serverError.field", { field: error.field })}`}
      </p>
      <button type="button" class="icon-button" aria-label={t("common.dismiss")} onClick={() => call.dismissError()}>
        <Icon name="close" size={20} />
      </button>
    </div>
  );
}
