// A school admin's page: the school's accounts and its audit log.

import { AccountsPanel } from "./AccountsPanel";
import { AuditPanel } from "./AuditPanel";

export function SchoolAdminPage({ school }: { school: string }) {
  return (
    <>
      <AccountsPanel school={school} schools={[]} />
      <AuditPanel />
    </>
  );
}
