// Polling instead of fixed sleeps: wait for a condition, fail with what was seen.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns `{ ok: true, ... }` or the timeout passes.
 * `probe` returns `{ ok, detail }`; on timeout the error names `what` and the
 * last `detail`, so a failure says what the test saw, not only that it waited.
 */
export async function until(what, probe, { timeout = 20_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (last?.ok) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = last === undefined ? '' : `\nlast seen: ${JSON.stringify(last.detail ?? last, null, 1)}`;
      const err = lastError ? `\nlast error: ${lastError.stack ?? lastError}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${seen}${err}`);
    }
    await sleep(interval);
  }
}
