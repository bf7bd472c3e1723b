// A link to the other language; switches in place (no reload, so it is safe
// on every page) and remembers the choice.

import type { Lang } from "../i18n";
import { useApp, useT } from "./context";

export function LanguageSwitch() {
  const app = useApp();
  const t = useT();
  const other: Lang = app.i18n.lang.value === "de" ? "en" : "de";
  return (
    <a
      class="lang-switch"
      href={`?lang=${other}`}
      hrefLang={other}
      lang={other}
      aria-label={t("footer.switchLanguageLabel")}
      onClick={(e) => {
        e.preventDefault();
        app.setLang(other);
      }}
    >
      {t("footer.otherLanguage")}
    </a>
  );
}
