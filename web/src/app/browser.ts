// Is this a Chromium-based browser? Tafelrunde recommends one (performance
// and stability of WebRTC) but never locks anybody out.

interface Brand {
  brand: string;
}
interface NavigatorUAData {
  brands?: readonly Brand[];
}

const CHROMIUM_BRANDS = ["Chromium", "Google Chrome", "Microsoft Edge", "HeadlessChrome"];

export function isChromiumBased(nav: Navigator): boolean {
  const data = (nav as Navigator & { userAgentData?: NavigatorUAData }).userAgentData;
  if (data?.brands !== undefined && data.brands.length > 0) {
    return data.brands.some((b) => CHROMIUM_BRANDS.includes(b.brand));
  }
  // userAgentData exists only in Chromium (and only on secure origins);
  // elsewhere the user agent string decides. Firefox and Safari never say
  // "Chrome/" except Safari on iOS, which says "CriOS/" for Chrome (WebKit inside).
  const ua = nav.userAgent;
  return /\b(Chrome|Chromium|Edg)\/\d/.test(ua) && !/\b(Firefox|FxiOS|CriOS|EdgiOS)\//.test(ua);
}
