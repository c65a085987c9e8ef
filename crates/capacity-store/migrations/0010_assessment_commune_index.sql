-- A commune's rounds of one rubric version, by date: the round a results
-- page compares with (the latest earlier one, `revisions_with_previous`)
-- and the header lists filtered by commune are read through it on every
-- request. Without it the planner takes `assessment_rubric` and reads every
-- assessment of the rubric (some 1,400 nationally) to find two.
CREATE INDEX assessment_commune ON assessment (commune_id, rubric_id, rubric_version, date, id);
