"""Node `proxy_tasks`: QA records from the keyframe sets and ground truth.

Output (paths.tasks_dir): qa.parquet (the canonical records, README "QA record"),
summary.json (counts per task and split, answer-letter shares) and review.parquet (every
candidate of a reviewed level, MA-Bench's, with the judge's verdict and whether it entered),
open_ended.parquet (MA-Bench's MADU and MARE questions with their references),
descriptions.parquet (Tarsier2's description records, with their corrupted frames);
the judge's reply cache and counts go to paths.judge_dir.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir, write_json_atomic
from fragmentforge.config import Params
from fragmentforge.descriptions.records import DESCRIPTION_SCHEMA, description_rows
from fragmentforge.layout import DESCRIPTIONS, OPEN_QUESTIONS, QA, TASKS_SUMMARY, TEACHER_LABELS, layout
from fragmentforge.microactions.open_ended import OPEN_SCHEMA, open_questions
from fragmentforge.microactions.review import Screening
from fragmentforge.tasks.build import generate_records, summarize
from fragmentforge.tasks.context import load_contexts
from fragmentforge.tasks.record import QA_SCHEMA


@dataclass(frozen=True)
class TasksResult:
    qa: Path
    summary: dict


def write_records(records: list[dict], tasks_dir: Path, screening: Screening | None = None,
                  open_rows: list[dict] | None = None, desc_rows: list[dict] | None = None) -> TasksResult:
    staging = fresh_dir(tasks_dir.with_name(tasks_dir.name + ".staging"))
    pq.write_table(pa.Table.from_pylist(records, schema=QA_SCHEMA), staging / QA)
    if open_rows is not None:
        pq.write_table(pa.Table.from_pylist(open_rows, schema=OPEN_SCHEMA), staging / OPEN_QUESTIONS)
    if desc_rows is not None:
        pq.write_table(pa.Table.from_pylist(desc_rows, schema=DESCRIPTION_SCHEMA), staging / DESCRIPTIONS)
    if screening is not None:
        screening.write(staging)
    summary = summarize(records)
    if desc_rows is not None:
        summary["descriptions"] = {split: sum(r["split"] == split for r in desc_rows) for split in ("train", "test")}
    write_json_atomic(staging / TASKS_SUMMARY, summary)
    replace_dir(staging, tasks_dir)
    return TasksResult(tasks_dir / QA, summary)


def run_proxy_tasks(params: Params, root: Path) -> TasksResult:
    where = layout(params, root)
    contexts = load_contexts(root, where.manifest, where.keyframes, where.dir("teacher_dir") / TEACHER_LABELS)
    screening = Screening(params, root)
    records = generate_records(contexts, params.tasks, screening)
    return write_records(records, where.dir("tasks_dir"), screening, open_questions(contexts, params.tasks.ma_bench),
                         description_rows(contexts, params.tasks.descriptions, params.tasks.seed))


def main(argv=None) -> None:
    params, root = parse_stage_args("Generate proxy-task QA records (SF²T and FineVidBench tasks).", argv)
    result = run_proxy_tasks(params, root)
    print(f"proxy tasks: {result.summary['records']} records -> {result.qa}")
    for key, n in result.summary["per_task_split"].items():
        print(f"  {key:<24}{n:>6}")


if __name__ == "__main__":
    main()
