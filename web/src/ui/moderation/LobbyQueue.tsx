// Moderators: the people knocking, in arrival order. Admit or deny one,
// the checked ones, or all. Someone removed before is marked: letting
// them in is a conscious decision.

import { useSignal } from "@preact/signals";

import type { ServerConnection } from "../../protocol/connection";
import type { ParticipantId } from "../../protocol/messages";
import { useT } from "../context";

export function LobbyQueue({ call }: { call: ServerConnection }) {
  const t = useT();
  const waiting = call.moderation.lobby.value;
  const checked = useSignal<ReadonlySet<ParticipantId>>(new Set());
  if (waiting.length === 0) return null;
  const present = new Set(waiting.map((w) => w.id));
  const chosen = [...checked.value].filter((id) => present.has(id));
  const all = waiting.map((w) => w.id);
  const toggle = (id: ParticipantId, on: boolean) => {
    const next = new Set(checked.value);
    if (on) next.add(id);
    else next.delete(id);
    checked.value = next;
  };
  const done = (ids: ParticipantId[]) => {
    const next = new Set(checked.value);
    for (const id of ids) next.delete(id);
    checked.value = next;
  };
  return (
    <section class="panel__section" aria-labelledby="lobby-title" data-testid="lobby-queue">
      <h3 id="lobby-title">{t("lobby.title", { n: waiting.length })}</h3>
      <ul class="lobby">
        {waiting.map((w) => (
          <li key={w.id} class="lobby__item" data-testid="lobby-entry" data-participant-id={String(w.id)} data-removed={String(w.removed)}>
            <label class="lobby__name">
              <input
                type="checkbox"
                checked={checked.value.has(w.id)}
                data-testid="lobby-check"
                onChange={(e) => toggle(w.id, e.currentTarget.checked)}
              />
              <span>{w.name}</span>
              {w.removed && <span class="badge badge--warning">{t("lobby.removedMark")}</span>}
            </label>
            <span class="lobby__actions">
              <button
                type="button"
                class="button button--small button--primary"
                aria-label={t("lobby.admitOne", { name: w.name })}
                data-testid="lobby-admit"
                onClick={() => {
                  call.moderation.admit([w.id]);
                  done([w.id]);
                }}
              >
                {t("lobby.admit")}
              </button>
              <button
                type="button"
                class="button button--small"
                aria-label={t("lobby.denyOne", { name: w.name })}
                data-testid="lobby-deny"
                onClick={() => {
                  call.moderation.deny([w.id]);
                  done([w.id]);
                }}
              >
                {t("lobby.deny")}
              </button>
            </span>
          </li>
        ))}
      </ul>
      <div class="row row--wrap">
        {chosen.length > 0 ? (
          <>
            <button type="button" class="button button--small button--primary" data-testid="lobby-admit-checked" onClick={() => {
              call.moderation.admit(chosen);
              done(chosen);
            }}>
              {t("lobby.admitChecked", { n: chosen.length })}
            </button>
            <button type="button" class="button button--small" data-testid="lobby-deny-checked" onClick={() => {
              call.moderation.deny(chosen);
              done(chosen);
            }}>
              {t("lobby.denyChecked", { n: chosen.length })}
            </button>
          </>
        ) : (
          <>
            <button type="button" class="button button--small button--primary" data-testid="lobby-admit-all" onClick={() => call.moderation.admit(all)}>
              {t("lobby.admitAll")}
            </button>
            <button type="button" class="button button--small" data-testid="lobby-deny-all" onClick={() => call.moderation.deny(all)}>
              {t("lobby.denyAll")}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
