// The school uses BigBlueButton in itslearning: said in plain words, with
// the operator's link to the guidance page.

import { useT } from "../context";

export function BbbNotice({ guidanceUrl }: { guidanceUrl: string | null }) {
  const t = useT();
  return (
    <div class="alert alert--notice" role="alert" data-testid="bbb-notice">
      <p>
        <strong>{t("bbb.title")}</strong>
      </p>
      <p>{t("bbb.text")}</p>
      {guidanceUrl !== null && guidanceUrl !== "" && (
        <p>
          <a href={guidanceUrl} rel="noopener noreferrer" data-testid="bbb-guidance-link">
            {t("bbb.link")}
          </a>
        </p>
      )}
    </div>
  );
}
