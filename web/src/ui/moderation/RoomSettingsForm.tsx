// Moderators: the room's switches. Each change goes to the server, which
// tells everybody the new settings; the boxes show what it said.

import type { MessageKey } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import type { RoomSettings } from "../../protocol/moderationTypes";
import { useT } from "../context";

const SWITCHES: ReadonlyArray<[keyof RoomSettings, MessageKey]> = [
  ["lobby", "settingsRoom.lobby"],
  ["locked", "settingsRoom.locked"],
  ["selfUnmuteAudio", "settingsRoom.selfUnmuteAudio"],
  ["selfUnmuteVideo", "settingsRoom.selfUnmuteVideo"],
  ["chat", "settingsRoom.chat"],
  ["privateChat", "settingsRoom.privateChat"],
];

export function RoomSettingsForm({ call }: { call: ServerConnection }) {
  const t = useT();
  const settings = call.moderation.settings.value;
  return (
    <section class="panel__section" aria-labelledby="room-settings-title">
      <h3 id="room-settings-title">{t("settingsRoom.title")}</h3>
      <ul class="switches">
        {SWITCHES.map(([key, label]) => (
          <li key={key}>
            <label class="switch">
              <input
                type="checkbox"
                checked={settings[key]}
                disabled={key === "privateChat" && !settings.chat}
                data-testid={`setting-${key}`}
                onChange={(e) => call.moderation.changeSettings({ [key]: e.currentTarget.checked })}
              />
              <span>{t(label)}</span>
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
