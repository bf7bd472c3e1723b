-- The helpdesk: requests (tickets) from anyone, the operator staff's notes
-- and replies. Personal data: the optional contact address and what the
-- person wrote; everything is deleted after the helpdesk retention period
-- (counted from the ticket's last change, see crates/server/src/helpdesk).

CREATE TABLE helpdesk_tickets (
    id {{serial}},
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- 'connection', 'audioVideo', 'account', 'room', 'privacy', 'other'
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    email TEXT,
    -- Dienststellennummer as typed (the school need not be in the list)
    school TEXT,
    -- the connection test's result (JSON object), when attached
    diagnosis TEXT,
    -- 'new', 'inProgress', 'done'
    status TEXT NOT NULL,
    assignee TEXT REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE INDEX helpdesk_tickets_updated ON helpdesk_tickets (updated_at);

-- Internal notes and replies to the requester, oldest first.
CREATE TABLE helpdesk_entries (
    id {{serial}},
    ticket_id BIGINT NOT NULL REFERENCES helpdesk_tickets(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    -- 'note' (staff only) or 'reply' (to the requester)
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    -- 1 when the reply went out by mail
    mailed BIGINT NOT NULL
);
CREATE INDEX helpdesk_entries_ticket ON helpdesk_entries (ticket_id);
