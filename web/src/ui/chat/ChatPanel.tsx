// The room's chat: its history, private messages (to moderators always;
// between participants when the room allows it), and a clear state when
// moderators switched the chat off.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import type { ServerConnection } from "../../protocol/connection";
import type { ParticipantId } from "../../protocol/messages";
import { MAX_CHAT_CHARS, isModerator } from "../../protocol/moderationTypes";
import { moderationOf } from "../../protocol/roomState";
import { useApp, useT } from "../context";
import { youIn } from "../moderation/you";
import { ChatMessageItem } from "./ChatMessageItem";

/** Who we may write to privately, as the settings and roles allow. */
function recipients(call: ServerConnection, moderator: boolean, privateChat: boolean): { id: ParticipantId; name: string }[] {
  return [...call.participants.value.values()]
    .filter((p) => moderator || privateChat || isModerator(moderationOf(p).role))
    .map((p) => ({ id: p.id, name: p.name }));
}

export function ChatPanel({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const text = useSignal("");
  const to = useSignal<string>("");
  /** The last send was held back: its private recipient had gone. */
  const heldBack = useSignal(false);
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const messages = call.moderation.chat.value;
  const settings = call.moderation.settings.value;
  const you = youIn(call);
  const mayWrite = settings.chat || you.moderator;
  const options = recipients(call, you.moderator, settings.privateChat);
  // A chosen recipient who left (or may no longer be written to) falls back to everybody.
  const target = options.find((o) => String(o.id) === to.value);

  useEffect(() => {
    const el = list.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  const recipientGone = to.value !== "" && target === undefined;

  const send = () => {
    const clean = text.value.trim();
    if (clean === "" || !mayWrite) return;
    // Never send a private text to everybody because its recipient just left.
    if (recipientGone) {
      to.value = "";
      heldBack.value = true;
      return;
    }
    heldBack.value = false;
    if (call.moderation.sendChat(clean.slice(0, MAX_CHAT_CHARS), target?.id)) text.value = "";
  };

  return (
    <div class="panel__body chat" data-testid="chat-panel">
      <ol ref={list} class="chat__messages" aria-live="polite" aria-label={t("chat.messages")} data-testid="chat-messages">
        {messages.length === 0 && <li class="chat__empty">{t("chat.empty")}</li>}
        {messages.map((m) => {
          // A private message to us gets a reply button when we may answer its sender.
          const answerable = mayWrite && m.to !== undefined && m.to === call.selfId.value && options.some((o) => o.id === m.from);
          const reply = () => {
            to.value = String(m.from);
            input.current?.focus();
          };
          return (
            <ChatMessageItem
              key={m.id}
              message={m}
              selfId={call.selfId.value}
              selfName={app.displayName.value}
              people={call.participants.value}
              onReply={answerable ? reply : undefined}
            />
          );
        })}
      </ol>
      {!settings.chat && (
        <p class="panel__hint" data-testid="chat-disabled">
          {t(you.moderator ? "chat.offModerator" : "chat.off")}
        </p>
      )}
      {mayWrite && (
        <form
          class="chat__form"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <label class="field">
            <span class="field__label">{t("chat.to")}</span>
            <select value={target === undefined ? "" : String(target.id)} data-testid="chat-to" onChange={(e) => {
                to.value = e.currentTarget.value;
                heldBack.value = false;
              }}>
              <option value="">{t("chat.toEveryone")}</option>
              {options.map((o) => (
                <option key={o.id} value={String(o.id)}>
                  {t("chat.toPrivately", { name: o.name })}
                </option>
              ))}
            </select>
          </label>
          {heldBack.value && (
            <p class="field__error" role="alert" data-testid="chat-recipient-gone">
              {t("chat.recipientGone")}
            </p>
          )}
          <label class="field">
            <span class="field__label">{t("chat.message")}</span>
            <textarea
              ref={input}
              rows={2}
              maxLength={MAX_CHAT_CHARS}
              value={text.value}
              data-testid="chat-input"
              onInput={(e) => (text.value = e.currentTarget.value)}
              onKeyDown={(e) => {
                // Enter sends, Shift+Enter makes a new line.
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  send();
                }
              }}
            />
          </label>
          <button type="submit" class="button button--primary" data-testid="chat-send" disabled={text.value.trim() === ""}>
            {t("chat.send")}
          </button>
        </form>
      )}
    </div>
  );
}
