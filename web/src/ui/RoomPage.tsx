// `/r/<room>`: pre-join, the call, or the page after leaving.

import { LeftPage } from "./LeftPage";
import { PreJoin } from "./PreJoin";
import { RoomView } from "./RoomView";
import { useApp } from "./context";
import { RoomSchoolNotice } from "./account/RoomSchoolNotice";

export function RoomPage({ room }: { room: string }) {
  const app = useApp();
  const call = app.call.value;
  switch (app.phase.value) {
    case "prejoin":
      return (
        <RoomSchoolNotice room={room}>
          <PreJoin room={room} />
        </RoomSchoolNotice>
      );
    case "room":
      return call === null ? <PreJoin room={room} /> : <RoomView room={room} call={call} />;
    case "left":
      return <LeftPage room={room} />;
  }
}
