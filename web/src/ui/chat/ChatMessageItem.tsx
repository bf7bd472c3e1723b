// One chat message: who, when, to whom if private, and the text (plain
// text only; nothing in it is interpreted as markup).

import type { ParticipantId } from "../../protocol/messages";
import type { ChatMessage } from "../../protocol/moderationTypes";
import type { Participant } from "../../protocol/roomState";
import { useApp, useT } from "../context";

interface Props {
  message: ChatMessage;
  selfId: ParticipantId | null;
  selfName: string;
  people: ReadonlyMap<ParticipantId, Participant>;
  /** Offered on a private message to us whose sender we may answer privately. */
  onReply?: (() => void) | undefined;
}

export function ChatMessageItem({ message, selfId, selfName, people, onReply }: Props) {
  const app = useApp();
  const t = useT();
  const mine = message.from === selfId;
  const from = mine ? t("tile.selfName", { name: selfName }) : message.fromName;
  const time = new Date(message.at).toLocaleTimeString(app.i18n.lang.value, { hour: "2-digit", minute: "2-digit" });
  let privately: string | null = null;
  if (message.to !== undefined) {
    privately = message.to === selfId ? t("chat.privateToYou") : t("chat.privateTo", { name: people.get(message.to)?.name ?? "?" });
  }
  return (
    <li class={`chat__message ${privately !== null ? "chat__message--private" : ""}`} data-testid="chat-message" data-private={String(privately !== null)}>
      <p class="chat__meta">
        <strong data-testid="chat-from">{from}</strong> <time dateTime={new Date(message.at).toISOString()}>{time}</time>
        {privately !== null && <span class="badge badge--private"> {privately}</span>}
      </p>
      <p class="chat__text" data-testid="chat-text">
        {message.text}
      </p>
      {onReply !== undefined && (
        <button type="button" class="button button--small chat__reply" data-testid="chat-reply" onClick={onReply}>
          {t("chat.reply", { name: message.fromName })}
        </button>
      )}
    </li>
  );
}
