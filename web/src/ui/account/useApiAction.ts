// Runs an API call for a component: busy flag, error to show, result.

import { useSignal, type Signal } from "@preact/signals";

import { ApiError, type ApiErrorBody } from "../../account/api";

export interface Action {
  busy: Signal<boolean>;
  error: Signal<ApiErrorBody | null>;
  run<T>(call: () => Promise<T>): Promise<T | undefined>;
}

export function useApiAction(): Action {
  const busy = useSignal(false);
  const error = useSignal<ApiErrorBody | null>(null);
  return {
    busy,
    error,
    async run<T>(call: () => Promise<T>): Promise<T | undefined> {
      busy.value = true;
      error.value = null;
      try {
        return await call();
      } catch (err) {
        error.value = err instanceof ApiError ? err.body : { code: "unknown", message: String(err) };
        return undefined;
      } finally {
        busy.value = false;
      }
    },
  };
}
