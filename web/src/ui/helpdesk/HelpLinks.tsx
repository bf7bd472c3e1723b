// Links to the connection test and the helpdesk form, shown on the start
// page, the pre-join screen, in the room and on the login page. From a
// call they open a new tab, so that the call goes on.

import { keepLang } from "../../app/route";
import { useT } from "../context";

export function HelpLinks({ newTab = false, where }: { newTab?: boolean; where: string }) {
  const t = useT();
  const lang = keepLang(window.location.search);
  const target = newTab ? { target: "_blank", rel: "noopener" } : {};
  return (
    <nav class="help-links row row--wrap" aria-label={t("help.link")}>
      <a href={`/verbindungstest${lang}`} {...target} data-testid={`${where}-connection-test`}>
        {t("help.connectionTest")}
      </a>
      <a href={`/hilfe${lang}`} {...target} data-testid={`${where}-helpdesk`}>
        {t("help.link")}
      </a>
    </nav>
  );
}

/** "Verbindung testen" where a call has trouble; a new tab, so the call can go on. */
export function ConnectionTestLink() {
  const t = useT();
  return (
    <a href={`/verbindungstest${keepLang(window.location.search)}`} target="_blank" rel="noopener" data-testid="banner-connection-test">
      {t("help.connectionTest")}
    </a>
  );
}
