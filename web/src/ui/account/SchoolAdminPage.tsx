// A school admin's page: the school's data-protection documents and
// checklist, its accounts and its audit log.

import { AccountsPanel } from "./AccountsPanel";
import { AuditPanel } from "./AuditPanel";
import { ChecklistPanel } from "./ChecklistPanel";
import { SchoolDocuments } from "./SchoolDocuments";

export function SchoolAdminPage({ school }: { school: string }) {
  return (
    <>
      <SchoolDocuments school={school} />
      <ChecklistPanel school={school} />
      <AccountsPanel school={school} schools={[]} />
      <AuditPanel />
    </>
  );
}
