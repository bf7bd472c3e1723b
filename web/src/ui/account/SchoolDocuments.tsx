// A school's data-protection documents, each as PDF and printable HTML.

import { DOCUMENTS, documentPath } from "../../account/privacy";
import { useT } from "../context";

export function SchoolDocuments({ school }: { school: string }) {
  const t = useT();
  return (
    <section class="card stack" aria-labelledby="documents-title">
      <h2 id="documents-title">{t("privacy.documents.title")}</h2>
      <p class="field__hint">{t("privacy.documents.hint")}</p>
      <ul class="documents stack" data-testid="documents-list">
        {DOCUMENTS.map((kind) => (
          <li key={kind} class="row row--between">
            <span>{t(`privacy.doc.${kind}`)}</span>
            <span class="row">
              <a class="button" href={documentPath(school, kind, "pdf")} download data-testid={`document-${kind}-pdf`}>
                {t("privacy.documents.pdf")}
              </a>
              <a class="button" href={documentPath(school, kind, "html")} target="_blank" rel="noopener" data-testid={`document-${kind}-html`}>
                {t("privacy.documents.html")}
              </a>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
