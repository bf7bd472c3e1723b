// The operator's values for every school's data-protection documents:
// controller, operator, data protection officer, legal basis, hosting
// location, supervisory authority, imprint.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import { TEMPLATE_FIELDS, type PrivacyTemplate } from "../../account/privacy";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function PrivacyTemplatePanel() {
  const app = useApp();
  const t = useT();
  const values = useSignal<PrivacyTemplate | null>(null);
  const saved = useSignal(false);
  const action = useApiAction();
  useEffect(() => {
    void app.account.api.get<PrivacyTemplate>("/api/privacy/template").then((v) => (values.value = v));
  }, []);
  const current = values.value;
  if (current === null) return null;
  return (
    <section class="card stack" aria-labelledby="privacy-template-title">
      <h2 id="privacy-template-title">{t("privacy.template.title")}</h2>
      <p class="field__hint">{t("privacy.template.hint")}</p>
      <form
        class="stack privacy-template"
        onSubmit={async (e) => {
          e.preventDefault();
          saved.value = false;
          const r = await action.run(() => app.account.api.put<PrivacyTemplate>("/api/privacy/template", current));
          if (r !== undefined) values.value = r;
          saved.value = r !== undefined;
        }}
      >
        {TEMPLATE_FIELDS.map((field) => (
          <label class="field" key={field}>
            <span class="field__label">{t(`privacy.template.${field}`)}</span>
            <textarea
              rows={field === "imprint" || field === "legalBasis" ? 4 : 2}
              value={current[field]}
              data-testid={`privacy-template-${field}`}
              onInput={(e) => (values.value = { ...current, [field]: e.currentTarget.value })}
            />
          </label>
        ))}
        <ApiErrorText error={action.error.value} />
        {saved.value && <p role="status">{t("settings.saved")}</p>}
        <button type="submit" class="button" data-testid="privacy-template-save" disabled={action.busy.value}>
          {t("settings.save")}
        </button>
      </form>
    </section>
  );
}
