// Every school with its video service; the operator changes it with a reason.

import { useSignal } from "@preact/signals";

import type { School, Service } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function SchoolsTable({ schools, onChanged }: { schools: School[]; onChanged: () => void }) {
  const t = useT();
  return (
    <section class="card stack" aria-labelledby="schools-title">
      <h2 id="schools-title">{t("schools.title", { n: schools.length })}</h2>
      {schools.length === 0 ? (
        <p>{t("schools.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="schools-table">
            <thead>
              <tr>
                <th scope="col">{t("schools.number")}</th>
                <th scope="col">{t("schools.name")}</th>
                <th scope="col">{t("schools.town")}</th>
                <th scope="col">{t("schools.service")}</th>
                <th scope="col">{t("schools.change")}</th>
              </tr>
            </thead>
            <tbody>
              {schools.map((s) => (
                <SchoolRow key={s.id} school={s} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SchoolRow({ school, onChanged }: { school: School; onChanged: () => void }) {
  const app = useApp();
  const t = useT();
  const reason = useSignal("");
  const action = useApiAction();
  const other: Service = school.service === "tafelrunde" ? "bigbluebutton" : "tafelrunde";
  return (
    <tr data-testid={`school-${school.id}`} data-service={school.service}>
      <td>{school.id}</td>
      <td>
        {school.name}
        <br />
        <span class="field__hint">{school.kind}</span>
      </td>
      <td>{school.town}</td>
      <td>{t(`service.${school.service}`)}</td>
      <td>
        <form
          class="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const done = await action.run(() => app.account.api.put(`/api/schools/${school.id}/service`, { service: other, reason: reason.value }));
            if (done !== undefined) {
              reason.value = "";
              onChanged();
            }
          }}
        >
          <input
            type="text"
            value={reason.value}
            aria-label={t("schools.reasonLabel", { school: school.name })}
            placeholder={t("schools.reason")}
            data-testid={`school-reason-${school.id}`}
            onInput={(e) => (reason.value = e.currentTarget.value)}
          />
          <button type="submit" class="button" disabled={action.busy.value} data-testid={`school-switch-${school.id}`}>
            {t(`schools.switchTo.${other}`)}
          </button>
        </form>
        <ApiErrorText error={action.error.value} />
      </td>
    </tr>
  );
}
