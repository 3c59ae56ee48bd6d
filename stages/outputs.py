"""Print where the pipeline's outputs are and what they hold (the end of `make run`)."""
from __future__ import annotations

import json
from pathlib import Path

from stages.common import parse_stage_args
from stages.ingest import MANIFEST_FILE, SUMMARY_FILE


def main(argv=None) -> None:
    params, root = parse_stage_args("Show where the outputs of the last run are.", argv)
    root = root.resolve()
    raw = root / params.paths.raw_dir
    print("outputs:")
    print(f"  synthetic clips  {root / params.paths.synthetic_dir}")
    print(f"  raw manifest     {raw / MANIFEST_FILE}")
    print(f"  keyframe sets    {root / params.paths.frames_dir / 'keyframes.parquet'}")
    if (raw / SUMMARY_FILE).exists():
        print(f"  ingest summary   {json.loads((raw / SUMMARY_FILE).read_text())}")
    print(f"  results database {root / params.paths.results_db}")


if __name__ == "__main__":
    main()
