// A screen share, large, above the tiles: everybody sees what is shared.
// The sharer sees their own share smaller, with a way to stop it.

import type { ServerConnection } from "../protocol/connection";
import { VideoView } from "./VideoView";
import { useCallView } from "./callContext";
import { useApp, useT } from "./context";

export function ScreenStage({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const view = useCallView();
  const own = app.screen.track.value;
  // The latest share wins the stage when several people share.
  const remote = call.remoteTracks.value.filter((r) => r.kind === "video" && r.source === "screen").slice(-1)[0];
  if (remote !== undefined) {
    const name = call.participants.value.get(remote.participantId)?.name ?? "";
    return (
      <section class="screen-stage" aria-label={t("screen.sharedBy", { name })} data-testid="screen-share" data-participant-id={String(remote.participantId)}>
        <VideoView
          key={remote.trackId}
          track={remote.track}
          testId="screen-video"
          label={t("screen.sharedBy", { name })}
          observe={(video) => view.layout.observe(remote.trackId, video)}
        />
        <p class="screen-stage__caption">{t("screen.sharedBy", { name })}</p>
      </section>
    );
  }
  if (own !== null) {
    return (
      <section class="screen-stage screen-stage--own" aria-label={t("screen.ownShare")} data-testid="screen-share" data-participant-id="self">
        <VideoView track={own} testId="screen-video" label={t("screen.ownShare")} />
        <p class="screen-stage__caption">
          {t("screen.ownShare")}{" "}
          <button type="button" class="button button--small" data-testid="screen-stop" onClick={() => app.screen.stop()}>
            {t("screen.stop")}
          </button>
        </p>
      </section>
    );
  }
  return null;
}
