"""DAG node `raw_videos`: every source read, each video probed by decoding and stored once (manifest + quarantine).

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.ingest`.
"""
from fragmentforge.ingest import main

if __name__ == "__main__":
    main()
