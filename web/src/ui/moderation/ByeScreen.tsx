// The call ended for a reason of the room: removed, not let in, ended for
// all, the test's time is up, the school moved to BigBlueButton, or the
// login the call was joined with ended (logout, deactivation).

import { useEffect, useRef } from "preact/hooks";

import type { MessageKey } from "../../i18n";
import { useApp, useT } from "../context";

/** Bye reasons that get this screen, and their text. */
export const ROOM_BYES: Readonly<Record<string, { title: MessageKey; text: MessageKey; rejoin: boolean }>> = {
  removed: { title: "bye.removedTitle", text: "bye.removed", rejoin: true },
  denied: { title: "bye.deniedTitle", text: "bye.denied", rejoin: true },
  meetingEnded: { title: "bye.meetingEndedTitle", text: "bye.meetingEnded", rejoin: false },
  testOver: { title: "bye.testOverTitle", text: "bye.testOver", rejoin: true },
  schoolUsesBigBlueButton: { title: "bye.bbbTitle", text: "bye.schoolUsesBigBlueButton", rejoin: false },
  sessionEnded: { title: "bye.sessionEndedTitle", text: "bye.sessionEnded", rejoin: false },
};

export function ByeScreen({ reason }: { reason: string }) {
  const app = useApp();
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const bye = ROOM_BYES[reason];
  if (bye === undefined) return null;
  return (
    <section class="card waiting" data-testid="bye-screen" data-reason={reason} aria-labelledby="bye-title">
      <h1 id="bye-title" tabIndex={-1} ref={heading}>
        {t(bye.title)}
      </h1>
      <p class="lead" data-testid="error-message">
        {t(bye.text)}
      </p>
      <div class="row">
        {bye.rejoin && (
          <button type="button" class="button button--primary" data-testid="rejoin-button" onClick={() => app.rejoin()}>
            {t("left.rejoin")}
          </button>
        )}
        <button type="button" class="button" onClick={() => app.navigate(app.homeHref())}>
          {t("left.home")}
        </button>
      </div>
    </section>
  );
}
