-- commune-capacity schema, version 2.
--
-- Clearing a rating keeps its row as a tombstone: `cleared = 1`, the level
-- emptied, the version bumped. A save or a clear naming the version read
-- before the clear is then refused as stale, and the version line of a
-- rating never starts again at 1. Loading skips tombstones ("not answered").
ALTER TABLE rating ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;

-- Every write touching an assessment (its ratings, answers, raters, lock,
-- plan adjustments, its commune's attributes) bumps `revision` in the same
-- transaction: a cache of one assessment keys on it and survives writes to
-- the others.
ALTER TABLE assessment ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
