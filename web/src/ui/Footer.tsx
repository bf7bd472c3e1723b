import { LanguageSwitch } from "./LanguageSwitch";
import { useT } from "./context";

export function Footer() {
  const t = useT();
  return (
    <footer class="footer">
      <span>{t("footer.tagline")}</span>
      <LanguageSwitch />
    </footer>
  );
}
