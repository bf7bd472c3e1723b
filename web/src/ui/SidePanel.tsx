// The panel beside the stage (over it on phones): the people with the
// moderation tools, or the chat.

import type { ServerConnection } from "../protocol/connection";
import { Icon } from "./Icon";
import { useCallView } from "./callContext";
import { ChatPanel } from "./chat/ChatPanel";
import { useT } from "./context";
import { PeoplePanel } from "./moderation/PeoplePanel";
import { youIn } from "./moderation/you";

export function SidePanel({ call }: { call: ServerConnection }) {
  const t = useT();
  const view = useCallView();
  const panel = view.panel.value;
  if (panel === null) return null;
  const title = t(panel === "chat" ? "chat.title" : "people.panelTitle");
  return (
    <aside
      class="side-panel"
      aria-labelledby="side-panel-title"
      data-testid="side-panel"
      data-panel={panel}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !e.defaultPrevented) view.openPanel(null);
      }}
    >
      <div class="side-panel__header">
        <h2 id="side-panel-title">{title}</h2>
        <button type="button" class="icon-button" aria-label={t("panel.close", { title })} data-testid="side-panel-close" onClick={() => view.openPanel(null)}>
          <Icon name="close" size={20} />
        </button>
      </div>
      {panel === "chat" ? <ChatPanel call={call} /> : <PeoplePanel call={call} />}
    </aside>
  );
}

/** The control-bar buttons that open the panels. */
export function PanelButtons({ call }: { call: ServerConnection }) {
  const t = useT();
  const view = useCallView();
  const panel = view.panel.value;
  const unread = view.unreadChat.value;
  // The lobby and the hands are news for moderators only.
  const moderator = youIn(call).moderator;
  const waiting = moderator ? call.moderation.lobby.value.length : 0;
  const hands = moderator ? call.moderation.hands.value.length : 0;
  const peopleBadge = waiting + hands;
  return (
    <>
      <button
        type="button"
        class={`toggle toggle--extra ${panel === "people" ? "toggle--pressed" : "toggle--neutral"}`}
        aria-pressed={panel === "people"}
        aria-label={peopleBadge > 0 ? t("people.buttonLabelWaiting", { waiting, hands }) : t("people.panelTitle")}
        data-testid="people-toggle"
        onClick={() => view.togglePanel("people")}
      >
        <Icon name="people" />
        <span>{t("people.panelTitle")}</span>
        {peopleBadge > 0 && (
          <span class="count-badge" aria-hidden="true" data-testid="people-badge">
            {peopleBadge}
          </span>
        )}
      </button>
      <button
        type="button"
        class={`toggle toggle--extra ${panel === "chat" ? "toggle--pressed" : "toggle--neutral"}`}
        aria-pressed={panel === "chat"}
        aria-label={unread > 0 ? t("chat.buttonLabelUnread", { n: unread }) : t("chat.title")}
        data-testid="chat-toggle"
        onClick={() => view.togglePanel("chat")}
      >
        <Icon name="chat" />
        <span>{t("chat.title")}</span>
        {unread > 0 && (
          <span class="count-badge" aria-hidden="true" data-testid="chat-badge">
            {unread}
          </span>
        )}
      </button>
    </>
  );
}
