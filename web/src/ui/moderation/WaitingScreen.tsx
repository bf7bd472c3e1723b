// Outside the room: a teacher has not opened it yet, or we knocked at the
// lobby (automatically, on arrival). The page lets us in by itself.

import { useEffect, useRef } from "preact/hooks";

import type { ServerConnection } from "../../protocol/connection";
import { useApp, useT } from "../context";
import { PasswordPrompt } from "./PasswordPrompt";

export function WaitingScreen({ call, room }: { call: ServerConnection; room: string }) {
  const app = useApp();
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  const reason = call.waiting.value;
  useEffect(() => heading.current?.focus(), [reason]);
  if (call.passwordPrompt.value !== null) return <PasswordPrompt call={call} room={room} />;
  const lobby = reason === "lobby";
  return (
    <section class="card waiting" data-testid="waiting" data-reason={reason ?? ""} aria-labelledby="waiting-title">
      <h1 id="waiting-title" tabIndex={-1} ref={heading}>
        {t(lobby ? "waiting.lobbyTitle" : "waiting.notOpenTitle")}
      </h1>
      <p class="lead" role="status">
        {t(lobby ? "waiting.lobbyText" : "waiting.notOpenText", { room })}
      </p>
      <div class="waiting__dots" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <div class="row">
        <button type="button" class="button" data-testid="waiting-leave" onClick={() => app.leave()}>
          {t("waiting.leave")}
        </button>
      </div>
    </section>
  );
}
