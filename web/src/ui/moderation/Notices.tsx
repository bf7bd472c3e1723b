// What happened to us: "Die Lehrkraft hat dein Mikrofon stummgeschaltet",
// an unmute the room did not allow, and so on. Each notice stays until
// dismissed or for a while.

import { useEffect } from "preact/hooks";

import type { MessageKey, Params } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import type { Notice } from "../../protocol/roomState";
import { Icon } from "../Icon";
import { useT } from "../context";

/** How long a notice stays without being dismissed. */
const NOTICE_MS = 12_000;

function noticeText(n: Notice, t: (key: MessageKey, params?: Params) => string): string {
  switch (n.what) {
    case "unmuteRefused":
      return t(n.kind === "audio" ? "notice.micRefused" : "notice.cameraRefused");
    case "screenRefused":
      return t("notice.screenRefused");
    case "moderated": {
      const by = n.by;
      switch (n.action) {
        case "audioMuted":
          return t("notice.audioMuted", { by });
        case "videoMuted":
          return t("notice.videoMuted", { by });
        case "screenShareStopped":
          return t("notice.screenShareStopped", { by });
        case "promoted":
          return t("notice.promoted", { by });
        case "demoted":
          return t("notice.demoted", { by });
        case "handLowered":
          return t("notice.handLowered", { by });
        case "granted":
          return t(n.kind === "video" ? "notice.grantedVideo" : n.kind === "screen" ? "notice.grantedScreen" : "notice.grantedAudio", { by });
        case "revoked":
          return t(n.kind === "video" ? "notice.revokedVideo" : n.kind === "screen" ? "notice.revokedScreen" : "notice.revokedAudio", { by });
      }
    }
  }
}

function NoticeItem({ call, notice }: { call: ServerConnection; notice: Notice }) {
  const t = useT();
  useEffect(() => {
    const timer = window.setTimeout(() => call.moderation.dismissNotice(notice.seq), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [call, notice.seq]);
  const action = notice.what === "moderated" ? notice.action : notice.what;
  return (
    <li class="alert alert--notice moderation-notice" data-testid="moderation-notice" data-action={action}>
      <p>{noticeText(notice, t)}</p>
      <button type="button" class="icon-button" aria-label={t("common.dismiss")} onClick={() => call.moderation.dismissNotice(notice.seq)}>
        <Icon name="close" size={20} />
      </button>
    </li>
  );
}

export function Notices({ call }: { call: ServerConnection }) {
  const t = useT();
  const notices = call.moderation.notices.value;
  // The live region exists before its first notice, so that it is announced.
  return (
    <ul class="moderation-notices" role="status" aria-live="polite" aria-label={t("notice.label")}>
      {notices.map((n) => (
        <NoticeItem key={n.seq} call={call} notice={n} />
      ))}
    </ul>
  );
}
