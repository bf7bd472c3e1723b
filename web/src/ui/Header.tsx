import { Icon } from "./Icon";
import { useApp, useT } from "./context";

export function Header() {
  const app = useApp();
  const t = useT();
  const home = app.homeHref();
  return (
    <header class="header">
      <a
        class="brand"
        href={home}
        onClick={(e) => {
          e.preventDefault();
          app.navigate(home);
        }}
      >
        <Icon name="logo" size={28} />
        <span>{t("app.name")}</span>
      </a>
      <a
        class="header__account"
        href="/konto"
        data-testid="account-link"
        onClick={(e) => {
          e.preventDefault();
          app.navigate("/konto");
        }}
      >
        {app.account.session.value?.account != null ? t("header.myAccount") : t("header.login")}
      </a>
    </header>
  );
}
