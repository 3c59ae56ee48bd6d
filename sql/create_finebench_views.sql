-- FineBench's answers, one row per (run, helper setting, question): the plain run's predictions
-- ("none") and FineAgent's, with what the breakdowns group by (FineBench Figure 3).
CREATE OR REPLACE VIEW finebench_answers AS
SELECT p.run_id, 'none' AS helpers, p.qa_id, p.video_id, p.correct, q.category, q.kind, q.people_in_frame, q.options
FROM predictions p JOIN finebench_questions q ON p.qa_id = q.qa_id
UNION ALL
SELECT f.run_id, f.helpers, f.qa_id, f.video_id, f.correct, q.category, q.kind, q.people_in_frame, q.options
FROM fineagent_predictions f JOIN finebench_questions q ON f.qa_id = q.qa_id;
-- Accuracy per run and helper setting, by category, by single vs compound, by persons in the
-- frame, and over all; chance: a uniform pick among each question's options (the random row).
CREATE OR REPLACE VIEW finebench_breakdown AS
WITH long AS (
    SELECT run_id, helpers, correct, options, 'category' AS dimension, category AS value FROM finebench_answers
    UNION ALL SELECT run_id, helpers, correct, options, 'kind', kind FROM finebench_answers
    UNION ALL SELECT run_id, helpers, correct, options, 'persons', CAST(people_in_frame AS VARCHAR) FROM finebench_answers
    UNION ALL SELECT run_id, helpers, correct, options, 'all', 'all' FROM finebench_answers
)
SELECT run_id, helpers, dimension, value, count(*) AS questions,
    avg(CASE WHEN correct THEN 1.0 ELSE 0.0 END) AS accuracy, avg(1.0 / options) AS chance
FROM long GROUP BY run_id, helpers, dimension, value;
