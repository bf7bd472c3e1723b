//! Who may do what to whom. Every moderation message passes through these
//! rules; the UI only mirrors them.

use tafelrunde_protocol::Role;

use super::member::Member;

/// Any moderator (owner included).
pub fn is_moderator(m: &Member) -> bool {
    m.role != Role::Participant
}

/// A guest a moderator promoted: a moderator without being a teacher.
pub fn is_guest_moderator(m: &Member) -> bool {
    m.role == Role::Moderator && !m.teacher
}

/// May `actor` moderate `target` (mute, grant, stop a share, remove, change
/// the role)? Only moderators act; nobody but the owner themself acts on the
/// owner; a promoted guest never acts on a teacher.
pub fn may_act_on(actor: &Member, target: &Member) -> bool {
    if !is_moderator(actor) {
        return false;
    }
    if target.role == Role::Owner && actor.id != target.id {
        return false;
    }
    !(is_guest_moderator(actor) && target.teacher)
}

/// May `actor` change `target`'s role? As [`may_act_on`], and the owner's
/// role is nobody's to change, not even the owner's own.
pub fn may_set_role(actor: &Member, target: &Member) -> bool {
    target.role != Role::Owner && may_act_on(actor, target)
}

/// The owner and teacher moderators end meetings; promoted guests never.
pub fn may_end_meeting(actor: &Member) -> bool {
    actor.role == Role::Owner || (actor.role == Role::Moderator && actor.teacher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tafelrunde_protocol::ParticipantId;

    fn m(id: u64, role: Role, teacher: bool) -> Member {
        Member::new(
            ParticipantId(id),
            format!("k{id}"),
            format!("P{id}"),
            role,
            teacher,
        )
    }

    #[test]
    fn participants_moderate_nobody() {
        let pupil = m(1, Role::Participant, false);
        let other = m(2, Role::Participant, false);
        assert!(!may_act_on(&pupil, &other));
        assert!(!may_act_on(&pupil, &pupil));
        assert!(!may_end_meeting(&pupil));
    }

    #[test]
    fn nobody_acts_on_the_owner_and_nobody_changes_the_owners_role() {
        let owner = m(1, Role::Owner, true);
        let teacher = m(2, Role::Moderator, true);
        assert!(!may_act_on(&teacher, &owner));
        assert!(!may_set_role(&teacher, &owner));
        assert!(!may_set_role(&owner, &owner));
        assert!(may_act_on(&owner, &teacher));
    }

    #[test]
    fn a_guest_moderator_never_acts_on_a_teacher_nor_ends_the_meeting() {
        let guest_mod = m(3, Role::Moderator, false);
        let teacher = m(2, Role::Moderator, true);
        let pupil = m(4, Role::Participant, false);
        assert!(!may_act_on(&guest_mod, &teacher));
        assert!(!may_set_role(&guest_mod, &teacher));
        assert!(may_act_on(&guest_mod, &pupil));
        assert!(!may_end_meeting(&guest_mod));
        assert!(may_end_meeting(&teacher));
    }
}
