-- 0001: first schema of the missed-questions log.
-- Applied in one transaction by bot/storage/migrate.py; PRAGMA user_version
-- is set to 1 in that same transaction.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Questions the bot could not answer (or whose answer was "not helpful").
CREATE TABLE missed (
    id             INTEGER PRIMARY KEY,
    guild_id       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    source_id      TEXT NOT NULL UNIQUE,
    author         TEXT NOT NULL,
    question       TEXT NOT NULL,
    normalised     TEXT NOT NULL,
    candidates     TEXT NOT NULL DEFAULT '[]',
    reason         TEXT NOT NULL DEFAULT 'no_answer'
                   CHECK (reason IN ('no_answer', 'not_helpful')),
    shown_entry_id TEXT,
    created_at     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'resolved', 'dismissed')),
    changed_by     TEXT,
    changed_at     TEXT,
    action         TEXT CHECK (action IS NULL OR action IN ('resolved', 'dismissed')),
    note           TEXT,
    entry_id       TEXT
);

CREATE INDEX missed_guild_status_created ON missed (guild_id, status, created_at);
CREATE INDEX missed_guild_normalised ON missed (guild_id, normalised);
CREATE INDEX missed_created ON missed (created_at);
CREATE INDEX missed_author ON missed (author);

-- "Helpful" / "Not helpful" clicks.
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    guild_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    source_id  TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL,
    author     TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    question   TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX feedback_guild_created ON feedback (guild_id, created_at);
CREATE INDEX feedback_created ON feedback (created_at);
CREATE INDEX feedback_author ON feedback (author);

-- Moderator-approved phrasings of existing entries (guild_id NULL = global).
CREATE TABLE learned (
    id         INTEGER PRIMARY KEY,
    guild_id   TEXT,
    phrasing   TEXT NOT NULL,
    normalised TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    added_by   TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (guild_id, normalised)
);

-- UNIQUE treats NULLs as distinct, so global phrasings need their own index.
CREATE UNIQUE INDEX learned_global_normalised ON learned (normalised)
    WHERE guild_id IS NULL;
