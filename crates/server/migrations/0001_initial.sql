-- Schools, accounts, sessions, one-time tokens, rooms, settings, audit log.
-- Portable between SQLite and PostgreSQL: times are BIGINT unix seconds
-- (audit: milliseconds), ids are TEXT, flags BIGINT 0/1 (sqlx's Any driver
-- cannot read SQLite's BOOLEAN).

-- The state's school list. `number` is the Dienststellennummer.
CREATE TABLE schools (
    number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    town TEXT NOT NULL,
    itslearning BIGINT NOT NULL,
    -- 'tafelrunde' or 'bigbluebutton'
    service TEXT NOT NULL,
    service_reason TEXT,
    service_changed_at BIGINT,
    imported_at BIGINT NOT NULL
);

-- People with an account. Personal data: the official e-mail address only.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    -- 'operator', 'school_admin' or 'teacher'
    role TEXT NOT NULL,
    school TEXT REFERENCES schools(number),
    password_hash TEXT,
    -- 'pending' (not yet activated), 'active', 'deactivated'
    status TEXT NOT NULL,
    oidc_subject TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    activated_at BIGINT
);
CREATE INDEX accounts_school ON accounts (school);

-- Login sessions; only a hash of the cookie's value is stored.
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time tokens (setup, activation, password reset); only hashes are stored.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    -- 'setup', 'activation' or 'reset'
    purpose TEXT NOT NULL,
    account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A teacher's rooms and their settings (the room itself exists while occupied).
CREATE TABLE rooms (
    name TEXT PRIMARY KEY,
    school TEXT NOT NULL REFERENCES schools(number),
    owner TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    lobby BIGINT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL
);
CREATE INDEX rooms_owner ON rooms (owner);

-- Settings the operator changes at run time (allowed e-mail domains, guidance link).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every administrative action: who, what, when, for which school.
CREATE TABLE audit_log (
    id {{serial}},
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    school TEXT,
    target TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_school ON audit_log (school);
