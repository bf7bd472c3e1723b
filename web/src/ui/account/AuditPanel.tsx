// The audit log: the operator's of everything, a school admin's of their school.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { AuditEntry } from "../../account/api";
import { useApp, useT } from "../context";

export function AuditPanel() {
  const app = useApp();
  const t = useT();
  const entries = useSignal<AuditEntry[]>([]);
  useEffect(() => {
    void app.account.api.get<AuditEntry[]>("/api/audit").then((e) => (entries.value = e)).catch(() => undefined);
  }, []);
  const locale = app.i18n.lang.value === "de" ? "de-DE" : "en-GB";
  return (
    <section class="card stack" aria-labelledby="audit-title">
      <h2 id="audit-title">{t("audit.title")}</h2>
      <details>
        <summary>{t("audit.show", { n: entries.value.length })}</summary>
        <div class="table-wrap">
          <table class="table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.who")}</th>
                <th scope="col">{t("audit.what")}</th>
                <th scope="col">{t("audit.school")}</th>
                <th scope="col">{t("audit.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.value.map((e) => (
                <tr key={e.id}>
                  <td>{new Date(e.at).toLocaleString(locale)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{e.school ?? ""}</td>
                  <td>
                    {e.target !== null && `${e.target}: `}
                    {e.detail}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
