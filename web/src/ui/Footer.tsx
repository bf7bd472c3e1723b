import { LanguageSwitch } from "./LanguageSwitch";
import { useT } from "./context";

export function Footer() {
  const t = useT();
  return (
    <footer class="footer">
      <span>{t("footer.tagline")}</span>
      <nav class="footer__links" aria-label={t("footer.legal")}>
        <a href="/datenschutz" data-testid="footer-privacy">
          {t("footer.privacy")}
        </a>
        <a href="/impressum" data-testid="footer-imprint">
          {t("footer.imprint")}
        </a>
      </nav>
      <LanguageSwitch />
    </footer>
  );
}
