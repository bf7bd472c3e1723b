// One ticket for the staff: what the person wrote, the attached connection
// test, notes and replies; status, assignment, a note, a reply, closing.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { Account } from "../../account/api";
import { asDiagnosis } from "../../diagnostics/connectionTest";
import { STATUSES, type Ticket, type TicketStatus } from "../../helpdesk/api";
import { ApiErrorText } from "../account/ApiErrorText";
import { useApiAction } from "../account/useApiAction";
import { DiagnosisView } from "../connection-test/DiagnosisView";
import { useApp, useT } from "../context";

export function TicketDetail({ number, onChanged }: { number: string; onChanged: () => void }) {
  const app = useApp();
  const t = useT();
  const ticket = useSignal<Ticket | null>(null);
  const staff = useSignal<Account[]>([]);
  const note = useSignal("");
  const reply = useSignal("");
  const action = useApiAction();
  const path = `/api/helpdesk/tickets/${number}`;
  const api = app.account.api;

  useEffect(() => {
    void action.run(async () => {
      ticket.value = await api.get<Ticket>(path);
      staff.value = (await api.get<Account[]>("/api/accounts")).filter((a) => a.role === "operator" && a.status === "active");
    });
  }, [number]);

  const change = async (call: () => Promise<Ticket>) => {
    const next = await action.run(call);
    if (next !== undefined) {
      ticket.value = next;
      onChanged();
    }
    return next !== undefined;
  };

  const tk = ticket.value;
  const diagnosis = tk === null ? null : asDiagnosis(tk.diagnosis);
  if (tk === null) return <div class="card" aria-busy="true">{t("account.loading")}</div>;
  return (
    <article class="card stack" aria-labelledby="ticket-title" data-testid="ticket-detail" data-status={tk.status}>
      <h2 id="ticket-title">
        {tk.number} · {t(`helpdesk.category.${tk.category}`)}
      </h2>
      <dl class="ticket__facts">
        <dt>{t("ticket.created")}</dt>
        <dd>{new Date(tk.createdAt).toLocaleString(app.i18n.lang.value)}</dd>
        <dt>{t("helpdesk.email")}</dt>
        <dd data-testid="ticket-email">{tk.email ?? "–"}</dd>
        <dt>{t("helpdesk.school")}</dt>
        <dd>{tk.school ?? "–"}</dd>
      </dl>
      <p class="ticket__description" data-testid="ticket-description">
        {tk.description}
      </p>
      {tk.diagnosis !== null && (
        <details open data-testid="ticket-diagnosis">
          <summary>{t("helpdesk.diagnosis")}</summary>
          {diagnosis !== null ? (
            <DiagnosisView diagnosis={diagnosis} showJson={true} />
          ) : (
            // Not what our connection test makes: shown as it came, never interpreted.
            <pre class="diagnosis__json" data-testid="diagnosis-json">
              {JSON.stringify(tk.diagnosis, null, 2)}
            </pre>
          )}
        </details>
      )}
      <div class="row">
        <label class="field">
          <span class="field__label">{t("ticket.status")}</span>
          <select
            value={tk.status}
            data-testid="ticket-status"
            onChange={(e) => void change(() => api.put<Ticket>(path, { status: e.currentTarget.value as TicketStatus }))}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`ticket.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field__label">{t("ticket.assignee")}</span>
          <select
            value={tk.assignee ?? ""}
            data-testid="ticket-assignee"
            onChange={(e) => {
              const v = e.currentTarget.value;
              void change(() => api.put<Ticket>(path, { assignee: v === "" ? null : v }));
            }}
          >
            <option value="">{t("ticket.unassigned")}</option>
            {staff.value.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol class="ticket__entries" data-testid="ticket-entries">
        {tk.entries.map((e) => (
          <li key={e.id} class={`ticket__entry ticket__entry--${e.kind}`} data-kind={e.kind}>
            <p class="field__hint">
              {t(e.kind === "note" ? "ticket.note" : e.mailed ? "ticket.replyMailed" : "ticket.reply")} · {e.author} ·{" "}
              {new Date(e.at).toLocaleString(app.i18n.lang.value)}
            </p>
            <p>{e.body}</p>
          </li>
        ))}
      </ol>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await change(() => api.post<Ticket>(`${path}/notes`, { text: note.value }))) note.value = "";
        }}
      >
        <label class="field">
          <span class="field__label">{t("ticket.newNote")}</span>
          <textarea rows={2} value={note.value} data-testid="ticket-note" onInput={(e) => (note.value = e.currentTarget.value)} />
        </label>
        <button type="submit" class="button" data-testid="ticket-add-note">
          {t("ticket.addNote")}
        </button>
      </form>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await change(() => api.post<Ticket>(`${path}/replies`, { text: reply.value }))) reply.value = "";
        }}
      >
        <label class="field">
          <span class="field__label">{t("ticket.newReply")}</span>
          <textarea rows={4} value={reply.value} data-testid="ticket-reply" onInput={(e) => (reply.value = e.currentTarget.value)} />
          <span class="field__hint">{tk.email === null ? t("ticket.noAddress") : t("ticket.replyHint")}</span>
        </label>
        <button type="submit" class="button" data-testid="ticket-send-reply">
          {t("ticket.sendReply")}
        </button>
      </form>
      <ApiErrorText error={action.error.value} />
      {tk.status !== "done" && (
        <button type="button" class="button button--primary" data-testid="ticket-close" onClick={() => void change(() => api.put<Ticket>(path, { status: "done" }))}>
          {t("ticket.close")}
        </button>
      )}
    </article>
  );
}
