-- The helpdesk form's tokens are single-use, and a ticket remembers the
-- account that filed it while logged in: a data export (Art. 15) then holds
-- that person's own requests, not those a stranger filed under their address.

-- Set only when the requester was logged in; NULL for everyone else.
ALTER TABLE helpdesk_tickets ADD COLUMN account_id TEXT REFERENCES accounts(id) ON DELETE SET NULL;
CREATE INDEX helpdesk_tickets_account ON helpdesk_tickets (account_id);

-- Form tokens that have filed a ticket; kept until the token would have
-- expired anyway, then deleted.
CREATE TABLE helpdesk_form_tokens (
    nonce TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX helpdesk_form_tokens_expires ON helpdesk_form_tokens (expires_at);
