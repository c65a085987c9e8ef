-- commune-capacity schema, version 7: the commune register.
--
-- Administrators add, edit, deactivate and merge communes. A deactivated
-- commune is not offered for new assessments; its assessments stay. A
-- commune merged into another is deactivated and names the commune it
-- went into (`merged_into`); its assessments keep their commune id and
-- stay visible, under both communes. Nothing is deleted.
ALTER TABLE commune ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE commune ADD COLUMN merged_into TEXT REFERENCES commune (id);

-- A commune's territory over time: the region and cercle it belonged to
-- from `valid_from` (inclusive) until `valid_to` (exclusive; NULL: still
-- now), both YYYY-MM-DD. Reorganisations (Mali's regions of 2023) are rows
-- here, not code. Where no period covers a date, the commune's own
-- `region` and `cercle` hold (what its assessment files said). Pages and
-- comparisons use the territory valid at an assessment's date, and the
-- register the one valid today.
CREATE TABLE commune_territory (
    commune_id  TEXT NOT NULL REFERENCES commune (id),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    region      TEXT NOT NULL,
    cercle      TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',   -- the legal text or document
    PRIMARY KEY (commune_id, valid_from),
    CHECK (valid_to IS NULL OR valid_from < valid_to)
);
