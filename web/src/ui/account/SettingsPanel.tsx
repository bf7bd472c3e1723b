// The operator's settings: allowed e-mail domains, guidance link, and the
// retention periods (audit log, server logs, helpdesk, deactivated accounts).

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { Settings } from "../../account/api";
import type { MessageKey } from "../../i18n";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

type RetentionKey = "auditRetentionDays" | "logRetentionDays" | "helpdeskRetentionDays" | "deactivatedAccountRetentionDays";

/** Each period with its label and allowed range (as the server checks). */
const RETENTION: { key: RetentionKey; label: MessageKey; min: number; max: number; testId: string }[] = [
  { key: "auditRetentionDays", label: "settings.retention", min: 30, max: 3650, testId: "settings-retention" },
  { key: "logRetentionDays", label: "settings.logRetention", min: 1, max: 90, testId: "settings-log-retention" },
  { key: "helpdeskRetentionDays", label: "settings.helpdeskRetention", min: 7, max: 730, testId: "settings-helpdesk-retention" },
  { key: "deactivatedAccountRetentionDays", label: "settings.accountRetention", min: 1, max: 730, testId: "settings-account-retention" },
];

export function SettingsPanel() {
  const app = useApp();
  const t = useT();
  const domains = useSignal("");
  const guidance = useSignal("");
  const periods = useSignal<Record<RetentionKey, number>>({
    auditRetentionDays: 365,
    logRetentionDays: 7,
    helpdeskRetentionDays: 180,
    deactivatedAccountRetentionDays: 90,
  });
  const saved = useSignal(false);
  const action = useApiAction();
  useEffect(() => {
    void app.account.api.get<Settings>("/api/settings").then((s) => {
      domains.value = s.allowedDomains.join(", ");
      guidance.value = s.guidanceUrl;
      periods.value = {
        auditRetentionDays: s.auditRetentionDays,
        logRetentionDays: s.logRetentionDays,
        helpdeskRetentionDays: s.helpdeskRetentionDays,
        deactivatedAccountRetentionDays: s.deactivatedAccountRetentionDays,
      };
    });
  }, []);
  return (
    <section class="card stack" aria-labelledby="settings-title">
      <h2 id="settings-title">{t("settings.title")}</h2>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          saved.value = false;
          const allowedDomains = domains.value.split(/[\s,;]+/).filter((d) => d !== "");
          const r = await action.run(() => app.account.api.put<Settings>("/api/settings", { allowedDomains, guidanceUrl: guidance.value, ...periods.value }));
          saved.value = r !== undefined;
        }}
      >
        <label class="field">
          <span class="field__label">{t("settings.domains")}</span>
          <input type="text" value={domains.value} placeholder="schule-sh.de" data-testid="settings-domains" onInput={(e) => (domains.value = e.currentTarget.value)} />
          <span class="field__hint">{t("settings.domainsHint")}</span>
        </label>
        <label class="field">
          <span class="field__label">{t("settings.guidance")}</span>
          <input type="url" value={guidance.value} data-testid="settings-guidance" onInput={(e) => (guidance.value = e.currentTarget.value)} />
        </label>
        {RETENTION.map((r) => (
          <label class="field" key={r.key}>
            <span class="field__label">{t(r.label)}</span>
            <input
              type="number"
              min={r.min}
              max={r.max}
              value={periods.value[r.key]}
              data-testid={r.testId}
              onInput={(e) => (periods.value = { ...periods.value, [r.key]: Number(e.currentTarget.value) })}
            />
          </label>
        ))}
        <p class="field__hint">{t("settings.logRetentionHint")}</p>
        <ApiErrorText error={action.error.value} />
        {saved.value && <p role="status">{t("settings.saved")}</p>}
        <button type="submit" class="button" data-testid="settings-save">
          {t("settings.save")}
        </button>
      </form>
    </section>
  );
}
