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
    </header>
  );
}
