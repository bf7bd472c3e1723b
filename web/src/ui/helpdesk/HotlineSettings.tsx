// The operator sets the hotline's number and hours shown beside the form.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { FormInfo, Hotline } from "../../helpdesk/api";
import { ApiErrorText } from "../account/ApiErrorText";
import { useApiAction } from "../account/useApiAction";
import { useApp, useT } from "../context";

export function HotlineSettings() {
  const app = useApp();
  const t = useT();
  const number = useSignal("");
  const hours = useSignal("");
  const saved = useSignal(false);
  const action = useApiAction();
  useEffect(() => {
    void app.account.api.get<FormInfo>("/api/helpdesk/form").then((f) => {
      number.value = f.hotline.number;
      hours.value = f.hotline.hours;
    });
  }, []);
  return (
    <section class="card stack" aria-labelledby="hotline-settings-title">
      <h2 id="hotline-settings-title">{t("hotline.title")}</h2>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          saved.value = false;
          const r = await action.run(() => app.account.api.put<Hotline>("/api/helpdesk/hotline", { number: number.value, hours: hours.value }));
          saved.value = r !== undefined;
        }}
      >
        <label class="field">
          <span class="field__label">{t("hotline.number")}</span>
          <input type="tel" value={number.value} placeholder="0431 988-1234" data-testid="hotline-number" onInput={(e) => (number.value = e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field__label">{t("hotline.hours")}</span>
          <input type="text" value={hours.value} placeholder={t("hotline.hoursPlaceholder")} data-testid="hotline-hours" onInput={(e) => (hours.value = e.currentTarget.value)} />
        </label>
        <ApiErrorText error={action.error.value} />
        {saved.value && (
          <p role="status" class="field__hint">
            {t("hotline.saved")}
          </p>
        )}
        <button type="submit" class="button" data-testid="hotline-save">
          {t("hotline.save")}
        </button>
      </form>
    </section>
  );
}
