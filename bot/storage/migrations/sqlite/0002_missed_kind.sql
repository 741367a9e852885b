-- 0002: what kind of logged question a row is.
-- "missed": the FAQ had no answer (or the answer was "not helpful");
-- "language": the message was not in English, so the FAQ could not be used.
-- "language" holds the detected language code (es, de, fr, ...) for such rows.

ALTER TABLE missed ADD COLUMN kind TEXT NOT NULL DEFAULT 'missed'
    CHECK (kind IN ('missed', 'language'));
ALTER TABLE missed ADD COLUMN language TEXT;

CREATE INDEX missed_guild_kind_status ON missed (guild_id, kind, status);
