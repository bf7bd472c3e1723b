// The connection test's result in plain words: the finding and what to do,
// each check with its figures, the devices and the browser. The same view
// shows the result in the helpdesk form (before sending) and to the staff.

import type { Diagnosis, Verdict, Warning } from "../../diagnostics/connectionTest";
import type { CheckResult } from "../../diagnostics/loopback";
import type { MessageKey } from "../../i18n";
import { useT } from "../context";

function checkText(t: (k: MessageKey, p?: Record<string, string | number>) => string, c: CheckResult): string {
  if (c.ok) {
    const parts = [t("diag.check.ok")];
    if (c.rttMs !== undefined) parts.push(t("diag.rtt", { ms: c.rttMs }));
    if (c.kbps !== undefined) parts.push(t("diag.kbps", { kbps: c.kbps }));
    if (c.lossPct !== undefined && c.lossPct > 0) parts.push(t("diag.loss", { pct: c.lossPct }));
    return parts.join(" · ");
  }
  if (c.error === "notConfigured") return t("diag.check.notConfigured");
  if (c.error === "unreachable") return t("diag.check.unreachable");
  return t("diag.check.failed");
}

/** Calls work in every case but "blocked": a warning colour there, red only when nothing gets through. */
const VERDICT_CLASS: Readonly<Record<Verdict, string>> = {
  ok: "alert--ok",
  udpBlocked: "alert--notice",
  turnOnly: "alert--notice",
  blocked: "alert--error",
};

const WARNING_KEYS: Readonly<Record<Warning, MessageKey>> = {
  highLatency: "diag.warning.highLatency",
  lowBandwidth: "diag.warning.lowBandwidth",
  packetLoss: "diag.warning.packetLoss",
  noCamera: "diag.warning.noCamera",
  noMicrophone: "diag.warning.noMicrophone",
  notChromium: "diag.warning.notChromium",
};

export function DiagnosisView({ diagnosis, showJson }: { diagnosis: Diagnosis; showJson: boolean }) {
  const t = useT();
  const ports = diagnosis.ports;
  const portParams = { udp: ports?.udp.join(", ") || "?", tcp: ports?.tcp.join(", ") || "?" };
  return (
    <div class="stack diagnosis" data-testid="diagnosis">
      <div
        class={`alert ${VERDICT_CLASS[diagnosis.verdict]}`}
        role="status"
        data-testid="diagnosis-verdict"
        data-verdict={diagnosis.verdict}
      >
        <p>
          <strong>{t(`diag.verdict.${diagnosis.verdict}`)}</strong>
        </p>
        <p>{t(`diag.advice.${diagnosis.verdict}`, portParams)}</p>
      </div>
      <dl class="diagnosis__checks">
        {diagnosis.checks.map((c) => (
          <div key={c.transport} data-testid={`diagnosis-check-${c.transport}`} data-ok={String(c.ok)}>
            <dt>{t(`diag.transport.${c.transport}`)}</dt>
            <dd>{checkText(t, c)}</dd>
          </div>
        ))}
        <div data-testid="diagnosis-camera" data-state={diagnosis.devices.camera}>
          <dt>{t("diag.camera")}</dt>
          <dd>{t(`diag.device.${diagnosis.devices.camera}`)}</dd>
        </div>
        <div data-testid="diagnosis-microphone" data-state={diagnosis.devices.microphone}>
          <dt>{t("diag.microphone")}</dt>
          <dd>{t(`diag.device.${diagnosis.devices.microphone}`)}</dd>
        </div>
        <div>
          <dt>{t("diag.browser")}</dt>
          <dd>{diagnosis.browser.chromium ? t("diag.browser.chromium") : t("diag.browser.other")}</dd>
        </div>
      </dl>
      {diagnosis.warnings.length > 0 && (
        <ul class="diagnosis__warnings" data-testid="diagnosis-warnings">
          {diagnosis.warnings.map((w) => (
            <li key={w}>{t(WARNING_KEYS[w])}</li>
          ))}
        </ul>
      )}
      {showJson && (
        <details>
          <summary>{t("diag.json")}</summary>
          <pre class="diagnosis__json" data-testid="diagnosis-json">
            {JSON.stringify(diagnosis, null, 2)}
          </pre>
        </details>
      )}
    </div>
  );
}
