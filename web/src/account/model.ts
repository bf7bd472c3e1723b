// The signed-in state: the session (account, CSRF token, school), kept
// fresh by polling while someone is logged in, so that a session the
// server ended (e.g. the school switched to BigBlueButton) shows at once.

import { signal, type ReadonlySignal } from "@preact/signals";

import { Api, ApiError, type ApiErrorBody, type SessionInfo } from "./api";

/** How often a logged-in page asks whether its session still holds. */
const POLL_MS = 4000;

export class AccountModel {
  private readonly _session = signal<SessionInfo | null>(null);
  private readonly _ended = signal<ApiErrorBody | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** null until the first answer. */
  readonly session: ReadonlySignal<SessionInfo | null> = this._session;
  /** Why the session ended, when the server ended it. */
  readonly ended: ReadonlySignal<ApiErrorBody | null> = this._ended;
  readonly api = new Api(() => this._session.value?.csrf ?? null);

  async refresh(): Promise<void> {
    try {
      const info = await this.api.get<SessionInfo>("/api/session");
      if (info.ended !== null) this._ended.value = info.ended;
      this.set(info);
    } catch (e) {
      if (e instanceof ApiError && e.status === 503) {
        this.set({ account: null, csrf: null, setupRequired: false, school: null, ended: null, oidc: null, guidanceUrl: null });
      }
    }
  }

  /** After login, setup or activation: the answer is the new session. */
  set(info: SessionInfo): void {
    this._session.value = info;
    if (info.account !== null) this._ended.value = null;
    this.poll(info.account !== null);
  }

  /** The notice of an ended session has been read (a new login begins). */
  clearEnded(): void {
    this._ended.value = null;
  }

  async logout(everywhere: boolean): Promise<void> {
    try {
      await this.api.post(everywhere ? "/api/logout-everywhere" : "/api/logout");
    } finally {
      const before = this._session.value;
      this.set({ account: null, csrf: null, setupRequired: false, school: null, ended: null, oidc: before?.oidc ?? null, guidanceUrl: before?.guidanceUrl ?? null });
    }
  }

  private poll(on: boolean): void {
    if (on && this.timer === null) {
      this.timer = setInterval(() => void this.refresh(), POLL_MS);
    } else if (!on && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
