"""Load stage outputs into the results database: the ingest manifest, the gate's report, and
one base model's training records, logs and evaluation runs. Every other node only writes
files, so heavy steps never hold the database; this short step (the report's) is its one
writer, and replacing rows makes it idempotent."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from fragmentforge.config import Params
from fragmentforge.layout import PREDICTIONS, RUN, TRAINING_RECORD, layout
from fragmentforge.results_db import load_manifest, record_evaluation, record_task_validation, record_training
from fragmentforge.training.runner import read_log


def load_base_results(conn, params: Params, root: Path, base: str) -> dict[str, int]:
    where = layout(params, root)
    if where.manifest.is_file():
        load_manifest(conn, where.manifest)
    if where.gate_report.is_file():
        record_task_validation(conn, json.loads(where.gate_report.read_text()))
    adapters = root / params.paths.adapters_dir / base
    trained = 0
    for record_path in sorted(adapters.glob(f"*/{TRAINING_RECORD}")):
        record = json.loads(record_path.read_text())
        record_training(conn, record, read_log(record_path.parent / "trainer_log.jsonl"))
        trained += 1
    evaluated = 0
    for run_path in sorted((root / params.paths.eval_dir / base).glob(f"*/{RUN}")):
        summary = json.loads(run_path.read_text())
        rows = pq.read_table(run_path.parent / PREDICTIONS).to_pylist()
        record_evaluation(conn, summary["run"], rows, summary["metrics"])
        evaluated += 1
    return {"training_runs": trained, "evaluation_runs": evaluated}
