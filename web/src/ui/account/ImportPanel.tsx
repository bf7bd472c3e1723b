// Upload of the state's school list (CSV or XLSX). A bad row refuses the
// whole list; the rows are named.

import { useSignal } from "@preact/signals";

import type { ImportReport } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function ImportPanel({ onImported }: { onImported: () => void }) {
  const app = useApp();
  const t = useT();
  const file = useSignal<File | null>(null);
  const report = useSignal<ImportReport | null>(null);
  const action = useApiAction();
  return (
    <section class="card stack" aria-labelledby="import-title">
      <h2 id="import-title">{t("import.title")}</h2>
      <p class="field__hint">{t("import.hint")}</p>
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (file.value === null) return;
          report.value = null;
          const r = await action.run(() => app.account.api.upload<ImportReport>("/api/schools/import", file.value as File));
          if (r !== undefined) {
            report.value = r;
            onImported();
          }
        }}
      >
        <label class="field">
          <span class="field__label">{t("import.file")}</span>
          <input type="file" accept=".csv,.xlsx,text/csv" data-testid="import-file" onChange={(e) => (file.value = e.currentTarget.files?.[0] ?? null)} />
        </label>
        <button type="submit" class="button button--primary" disabled={action.busy.value || file.value === null} data-testid="import-button">
          {t("import.submit")}
        </button>
      </form>
      <ApiErrorText error={action.error.value} />
      {report.value !== null && (
        <p role="status" data-testid="import-report">
          {t("import.report", { rows: report.value.rows, created: report.value.created, updated: report.value.updated, unchanged: report.value.unchanged })}
        </p>
      )}
    </section>
  );
}
