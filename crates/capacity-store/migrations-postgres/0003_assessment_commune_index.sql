-- The PostgreSQL counterpart of the SQLite set's
-- 0010_assessment_commune_index.sql: a commune's rounds of one rubric
-- version, by date, for the round a results page compares with and the
-- header lists filtered by commune.
CREATE INDEX assessment_commune ON assessment (commune_id, rubric_id, rubric_version, date, id);
