// Paths of the client: `/` is the start page, `/r/<room>` a room. The server
// serves index.html for every path outside /assets and /ws.

/** Pages of accounts and administration (web/src/ui/account). */
export type AccountView = "login" | "setup" | "activate" | "reset" | "account";

/** Help pages (web/src/ui/helpdesk, web/src/ui/connection-test). */
export type HelpView = "form" | "test" | "queue";

export type Route =
  | { page: "start" }
  | { page: "room"; room: string }
  | { page: "account"; view: AccountView }
  | { page: "help"; view: HelpView };

const HELP_PATHS: Readonly<Record<string, HelpView>> = {
  "/hilfe": "form",
  "/verbindungstest": "test",
  "/hilfe/anfragen": "queue",
};

const ACCOUNT_PATHS: Readonly<Record<string, AccountView>> = {
  "/login": "login",
  "/setup": "setup",
  "/activate": "activate",
  "/reset": "reset",
  "/konto": "account",
};

const ROOM_PREFIX = "/r/";

export function parseRoute(pathname: string): Route {
  const view = ACCOUNT_PATHS[pathname.replace(/\/+$/, "")];
  if (view !== undefined) return { page: "account", view };
  const help = HELP_PATHS[pathname.replace(/\/+$/, "")];
  if (help !== undefined) return { page: "help", view: help };
  if (!pathname.startsWith(ROOM_PREFIX)) return { page: "start" };
  const segment = pathname.slice(ROOM_PREFIX.length).replace(/\/+$/, "");
  if (segment === "") return { page: "start" };
  let room: string;
  try {
    room = decodeURIComponent(segment);
  } catch {
    room = segment;
  }
  return room.trim() === "" ? { page: "start" } : { page: "room", room };
}

/** The path of a room page. */
export function roomPath(room: string): string {
  return ROOM_PREFIX + encodeURIComponent(room);
}

/** Keeps only `?lang=` of the current query, so links keep the language. */
export function keepLang(search: string): string {
  const lang = new URLSearchParams(search).get("lang");
  return lang === null ? "" : `?lang=${encodeURIComponent(lang)}`;
}
