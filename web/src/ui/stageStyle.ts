// Helpers for the CSS custom properties the views set (through the CSSOM,
// which the page's CSP allows, unlike style attributes in markup).

export function px(value: number): string {
  return `${Math.max(0, Math.floor(value))}px`;
}

/** An aspect ratio for the CSS `aspect-ratio` property. */
export function aspectValue(aspect: number): string {
  return Math.abs(aspect - 4 / 3) < 0.01 ? "4 / 3" : "16 / 9";
}
