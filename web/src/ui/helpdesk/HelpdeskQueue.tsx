// `/hilfe/anfragen`: the operator staff's queue. Open requests first; one
// ticket at a time in detail; the hotline's settings below.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import { STATUSES, type Ticket, type TicketStatus } from "../../helpdesk/api";
import { ApiErrorText } from "../account/ApiErrorText";
import { useApiAction } from "../account/useApiAction";
import { useApp, useT } from "../context";
import { HotlineSettings } from "./HotlineSettings";
import { TicketDetail } from "./TicketDetail";

const REFRESH_MS = 30_000;
const EXCERPT_CHARS = 80;

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS - 1)}…` : line;
}

export function HelpdeskQueue() {
  const app = useApp();
  const t = useT();
  const tickets = useSignal<Ticket[]>([]);
  const filter = useSignal<TicketStatus | "">("");
  const selected = useSignal<string | null>(null);
  const action = useApiAction();
  useEffect(() => void app.account.refresh(), [app]);
  const session = app.account.session.value;
  const isOperator = session?.account?.role === "operator";

  const reload = async () => {
    const query = filter.value === "" ? "" : `?status=${filter.value}`;
    const list = await action.run(() => app.account.api.get<Ticket[]>(`/api/helpdesk/tickets${query}`));
    if (list !== undefined) tickets.value = list;
  };
  useEffect(() => {
    if (!isOperator) return undefined;
    void reload();
    // New requests show up without reloading the page.
    const timer = window.setInterval(() => void reload(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [isOperator, filter.value]);

  if (session === null) return <p class="card" aria-busy="true">{t("account.loading")}</p>;
  if (!isOperator) {
    return (
      <section class="card stack">
        <h1>{t("queue.title")}</h1>
        <p>{t("queue.operatorsOnly")}</p>
        <a class="button" href="/login">
          {t("queue.login")}
        </a>
      </section>
    );
  }
  return (
    <section class="queue stack" aria-labelledby="queue-title">
      <div class="card stack">
        <div class="row row--between">
          <h1 id="queue-title">{t("queue.title")}</h1>
          <label class="field">
            <span class="field__label">{t("queue.filter")}</span>
            <select value={filter.value} data-testid="queue-filter" onChange={(e) => (filter.value = e.currentTarget.value as TicketStatus | "")}>
              <option value="">{t("queue.all")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`ticket.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ApiErrorText error={action.error.value} />
        {tickets.value.length === 0 ? (
          <p data-testid="queue-empty">{t("queue.empty")}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="queue-table">
              <thead>
                <tr>
                  <th scope="col">{t("ticket.number")}</th>
                  <th scope="col">{t("ticket.created")}</th>
                  <th scope="col">{t("helpdesk.category")}</th>
                  <th scope="col">{t("helpdesk.description")}</th>
                  <th scope="col">{t("ticket.status")}</th>
                  <th scope="col">{t("ticket.assignee")}</th>
                </tr>
              </thead>
              <tbody>
                {tickets.value.map((tk) => (
                  <tr key={tk.id} data-testid="queue-row" data-number={tk.number} data-status={tk.status}>
                    <td>
                      <button type="button" class="link" onClick={() => (selected.value = tk.number)} data-testid="queue-open">
                        {tk.number}
                      </button>
                    </td>
                    <td>{new Date(tk.createdAt).toLocaleString(app.i18n.lang.value)}</td>
                    <td>{t(`helpdesk.category.${tk.category}`)}</td>
                    <td>{excerpt(tk.description)}</td>
                    <td>{t(`ticket.status.${tk.status}`)}</td>
                    <td>{tk.assigneeEmail ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {selected.value !== null && <TicketDetail key={selected.value} number={selected.value} onChanged={() => void reload()} />}
      <HotlineSettings />
    </section>
  );
}
