-- Replace the finebench_questions table with the benchmark's FineBench questions (test split of
-- the QA file): what the breakdowns group by, read from each record's meta. $qa_path.
CREATE OR REPLACE TABLE finebench_questions AS
SELECT qa_id, video_id, json_extract_string(meta, '$.category') AS category,
    json_extract_string(meta, '$.kind') AS kind,
    CAST(json_extract(meta, '$.people_in_frame') AS INTEGER) AS people_in_frame,
    len(options) AS options
FROM read_parquet($qa_path) WHERE task = 'finebench' AND split = 'test';
