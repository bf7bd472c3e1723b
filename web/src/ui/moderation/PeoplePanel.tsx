// The people panel: for moderators the lobby, raised hands, mute-all,
// the room's settings and ending the meeting; for everybody the list.

import type { ServerConnection } from "../../protocol/connection";
import { useT } from "../context";
import { EndMeeting } from "./EndMeeting";
import { HandQueue } from "./HandQueue";
import { LobbyQueue } from "./LobbyQueue";
import { ParticipantList } from "./ParticipantList";
import { RoomSettingsForm } from "./RoomSettingsForm";
import { ScreenShareUnsupported } from "./ScreenShareButton";
import { youIn } from "./you";

export function PeoplePanel({ call }: { call: ServerConnection }) {
  const t = useT();
  const you = youIn(call);
  return (
    <div class="panel__body" data-testid="people-panel">
      {you.moderator && <LobbyQueue call={call} />}
      {you.moderator && <HandQueue call={call} />}
      {you.moderator && (
        <div class="row row--wrap">
          <button type="button" class="button button--small" data-testid="mute-all" onClick={() => call.moderation.forceMute(undefined, "audio")}>
            {t("people.muteAll")}
          </button>
          <button type="button" class="button button--small" data-testid="cameras-off-all" onClick={() => call.moderation.forceMute(undefined, "video")}>
            {t("people.camerasOffAll")}
          </button>
        </div>
      )}
      <ScreenShareUnsupported call={call} />
      <ParticipantList call={call} you={you} />
      {you.moderator && <RoomSettingsForm call={call} />}
      {you.mayEnd && (
        <div class="panel__section">
          <EndMeeting call={call} />
        </div>
      )}
    </div>
  );
}
