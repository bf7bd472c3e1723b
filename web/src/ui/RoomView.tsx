// The call: tiles of everybody, the control bar, the remote audio.

import { useEffect, useMemo } from "preact/hooks";

import { CallView } from "../app/callView";
import type { ServerConnection } from "../protocol/connection";
import { ConnectionBanner } from "./ConnectionBanner";
import { ControlBar } from "./ControlBar";
import { RemoteAudio } from "./RemoteAudio";
import { ServerErrorNotice } from "./ServerErrorNotice";
import { ScreenStage } from "./ScreenStage";
import { SidePanel } from "./SidePanel";
import { Stage } from "./Stage";
import { CallViewContext } from "./callContext";
import { useT } from "./context";
import { HelpLinks } from "./helpdesk/HelpLinks";
import { ByeScreen, ROOM_BYES } from "./moderation/ByeScreen";
import { LobbyAlert } from "./moderation/LobbyAlert";
import { Notices } from "./moderation/Notices";
import { ReactionsShown } from "./moderation/ReactionsShown";
import { UnmuteRequestDialog } from "./moderation/UnmuteRequestDialog";
import { WaitingScreen } from "./moderation/WaitingScreen";

export function RoomView({ room, call }: { room: string; call: ServerConnection }) {
  const t = useT();
  const view = useMemo(() => new CallView(call, window), [call]);
  useEffect(() => () => view.dispose(), [view]);
  const status = call.status.value;
  const count = status === "connected" || status === "reconnecting" ? call.participants.value.size + 1 : null;
  const audio = call.remoteTracks.value.filter((r) => r.kind === "audio");
  const reason = call.closeReason.value;
  const roomBye = reason?.kind === "bye" && ROOM_BYES[reason.reason] !== undefined ? reason.reason : null;
  if (status === "waiting" || call.passwordPrompt.value !== null) {
    return (
      <div class="room room--outside" data-testid="room" data-connection={status}>
        <WaitingScreen call={call} room={room} />
      </div>
    );
  }
  if (roomBye !== null) {
    return (
      <div class="room room--outside" data-testid="room" data-connection={status}>
        <ByeScreen reason={roomBye} />
      </div>
    );
  }
  return (
    <CallViewContext.Provider value={view}>
      <div class="room" data-testid="room" data-connection={status} data-media={call.mediaState.value}>
        <header class="room__header">
          <h1 class="room__title">{call.room.value !== "" ? call.room.value : room}</h1>
          {count !== null && <span class="room__count">{t("room.count", { n: count })}</span>}
          <HelpLinks newTab where="room" />
        </header>
        <ConnectionBanner call={call} />
        <ServerErrorNotice call={call} />
        <Notices call={call} />
        <LobbyAlert call={call} />
        <div class="room__body">
          <div class="room__main">
            <ScreenStage call={call} />
            <Stage />
            <ReactionsShown call={call} />
          </div>
          <SidePanel call={call} />
        </div>
        {status !== "closed" && <ControlBar call={call} />}
        <UnmuteRequestDialog call={call} />
        <div class="remote-audio">
          {audio.map((r) => (
            <RemoteAudio key={r.trackId} track={r.track} participantId={r.participantId} />
          ))}
        </div>
      </div>
    </CallViewContext.Provider>
  );
}
