// Everybody in the room with their role, hand and devices; for moderators
// with the menu of what can be done to each.

import type { MessageKey } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import type { Role } from "../../protocol/moderationTypes";
import { moderationOf, type Participant } from "../../protocol/roomState";
import { Icon } from "../Icon";
import { useApp, useT } from "../context";
import { ParticipantMenu } from "./ParticipantMenu";
import type { You } from "./you";

const ROLE_KEYS: Readonly<Record<Role, MessageKey>> = {
  owner: "role.owner",
  moderator: "role.moderator",
  participant: "role.participant",
};

function Row({ call, you, p, self, label }: { call: ServerConnection; you: You; p: Participant; self: boolean; label: string }) {
  const t = useT();
  const info = moderationOf(p);
  const sharing = call.remoteTracks.value.some((r) => r.participantId === p.id && r.source === "screen");
  return (
    <li
      class={p.reconnecting === true ? "people__item people__item--reconnecting" : "people__item"}
      data-testid="participant"
      data-participant-id={String(p.id)}
      data-role={info.role}
      data-self={String(self)}
      data-reconnecting={String(p.reconnecting === true)}
    >
      <span class="people__name">
        {label}
        {p.reconnecting === true && (
          <span class="badge badge--reconnecting" data-testid="participant-reconnecting">
            {t("tile.reconnecting")}
          </span>
        )}
        {info.role !== "participant" && <span class={`badge badge--${info.role}`}>{t(ROLE_KEYS[info.role])}</span>}
        {info.teacher && <span class="badge">{t("role.teacher")}</span>}
      </span>
      <span class="people__state">
        {call.moderation.hands.value.includes(p.id) && (
          <span role="img" aria-label={t("hand.raised")} data-testid="participant-hand">
            <Icon name="hand" size={18} />
          </span>
        )}
        {sharing && (
          <span role="img" aria-label={t("screen.sharing")}>
            <Icon name="screen" size={18} />
          </span>
        )}
        <span role="img" aria-label={t(p.audioMuted ? "tile.micMuted" : "controls.micOn")}>
          <Icon name={p.audioMuted ? "micOff" : "mic"} size={18} />
        </span>
        <span role="img" aria-label={t(p.videoMuted ? "tile.cameraOff" : "controls.cameraOn")}>
          <Icon name={p.videoMuted ? "cameraOff" : "camera"} size={18} />
        </span>
      </span>
      {!self && you.moderator && <ParticipantMenu call={call} you={you} participant={p} sharing={sharing} />}
    </li>
  );
}

export function ParticipantList({ call, you }: { call: ServerConnection; you: You }) {
  const app = useApp();
  const t = useT();
  const me = call.moderation.you.value;
  const others = [...call.participants.value.values()];
  return (
    <section class="panel__section" aria-labelledby="people-title">
      <h3 id="people-title">{t("people.title", { n: others.length + 1 })}</h3>
      <ul class="people">
        {me !== null && <Row call={call} you={you} p={me} self label={t("tile.selfName", { name: app.displayName.value })} />}
        {others.map((p) => (
          <Row key={p.id} call={call} you={you} p={p} self={false} label={p.name} />
        ))}
      </ul>
    </section>
  );
}
