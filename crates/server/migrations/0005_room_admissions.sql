-- Who was let into which room lately (account id or device cookie), so that
-- after a server restart pupils come back into their lesson without the
-- lobby. Written when someone enters, deleted when they leave on purpose, are
-- removed or the meeting ends, and by the retention job when expired.
CREATE TABLE room_admissions (
    room TEXT NOT NULL,
    person TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (room, person)
);
CREATE INDEX room_admissions_expires ON room_admissions (expires_at);
