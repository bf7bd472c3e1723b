//! The moderation messages: each one checked against the sender's role
//! first; a refused message changes nothing.

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, MediaKind, ModerationAction, ParticipantId,
    PermissionKind, ProtocolError, Role, ServerMessage, SettingsChange,
};

use super::chat::private_allowed;
use super::roles::{is_moderator, may_act_on, may_end_meeting, may_set_role};
use super::{Effect, Moderation, Now, REACTION_INTERVAL};

type Outcome = Result<(), ProtocolError>;

fn not_allowed(field: &str, message: &str) -> ProtocolError {
    ProtocolError::field(ErrorCode::NotAllowed, field, message)
}

fn no_such(field: &str, id: ParticipantId) -> ProtocolError {
    ProtocolError::field(
        ErrorCode::NoSuchParticipant,
        field,
        format!("participant {} is not in this room", id.0),
    )
}

/// The moderation messages, carried out on one room's moderation state.
pub(super) struct Actions<'m> {
    pub(super) room: &'m mut Moderation,
}

impl Actions<'_> {
    /// A moderation message (or `mute`) from member `from`.
    pub(super) fn handle(
        &mut self,
        now: Now,
        from: ParticipantId,
        message: ClientMessage,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        let Some(actor) = self.room.member(from).cloned() else {
            return Err(not_allowed("type", "you are not in the room"));
        };
        let moderator_only = || {
            if is_moderator(&actor) {
                Ok(())
            } else {
                Err(not_allowed("type", "only moderators may do this"))
            }
        };
        match message {
            ClientMessage::Mute { audio, video } => self.mute(from, audio, video, effects),
            ClientMessage::Admit { participant_ids } => {
                moderator_only()?;
                self.decide(&participant_ids, true, effects)
            }
            ClientMessage::Deny { participant_ids } => {
                moderator_only()?;
                self.decide(&participant_ids, false, effects)
            }
            ClientMessage::SetRole {
                participant_id,
                role,
            } => self.set_role(&actor, participant_id, role, effects),
            ClientMessage::ForceMute {
                participant_id,
                kind,
            } => self.force_mute(&actor, participant_id, kind, effects),
            ClientMessage::Grant {
                participant_id,
                kind,
                allowed,
            } => self.grant(&actor, participant_id, kind, allowed, effects),
            ClientMessage::AskToUnmute {
                participant_id,
                kind,
            } => {
                self.target(&actor, participant_id)?;
                let permission = match kind {
                    MediaKind::Audio => PermissionKind::Audio,
                    MediaKind::Video => PermissionKind::Video,
                };
                self.set_grant(participant_id, permission, true);
                let by = actor.name.clone();
                self.room.tell_update(
                    participant_id,
                    Some(ServerMessage::UnmuteRequest { kind, by }),
                    effects,
                );
                Ok(())
            }
            ClientMessage::StopScreenShare { participant_id } => {
                self.target(&actor, participant_id)?;
                effects.push(Effect::StopScreen(participant_id));
                effects.push(moderated(
                    participant_id,
                    ModerationAction::ScreenShareStopped,
                    &actor.name,
                    None,
                ));
                Ok(())
            }
            ClientMessage::Remove { participant_id } => {
                if participant_id == from {
                    return Err(not_allowed("participantId", "use leave to leave"));
                }
                let target = self.target(&actor, participant_id)?;
                self.room.removed.insert(target.key);
                // The room knows the removed person by their device cookie or
                // account; in a private window or another browser they would
                // be a stranger. From now on every guest knocks (moderators
                // see it, and may switch it off again knowingly).
                if !self.room.settings.lobby {
                    let on = SettingsChange {
                        lobby: Some(true),
                        ..Default::default()
                    };
                    self.change_settings(&on, effects);
                }
                effects.push(Effect::End(participant_id, ByeReason::Removed));
                Ok(())
            }
            ClientMessage::RoomSettings(change) => {
                moderator_only()?;
                self.change_settings(&change, effects);
                Ok(())
            }
            ClientMessage::EndMeeting => {
                if !may_end_meeting(&actor) {
                    return Err(not_allowed(
                        "type",
                        "only the owner and teachers end the meeting",
                    ));
                }
                for id in self.room.everybody() {
                    effects.push(Effect::End(id, ByeReason::MeetingEnded));
                }
                self.room.reserved_owner = None;
                Ok(())
            }
            ClientMessage::Hand { raised } => {
                if self.room.hands.set(from, raised) {
                    self.room.tell_hands(effects);
                    self.room.tell_update(from, None, effects);
                }
                Ok(())
            }
            ClientMessage::LowerHand { participant_id } => {
                moderator_only()?;
                let lowered = match participant_id {
                    Some(id) if !self.room.hands.raised(id) => {
                        self.room
                            .member(id)
                            .ok_or_else(|| no_such("participantId", id))?;
                        Vec::new()
                    }
                    Some(id) => {
                        self.room.hands.set(id, false);
                        vec![id]
                    }
                    None => self.room.hands.clear(),
                };
                if !lowered.is_empty() {
                    self.room.tell_hands(effects);
                }
                for id in lowered {
                    let message =
                        moderated_message(ModerationAction::HandLowered, &actor.name, None);
                    self.room.tell_update(id, Some(message), effects);
                }
                Ok(())
            }
            ClientMessage::React { emoji } => {
                let member = self.room.member_mut(from).expect("checked above");
                if member
                    .last_reaction
                    .is_some_and(|t| now.instant.saturating_duration_since(t) < REACTION_INTERVAL)
                {
                    return Err(ProtocolError::field(
                        ErrorCode::RateLimited,
                        "emoji",
                        "at most one reaction per second",
                    ));
                }
                member.last_reaction = Some(now.instant);
                self.room.tell_all(
                    ServerMessage::Reaction {
                        participant_id: from,
                        emoji,
                    },
                    effects,
                );
                Ok(())
            }
            ClientMessage::Chat { text, to } => self.chat(now, &actor, text, to, effects),
            ClientMessage::Join { .. }
            | ClientMessage::Resume { .. }
            | ClientMessage::Offer { .. }
            | ClientMessage::Layout { .. }
            | ClientMessage::Ping
            | ClientMessage::Leave => Ok(()),
        }
    }

    /// The member's own switches. Switching on needs the permission.
    fn mute(
        &mut self,
        id: ParticipantId,
        audio: bool,
        video: bool,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        let may = self.room.info(id).expect("a member").may;
        let member = self.room.member_mut(id).expect("a member");
        if !audio && member.audio_muted && !may.audio {
            return Err(not_allowed(
                "audio",
                "you may not unmute your microphone now",
            ));
        }
        if !video && member.video_muted && !may.video {
            return Err(not_allowed(
                "video",
                "you may not switch your camera on now",
            ));
        }
        if (member.audio_muted, member.video_muted) == (audio, video) {
            return Ok(());
        }
        member.audio_muted = audio;
        member.video_muted = video;
        // The sender knows its own switches; the others learn them.
        let participant = self.room.info(id).expect("a member");
        for m in self.room.members.iter().filter(|m| m.id != id) {
            effects.push(Effect::Send(
                m.id,
                ServerMessage::ParticipantUpdated {
                    participant: participant.clone(),
                },
            ));
        }
        Ok(())
    }

    /// The member `actor` wants to act on, if the rules allow it.
    fn target(
        &self,
        actor: &super::Member,
        id: ParticipantId,
    ) -> Result<super::Member, ProtocolError> {
        if !is_moderator(actor) {
            return Err(not_allowed("type", "only moderators may do this"));
        }
        let target = self
            .room
            .member(id)
            .ok_or_else(|| no_such("participantId", id))?;
        if !may_act_on(actor, target) {
            return Err(not_allowed(
                "participantId",
                "you may not moderate this participant",
            ));
        }
        Ok(target.clone())
    }

    /// Admit or deny waiting people; all ids are checked before anything changes.
    fn decide(&mut self, ids: &[ParticipantId], admit: bool, effects: &mut Vec<Effect>) -> Outcome {
        if let Some(missing) = ids.iter().find(|id| !self.room.lobby.knocks(**id)) {
            return Err(no_such("participantIds", *missing));
        }
        let mut decided = Vec::new();
        for id in ids {
            let Some((_, waiting)) = self.room.lobby.take(*id) else {
                continue;
            };
            decided.push(*id);
            if admit {
                self.room.admit_waiting(waiting, effects);
            } else {
                effects.push(Effect::End(*id, ByeReason::Denied));
            }
        }
        self.room.tell_lobby_change(Vec::new(), decided, effects);
        Ok(())
    }

    fn set_role(
        &mut self,
        actor: &super::Member,
        id: ParticipantId,
        role: Role,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        let target = self.target(actor, id)?;
        if !may_set_role(actor, &target) || role == Role::Owner {
            return Err(not_allowed("participantId", "this role cannot be changed"));
        }
        if target.role == role {
            return Ok(());
        }
        self.room.member_mut(id).expect("checked").role = role;
        let action = if role == Role::Moderator {
            ModerationAction::Promoted
        } else {
            ModerationAction::Demoted
        };
        let message = moderated_message(action, &actor.name, None);
        self.room.tell_update(id, Some(message), effects);
        if role == Role::Moderator {
            // The whole lobby once, even when empty: a list from an earlier
            // time as moderator must not linger in the client.
            let waiting = self.room.lobby.entries();
            effects.push(Effect::Send(id, ServerMessage::Lobby { waiting }));
        } else if !self.room.may_share_screen(id) {
            effects.push(Effect::StopScreen(id));
        }
        Ok(())
    }

    fn force_mute(
        &mut self,
        actor: &super::Member,
        who: Option<ParticipantId>,
        kind: MediaKind,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        let targets: Vec<ParticipantId> = match who {
            Some(id) => vec![self.target(actor, id)?.id],
            None if is_moderator(actor) => self
                .room
                .members
                .iter()
                .filter(|m| !is_moderator(m))
                .map(|m| m.id)
                .collect(),
            None => return Err(not_allowed("type", "only moderators may do this")),
        };
        for id in targets {
            let member = self.room.member_mut(id).expect("a member");
            let (muted, action) = match kind {
                MediaKind::Audio => {
                    member.granted.audio = false;
                    (&mut member.audio_muted, ModerationAction::AudioMuted)
                }
                MediaKind::Video => {
                    member.granted.video = false;
                    (&mut member.video_muted, ModerationAction::VideoMuted)
                }
            };
            let was_on = !*muted;
            *muted = true;
            let message = was_on.then(|| moderated_message(action, &actor.name, None));
            self.room.tell_update(id, message, effects);
        }
        Ok(())
    }

    fn grant(
        &mut self,
        actor: &super::Member,
        id: ParticipantId,
        kind: PermissionKind,
        allowed: bool,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        self.target(actor, id)?;
        self.set_grant(id, kind, allowed);
        let may = self.room.info(id).expect("a member").may;
        let member = self.room.member_mut(id).expect("a member");
        // Taking a permission back switches off what it allowed.
        match kind {
            PermissionKind::Audio if !may.audio => member.audio_muted = true,
            PermissionKind::Video if !may.video => member.video_muted = true,
            PermissionKind::Screen if !may.screen => effects.push(Effect::StopScreen(id)),
            _ => {}
        }
        let action = if allowed {
            ModerationAction::Granted
        } else {
            ModerationAction::Revoked
        };
        let message = moderated_message(action, &actor.name, Some(kind));
        self.room.tell_update(id, Some(message), effects);
        Ok(())
    }

    fn set_grant(&mut self, id: ParticipantId, kind: PermissionKind, allowed: bool) {
        if let Some(member) = self.room.member_mut(id) {
            match kind {
                PermissionKind::Audio => member.granted.audio = allowed,
                PermissionKind::Video => member.granted.video = allowed,
                PermissionKind::Screen => member.granted.screen = allowed,
            }
        }
    }

    fn change_settings(&mut self, change: &SettingsChange, effects: &mut Vec<Effect>) {
        let before: Vec<_> = self
            .room
            .members
            .iter()
            .map(|m| self.room.info(m.id))
            .collect();
        let lobby_was_on = self.room.settings.lobby;
        self.room.settings = self.room.settings.with(change);
        self.room.tell_all(
            ServerMessage::RoomSettings {
                settings: self.room.settings,
            },
            effects,
        );
        let changed: Vec<ParticipantId> = before
            .into_iter()
            .flatten()
            .filter(|old| self.room.info(old.id).is_some_and(|new| new.may != old.may))
            .map(|old| old.id)
            .collect();
        for id in changed {
            self.room.tell_update(id, None, effects);
        }
        if lobby_was_on && !self.room.settings.lobby {
            // Nobody decides any more: those who knocked come in (removed
            // people still need a moderator).
            let mut let_in = Vec::new();
            for waiting in self.room.lobby.take_unremoved() {
                let_in.push(waiting.id);
                self.room.admit_waiting(waiting, effects);
            }
            self.room.tell_lobby_change(Vec::new(), let_in, effects);
        }
    }

    fn chat(
        &mut self,
        now: Now,
        actor: &super::Member,
        text: String,
        to: Option<ParticipantId>,
        effects: &mut Vec<Effect>,
    ) -> Outcome {
        let moderator = is_moderator(actor);
        if !self.room.settings.chat && !moderator {
            return Err(ProtocolError::field(
                ErrorCode::ChatDisabled,
                "text",
                "the chat is off",
            ));
        }
        if let Some(to) = to {
            let recipient = self.room.member(to).ok_or_else(|| no_such("to", to))?;
            if to == actor.id {
                return Err(ProtocolError::field(
                    ErrorCode::InvalidField,
                    "to",
                    "a private message needs someone else",
                ));
            }
            if !private_allowed(
                moderator,
                is_moderator(recipient),
                self.room.settings.private_chat,
            ) {
                return Err(not_allowed(
                    "to",
                    "private messages between participants are off",
                ));
            }
        }
        let message = self
            .room
            .chat
            .post(actor.id, &actor.name, to, text, now.unix_ms);
        let recipients: Vec<ParticipantId> = match to {
            Some(to) => vec![actor.id, to],
            None => self.room.members.iter().map(|m| m.id).collect(),
        };
        for id in recipients {
            effects.push(Effect::Send(
                id,
                ServerMessage::ChatMessage {
                    message: message.clone(),
                },
            ));
        }
        Ok(())
    }
}

fn moderated_message(
    action: ModerationAction,
    by: &str,
    kind: Option<PermissionKind>,
) -> ServerMessage {
    ServerMessage::Moderated {
        action,
        by: by.to_string(),
        kind,
    }
}

fn moderated(
    id: ParticipantId,
    action: ModerationAction,
    by: &str,
    kind: Option<PermissionKind>,
) -> Effect {
    Effect::Send(id, moderated_message(action, by, kind))
}
