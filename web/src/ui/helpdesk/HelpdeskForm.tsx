// `/hilfe`: the helpdesk request form. Category, description, optional
// contact address and school, and the connection test's result, which the
// person sees in full before sending. The hotline is shown beside it.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import { loadDiagnosis, type Diagnosis } from "../../diagnostics/connectionTest";
import { CATEGORIES, MAX_DESCRIPTION_CHARS, type Category, type Filed, type FormInfo } from "../../helpdesk/api";
import { ApiErrorText } from "../account/ApiErrorText";
import { useApiAction } from "../account/useApiAction";
import { DiagnosisView } from "../connection-test/DiagnosisView";
import { useApp, useT } from "../context";
import { HotlineBox } from "./HotlineBox";

/** The server refuses a form sent back sooner (a robot's speed); we wait that long instead. */
const MIN_FILL_MS = 3_500;

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function HelpdeskForm() {
  const app = useApp();
  const t = useT();
  const info = useSignal<FormInfo | null>(null);
  const loadedAt = useSignal(0);
  const category = useSignal<Category>("connection");
  const description = useSignal("");
  const email = useSignal("");
  const school = useSignal("");
  const website = useSignal("");
  const diagnosis = useSignal<Diagnosis | null>(null);
  const attach = useSignal(true);
  const filed = useSignal<string | null>(null);
  const action = useApiAction();

  useEffect(() => {
    diagnosis.value = loadDiagnosis(sessionStore());
    void action.run(() => loadForm());
    // Someone logged in need not type their address and school again.
    void app.account.refresh().then(() => {
      const account = app.account.session.value?.account ?? null;
      if (account === null) return;
      if (email.value === "") email.value = account.email;
      if (school.value === "" && account.school !== null) school.value = account.school;
    });
  }, []);

  if (filed.value !== null) {
    return (
      <section class="card stack" aria-labelledby="helpdesk-title">
        <h1 id="helpdesk-title">{t("helpdesk.title")}</h1>
        <div class="alert alert--ok" role="status">
          <p>{t("helpdesk.filed")}</p>
          <p>
            {t("helpdesk.ticketNumber")} <strong data-testid="helpdesk-ticket-number">{filed.value}</strong>
          </p>
          <p>{email.value.trim() !== "" && info.value?.repliesByMail ? t("helpdesk.replyByMail") : t("helpdesk.keepNumber")}</p>
        </div>
        {info.value !== null && <HotlineBox hotline={info.value.hotline} />}
      </section>
    );
  }

  const loadForm = async () => {
    info.value = await app.account.api.get<FormInfo>("/api/helpdesk/form");
    loadedAt.value = Date.now();
  };

  const send = async (): Promise<Filed | undefined> => {
    const current = info.value;
    if (current === null) return undefined;
    const wait = loadedAt.value + MIN_FILL_MS - Date.now();
    if (wait > 0) await new Promise((r) => window.setTimeout(r, wait));
    return action.run(() =>
      app.account.api.post<Filed>("/api/helpdesk/tickets", {
        category: category.value,
        description: description.value,
        email: email.value,
        school: school.value,
        diagnosis: attach.value ? diagnosis.value : null,
        formToken: current.formToken,
        website: website.value,
      }),
    );
  };

  const submit = async () => {
    let answer = await send();
    // A form left open for hours: a fresh token, and the same request once more.
    if (answer === undefined && action.error.value?.code === "formExpired") {
      await action.run(loadForm);
      if (action.error.value === null) answer = await send();
    }
    if (answer !== undefined) filed.value = answer.number;
  };

  const field = action.error.value?.field;
  return (
    <section class="helpdesk" aria-labelledby="helpdesk-title">
      <div class="card stack">
        <h1 id="helpdesk-title">{t("helpdesk.title")}</h1>
        <p class="lead">{t("helpdesk.intro")}</p>
        <form
          class="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label class="field">
            <span class="field__label">{t("helpdesk.category")}</span>
            <select
              value={category.value}
              data-testid="helpdesk-category"
              aria-invalid={field === "category"}
              onChange={(e) => (category.value = e.currentTarget.value as Category)}
            >
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`helpdesk.category.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">{t("helpdesk.description")}</span>
            <textarea
              rows={6}
              required
              maxLength={MAX_DESCRIPTION_CHARS}
              value={description.value}
              data-testid="helpdesk-description"
              aria-invalid={field === "description"}
              onInput={(e) => (description.value = e.currentTarget.value)}
            />
            <span class="field__hint">{t("helpdesk.descriptionHint")}</span>
          </label>
          <label class="field">
            <span class="field__label">{t("helpdesk.email")}</span>
            <input
              type="email"
              autoComplete="email"
              value={email.value}
              data-testid="helpdesk-email"
              aria-invalid={field === "email"}
              onInput={(e) => (email.value = e.currentTarget.value)}
            />
            <span class="field__hint">{t("helpdesk.emailHint")}</span>
          </label>
          <label class="field">
            <span class="field__label">{t("helpdesk.school")}</span>
            <input
              type="text"
              inputMode="numeric"
              value={school.value}
              data-testid="helpdesk-school"
              aria-invalid={field === "school"}
              onInput={(e) => (school.value = e.currentTarget.value)}
            />
            <span class="field__hint">{t("helpdesk.schoolHint")}</span>
          </label>
          {/* The honeypot: invisible and unreachable for people, filled in by form robots. */}
          <div class="honeypot" aria-hidden="true">
            <label>
              Website
              <input type="text" name="website" tabIndex={-1} autoComplete="off" value={website.value} onInput={(e) => (website.value = e.currentTarget.value)} />
            </label>
          </div>
          {diagnosis.value !== null ? (
            <fieldset class="stack">
              <legend>{t("helpdesk.diagnosis")}</legend>
              <label class="row">
                <input type="checkbox" checked={attach.value} data-testid="helpdesk-attach-diagnosis" onChange={(e) => (attach.value = e.currentTarget.checked)} />
                {t("helpdesk.attachDiagnosis")}
              </label>
              {attach.value && <DiagnosisView diagnosis={diagnosis.value} showJson={true} />}
            </fieldset>
          ) : (
            <p class="field__hint">
              {t("helpdesk.noDiagnosis")}{" "}
              <a href="/verbindungstest" data-testid="helpdesk-run-test">
                {t("helpdesk.runTest")}
              </a>
            </p>
          )}
          <p class="field__hint">{t("helpdesk.privacy")}</p>
          <ApiErrorText error={action.error.value} />
          <button type="submit" class="button button--primary" disabled={action.busy.value || info.value === null} data-testid="helpdesk-submit">
            {t("helpdesk.submit")}
          </button>
        </form>
      </div>
      {info.value !== null && <HotlineBox hotline={info.value.hotline} />}
    </section>
  );
}
