// The operator's view of every school's data-protection checklist.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import { CHECKLIST_ITEMS, type SchoolChecklist } from "../../account/privacy";
import { useApp, useT } from "../context";

export function ChecklistOverview() {
  const app = useApp();
  const t = useT();
  const schools = useSignal<SchoolChecklist[]>([]);
  useEffect(() => {
    void app.account.api
      .get<SchoolChecklist[]>("/api/privacy/checklists")
      .then((s) => (schools.value = s))
      .catch(() => undefined);
  }, []);
  const onTafelrunde = schools.value.filter((s) => s.service === "tafelrunde");
  return (
    <section class="card stack" aria-labelledby="checklists-title">
      <h2 id="checklists-title">{t("privacy.overview.title")}</h2>
      <details>
        <summary>{t("privacy.overview.show", { n: onTafelrunde.filter((s) => s.complete === CHECKLIST_ITEMS.length).length, total: onTafelrunde.length })}</summary>
        <div class="table-wrap">
          <table class="table" data-testid="checklists-table">
            <thead>
              <tr>
                <th scope="col">{t("privacy.overview.school")}</th>
                {CHECKLIST_ITEMS.map((i) => (
                  <th scope="col" key={i}>
                    {t(`privacy.item.${i}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {onTafelrunde.map((s) => (
                <tr key={s.school} data-testid={`checklists-${s.school}`}>
                  <th scope="row">
                    {s.name} ({s.school})
                  </th>
                  {s.items.map((e) => (
                    <td key={e.item} data-testid={`checklists-${s.school}-${e.item}`} data-status={e.status} title={e.changedBy ?? ""}>
                      {t(`privacy.status.${e.status}`)}
                      {e.decidedOn !== null && ` (${e.decidedOn})`}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
