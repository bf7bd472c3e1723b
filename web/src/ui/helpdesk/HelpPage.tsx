// The help pages: the request form, the connection test, and the
// operator staff's queue.

import type { HelpView } from "../../app/route";
import { ConnectionTestPage } from "../connection-test/ConnectionTestPage";
import { HelpdeskForm } from "./HelpdeskForm";
import { HelpdeskQueue } from "./HelpdeskQueue";

export function HelpPage({ view }: { view: HelpView }) {
  if (view === "test") return <ConnectionTestPage />;
  if (view === "queue") return <HelpdeskQueue />;
  return <HelpdeskForm />;
}
