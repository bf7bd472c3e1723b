// Where things are, and how long to wait for them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(e2eDir, '..', '..');
export const artifactsDir = process.env.E2E_ARTIFACTS ?? path.join(e2eDir, 'artifacts');

// A loaded CI machine (2 cores, Chromium decoding several videos) is slow; the
// tests poll for conditions, so a larger scale only costs time when something is
// actually wrong.
const scale = Number(process.env.E2E_TIMEOUT_SCALE ?? '1') || 1;

/** A timeout in milliseconds, scaled by E2E_TIMEOUT_SCALE. */
export function ms(n) {
  return Math.round(n * scale);
}

/** A short, unique, file-name-safe label for room names and artifact folders. */
export function uniqueLabel(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
