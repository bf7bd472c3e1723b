// Data protection in the API: the operator's template values, the
// documents every school gets, the checklist (docs/data-protection.md).

/** The values filled into every school's documents. */
export interface PrivacyTemplate {
  controller: string;
  operator: string;
  dataProtectionOfficer: string;
  legalBasis: string;
  hostingLocation: string;
  supervisoryAuthority: string;
  imprint: string;
}

export const TEMPLATE_FIELDS = [
  "controller",
  "operator",
  "dataProtectionOfficer",
  "legalBasis",
  "hostingLocation",
  "supervisoryAuthority",
  "imprint",
] as const satisfies readonly (keyof PrivacyTemplate)[];

/** The documents, by the name in their address. */
export const DOCUMENTS = [
  "info-schueler",
  "info-kinder",
  "info-eltern",
  "info-lehrkraefte",
  "nutzungsordnung",
  "dienstanweisung",
  "verarbeitungsverzeichnis",
  "tom",
] as const;
export type DocumentKind = (typeof DOCUMENTS)[number];

export function documentPath(school: string, kind: DocumentKind, format: "pdf" | "html"): string {
  return `/api/schools/${encodeURIComponent(school)}/documents/${kind}/${format}`;
}

export const CHECKLIST_ITEMS = [
  "conferenceDecision",
  "staffCouncil",
  "informationHandedOut",
  "usagePolicyIssued",
  "processingRecorded",
] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];
export type ChecklistStatus = "open" | "done" | "notNeeded";

export interface ChecklistEntry {
  item: ChecklistItem;
  status: ChecklistStatus;
  /** YYYY-MM-DD */
  decidedOn: string | null;
  changedAt: number | null;
  changedBy: string | null;
}

export interface SchoolChecklist {
  school: string;
  name: string;
  service: "tafelrunde" | "bigbluebutton";
  items: ChecklistEntry[];
  complete: number;
}

/** The pages for a room's pupils and parents (served by the server, German). */
export function roomDocumentPath(room: string, kind: "nutzungsordnung" | "info-schueler"): string {
  return `/datenschutz/raum/${encodeURIComponent(room)}/${kind}`;
}
