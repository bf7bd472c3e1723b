// The operator's page: the school list (import, service per school),
// settings, accounts of every school, the audit log.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { School } from "../../account/api";
import { useApp } from "../context";
import { AccountsPanel } from "./AccountsPanel";
import { AuditPanel } from "./AuditPanel";
import { ImportPanel } from "./ImportPanel";
import { SchoolsTable } from "./SchoolsTable";
import { SettingsPanel } from "./SettingsPanel";
import { QueueLink } from "../helpdesk/QueueLink";

export function OperatorPage() {
  const app = useApp();
  const schools = useSignal<School[]>([]);
  const version = useSignal(0);
  const reload = async () => {
    try {
      schools.value = await app.account.api.get<School[]>("/api/schools");
    } finally {
      version.value++;
    }
  };
  useEffect(() => void reload(), []);
  return (
    <>
      <QueueLink />
      <ImportPanel onImported={() => void reload()} />
      <SchoolsTable schools={schools.value} onChanged={() => void reload()} />
      <SettingsPanel />
      <AccountsPanel school={null} schools={schools.value} />
      <AuditPanel key={version.value} />
    </>
  );
}
