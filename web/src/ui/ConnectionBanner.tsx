// Connecting, on the way back after a drop, connection trouble, or why the
// call ended (with a way back in).

import type { MessageKey } from "../i18n";
import type { CloseReason, ServerConnection } from "../protocol/connection";
import type { ByeReason } from "../protocol/messages";
import { serverErrorKey } from "./serverErrors";
import { useApp, useT } from "./context";
import { ConnectionTestLink } from "./helpdesk/HelpLinks";

const BYE_KEYS: Readonly<Record<ByeReason, MessageKey>> = {
  left: "bye.left",
  serverShutdown: "bye.serverShutdown",
  connectionLost: "bye.connectionLost",
  protocolAbuse: "bye.protocolAbuse",
  internalError: "bye.internalError",
  schoolUsesBigBlueButton: "bye.schoolUsesBigBlueButton",
  removed: "bye.removed",
  denied: "bye.denied",
  meetingEnded: "bye.meetingEnded",
  testOver: "bye.testOver",
  sessionEnded: "bye.sessionEnded",
};

function closeText(reason: CloseReason, t: (key: MessageKey, params?: Record<string, string>) => string): string {
  switch (reason.kind) {
    case "bye":
      return t(BYE_KEYS[reason.reason]);
    case "socketClosed":
      return t(reason.opened ? "connection.socketClosed" : "connection.unreachable");
    case "joinRefused":
      return t("connection.joinRefused", { reason: t(serverErrorKey(reason.code)) });
    case "left":
      return t("bye.left");
  }
}

export function ConnectionBanner({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const status = call.status.value;
  const reason = call.closeReason.value;

  if (status === "connecting") {
    return (
      <p class="banner" role="status">
        {t("connection.connecting")}
      </p>
    );
  }
  if (status === "reconnecting") {
    // The room stays on screen; a live region says why nothing moves.
    return (
      <div class="banner banner--warning" role="status" aria-live="polite" data-testid="reconnecting-banner">
        <p>{t("connection.reconnecting")}</p>
        {call.reconnectCause.value === "serverRestart" && <p>{t("connection.serverRestarting")}</p>}
        {call.moderation.you.value?.role === "owner" && <p data-testid="owner-kept">{t("connection.ownerKeptReconnecting")}</p>}
      </div>
    );
  }
  if (status === "closed" && reason !== null && reason.kind !== "left") {
    return (
      <div class="banner banner--error" role="alert">
        <p data-testid="error-message">{closeText(reason, t)}</p>
        {((reason.kind === "socketClosed" && reason.opened) || (reason.kind === "bye" && reason.reason === "connectionLost")) &&
          call.moderation.you.value?.role === "owner" && (
          // The server keeps the owner's role for a while (rooms.owner_grace).
          <p data-testid="owner-kept">{t("connection.ownerKept")}</p>
        )}
        <div class="row">
          {reason.kind === "joinRefused" ? (
            <button type="button" class="button button--primary" onClick={() => app.rejoin()}>
              {t("connection.backToSettings")}
            </button>
          ) : (
            <button type="button" class="button button--primary" data-testid="rejoin-button" onClick={() => app.rejoin()}>
              {t("left.rejoin")}
            </button>
          )}
          {(reason.kind === "socketClosed" || (reason.kind === "bye" && reason.reason === "connectionLost")) && <ConnectionTestLink />}
        </div>
      </div>
    );
  }
  if (call.mediaState.value === "failed" || call.mediaState.value === "disconnected") {
    return (
      <p class="banner banner--warning" role="status">
        {t(call.mediaState.value === "failed" ? "connection.mediaFailed" : "connection.mediaDisconnected")}{" "}
        <ConnectionTestLink />
      </p>
    );
  }
  return null;
}
