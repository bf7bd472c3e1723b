// Accounts of one school (school admin) or of all (operator): create one,
// create teachers from a list, hand out links, deactivate, reactivate, delete.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { Account, Invitation, Role, School } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function AccountsPanel({ school, schools }: { school: string | null; schools: School[] }) {
  const app = useApp();
  const t = useT();
  const accounts = useSignal<Account[]>([]);
  const links = useSignal<{ email: string; link: string }[]>([]);
  const email = useSignal("");
  const role = useSignal<Role>(school === null ? "schoolAdmin" : "teacher");
  const target = useSignal(school ?? "");
  const file = useSignal<File | null>(null);
  const action = useApiAction();
  const api = app.account.api;
  const ownId = app.account.session.value?.account?.id;
  const reload = async () => {
    accounts.value = await api.get<Account[]>("/api/accounts");
  };
  useEffect(() => void reload().catch(() => undefined), []);
  const addLinks = (invitations: Invitation[]) => {
    links.value = [...invitations.map((i) => ({ email: i.account.email, link: i.activationLink })), ...links.value];
  };
  const act = async (path: string, method: "POST" | "DELETE" = "POST") => {
    const r = await action.run<unknown>(() => (method === "POST" ? api.post<unknown>(path) : api.delete(path)));
    const link = (r as { link?: unknown } | null | undefined)?.link;
    if (typeof link === "string") links.value = [{ email: "", link }, ...links.value];
    await reload();
  };
  return (
    <section class="card stack" aria-labelledby="accounts-title">
      <h2 id="accounts-title">{t("accounts.title")}</h2>
      <form
        class="row row--wrap"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { email: email.value, role: role.value, school: role.value === "operator" ? null : target.value };
          const r = await action.run(() => api.post<Invitation>("/api/accounts", body));
          if (r !== undefined) {
            addLinks([r]);
            email.value = "";
            await reload();
          }
        }}
      >
        <label class="field">
          <span class="field__label">{t("accounts.email")}</span>
          <input type="email" value={email.value} data-testid="account-email-input" onInput={(e) => (email.value = e.currentTarget.value)} />
        </label>
        {school === null && (
          <>
            <label class="field">
              <span class="field__label">{t("accounts.role")}</span>
              <select value={role.value} data-testid="account-role" onChange={(e) => (role.value = e.currentTarget.value as Role)}>
                <option value="schoolAdmin">{t("role.schoolAdmin")}</option>
                <option value="teacher">{t("role.teacher")}</option>
                <option value="operator">{t("role.operator")}</option>
              </select>
            </label>
            <label class="field">
              <span class="field__label">{t("accounts.school")}</span>
              <select value={target.value} data-testid="account-school" onChange={(e) => (target.value = e.currentTarget.value)}>
                <option value="">{t("accounts.chooseSchool")}</option>
                {schools.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.id} {s.name}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <button type="submit" class="button button--primary" disabled={action.busy.value} data-testid="account-create">
          {t("accounts.create")}
        </button>
      </form>
      {school !== null && (
        <form
          class="row row--wrap"
          onSubmit={async (e) => {
            e.preventDefault();
            if (file.value === null) return;
            const r = await action.run(() => api.upload<Invitation[]>(`/api/accounts/bulk?school=${encodeURIComponent(school)}`, file.value as File));
            if (r !== undefined) {
              addLinks(r);
              await reload();
            }
          }}
        >
          <label class="field">
            <span class="field__label">{t("accounts.bulkFile")}</span>
            <input type="file" accept=".csv,.xlsx,text/csv" data-testid="bulk-file" onChange={(e) => (file.value = e.currentTarget.files?.[0] ?? null)} />
            <span class="field__hint">{t("accounts.bulkHint")}</span>
          </label>
          <button type="submit" class="button" disabled={action.busy.value || file.value === null} data-testid="bulk-create">
            {t("accounts.bulkCreate")}
          </button>
        </form>
      )}
      <ApiErrorText error={action.error.value} />
      {links.value.length > 0 && (
        <div class="stack" role="status">
          <p>{t("accounts.linksHint")}</p>
          <ul data-testid="activation-links">
            {links.value.map((l) => (
              <li key={l.link}>
                {l.email !== "" && `${l.email}: `}
                <code data-testid="activation-link">{l.link}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="table-wrap">
        <table class="table" data-testid="accounts-table">
          <thead>
            <tr>
              <th scope="col">{t("accounts.email")}</th>
              <th scope="col">{t("accounts.role")}</th>
              <th scope="col">{t("accounts.school")}</th>
              <th scope="col">{t("accounts.status")}</th>
              <th scope="col">{t("accounts.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.value.map((a) => (
              <tr key={a.id} data-testid={`account-row-${a.email}`} data-status={a.status}>
                <td>{a.email}</td>
                <td>{t(`role.${a.role}`)}</td>
                <td>{a.school ?? ""}</td>
                <td>{t(`status.${a.status}`)}</td>
                <td class="row row--wrap">
                  {a.id === ownId ? null : a.status === "deactivated" ? (
                    <button type="button" class="button" onClick={() => void act(`/api/accounts/${a.id}/reactivate`)}>
                      {t("accounts.reactivate")}
                    </button>
                  ) : (
                    <>
                      <button type="button" class="button" onClick={() => void act(`/api/accounts/${a.id}/link`)}>
                        {t(a.status === "pending" ? "accounts.newActivationLink" : "accounts.resetLink")}
                      </button>
                      <button type="button" class="button" onClick={() => void act(`/api/accounts/${a.id}/deactivate`)}>
                        {t("accounts.deactivate")}
                      </button>
                    </>
                  )}
                  {a.id !== ownId && (
                    <button
                      type="button"
                      class="button button--danger"
                      onClick={() => {
                        if (confirm(t("accounts.confirmDelete", { email: a.email }))) void act(`/api/accounts/${a.id}`, "DELETE");
                      }}
                    >
                      {t("accounts.delete")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
