-- Replace the raw_videos table with the ingest manifest. $manifest_path: the Parquet file.
CREATE OR REPLACE TABLE raw_videos AS
SELECT * FROM read_parquet($manifest_path);
