// A school's data-protection checklist: the school admin sets each step's
// status and date; who ticked it and when is shown.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { ChecklistEntry, ChecklistStatus } from "../../account/privacy";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

const STATUSES: ChecklistStatus[] = ["open", "done", "notNeeded"];

export function ChecklistPanel({ school }: { school: string }) {
  const app = useApp();
  const t = useT();
  const entries = useSignal<ChecklistEntry[]>([]);
  const action = useApiAction();
  const path = `/api/schools/${encodeURIComponent(school)}/checklist`;
  useEffect(() => {
    void app.account.api.get<ChecklistEntry[]>(path).then((e) => (entries.value = e));
  }, [school]);
  const locale = app.i18n.lang.value === "de" ? "de-DE" : "en-GB";
  const change = async (entry: ChecklistEntry, status: ChecklistStatus, decidedOn: string | null) => {
    const body = status === "open" ? { status } : { status, decidedOn: decidedOn ?? undefined };
    const r = await action.run(() => app.account.api.put<ChecklistEntry[]>(`${path}/${entry.item}`, body));
    if (r !== undefined) entries.value = r;
  };
  return (
    <section class="card stack" aria-labelledby="checklist-title">
      <h2 id="checklist-title">{t("privacy.checklist.title")}</h2>
      <p class="field__hint">{t("privacy.checklist.hint")}</p>
      <ApiErrorText error={action.error.value} />
      <div class="table-wrap">
        <table class="table" data-testid="checklist-table">
          <thead>
            <tr>
              <th scope="col">{t("privacy.checklist.step")}</th>
              <th scope="col">{t("privacy.checklist.status")}</th>
              <th scope="col">{t("privacy.checklist.date")}</th>
              <th scope="col">{t("privacy.checklist.by")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.value.map((e) => (
              <tr key={e.item} data-testid={`checklist-${e.item}`} data-status={e.status}>
                <th scope="row">{t(`privacy.item.${e.item}`)}</th>
                <td>
                  <select
                    aria-label={t(`privacy.item.${e.item}`)}
                    value={e.status}
                    data-testid={`checklist-${e.item}-status`}
                    disabled={action.busy.value}
                    onChange={(ev) => void change(e, ev.currentTarget.value as ChecklistStatus, e.decidedOn)}
                  >
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {t(`privacy.status.${s}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {e.status !== "open" && (
                    <input
                      type="date"
                      aria-label={t("privacy.checklist.date")}
                      value={e.decidedOn ?? ""}
                      data-testid={`checklist-${e.item}-date`}
                      onChange={(ev) => void change(e, e.status, ev.currentTarget.value)}
                    />
                  )}
                </td>
                <td>{e.changedBy !== null && e.changedAt !== null && `${e.changedBy}, ${new Date(e.changedAt * 1000).toLocaleDateString(locale)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
