// The operator's page: the school list (import, service per school),
// settings, the data-protection template and every school's checklist,
// accounts of every school, the audit log.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { School } from "../../account/api";
import { useApp } from "../context";
import { AccountsPanel } from "./AccountsPanel";
import { AuditPanel } from "./AuditPanel";
import { ChecklistOverview } from "./ChecklistOverview";
import { ImportPanel } from "./ImportPanel";
import { PrivacyTemplatePanel } from "./PrivacyTemplatePanel";
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
      <PrivacyTemplatePanel />
      <ChecklistOverview />
      <AccountsPanel school={null} schools={schools.value} />
      <AuditPanel key={version.value} />
    </>
  );
}
