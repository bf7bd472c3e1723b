-- Data protection: when an account was deactivated (the operator's retention
-- period for deactivated accounts counts from then), and each school's
-- data-protection checklist.

ALTER TABLE accounts ADD COLUMN deactivated_at BIGINT;

-- One row per school and item once someone changed it; a missing row is "open".
CREATE TABLE privacy_checklist (
    school TEXT NOT NULL REFERENCES schools(number),
    -- 'conferenceDecision', 'staffCouncil', 'informationHandedOut',
    -- 'usagePolicyIssued', 'processingRecorded'
    item TEXT NOT NULL,
    -- 'open', 'done', 'notNeeded'
    status TEXT NOT NULL,
    -- the day the school names (e.g. of the conference), YYYY-MM-DD
    decided_on TEXT,
    changed_at BIGINT NOT NULL,
    -- e-mail address of the school admin who ticked it
    changed_by TEXT NOT NULL,
    PRIMARY KEY (school, item)
);
