// `/verbindungstest`: checks camera and microphone, the browser, and a short
// loopback call through the server over UDP, TCP and TURN; explains the
// result and offers to send it to the helpdesk.

import { useSignal } from "@preact/signals";

import { runConnectionTest, saveDiagnosis, type Diagnosis, type Progress } from "../../diagnostics/connectionTest";
import { signalingUrl } from "../../protocol/signaling";
import { useApp, useT } from "../context";
import { DiagnosisView } from "./DiagnosisView";

const STEPS: readonly Exclude<Progress, "done">[] = ["devices", "udp", "tcp", "turn"];

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function ConnectionTestPage() {
  const app = useApp();
  const t = useT();
  const progress = useSignal<Progress | null>(null);
  const result = useSignal<Diagnosis | null>(null);
  const running = progress.value !== null && progress.value !== "done";

  const start = async () => {
    result.value = null;
    const d = await runConnectionTest(window, signalingUrl(window.location), (p) => (progress.value = p));
    saveDiagnosis(sessionStore(), d);
    result.value = d;
  };

  return (
    <section class="card stack" aria-labelledby="conntest-title">
      <h1 id="conntest-title">{t("conntest.title")}</h1>
      <p class="lead">{t("conntest.intro")}</p>
      <button type="button" class="button button--primary" disabled={running} data-testid="connection-test-start" onClick={() => void start()}>
        {result.value === null ? t("conntest.start") : t("conntest.again")}
      </button>
      {progress.value !== null && (
        <ol class="steps" aria-live="polite" data-testid="connection-test-progress">
          {STEPS.map((s) => {
            const index = STEPS.indexOf(s);
            const current = progress.value === "done" ? STEPS.length : STEPS.indexOf(progress.value as (typeof STEPS)[number]);
            const state = index < current ? "done" : index === current ? "running" : "pending";
            return (
              <li key={s} class={`steps__item steps__item--${state}`}>
                {t(`conntest.step.${s}`)}
                {state === "running" && ` – ${t("conntest.running")}`}
              </li>
            );
          })}
        </ol>
      )}
      {result.value !== null && (
        <>
          <DiagnosisView diagnosis={result.value} showJson={true} />
          <p>{t("conntest.helpdeskHint")}</p>
          <a class="button" href={`/hilfe${location.search}`} data-testid="connection-test-to-helpdesk" onClick={(e) => {
            e.preventDefault();
            app.navigate(`/hilfe${location.search}`);
          }}>
            {t("conntest.toHelpdesk")}
          </a>
        </>
      )}
    </section>
  );
}
