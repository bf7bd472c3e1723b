// The helpdesk's API (docs/api.md, docs/helpdesk.md): the public form and
// the operator staff's queue.

import type { Diagnosis } from "../diagnostics/connectionTest";

export const CATEGORIES = ["connection", "audioVideo", "account", "room", "privacy", "other"] as const;
export type Category = (typeof CATEGORIES)[number];
export type TicketStatus = "new" | "inProgress" | "done";
export const STATUSES: readonly TicketStatus[] = ["new", "inProgress", "done"];

export interface Hotline {
  number: string;
  hours: string;
}

export interface FormInfo {
  formToken: string;
  hotline: Hotline;
  repliesByMail: boolean;
}

export interface NewTicket {
  category: Category;
  description: string;
  email: string;
  school: string;
  diagnosis: Diagnosis | null;
  formToken: string;
  /** The honeypot: hidden from people, stays empty. */
  website: string;
}

export interface Filed {
  number: string;
}

export interface TicketEntry {
  id: number;
  at: number;
  author: string;
  kind: "note" | "reply";
  body: string;
  mailed: boolean;
}

export interface Ticket {
  id: number;
  number: string;
  createdAt: number;
  updatedAt: number;
  category: Category;
  description: string;
  email: string | null;
  school: string | null;
  /** What was attached; checked with asDiagnosis() before it is shown. */
  diagnosis: unknown;
  status: TicketStatus;
  assignee: string | null;
  assigneeEmail: string | null;
  entries: TicketEntry[];
}

export const MIN_DESCRIPTION_CHARS = 10;
export const MAX_DESCRIPTION_CHARS = 5000;
