// An API error in the user's language: the code's translation, the line of
// an uploaded list, every problem of it, and for schools on BigBlueButton
// the notice with the guidance link.

import de from "../../i18n/de.json";
import type { MessageKey } from "../../i18n";
import type { ApiErrorBody } from "../../account/api";
import { useT } from "../context";
import { BbbNotice } from "./BbbNotice";

export function errorKey(code: string): MessageKey {
  const key = `apiError.${code}`;
  return (key in de ? key : "apiError.unknown") as MessageKey;
}

export function ApiErrorText({ error }: { error: ApiErrorBody | null }) {
  const t = useT();
  if (error === null) return null;
  if (error.code === "schoolUsesBigBlueButton") return <BbbNotice guidanceUrl={error.guidanceUrl ?? null} />;
  const problems = error.problems ?? [];
  return (
    <div class="alert alert--error" role="alert" data-testid="api-error" data-code={error.code}>
      <p>
        {error.line !== undefined && problems.length === 0 && `${t("apiError.line", { line: error.line })} `}
        {t(errorKey(error.code))}
        {error.field !== undefined && problems.length === 0 && ` ${t("apiError.field", { field: error.field })}`}
      </p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p) => (
            <li key={`${p.line}-${p.code}-${p.field ?? ""}`}>
              {t("apiError.line", { line: p.line })} {t(errorKey(p.code))} ({p.message})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
