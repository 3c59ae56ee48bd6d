-- Inputs per ingest status.
SELECT status, count(*) AS n FROM raw_videos GROUP BY status ORDER BY status;
