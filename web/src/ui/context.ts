// Hands the AppModel to the components without module-level state.

import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { AppModel } from "../app/model";
import type { MessageKey, Params } from "../i18n";

export const AppContext = createContext<AppModel | null>(null);

export function useApp(): AppModel {
  const app = useContext(AppContext);
  if (app === null) throw new Error("AppContext missing");
  return app;
}

/** The translate function; reading it subscribes the component to the language. */
export function useT(): (key: MessageKey, params?: Params) => string {
  const app = useApp();
  // Touch the signal so that a language switch re-renders this component.
  void app.i18n.lang.value;
  return app.i18n.t;
}
