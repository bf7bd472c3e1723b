// Moderators: what can be done to one person. Only what our role may do
// is offered (a promoted guest cannot mute, demote or remove a teacher;
// nobody demotes or removes the owner); the server checks it again.

import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";

import type { MessageKey } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import { moderationOf, type Participant } from "../../protocol/roomState";
import { useT } from "../context";
import type { You } from "./you";

interface Action {
  id: string;
  label: MessageKey;
  run(): void;
  danger?: boolean;
}

function actionsFor(call: ServerConnection, you: You, p: Participant, sharing: boolean): Action[] {
  const m = call.moderation;
  const info = moderationOf(p);
  const settings = m.settings.value;
  const owner = info.role === "owner";
  // A promoted guest may not act against a teacher.
  const protectedTeacher = !you.teacher && info.teacher;
  const list: Action[] = [];
  if (!protectedTeacher) {
    if (!p.audioMuted) list.push({ id: "mute-audio", label: "menu.muteAudio", run: () => m.forceMute(p.id, "audio") });
    if (!p.videoMuted) list.push({ id: "mute-video", label: "menu.muteVideo", run: () => m.forceMute(p.id, "video") });
  }
  if (p.audioMuted) list.push({ id: "ask-audio", label: "menu.askAudio", run: () => m.askToUnmute(p.id, "audio") });
  if (p.videoMuted) list.push({ id: "ask-video", label: "menu.askVideo", run: () => m.askToUnmute(p.id, "video") });
  const plain = info.role === "participant";
  if (plain && !settings.selfUnmuteAudio) {
    list.push(info.may.audio
      ? { id: "revoke-audio", label: "menu.revokeAudio", run: () => m.grant(p.id, "audio", false) }
      : { id: "grant-audio", label: "menu.grantAudio", run: () => m.grant(p.id, "audio", true) });
  }
  if (plain && !settings.selfUnmuteVideo) {
    list.push(info.may.video
      ? { id: "revoke-video", label: "menu.revokeVideo", run: () => m.grant(p.id, "video", false) }
      : { id: "grant-video", label: "menu.grantVideo", run: () => m.grant(p.id, "video", true) });
  }
  if (plain) {
    list.push(info.may.screen
      ? { id: "revoke-screen", label: "menu.revokeScreen", run: () => m.grant(p.id, "screen", false) }
      : { id: "grant-screen", label: "menu.grantScreen", run: () => m.grant(p.id, "screen", true) });
  }
  if (sharing && !protectedTeacher) list.push({ id: "stop-screen", label: "menu.stopScreen", run: () => m.stopScreenShare(p.id) });
  if (plain) list.push({ id: "promote", label: "menu.promote", run: () => m.setRole(p.id, "moderator") });
  if (info.role === "moderator" && !protectedTeacher) list.push({ id: "demote", label: "menu.demote", run: () => m.setRole(p.id, "participant") });
  if (!owner && !protectedTeacher) list.push({ id: "remove", label: "menu.remove", run: () => m.remove(p.id), danger: true });
  return list;
}

export function ParticipantMenu({ call, you, participant, sharing }: { call: ServerConnection; you: You; participant: Participant; sharing: boolean }) {
  const t = useT();
  const open = useSignal(false);
  const button = useRef<HTMLButtonElement>(null);
  const actions = actionsFor(call, you, participant, sharing);
  if (actions.length === 0) return null;
  const menuId = `participant-menu-${participant.id}`;
  // The menu opens inline below the person's row, inside the scrolling panel.
  return (
    <>
      <button
        ref={button}
        type="button"
        class="button button--small"
        aria-expanded={open.value}
        aria-controls={menuId}
        data-testid="participant-menu"
        onClick={() => (open.value = !open.value)}
      >
        {t("menu.open")}
        <span class="sr-only"> {t("menu.for", { name: participant.name })}</span>
      </button>
      {open.value && (
        <ul
          id={menuId}
          class="participant-menu"
          aria-label={t("menu.for", { name: participant.name })}
          onKeyDown={(e) => {
            // Escape closes this menu only, not the panel around it.
            if (e.key !== "Escape") return;
            e.stopPropagation();
            open.value = false;
            button.current?.focus();
          }}
        >
          {actions.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                class={`menu-item ${a.danger === true ? "menu-item--danger" : ""}`}
                data-testid={`action-${a.id}`}
                onClick={() => {
                  open.value = false;
                  a.run();
                }}
              >
                {t(a.label)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
