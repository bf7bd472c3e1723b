// The operator's settings: allowed e-mail domains, guidance link.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { Settings } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function SettingsPanel() {
  const app = useApp();
  const t = useT();
  const domains = useSignal("");
  const guidance = useSignal("");
  const retention = useSignal(365);
  const saved = useSignal(false);
  const action = useApiAction();
  useEffect(() => {
    void app.account.api.get<Settings>("/api/settings").then((s) => {
      domains.value = s.allowedDomains.join(", ");
      guidance.value = s.guidanceUrl;
      retention.value = s.auditRetentionDays;
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
          const r = await action.run(() => app.account.api.put<Settings>("/api/settings", { allowedDomains, guidanceUrl: guidance.value, auditRetentionDays: retention.value }));
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
        <label class="field">
          <span class="field__label">{t("settings.retention")}</span>
          <input
            type="number"
            min={30}
            max={3650}
            value={retention.value}
            data-testid="settings-retention"
            onInput={(e) => (retention.value = Number(e.currentTarget.value))}
          />
        </label>
        <ApiErrorText error={action.error.value} />
        {saved.value && <p role="status">{t("settings.saved")}</p>}
        <button type="submit" class="button" data-testid="settings-save">
          {t("settings.save")}
        </button>
      </form>
    </section>
  );
}
