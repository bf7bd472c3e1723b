// `/login`, `/setup`, `/activate`, `/reset` and `/konto`: signing in and,
// once signed in, the page of the account's role.

import { useEffect } from "preact/hooks";

import type { ApiErrorBody } from "../../account/api";
import type { AccountView } from "../../app/route";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { HelpLinks } from "../helpdesk/HelpLinks";
import { ForgotPassword } from "./ForgotPassword";
import { LoginForm } from "./LoginForm";
import { MyDataPanel } from "./MyDataPanel";
import { OperatorPage } from "./OperatorPage";
import { SchoolAdminPage } from "./SchoolAdminPage";
import { TeacherRooms } from "./TeacherRooms";
import { TokenPasswordForm } from "./TokenPasswordForm";

/**
 * `/login#error=CODE`: the identity provider's login failed. Anyone can
 * write such an address, so nothing in it becomes a link: the guidance link
 * for schools on BigBlueButton is the operator's, from the server.
 */
function errorFromHash(guidanceUrl: string | null): ApiErrorBody | null {
  const code = new URLSearchParams(location.hash.replace(/^#/, "")).get("error");
  if (code === null || !/^[A-Za-z]{1,40}$/.test(code)) return null;
  return { code, message: code, guidanceUrl: guidanceUrl ?? undefined };
}

export function AccountPage({ view }: { view: AccountView }) {
  const app = useApp();
  const t = useT();
  useEffect(() => void app.account.refresh(), [app]);
  const session = app.account.session.value;

  if (view === "setup" || view === "activate" || view === "reset") return <TokenPasswordForm kind={view} />;
  if (session === null) return <p class="card" aria-busy="true">{t("account.loading")}</p>;
  const account = session.account;
  if (account === null) {
    return (
      <section class="card account" aria-labelledby="login-title">
        <h1 id="login-title">{t("login.title")}</h1>
        <ApiErrorText error={app.account.ended.value ?? errorFromHash(session.guidanceUrl)} />
        {session.setupRequired && <p class="field__hint">{t("login.setupRequired")}</p>}
        <LoginForm />
        <ForgotPassword />
        <HelpLinks where="login" />
        {session.oidc !== null && (
          <>
            <div class="divider" role="presentation">
              <span>{t("start.or")}</span>
            </div>
            <a class="button" href="/api/oidc/login" data-testid="oidc-login">
              {t("login.oidc", { provider: session.oidc })}
            </a>
          </>
        )}
      </section>
    );
  }
  if (view === "login") {
    // Already signed in: straight to the account's page.
    queueMicrotask(() => app.navigate("/konto"));
  }
  return (
    <section class="account stack" aria-labelledby="account-title">
      <div class="card row row--between">
        <div>
          <h1 id="account-title">{t(`account.title.${account.role}`)}</h1>
          <p class="field__hint" data-testid="account-email">
            {account.email}
            {session.school !== null && ` · ${session.school.name} (${session.school.id})`}
          </p>
        </div>
        <div class="row">
          <button type="button" class="button" data-testid="logout-button" onClick={() => void app.account.logout(false)}>
            {t("account.logout")}
          </button>
          <button type="button" class="button" data-testid="logout-everywhere-button" onClick={() => void app.account.logout(true)}>
            {t("account.logoutEverywhere")}
          </button>
        </div>
      </div>
      {account.role === "operator" && <OperatorPage />}
      {account.role === "schoolAdmin" && <SchoolAdminPage school={account.school ?? ""} />}
      {account.role !== "operator" && <TeacherRooms school={account.school ?? ""} />}
      <MyDataPanel account={account} />
    </section>
  );
}
