// Accessibility checks that run inside the page.

/**
 * Runs in the page: visible controls without an accessible name, as short
 * HTML snippets (an empty list is the goal).
 */
export function unnamedControls() {
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) return labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    if (el.labels?.length) return [...el.labels].map((l) => l.textContent).join(' ').trim();
    if (el.tagName === 'BUTTON' || el.tagName === 'SUMMARY') return (el.textContent ?? '').trim() || el.title;
    return el.title || '';
  };
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  return [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary, a[href]')]
    .filter(visible)
    .filter((el) => !(el.tagName === 'A' ? el.textContent.trim() || el.getAttribute('aria-label') : nameOf(el)))
    .map((el) => el.outerHTML.slice(0, 120));
}
