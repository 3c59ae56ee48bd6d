"""Stage: proxy-task QA records from the keyframe sets and ground truth.

Output (paths.tasks_dir): qa.parquet (the canonical records, README "QA record") and
summary.json (counts per task and split, answer-letter shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from stages.common import fresh_dir, parse_stage_args, replace_dir, write_json_atomic
from stages.config import Params
from stages.tasks.build import generate_records, summarize
from stages.tasks.context import load_contexts
from stages.tasks.record import QA_SCHEMA

QA_FILE, SUMMARY_FILE = "qa.parquet", "summary.json"
MANIFEST_FILE, KEYFRAMES_FILE = "manifest.parquet", "keyframes.parquet"


@dataclass(frozen=True)
class TasksResult:
    qa: Path
    summary: dict


def write_records(records: list[dict], tasks_dir: Path) -> TasksResult:
    staging = fresh_dir(tasks_dir.with_name(tasks_dir.name + ".staging"))
    pq.write_table(pa.Table.from_pylist(records, schema=QA_SCHEMA), staging / QA_FILE)
    summary = summarize(records)
    write_json_atomic(staging / SUMMARY_FILE, summary)
    replace_dir(staging, tasks_dir)
    return TasksResult(tasks_dir / QA_FILE, summary)


def run_proxy_tasks(params: Params, root: Path) -> TasksResult:
    p = params.paths
    contexts = load_contexts(root, root / p.raw_dir / MANIFEST_FILE, root / p.frames_dir / KEYFRAMES_FILE)
    return write_records(generate_records(contexts, params.tasks), root / p.tasks_dir)


def main(argv=None) -> None:
    params, root = parse_stage_args("Generate proxy-task QA records (SF²T and FineVidBench tasks).", argv)
    result = run_proxy_tasks(params, root)
    print(f"proxy tasks: {result.summary['records']} records -> {result.qa}")
    for key, n in result.summary["per_task_split"].items():
        print(f"  {key:<24}{n:>6}")


if __name__ == "__main__":
    main()
