// Hands the CallView of the open call to the room's components.

import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { CallView } from "../app/callView";

export const CallViewContext = createContext<CallView | null>(null);

export function useCallView(): CallView {
  const view = useContext(CallViewContext);
  if (view === null) throw new Error("CallViewContext missing");
  return view;
}
