// "My data": download everything stored about one's own account (JSON) and,
// for teachers and school admins, delete one's own account.

import { useSignal } from "@preact/signals";

import type { Account } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function MyDataPanel({ account }: { account: Account }) {
  const app = useApp();
  const t = useT();
  const confirm = useSignal("");
  const action = useApiAction();
  return (
    <section class="card stack" aria-labelledby="mydata-title">
      <h2 id="mydata-title">{t("privacy.mydata.title")}</h2>
      <p class="field__hint">{t("privacy.mydata.hint")}</p>
      <p>
        <a class="button" href="/api/me/export" download="tafelrunde-meine-daten.json" data-testid="mydata-export">
          {t("privacy.mydata.export")}
        </a>
      </p>
      {account.role !== "operator" && (
        <details>
          <summary>{t("privacy.mydata.delete")}</summary>
          <form
            class="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await action.run(async () => {
                await app.account.api.call<void>("DELETE", "/api/me", { email: confirm.value });
                return true;
              });
              if (r === true) {
                await app.account.refresh();
                app.navigate("/login");
              }
            }}
          >
            <p class="field__hint">{t("privacy.mydata.deleteHint")}</p>
            <label class="field">
              <span class="field__label">{t("privacy.mydata.confirm")}</span>
              <input type="email" value={confirm.value} autoComplete="off" data-testid="mydata-confirm" onInput={(e) => (confirm.value = e.currentTarget.value)} />
            </label>
            <ApiErrorText error={action.error.value} />
            <button type="submit" class="button button--danger" data-testid="mydata-delete" disabled={action.busy.value}>
              {t("privacy.mydata.deleteButton")}
            </button>
          </form>
        </details>
      )}
    </section>
  );
}
