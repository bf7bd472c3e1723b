// The JSON API of schools, accounts and rooms (docs/api.md). Requests go to
// the same origin with the session cookie; changes carry the CSRF token.

export type Role = "operator" | "schoolAdmin" | "teacher";
export type AccountStatus = "pending" | "active" | "deactivated";
export type Service = "tafelrunde" | "bigbluebutton";

export interface Account {
  id: string;
  email: string;
  role: Role;
  school: string | null;
  status: AccountStatus;
  createdAt: number;
  activatedAt: number | null;
}

export interface School {
  id: string;
  name: string;
  kind: string;
  town: string;
  itslearning: boolean;
  service: Service;
  serviceReason: string | null;
  serviceChangedAt: number | null;
}

export interface ApiProblem {
  line: number;
  field?: string;
  code: string;
  message: string;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  line?: number;
  guidanceUrl?: string;
  problems?: ApiProblem[];
}

export interface SessionInfo {
  account: Account | null;
  csrf: string | null;
  setupRequired: boolean;
  school: School | null;
  ended: ApiErrorBody | null;
  /** Label of the identity provider's login button, if there is one. */
  oidc: string | null;
  /** The operator's guidance link for schools on BigBlueButton (null: none). */
  guidanceUrl: string | null;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  switchedToBigbluebutton: string[];
  switchedToTafelrunde: string[];
}

export interface Invitation {
  account: Account;
  activationLink: string;
  mailed: boolean;
}

export interface Room {
  name: string;
  school: string;
  lobby: boolean;
  hasPassword: boolean;
  createdAt: number;
}

export interface RoomPolicy {
  allowed: boolean;
  school: string | null;
  schoolName: string | null;
  service: Service | null;
  guidanceUrl: string | null;
}

export interface Settings {
  allowedDomains: string[];
  guidanceUrl: string;
  /** Days the audit log keeps an entry (30 to 3650). */
  auditRetentionDays: number;
  /** Days the server's log lines are kept (1 to 90; the system journal's setting). */
  logRetentionDays: number;
  /** Days a helpdesk ticket is kept after its last change (7 to 730). */
  helpdeskRetentionDays: number;
  /** Days a deactivated account is kept before it is deleted (1 to 730). */
  deactivatedAccountRetentionDays: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  school: string | null;
  target: string | null;
  detail: string;
}

/** An answer of the API that is not a success. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

/** The API for one page; `csrf` is read before every change. */
export class Api {
  constructor(private readonly csrf: () => string | null) {}

  async call<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = this.csrf();
    if (method !== "GET" && token !== null) headers["x-csrf-token"] = token;
    let payload: BodyInit | undefined;
    if (body instanceof ArrayBuffer || body instanceof Blob) {
      payload = body;
      headers["content-type"] = contentType;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    } catch {
      throw new ApiError(0, { code: "network", message: "network error" });
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!response.ok) {
      const err = (json as { error?: ApiErrorBody } | null)?.error;
      throw new ApiError(response.status, err ?? { code: "http" + response.status, message: text });
    }
    return json as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>("POST", path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>("PUT", path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<void>("DELETE", path);
  }

  upload<T>(path: string, file: Blob): Promise<T> {
    const type = file.type !== "" ? file.type : "application/octet-stream";
    return this.call<T>("POST", path, file, type);
  }
}
