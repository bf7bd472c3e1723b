// A teacher's rooms: compose a name by the rule
// Dienststellennummer-Lerngruppe-Kürzel (the school's number is fixed),
// keep the settings, list them for reuse, enter or share the link.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import type { Room } from "../../account/api";
import { roomPath } from "../../app/route";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function TeacherRooms({ school }: { school: string }) {
  const app = useApp();
  const t = useT();
  const rooms = useSignal<Room[]>([]);
  const group = useSignal("");
  const short = useSignal("");
  const lobby = useSignal(false);
  const password = useSignal("");
  const action = useApiAction();
  const api = app.account.api;
  const reload = async () => {
    rooms.value = await api.get<Room[]>("/api/rooms");
  };
  useEffect(() => void reload().catch(() => undefined), []);
  const preview = `${school}-${group.value.trim() || t("rooms.groupPart")}-${short.value.trim() || t("rooms.shortPart")}`;
  return (
    <section class="card stack" aria-labelledby="rooms-title">
      <h2 id="rooms-title">{t("rooms.title")}</h2>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { group: group.value, short: short.value, lobby: lobby.value, password: password.value === "" ? null : password.value };
          const r = await action.run(() => api.post<Room>("/api/rooms", body));
          if (r !== undefined) {
            group.value = "";
            password.value = "";
            await reload();
          }
        }}
      >
        <div class="row row--wrap">
          <label class="field">
            <span class="field__label">{t("rooms.school")}</span>
            <input type="text" value={school} readOnly data-testid="room-school" />
          </label>
          <label class="field">
            <span class="field__label">{t("rooms.group")}</span>
            <input type="text" value={group.value} maxLength={24} placeholder="7b" data-testid="room-group" onInput={(e) => (group.value = e.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field__label">{t("rooms.short")}</span>
            <input type="text" value={short.value} maxLength={10} placeholder="MUE" data-testid="room-short" onInput={(e) => (short.value = e.currentTarget.value)} />
          </label>
        </div>
        <p class="field__hint" aria-live="polite">
          {t("rooms.preview", { name: preview })}
        </p>
        <label class="row">
          <input type="checkbox" checked={lobby.value} data-testid="room-lobby" onChange={(e) => (lobby.value = e.currentTarget.checked)} />
          <span>{t("rooms.lobby")}</span>
        </label>
        <label class="field">
          <span class="field__label">{t("rooms.password")}</span>
          <input type="text" value={password.value} autoComplete="off" data-testid="room-password" onInput={(e) => (password.value = e.currentTarget.value)} />
        </label>
        <ApiErrorText error={action.error.value} />
        <button type="submit" class="button button--primary" data-testid="room-create">
          {t("rooms.create")}
        </button>
      </form>
      {rooms.value.length === 0 ? (
        <p>{t("rooms.empty")}</p>
      ) : (
        <ul class="stack" data-testid="room-list">
          {rooms.value.map((r) => (
            <li key={r.name} class="row row--wrap" data-testid={`room-item-${r.name}`}>
              <strong>{r.name}</strong>
              {r.lobby && <span class="field__hint">{t("rooms.withLobby")}</span>}
              {r.hasPassword && <span class="field__hint">{t("rooms.withPassword")}</span>}
              <a
                class="button"
                href={app.roomHref(r.name)}
                data-testid={`room-enter-${r.name}`}
                onClick={(e) => {
                  e.preventDefault();
                  app.navigate(app.roomHref(r.name));
                }}
              >
                {t("rooms.enter")}
              </a>
              <input type="text" readOnly value={location.origin + roomPath(r.name)} aria-label={t("rooms.guestLink", { name: r.name })} />
              <button
                type="button"
                class="button button--danger"
                aria-label={t("rooms.deleteLabel", { name: r.name })}
                onClick={async () => {
                  await action.run(() => api.delete(`/api/rooms/${encodeURIComponent(r.name)}`));
                  await reload();
                }}
              >
                {t("rooms.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
