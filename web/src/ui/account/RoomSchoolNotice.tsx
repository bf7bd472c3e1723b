// Before joining a room: when its name belongs to a school that uses
// BigBlueButton in itslearning, guests and teachers are told so, in plain
// words, instead of the pre-join screen.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { RoomPolicy } from "../../account/api";
import { useApp } from "../context";
import { BbbNotice } from "./BbbNotice";

/** Renders `children` unless the room's school is on BigBlueButton. */
export function RoomSchoolNotice({ room, children }: { room: string; children: preact.ComponentChildren }) {
  const app = useApp();
  const policy = useSignal<RoomPolicy | null>(null);
  useEffect(() => {
    void app.account.api
      .get<RoomPolicy>(`/api/rooms/${encodeURIComponent(room)}/policy`)
      .then((p) => (policy.value = p))
      .catch(() => undefined);
  }, [room]);
  const p = policy.value;
  if (p !== null && !p.allowed) {
    return (
      <section class="card">
        <BbbNotice guidanceUrl={p.guidanceUrl} />
      </section>
    );
  }
  return <>{children}</>;
}
