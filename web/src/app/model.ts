// The application state: where we are (route, room phase), the own devices
// and the current server connection. Created once in main.tsx and handed to
// the components through a context; no module-level state.

import { computed, effect, signal, type ReadonlySignal, type Signal } from "@preact/signals";

import { AccountModel } from "../account/model";
import { I18n, initialLang, safeGet, type Lang } from "../i18n";
import { LocalMedia } from "../media/localMedia";
import { ScreenShare, canShareScreen } from "../media/screenShare";
import { ServerConnection } from "../protocol/connection";
import { signalingUrl } from "../protocol/signaling";
import { isChromiumBased } from "./browser";
import { keepLang, parseRoute, roomPath, type Route } from "./route";
import { randomRoomName } from "./roomNames";

/** Where a room page is: choosing devices, in the call, or after leaving. */
export type RoomPhase = "prejoin" | "room" | "left";

export const MAX_ROOM_CHARS = 96;
export const MAX_NAME_CHARS = 64;

const NAME_KEY = "tafelrunde.name";
const NOTICE_KEY = "tafelrunde.browserNoticeDismissed";

export class AppModel {
  readonly i18n: I18n;
  readonly media = new LocalMedia();
  /** The own screen share (only while in a call). */
  readonly screen = new ScreenShare();
  /** False on phones and tablets: no screen sharing there. */
  readonly screenSupported: boolean;
  /** The signed-in account, if any (web/src/account). */
  readonly account = new AccountModel();
  /** The display name as typed; remembered on joining. */
  readonly displayName: Signal<string>;

  private readonly _route: Signal<Route>;
  private readonly _phase = signal<RoomPhase>("prejoin");
  private readonly _call = signal<ServerConnection | null>(null);
  private readonly _noticeDismissed: Signal<boolean>;
  private readonly storage: Storage | null;

  readonly route: ReadonlySignal<Route>;
  readonly phase: ReadonlySignal<RoomPhase> = this._phase;
  /** The connection of the current (or just ended) call. */
  readonly call: ReadonlySignal<ServerConnection | null> = this._call;
  readonly showBrowserNotice: ReadonlySignal<boolean>;

  constructor(private readonly win: Window) {
    this.storage = storageOf(win);
    this.i18n = new I18n(initialLang(win.location.search, this.storage), this.storage);
    this.displayName = signal(safeGet(this.storage, NAME_KEY) ?? "");
    this._route = signal(parseRoute(win.location.pathname));
    this.route = this._route;
    this._noticeDismissed = signal(safeGet(this.storage, NOTICE_KEY) === "1");
    const chromium = isChromiumBased(win.navigator);
    this.screenSupported = canShareScreen(win);
    this.showBrowserNotice = computed(() => !chromium && !this._noticeDismissed.value);

    win.addEventListener("popstate", () => this.setRoute(parseRoute(win.location.pathname)));
    win.addEventListener("pagehide", () => this._call.value?.leave());

    effect(() => {
      const call = this._call.value;
      const mic = this.media.micTrack.value;
      call?.setLocalTrack("audio", mic);
    });
    effect(() => {
      const call = this._call.value;
      const cam = this.media.camTrack.value;
      call?.setLocalTrack("video", cam);
    });
    effect(() => {
      const call = this._call.value;
      const screen = this.screen.track.value;
      call?.setScreenTrack(screen);
    });
    // When the server ends the call, the devices go off (camera light out).
    effect(() => {
      if (this._call.value?.status.value === "closed") {
        this.media.stopAll();
        this.screen.stop();
      }
    });
    effect(() => {
      const doc = win.document;
      doc.documentElement.lang = this.i18n.lang.value;
      doc.title = this.i18n.t("app.title");
    });
  }

  /** The start page's link target for a room, keeping `?lang=`. */
  roomHref(room: string): string {
    return roomPath(room) + keepLang(this.win.location.search);
  }

  homeHref(): string {
    return "/" + keepLang(this.win.location.search);
  }

  navigate(href: string): void {
    this.win.history.pushState(null, "", href);
    this.setRoute(parseRoute(this.win.location.pathname));
    this.win.scrollTo(0, 0);
  }

  enterRoom(room: string): void {
    this.navigate(this.roomHref(room.trim()));
  }

  createRoom(): void {
    this.enterRoom(randomRoomName());
  }

  /** Joins the room of the current route with the current display name. */
  join(): void {
    const route = this._route.value;
    const name = cleanName(this.displayName.value);
    if (route.page !== "room" || name === "") return;
    this.displayName.value = name;
    try {
      this.storage?.setItem(NAME_KEY, name);
    } catch {
      // Not remembered; joining works all the same.
    }
    this._call.value?.leave();
    this._call.value = new ServerConnection({
      url: signalingUrl(this.win.location),
      room: route.room,
      name,
      audio: this.media.micTrack.value,
      video: this.media.camTrack.value,
      forceOff: (kind) => {
        if (kind === "audio") this.media.switchOff("microphone");
        else if (kind === "video") this.media.switchOff("camera");
        else this.screen.stop();
      },
    });
    this._phase.value = "room";
  }

  leave(): void {
    this._call.value?.leave();
    this.media.stopAll();
    this.screen.stop();
    this._phase.value = "left";
  }

  /**
   * Back to the pre-join screen of the same room, the name filled in:
   * camera and microphone stay off until switched on again.
   */
  rejoin(): void {
    this._call.value?.leave();
    this._call.value = null;
    this._phase.value = "prejoin";
  }

  setLang(lang: Lang): void {
    this.i18n.setLang(lang);
    const url = new URL(this.win.location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", lang);
      this.win.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
  }

  dismissBrowserNotice(): void {
    this._noticeDismissed.value = true;
    try {
      this.storage?.setItem(NOTICE_KEY, "1");
    } catch {
      // Dismissed for this page only.
    }
  }

  private setRoute(route: Route): void {
    const old = this._route.value;
    const sameRoom = old.page === "room" && route.page === "room" && old.room === route.room;
    if (!sameRoom) {
      this._call.value?.leave();
      this._call.value = null;
      this.media.stopAll();
      this.screen.stop();
      this._phase.value = "prejoin";
    }
    this._route.value = route;
  }
}

/** Trims and removes control characters, which the server refuses. */
export function cleanName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim().slice(0, MAX_NAME_CHARS);
}

function storageOf(win: Window): Storage | null {
  try {
    return win.localStorage;
  } catch {
    return null;
  }
}
