"""Node `proxy_tasks`: QA records from the keyframe sets and ground truth.

Output (paths.tasks_dir): qa.parquet (the canonical records, README "QA record") and
summary.json (counts per task and split, answer-letter shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir, write_json_atomic
from fragmentforge.config import Params
from fragmentforge.layout import QA, TASKS_SUMMARY, layout
from fragmentforge.tasks.build import generate_records, summarize
from fragmentforge.tasks.context import load_contexts
from fragmentforge.tasks.record import QA_SCHEMA


@dataclass(frozen=True)
class TasksResult:
    qa: Path
    summary: dict


def write_records(records: list[dict], tasks_dir: Path) -> TasksResult:
    staging = fresh_dir(tasks_dir.with_name(tasks_dir.name + ".staging"))
    pq.write_table(pa.Table.from_pylist(records, schema=QA_SCHEMA), staging / QA)
    summary = summarize(records)
    write_json_atomic(staging / TASKS_SUMMARY, summary)
    replace_dir(staging, tasks_dir)
    return TasksResult(tasks_dir / QA, summary)


def run_proxy_tasks(params: Params, root: Path) -> TasksResult:
    where = layout(params, root)
    contexts = load_contexts(root, where.manifest, where.keyframes)
    return write_records(generate_records(contexts, params.tasks), where.dir("tasks_dir"))


def main(argv=None) -> None:
    params, root = parse_stage_args("Generate proxy-task QA records (SF²T and FineVidBench tasks).", argv)
    result = run_proxy_tasks(params, root)
    print(f"proxy tasks: {result.summary['records']} records -> {result.qa}")
    for key, n in result.summary["per_task_split"].items():
        print(f"  {key:<24}{n:>6}")


if __name__ == "__main__":
    main()
